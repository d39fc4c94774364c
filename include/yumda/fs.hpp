// Small filesystem helpers with RAII owners, shared by every stage.
#pragma once
#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

struct stat;

namespace yumda {

// Owns a file descriptor.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() { reset(); }
  UniqueFd(UniqueFd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& o) noexcept {
    if (this != &o) { reset(); fd_ = std::exchange(o.fd_, -1); }
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  int get() const { return fd_; }
  explicit operator bool() const { return fd_ >= 0; }
  int release() { return std::exchange(fd_, -1); }
  void reset(int fd = -1);

 private:
  int fd_ = -1;
};

// "a/b" of a relative path "a/b/c" ("" for "c"), and "c": plain string work,
// for paths yumda then opens beneath a directory fd.
std::string dir_of(const std::string& path);
// The components of PATH between '/'s, without empty ones and "."
// ("./opt//bin/../git" -> opt, bin, .., git); ".." is the caller's to judge.
std::vector<std::string> path_components(std::string_view path);
std::string base_of(const std::string& path);

// Reads a whole file; throws Error naming the path.
std::string read_file(const std::string& path);
// Calls CHUNK(data, size) for successive pieces of the file; throws Error naming the path.
void read_file_chunks(const std::string& path, const std::function<void(const char*, size_t)>& chunk);
// Opens REL beneath the directory DIRFD without following any symlink on the
// way or at the end and without leaving DIRFD (openat2 with RESOLVE_BENEATH |
// RESOLVE_NO_SYMLINKS, or an O_NOFOLLOW walk where openat2 is missing). For
// files yumda reads back from places others can write (the layer's .yumda/,
// the cache). Empty fd with errno set (ELOOP, ENOTDIR, EXDEV...) on refusal.
UniqueFd open_beneath(int dirfd, const std::string& rel, int flags, unsigned mode = 0);
// Reads FD to its end, at most MAX bytes; throws Error naming WHAT when it is
// longer (so /dev/zero or a huge file cannot exhaust memory).
std::string read_fd_capped(int fd, uint64_t max, const std::string& what);
// read_file with that cap: for config files, keys, repomd.xml. A fifo or
// socket is refused, never waited on (it would hang the run).
std::string read_file_capped(const std::string& path, uint64_t max, const std::string& what);
// The same for a file of the cache, which is input like the rest: a regular
// file only, no link followed. The error names PATH and `yumda clean`.
std::string read_cache_file_capped(const std::string& path, uint64_t max, const std::string& what);
// NAME in DIRFD (AT_FDCWD: a path) opened for reading only if it is a
// regular file: no link followed, and a fifo is never waited on (it would
// hang the run). Empty fd otherwise, errno set (ELOOP for a link, EINVAL for
// another non-regular file). For files read back from the cache.
UniqueFd open_regular(int dirfd, const std::string& name);
// Copies up to LEN bytes of FROM at OFF (advanced past them) to TO's
// position with copy_file_range: inside the kernel, no buffer. Returns how
// many it copied: LEN, or fewer where it stopped, with errno the call's
// error (EXDEV, EINVAL, ENOSYS, EOPNOTSUPP: these file systems cannot) or 0
// where FROM ended. The extractor and the expanded cache both copy so.
uint64_t copy_in_kernel(int from, off_t& off, int to, uint64_t len);
// The cap for files a human writes or a repo signs: configs, keys, repomd.xml.
constexpr uint64_t kMaxSmallFile = uint64_t{16} << 20;
// Writes DATA to PATH atomically (temp file in the same dir, fsync, rename).
void write_file_atomic(const std::string& path, std::string_view data);
// mkdir -p; throws Error naming the path.
void make_dirs(const std::string& path);
// NAME in DIRFD opened as a directory, never through a symlink (empty fd,
// errno set, otherwise).
UniqueFd open_dir_nofollow(int dirfd, const std::string& name);
// mkdir -p of CACHEDIR/REL where every level below CACHEDIR must be a real
// directory: the cache is input, and a directory planted in it as a symlink
// would send what yumda writes there anywhere. CACHEDIR itself is the user's
// to place (it may be a link). Throws Error naming the link and `yumda clean
// all`. Returns CACHEDIR/REL.
std::string make_cache_dirs(const std::string& cachedir, const std::string& rel);
// rm -rf that never follows symlinks; missing is fine.
void remove_tree(const std::string& path);
bool path_exists(const std::string& path);  // lstat-based

// "dev ino size mtime-ns ctime-ns" of what ST describes: any write to or
// replacement of the file changes it (ctime cannot be set back), so caches
// trust earlier checks of a file while its identity is the same.
std::string file_identity(const struct stat& st);
bool is_directory(const std::string& path);  // follows symlinks

// A directory removed (recursively) when the owner goes away, unless kept.
class TempDir {
 public:
  // Creates PARENT/PREFIXXXXXXX.
  TempDir(const std::string& parent, const std::string& prefix);
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  void keep() { keep_ = true; }

 private:
  std::string path_;
  bool keep_ = false;
};

// A size cap as people write it: "16 MiB", "4 GiB", else "N bytes".
std::string cap_text(uint64_t bytes);
// "12.3 MB" style sizes, as dnf prints them.
std::string human_size(uint64_t bytes);

}  // namespace yumda
