// Keeping two yumda runs off the same layer (flock on ROOT/.yumda/lock), and
// checking ROOT is usable before any download starts.
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "layer/layer_dirs.hpp"
#include "yumda/error.hpp"
#include "yumda/layer.hpp"
#include "yumda/reporter.hpp"

namespace yumda {

namespace {

// The pid holding a flock on FD, from /proc/locks ("1: FLOCK ADVISORY WRITE
// PID MAJ:MIN:INODE 0 EOF"); "" when it cannot be told. Read rather than
// written into the lock file, so taking the lock changes nothing in ROOT.
std::string holder_pid(int fd) {
  struct stat st;
  if (fstat(fd, &st) != 0) return "";
  std::ifstream locks("/proc/locks");
  std::string line;
  const std::string inode = ":" + std::to_string(st.st_ino);
  while (std::getline(locks, line)) {
    std::istringstream in(line);
    std::string num, kind, mode, access, pid, dev;
    if (!(in >> num >> kind)) continue;
    if (kind == "->") in >> kind;  // a blocked waiter's line
    if (!(in >> mode >> access >> pid >> dev)) continue;
    if (kind == "FLOCK" && dev.size() > inode.size() && dev.compare(dev.size() - inode.size(), inode.size(), inode) == 0 &&
        pid != std::to_string(getpid()))
      return pid;
  }
  return "";
}

}  // namespace

LayerLock::LayerLock(const std::string& root, bool wait) {
  // Through fds: a .yumda symlink would otherwise put the lock (and, later,
  // txn/) wherever it points.
  auto dirs = detail::open_layer_dirs(root, /*create=*/true);
  std::string path = root + "/.yumda/lock";
  fd_.reset(openat(dirs.meta.get(), "lock", O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644));
  if (!fd_) throw Error("cannot open the layer lock " + path + ": " + errno_text(errno));
  for (;;) {
    if (flock(fd_.get(), LOCK_EX | (wait ? 0 : LOCK_NB)) == 0) break;
    if (errno == EINTR) {
      check_interrupt();
      continue;
    }
    if (errno == EWOULDBLOCK) {
      std::string pid = holder_pid(fd_.get());
      throw Error("layer " + root + " is in use by another yumda run" + (pid.empty() ? "" : " (pid " + pid + ")") +
                  "; wait for it or drop --nowait");
    }
    throw Error("cannot lock the layer " + path + ": " + errno_text(errno));
  }
}

LayerLock::~LayerLock() = default;  // closing the fd drops the flock

void prepare_root(const std::string& root) {
  namespace fs = std::filesystem;
  const std::string fix = " (choose another --root or fix its permissions)";
  struct stat st;
  // Refused before anything is downloaded (the commit would refuse it last).
  std::string no_slash = root;
  while (no_slash.size() > 1 && no_slash.back() == '/') no_slash.pop_back();
  if (lstat(no_slash.c_str(), &st) == 0 && S_ISLNK(st.st_mode))
    throw Error("layer directory " + root +
                " is a symlink; yumda follows no link into a layer: pass the directory it points to as --root");
  if (stat(root.c_str(), &st) != 0) {
    if (errno != ENOENT) throw Error("cannot use layer directory " + root + ": " + errno_text(errno));
    fs::path p = fs::path(root).lexically_normal();
    if (!p.has_filename()) p = p.parent_path();  // "layer/" names "layer"
    fs::path parent = p.parent_path();
    if (parent.empty()) parent = ".";
    struct stat pst;
    if (stat(parent.c_str(), &pst) != 0 || !S_ISDIR(pst.st_mode))
      throw Error("cannot create layer directory " + root + ": its parent " + parent.string() +
                  " does not exist (create it first or choose another --root)");
    if (mkdir(root.c_str(), 0755) != 0 && errno != EEXIST) {
      int err = errno;
      throw Error("cannot create layer directory " + root + ": " + errno_text(err) + fix);
    }
    if (stat(root.c_str(), &st) != 0) throw Error("cannot use layer directory " + root + ": " + errno_text(errno));
  }
  if (!S_ISDIR(st.st_mode)) throw Error("layer directory " + root + " is not a directory (choose another --root)");
  std::string meta = root + "/.yumda";
  if (mkdir(meta.c_str(), 0755) != 0) {
    int err = errno;
    if (err != EEXIST) throw Error("cannot write to layer directory " + root + ": " + errno_text(err) + fix);
    struct stat mst;
    if (lstat(meta.c_str(), &mst) != 0 || !S_ISDIR(mst.st_mode))
      throw Error(meta + " is in the way: yumda keeps its state there (move it away or choose another --root)");
  }
  // mkdir succeeding says nothing when .yumda already existed: ask the kernel
  // (access() honours read-only mounts too).
  for (const std::string& p : {root, meta})
    if (access(p.c_str(), W_OK | X_OK) != 0)
      throw Error("cannot write to layer directory " + p + ": " + errno_text(errno) + fix);
}

}  // namespace yumda
