#include "yumda/fs.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <system_error>
#include <vector>

#include "yumda/error.hpp"

namespace yumda {

void UniqueFd::reset(int fd) {
  if (fd_ >= 0) close(fd_);
  fd_ = fd;
}

std::vector<std::string> path_components(std::string_view path) {
  std::vector<std::string> parts;
  size_t pos = 0;
  while (pos <= path.size()) {
    size_t end = path.find('/', pos);
    if (end == std::string_view::npos) end = path.size();
    std::string_view part = path.substr(pos, end - pos);
    if (!part.empty() && part != ".") parts.emplace_back(part);
    pos = end + 1;
  }
  return parts;
}

std::string dir_of(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? std::string() : path.substr(0, slash);
}

std::string base_of(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

void read_file_chunks(const std::string& path, const std::function<void(const char*, size_t)>& chunk) {
  UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) throw Error("cannot read " + path + ": " + errno_text(errno));
  char buf[1 << 16];
  for (;;) {
    ssize_t n = read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw Error("cannot read " + path + ": " + errno_text(errno));
    }
    if (n == 0) break;
    chunk(buf, static_cast<size_t>(n));
  }
}

std::string read_file(const std::string& path) {
  std::string out;
  read_file_chunks(path, [&out](const char* data, size_t n) { out.append(data, n); });
  return out;
}

UniqueFd open_beneath(int dirfd, const std::string& rel, int flags, unsigned mode) {
  std::vector<std::string> parts;
  for (size_t pos = 0; pos <= rel.size();) {
    size_t end = rel.find('/', pos);
    if (end == std::string::npos) end = rel.size();
    std::string part = rel.substr(pos, end - pos);
    pos = end + 1;
    if (part.empty() || part == ".") continue;
    if (part == "..") {  // RESOLVE_BENEATH refuses it too; the walk must as well
      errno = EXDEV;
      return UniqueFd();
    }
    parts.push_back(std::move(part));
  }
  if (rel.empty() || rel[0] == '/' || parts.empty()) {
    errno = EXDEV;
    return UniqueFd();
  }
  open_how how{};
  how.flags = static_cast<uint64_t>(flags | O_CLOEXEC | O_NOFOLLOW);
  how.mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
  long fd = syscall(SYS_openat2, dirfd, rel.c_str(), &how, sizeof how);
  if (fd >= 0) return UniqueFd(static_cast<int>(fd));
  if (errno != ENOSYS && errno != EPERM && errno != E2BIG) return UniqueFd();
  // Old kernel or a seccomp filter: one component at a time, never a symlink.
  UniqueFd cur(fcntl(dirfd, F_DUPFD_CLOEXEC, 0));
  for (size_t i = 0; cur && i + 1 < parts.size(); ++i)
    cur.reset(openat(cur.get(), parts[i].c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!cur) return cur;
  return UniqueFd(openat(cur.get(), parts.back().c_str(), flags | O_CLOEXEC | O_NOFOLLOW, mode));
}

std::string read_fd_capped(int fd, uint64_t max, const std::string& what) {
  std::string out;
  char buf[1 << 16];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw Error("cannot read " + what + ": " + errno_text(errno));
    }
    if (n == 0) break;
    if (out.size() + static_cast<size_t>(n) > max)
      throw Error(what + " is larger than " + cap_text(max) + "; refusing to read it");
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

namespace {

// Opened without blocking (a fifo with no writer would wait forever), then
// read only when it is a file or a device (-c /dev/zero meets the cap).
std::string read_capped(const std::string& path, uint64_t max, const std::string& what, bool in_cache) {
  const std::string fix = in_cache ? " (remove it, or run `yumda clean all`)" : "";
  UniqueFd fd(open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | (in_cache ? O_NOFOLLOW : 0)));
  if (!fd && errno == ELOOP && in_cache) throw Error("cannot read " + path + ": a symbolic link in the cache" + fix);
  if (!fd) throw Error("cannot read " + path + ": " + errno_text(errno));
  struct stat st {};
  if (fstat(fd.get(), &st) != 0) throw Error("cannot read " + path + ": " + errno_text(errno));
  const bool ok = S_ISREG(st.st_mode) || (!in_cache && S_ISCHR(st.st_mode));
  if (!ok) throw Error("cannot read " + path + ": not a regular file" + fix);
  fcntl(fd.get(), F_SETFL, fcntl(fd.get(), F_GETFL) & ~O_NONBLOCK);
  return read_fd_capped(fd.get(), max, what);
}

}  // namespace

std::string read_file_capped(const std::string& path, uint64_t max, const std::string& what) {
  return read_capped(path, max, what, false);
}

std::string read_cache_file_capped(const std::string& path, uint64_t max, const std::string& what) {
  return read_capped(path, max, what, true);
}

