// A regular file's content before it has a name: written from the payload
// (copy_file_range where the payload is an uncompressed file), or, in the
// expanded cache's link modes, the cache's own file, a clone or a copy of it.
#include <archive.h>
#include <elf.h>
#include <fcntl.h>
#include <linux/fs.h>  // FICLONE
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>

#include "extract/extractor.hpp"

namespace yumda::detail {

PendingFile Extractor::start_file(const Entry& entry, const ReadData& read, const std::string& display) {
  PendingFile p;
  if (entry.perm & (S_ISUID | S_ISGID)) ++result_.dropped_setid;
  p.mode = entry.perm & 01777;
  p.mtime = entry.mtime;
  if (source_.open_blob && start_from_blob(entry, display, p)) return p;
  open_tmp(p);
  write_data(entry, read, p);
  return p;
}

// A new file in STAGE_DIR for P's content, not yet named.
void Extractor::open_tmp(PendingFile& p) {
  if (use_tmpfile_) {
    p.fd.reset(openat(root_.get(), ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600));
    // No O_TMPFILE on this filesystem (or kernel): named files from now on.
    if (!p.fd && errno != EISDIR && errno != EOPNOTSUPP && errno != EINVAL) fail_tmp();
    if (!p.fd) use_tmpfile_ = false;
  }
  for (int attempt = 0; !p.fd; ++attempt) {
    std::string name = ".yumda-extract-" + std::to_string(getpid()) + "-" + std::to_string(tmp_counter_++);
    p.fd.reset(openat(root_.get(), name.c_str(), O_CREAT | O_EXCL | O_RDWR | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (p.fd) {
      p.tmp_dir = root_.get();
      p.tmp_name = std::move(name);
    } else if (errno != EEXIST || attempt > 100) {
      fail_tmp();
    }
  }
}

// Link modes: P's content is the expanded cache's file for DISPLAY, that
// file itself (hardlink) or a clone of it (reflink), else a copy. False for
// a file the header gives no data, made as any other.
bool Extractor::start_from_blob(const Entry& entry, const std::string& display, PendingFile& p) {
  auto it = header_files_.find(display);
  if (it == header_files_.end() || it->second->size == 0) return false;
  if (entry.size != 0) fail("entry " + display + " of the expanded cache carries data of its own; refusing it");
  UniqueFd blob = source_.open_blob(display);
  if (!blob) fail("cannot open the expanded cache's copy of " + display + ": " + errno_text(errno));
  p.size = it->second->size;
  unsigned char magic[SELFMAG];
  p.elf = p.size >= SELFMAG && pread(blob.get(), magic, SELFMAG, 0) == SELFMAG &&
          memcmp(magic, ELFMAG, SELFMAG) == 0;
  if (source_.link_mode == LinkMode::kHardlink && have_proc_) {  // linked through /proc, as O_TMPFILE files
    p.fd = std::move(blob);
    p.borrowed = true;
    return true;
  }
  open_tmp(p);
  if (source_.link_mode == LinkMode::kReflink && can_clone_) {
    if (ioctl(p.fd.get(), FICLONE, blob.get()) == 0) {
      ++result_.cloned;
      return true;
    }
    can_clone_ = false;  // not on this file system (ext4, tmpfs, across mounts): copies from now on
  }
  copy_whole(blob.get(), p, display);
  ++result_.link_copied;
  return true;
}

// Copies the whole of FROM (P.size bytes) into P's new file.
void Extractor::copy_whole(int from, PendingFile& p, const std::string& display) {
  if (copy_range(from, 0, p.fd.get(), p.size, display)) return;
  off_t off = 0;
  reading_ = display;
  write_loop(pread_data(from, off, "cannot read the expanded cache's copy of " + display), p, p.size, display);
}

// Reads FD from offset AT on, advancing AT; an error is thrown as WHAT.
ReadData Extractor::pread_data(int fd, off_t& at, std::string what) const {
  return [this, fd, &at, what = std::move(what)](char* buf, size_t len) {
    ssize_t n;
    while ((n = pread(fd, buf, len, at)) < 0 && errno == EINTR) {
    }
    if (n < 0) fail(what + ": " + errno_text(errno));
    at += n;
    return static_cast<size_t>(n);
  };
}

// P's content as a new file of its own: where the cache's file cannot be
// linked (another file system, its link limit) or is no longer as the
// package says (someone changed its mode), which is not ours to change back.
void Extractor::detach(PendingFile& p, const std::string& display) {
  UniqueFd blob = std::move(p.fd);
  p.borrowed = false;
  open_tmp(p);
  copy_whole(blob.get(), p, display);
  ++result_.link_copied;
}

void Extractor::write_data(const Entry& entry, const ReadData& read, PendingFile& p) {
  const std::string& display = entry.name;
  if (p.borrowed) fail("entry " + display + " of the expanded cache carries data of its own; refusing it");
  // A later link of a hardlink set may carry the data again: it replaces.
  if (p.size > 0 && (ftruncate(p.fd.get(), 0) != 0 || lseek(p.fd.get(), 0, SEEK_SET) != 0))
    fail("cannot write " + display + ": " + errno_text(errno));
  const uint64_t declared = entry.size > 0 ? static_cast<uint64_t>(entry.size) : 0;
  reading_ = display;  // names the entry if the payload fails under READ
  p.scan.reset();
  const bool scan = options_.path_map && (options_.scan == ExtractOptions::Scan::kAll ||
                                          (options_.scan == ExtractOptions::Scan::kMoved && !from_.empty()));
  if (!scan) {
    if (declared > 0 && direct_ && copy_direct(display, p, declared)) return;
    return write_loop(read, p, declared, display);
  }
  // Through user space even from the expanded cache: the bytes pass the
  // scan on their way, instead of being read back by the relocation stage.
  PathScanner scanner(*options_.path_map);
  if (declared > 0 && direct_) {
    copy_scanned(display, p, declared, scanner);
  } else {
    write_loop(read, p, declared, display, &scanner);
  }
  p.scan = std::make_shared<const ScannedFile>(scanner.finish());
}

// An uncompressed payload's (the expanded cache's) LEN bytes of data read
// straight from its file, scanned and written, then skipped by libarchive:
// one copy into user space instead of libarchive's read and copy out.
void Extractor::copy_scanned(const std::string& display, PendingFile& p, uint64_t len, PathScanner& scanner) {
  off_t at = direct_data_offset();
  write_loop(pread_data(direct_->fd, at, "its payload cannot be read inside " + display), p, len, display, &scanner);
  if (archive_read_data_skip(direct_->a) != ARCHIVE_OK) fail_archive(direct_->a, "its payload cannot be read");
}

// Writes DECLARED bytes from READ into P's file.
void Extractor::write_loop(const ReadData& read, PendingFile& p, uint64_t declared, const std::string& display,
                           PathScanner* scanner) {
  // Not zeroed: a file's bytes overwrite it (a vector's 64 KiB memset per
  // file was 257 MB of stores for git's closure).
  constexpr size_t kChunk = 1 << 16;
  const std::unique_ptr<char[]> buf(new char[kChunk]);
  uint64_t total = 0;
  while (total < declared) {
    size_t len = read(buf.get(), static_cast<size_t>(std::min<uint64_t>(kChunk, declared - total)));
    if (len == 0) break;
    if (total == 0) p.elf = len >= SELFMAG && memcmp(buf.get(), ELFMAG, SELFMAG) == 0;
    if (scanner) scanner->feed({buf.get(), len});
    size_t done = 0;
    while (done < len) {
      ssize_t n = write(p.fd.get(), buf.get() + done, len - done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) fail("cannot write " + display + " into the staging directory: " + errno_text(errno));
      done += static_cast<size_t>(n);
    }
    total += len;
  }
  if (total != declared) fail("its payload ends inside " + display + " (the file is truncated)");
  p.size = total;
}

// Copies the current entry's LEN bytes of data straight from the payload
// file (no trip through user space), then has libarchive skip past them.
// False, with nothing consumed, where the filesystem cannot do it.
bool Extractor::copy_direct(const std::string& display, PendingFile& p, uint64_t len) {
  const off_t src = direct_data_offset();
  unsigned char magic[SELFMAG];
  const bool elf = len >= SELFMAG && pread(direct_->fd, magic, SELFMAG, src) == SELFMAG &&
                   memcmp(magic, ELFMAG, SELFMAG) == 0;
  if (!copy_range(direct_->fd, src, p.fd.get(), len, display)) {
    direct_ = nullptr;  // not here: read and write for the rest of the payload
    return false;
  }
  if (archive_read_data_skip(direct_->a) != ARCHIVE_OK) fail_archive(direct_->a, "its payload cannot be read");
  p.elf = elf;
  p.size = len;
  return true;
}

// Where the current entry's data starts in the payload's file: the format
// has consumed everything before it.
off_t Extractor::direct_data_offset() const {
  return direct_->base + archive_filter_bytes(direct_->a, 0);
}

// Copies LEN bytes of FROM at SRC to TO inside the kernel; false, with
// nothing copied, where the file systems cannot.
bool Extractor::copy_range(int from, off_t src, int to, uint64_t len, const std::string& display) const {
  const uint64_t done = copy_in_kernel(from, src, to, len);
  if (done == len) return true;
  if (done == 0 && (errno == EXDEV || errno == EINVAL || errno == ENOSYS || errno == EOPNOTSUPP)) return false;
  if (errno != 0) fail("cannot write " + display + " into the staging directory: " + errno_text(errno));
  fail("its payload ends inside " + display + " (the file is truncated)");
}

}  // namespace yumda::detail
