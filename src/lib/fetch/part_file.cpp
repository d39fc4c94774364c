// DEST.part, the file a download is written to: claimed under a lock without
// following a planted link (the cache is shared by runs on other layers, and
// may hold links: issue #14), and resumed when an earlier run left one.
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>

#include "fetch/transfer.hpp"
#include "yumda/error.hpp"

namespace yumda::fetch_engine {

// Opens DEST.part and locks it. Never through a link: a symlink or a
// hard link planted there (a shared or restored cache) is removed, not
// written through. While another live run holds DEST.part, this run takes
// a name of its own (no resume), so two runs never write one file.
void ItemState::claim_part(size_t index) {
  const std::string canonical = part;
  for (int attempt = 0; attempt < 8; ++attempt) {
    UniqueFd fd(::open(canonical.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644));
    struct stat sb;
    if (!fd || ::fstat(fd.get(), &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_nlink != 1) {
      if (!fd && errno != ELOOP && errno != ENXIO && errno != EISDIR)
        throw Error("cannot write " + canonical + ": " + errno_text(errno));
      // A symlink, fifo, device or hard link: never ours. (A directory: rmdir fails, open says so.)
      if (::unlink(canonical.c_str()) != 0 && errno != ENOENT && errno != EISDIR)
        throw Error("cannot remove " + canonical + " (not a plain file): " + errno_text(errno));
      continue;
    }
    if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
      if (errno != EWOULDBLOCK) throw Error("cannot lock " + canonical + ": " + errno_text(errno));
      break;  // another run's download in progress
    }
    // Still the file at that name (the other run may have renamed it into place meanwhile)?
    struct stat now;
    if (::lstat(canonical.c_str(), &now) == 0 && now.st_dev == sb.st_dev && now.st_ino == sb.st_ino) {
      part_fd = std::move(fd);
      return;
    }
  }
  static std::atomic<unsigned> counter{0};
  part = canonical + "." + std::to_string(::getpid()) + "." + std::to_string(index) + "." +
         std::to_string(counter++);
  part_fd.reset(::open(part.c_str(), O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644));
  if (!part_fd) throw Error("cannot write " + part + ": " + errno_text(errno));
}

// A DEST.part from an interrupted earlier run: resume it over HTTP unless it
// is already as long as (or longer than) the whole file should be.
void ItemState::resume_stale_part(bool http) {
  struct stat sb;
  uint64_t expected = item->expected_size;
  if (!http || ::fstat(part_fd.get(), &sb) != 0 || sb.st_size <= 0 ||
      (expected && static_cast<uint64_t>(sb.st_size) >= expected)) {
    drop_part();
    return;
  }
  reset_digest();
  if (digest) {
    char buf[1 << 16];
    ssize_t n;
    off_t off = 0;
    while ((n = ::pread(part_fd.get(), buf, sizeof buf, off)) > 0) {
      digest->update(buf, static_cast<size_t>(n));
      off += n;
    }
    if (n < 0) {
      drop_part();
      return;
    }
  }
  part_size = static_cast<uint64_t>(sb.st_size);
  stale_part = true;
}

}  // namespace yumda::fetch_engine
