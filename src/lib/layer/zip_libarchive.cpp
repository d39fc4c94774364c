// The layer zip through libarchive's zip writer: the fallback when yumda is
// built without libdeflate. One core, zlib; DOS times come from localtime(),
// so bytes match only between runs in the same time zone.
#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <memory>

#include "layer/zip_tree.hpp"
#include "yumda/error.hpp"
#include "yumda/fs.hpp"
#include "yumda/reporter.hpp"

namespace yumda::detail {

namespace {

struct ArchiveWriteFree {
  void operator()(archive* a) const { archive_write_free(a); }
};
struct EntryFree {
  void operator()(archive_entry* e) const { archive_entry_free(e); }
};
using ArchivePtr = std::unique_ptr<archive, ArchiveWriteFree>;
using EntryPtr = std::unique_ptr<archive_entry, EntryFree>;

}  // namespace

ZipResult write_zip_libarchive(const std::string& root, const std::vector<ZipItem>& items, const std::string& tmp,
                               const std::string& out, const ZipOptions& options) {
  ArchivePtr a(archive_write_new());
  if (!a) throw Error("cannot start a zip writer: out of memory");
  auto check = [&](int rc, const std::string& what) {
    if (rc < ARCHIVE_WARN) throw Error("cannot write " + out + " (" + what + "): " + archive_error_string(a.get()));
  };
  check(archive_write_set_format_zip(a.get()), "zip format");
  std::string opts = "zip:compression=deflate,zip:compression-level=" + std::to_string(std::clamp(options.level, 0, 9));
  check(archive_write_set_options(a.get(), opts.c_str()), "zip options");
  // libarchive pads the last block of tape formats; a zip must end at its end.
  check(archive_write_set_bytes_in_last_block(a.get(), 1), "block size");
  check(archive_write_open_filename(a.get(), tmp.c_str()), "open");

  ZipResult result;
  std::vector<char> buf(1 << 16);
  for (const auto& item : items) {
    check_interrupt();
    std::string full = root + "/" + item.rel;
    EntryPtr e(archive_entry_new());
    if (!e) throw Error("cannot write " + out + ": out of memory");
    archive_entry_set_pathname(e.get(), zip_name(item).c_str());
    archive_entry_set_uid(e.get(), 0);
    archive_entry_set_gid(e.get(), 0);
    archive_entry_set_mtime(e.get(), options.mtime, 0);
    archive_entry_set_perm(e.get(), item.st.st_mode & 07777);
    archive_entry_set_size(e.get(), 0);
    UniqueFd fd;
    if (S_ISDIR(item.st.st_mode)) {
      archive_entry_set_filetype(e.get(), AE_IFDIR);
    } else if (S_ISLNK(item.st.st_mode)) {
      archive_entry_set_filetype(e.get(), AE_IFLNK);
      archive_entry_set_symlink(e.get(), item.target.c_str());
      result.unzipped_bytes += item.target.size();
    } else {
      // A hardlinked file is just stored again: zip has no hardlinks.
      fd.reset(open(full.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
      if (!fd) throw Error("cannot read " + full + ": " + errno_text(errno));
      archive_entry_set_filetype(e.get(), AE_IFREG);
      archive_entry_set_size(e.get(), item.st.st_size);
      result.unzipped_bytes += static_cast<uint64_t>(item.st.st_size);
    }
    check(archive_write_header(a.get(), e.get()), item.rel);
    if (fd) {
      // Exactly the size declared in the header, even if the file changes under us.
      uint64_t left = static_cast<uint64_t>(item.st.st_size);
      while (left > 0) {
        ssize_t n = read(fd.get(), buf.data(), std::min<uint64_t>(buf.size(), left));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw Error("cannot read " + full + ": " + errno_text(errno));
        if (n == 0) throw Error("cannot zip " + full + ": it shrank while being read (is another process changing the layer?)");
        if (archive_write_data(a.get(), buf.data(), static_cast<size_t>(n)) < 0)
          throw Error("cannot write " + out + " (" + item.rel + "): " + archive_error_string(a.get()));
        left -= static_cast<uint64_t>(n);
      }
    }
    ++result.entries;
  }
  check(archive_write_close(a.get()), "close");
  return result;
}

}  // namespace yumda::detail