UniqueFd open_regular(int dirfd, const std::string& name) {
  UniqueFd fd(openat(dirfd, name.c_str(), O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC));
  if (!fd) return fd;
  struct stat st {};
  if (fstat(fd.get(), &st) != 0) return UniqueFd();
  if (!S_ISREG(st.st_mode)) {
    errno = EINVAL;
    return UniqueFd();
  }
  fcntl(fd.get(), F_SETFL, fcntl(fd.get(), F_GETFL) & ~O_NONBLOCK);
  return fd;
}

uint64_t copy_in_kernel(int from, off_t& off, int to, uint64_t len) {
  uint64_t done = 0;
  while (done < len) {
    ssize_t n = copy_file_range(from, &off, to, nullptr, len - done, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (n == 0) errno = 0;  // FROM ended
      break;
    }
    done += static_cast<uint64_t>(n);
  }
  return done;
}

std::string file_identity(const struct stat& st) {
  auto ns = [](const timespec& t) { return std::to_string(static_cast<long long>(t.tv_sec) * 1000000000LL + t.tv_nsec); };
  return std::to_string(st.st_dev) + " " + std::to_string(st.st_ino) + " " + std::to_string(st.st_size) + " " +
         ns(st.st_mtim) + " " + ns(st.st_ctim);
}

void write_file_atomic(const std::string& path, std::string_view data) {
  std::string tmp = path + ".tmpXXXXXX";
  UniqueFd fd(mkostemp(tmp.data(), O_CLOEXEC));
  if (!fd) throw Error("cannot write " + path + ": " + errno_text(errno));
  const char* p = data.data();
  size_t left = data.size();
  while (left > 0) {
    ssize_t n = write(fd.get(), p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      unlink(tmp.c_str());
      throw Error("cannot write " + path + ": " + errno_text(err));
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  fchmod(fd.get(), 0644);
  if (fsync(fd.get()) != 0 || rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    unlink(tmp.c_str());
    throw Error("cannot write " + path + ": " + errno_text(err));
  }
}

void make_dirs(const std::string& path) {
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  if (ec) throw Error("cannot create directory " + path + ": " + ec.message());
}

UniqueFd open_dir_nofollow(int dirfd, const std::string& name) {
  return UniqueFd(openat(dirfd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
}

std::string make_cache_dirs(const std::string& cachedir, const std::string& rel) {
  make_dirs(cachedir);
  UniqueFd dir(open(cachedir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir) throw Error("cannot open the cache directory " + cachedir + ": " + errno_text(errno));
  std::string path = cachedir;
  const std::string fix = " (remove it, or run `yumda clean all`)";
  for (const auto& name : path_components(rel)) {
    path += "/" + name;
    if (name == "..") throw Error("cache path " + path + " leaves the cache directory");
    if (mkdirat(dir.get(), name.c_str(), 0755) != 0 && errno != EEXIST)
      throw Error("cannot create directory " + path + ": " + errno_text(errno));
    UniqueFd next = open_dir_nofollow(dir.get(), name);
    if (!next) {
      const int err = errno;
      struct stat st;
      if (fstatat(dir.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
        throw Error(path + " is a symbolic link in the cache; yumda writes through no link there" + fix);
      throw Error("cannot open directory " + path + ": " + errno_text(err) + fix);
    }
    dir = std::move(next);
  }
  return path;
}

void remove_tree(const std::string& path) {
  std::error_code ec;
  std::filesystem::remove_all(path, ec);  // does not follow symlinks
  if (ec) throw Error("cannot remove " + path + ": " + ec.message());
}

bool path_exists(const std::string& path) {
  struct stat st;
  return lstat(path.c_str(), &st) == 0;
}

bool is_directory(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

TempDir::TempDir(const std::string& parent, const std::string& prefix) {
  std::string tmpl = parent + "/" + prefix + "XXXXXX";
  if (!mkdtemp(tmpl.data())) throw Error("cannot create a directory in " + parent + ": " + errno_text(errno));
  path_ = tmpl;
}

TempDir::~TempDir() {
  if (keep_) return;
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string cap_text(uint64_t bytes) {
  if (bytes && bytes % (uint64_t{1} << 30) == 0) return std::to_string(bytes >> 30) + " GiB";
  if (bytes && bytes % (uint64_t{1} << 20) == 0) return std::to_string(bytes >> 20) + " MiB";
  return std::to_string(bytes) + " bytes";
}

std::string human_size(uint64_t bytes) {
  static const char* units[] = {"B", "k", "M", "G", "T"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1024 && u < 4) {
    v /= 1024;
    ++u;
  }
  char buf[32];
  if (u == 0)
    snprintf(buf, sizeof buf, "%llu %s", static_cast<unsigned long long>(bytes), units[u]);
  else
    snprintf(buf, sizeof buf, "%.*f %s", v < 10 ? 1 : 0, v, units[u]);
  return buf;
}

}  // namespace yumda
