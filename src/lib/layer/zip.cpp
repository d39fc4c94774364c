// The layer zip, written with libarchive's zip writer. Reproducible: entries in
// byte order of their paths, uid/gid 0, one fixed mtime, no atime/ctime, so the
// same tree always gives the same bytes whatever order or times it was made in.
#include "yumda/zip.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <memory>
#include <vector>

#include "yumda/error.hpp"
#include "yumda/fs.hpp"
#include "yumda/reporter.hpp"

namespace yumda {

namespace {

struct ArchiveWriteFree {
  void operator()(archive* a) const { archive_write_free(a); }
};
struct EntryFree {
  void operator()(archive_entry* e) const { archive_entry_free(e); }
};
using ArchivePtr = std::unique_ptr<archive, ArchiveWriteFree>;
using EntryPtr = std::unique_ptr<archive_entry, EntryFree>;

struct ZipItem {
  std::string rel;  // relative to ROOT, no trailing slash
  struct stat st;
};

// Every entry under ROOT except ROOT/.yumda, without following symlinks.
void collect(const std::string& root, const std::string& rel, std::vector<ZipItem>& out) {
  std::string dir = rel.empty() ? root : root + "/" + rel;
  DIR* d = opendir(dir.c_str());
  if (!d) throw Error("cannot read " + dir + ": " + errno_text(errno));
  std::unique_ptr<DIR, int (*)(DIR*)> guard(d, closedir);
  std::vector<std::string> names;
  while (dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    if (rel.empty() && name == ".yumda") continue;  // yumda's state, not layer content
    names.push_back(std::move(name));
  }
  guard.reset();
  for (const auto& name : names) {
    ZipItem item;
    item.rel = rel.empty() ? name : rel + "/" + name;
    std::string full = root + "/" + item.rel;
    if (lstat(full.c_str(), &item.st) != 0) throw Error("cannot stat " + full + ": " + errno_text(errno));
    if (!S_ISDIR(item.st.st_mode) && !S_ISREG(item.st.st_mode) && !S_ISLNK(item.st.st_mode))
      throw Error("cannot zip " + full + ": a layer holds only files, directories and symlinks (remove it)");
    bool is_dir = S_ISDIR(item.st.st_mode);
    std::string rel_copy = item.rel;  // OUT grows below: no reference into it
    out.push_back(std::move(item));
    if (is_dir) collect(root, rel_copy, out);
  }
}

std::string read_link(const std::string& path) {
  std::string buf(256, '\0');
  for (;;) {
    ssize_t n = readlink(path.c_str(), buf.data(), buf.size());
    if (n < 0) throw Error("cannot read symlink " + path + ": " + errno_text(errno));
    if (static_cast<size_t>(n) < buf.size()) {
      buf.resize(static_cast<size_t>(n));
      return buf;
    }
    buf.resize(buf.size() * 2);
  }
}

class TmpFileGuard {
 public:
  explicit TmpFileGuard(std::string path) : path_(std::move(path)) {}
  ~TmpFileGuard() {
    if (!path_.empty()) unlink(path_.c_str());
  }
  void release() { path_.clear(); }

 private:
  std::string path_;
};

}  // namespace

ZipResult write_layer_zip(const std::string& root, const std::string& out, const ZipOptions& options) {
  if (!is_directory(root)) throw Error("cannot zip " + root + ": not a directory");
  std::vector<ZipItem> items;
  collect(root, "", items);
  // Byte order of the path, independent of readdir order.
  std::sort(items.begin(), items.end(), [](const ZipItem& a, const ZipItem& b) { return a.rel < b.rel; });

  std::string tmp = out + ".tmp";
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
  TmpFileGuard tmp_guard(tmp);
  check(archive_write_open_filename(a.get(), tmp.c_str()), "open");

  ZipResult result;
  std::vector<char> buf(1 << 16);
  for (const auto& item : items) {
    check_interrupt();
    std::string full = root + "/" + item.rel;
    EntryPtr e(archive_entry_new());
    if (!e) throw Error("cannot write " + out + ": out of memory");
    archive_entry_set_uid(e.get(), 0);
    archive_entry_set_gid(e.get(), 0);
    archive_entry_set_mtime(e.get(), options.mtime, 0);
    archive_entry_set_perm(e.get(), item.st.st_mode & 07777);
    UniqueFd fd;
    if (S_ISDIR(item.st.st_mode)) {
      archive_entry_set_pathname(e.get(), (item.rel + "/").c_str());
      archive_entry_set_filetype(e.get(), AE_IFDIR);
      archive_entry_set_size(e.get(), 0);
    } else if (S_ISLNK(item.st.st_mode)) {
      std::string target = read_link(full);
      archive_entry_set_pathname(e.get(), item.rel.c_str());
      archive_entry_set_filetype(e.get(), AE_IFLNK);
      archive_entry_set_symlink(e.get(), target.c_str());
      archive_entry_set_size(e.get(), 0);
      result.unzipped_bytes += target.size();
    } else {
      // A hardlinked file is just stored again: zip has no hardlinks.
      fd.reset(open(full.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
      if (!fd) throw Error("cannot read " + full + ": " + errno_text(errno));
      archive_entry_set_pathname(e.get(), item.rel.c_str());
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
  a.reset();

  struct stat st;
  if (stat(tmp.c_str(), &st) != 0) throw Error("cannot stat " + tmp + ": " + errno_text(errno));
  result.zipped_bytes = static_cast<uint64_t>(st.st_size);
  if (rename(tmp.c_str(), out.c_str()) != 0) throw Error("cannot write " + out + ": " + errno_text(errno));
  tmp_guard.release();
  return result;
}

}  // namespace yumda
