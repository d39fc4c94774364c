#include "layer/layer_dirs.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "yumda/error.hpp"

namespace yumda::detail {

std::vector<DirEntry> list_dir(int dirfd, const std::string& where) {
  int dup_fd = fcntl(dirfd, F_DUPFD_CLOEXEC, 0);
  if (dup_fd < 0) throw Error("cannot read directory " + where + ": " + errno_text(errno));
  DIR* d = fdopendir(dup_fd);
  if (!d) {
    int err = errno;
    close(dup_fd);
    throw Error("cannot read directory " + where + ": " + errno_text(err));
  }
  rewinddir(d);
  std::vector<DirEntry> out;
  while (dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    struct stat st;
    if (fstatat(dirfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
      int err = errno;
      closedir(d);
      throw Error("cannot stat " + where + "/" + name + ": " + errno_text(err));
    }
    out.push_back({std::move(name), st.st_mode});
  }
  closedir(d);
  std::sort(out.begin(), out.end(), [](const DirEntry& a, const DirEntry& b) { return a.name < b.name; });
  return out;
}

LayerDirs open_layer_dirs(const std::string& root, bool create) {
  LayerDirs d;
  std::string path = root;
  while (path.size() > 1 && path.back() == '/') path.pop_back();  // "layer/" would follow a link
  struct stat st;
  if (lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT && !create) return d;
    throw Error("cannot use layer directory " + root + ": " + errno_text(errno));
  }
  if (S_ISLNK(st.st_mode))
    throw Error("layer directory " + root +
                " is a symlink; yumda follows no link into a layer: pass the directory it points to as --root");
  d.root.reset(open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!d.root) throw Error("cannot open layer directory " + root + ": " + errno_text(errno));
  if (create && mkdirat(d.root.get(), ".yumda", 0755) != 0 && errno != EEXIST)
    throw Error("cannot create " + root + "/.yumda: " + errno_text(errno));
  d.meta.reset(openat(d.root.get(), ".yumda", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!d.meta) {
    int err = errno;
    if (err == ENOENT && !create) return d;
    if (err == ELOOP || err == ENOTDIR)
      throw Error(root + "/.yumda is a symlink or not a directory; yumda keeps the layer's state there and follows "
                         "no link out of the layer (move it away)");
    throw Error("cannot open " + root + "/.yumda: " + errno_text(err));
  }
  return d;
}

bool read_beneath(int dir_fd, const std::string& name, uint64_t max, const std::string& what, std::string& out) {
  UniqueFd fd = open_beneath(dir_fd, name, O_RDONLY | O_NONBLOCK);  // a planted fifo must not block the open
  if (!fd) {
    int err = errno;
    if (err == ENOENT) return false;
    if (err == ELOOP || err == EXDEV)
      throw Error("cannot read " + what + ": it is a symlink or leads out of the layer; refusing to follow it");
    throw Error("cannot read " + what + ": " + errno_text(err));
  }
  struct stat st;
  if (fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) throw Error("cannot read " + what + ": not a regular file");
  out = read_fd_capped(fd.get(), max, what);
  return true;
}

}  // namespace yumda::detail
