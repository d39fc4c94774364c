#include "install/run_mark.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <vector>

#include "yumda/error.hpp"

namespace yumda {

namespace {

constexpr const char* kRunsDir = ".runs";
constexpr const char* kBorrowed = ".in-use.";

// "PID-" and 16 hex digits: what token() makes, and all the pruner acts on.
bool is_token(const std::string& s) {
  const size_t dash = s.find('-');
  if (dash == 0 || dash == std::string::npos || s.size() - dash - 1 != 16) return false;
  for (size_t i = 0; i < s.size(); ++i)
    if (i != dash && !(isdigit(static_cast<unsigned char>(s[i])) || (i > dash && s[i] >= 'a' && s[i] <= 'f')))
      return false;
  return true;
}

std::vector<std::string> entries(int dirfd) {
  std::vector<std::string> out;
  const int fd = dup(dirfd);
  if (fd < 0) return out;
  DIR* d = fdopendir(fd);
  if (!d) {
    close(fd);
    return out;
  }
  while (const dirent* e = readdir(d)) {
    const std::string name = e->d_name;
    if (name != "." && name != "..") out.push_back(name);
  }
  closedir(d);
  return out;
}

// NAME ends with ".in-use.TOKEN.N".
bool borrowed_by(const std::string& name, const std::string& token) {
  const std::string mid = kBorrowed + token + ".";
  const size_t at = name.rfind(mid);
  if (at == std::string::npos || at + mid.size() == name.size()) return false;
  for (size_t i = at + mid.size(); i < name.size(); ++i)
    if (!isdigit(static_cast<unsigned char>(name[i]))) return false;
  return true;
}

}  // namespace

RunMark::RunMark(std::string cachedir) : cachedir_(std::move(cachedir)) {}

RunMark::~RunMark() {
  if (lock_) unlinkat(runs_.get(), token_.c_str(), 0);  // while still locked: no pruner takes it meanwhile
}

const std::string& RunMark::token() {
  if (lock_) return token_;
  auto fail = [this](const std::string& what, int err) {
    return Error("cannot mark this run in the package cache " + cachedir_ + ": " + what + ": " + errno_text(err));
  };
  auto random_token = [&] {
    unsigned char bytes[8];
    if (getrandom(bytes, sizeof bytes, 0) != static_cast<ssize_t>(sizeof bytes)) throw fail("getrandom", errno);
    std::string token = std::to_string(getpid()) + "-";
    for (unsigned char b : bytes) {
      static const char* hex = "0123456789abcdef";
      token += hex[b >> 4];
      token += hex[b & 15];
    }
    return token;
  };
  // Each level opened beneath the last, never through a link: the cache is input.
  make_dirs(cachedir_);
  UniqueFd dir(open(cachedir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  for (const char* name : {"packages", kRunsDir}) {
    if (!dir) throw fail("open", errno);
    if (mkdirat(dir.get(), name, 0755) != 0 && errno != EEXIST) throw fail(std::string("mkdir ") + name, errno);
    dir = open_dir_nofollow(dir.get(), name);
  }
  if (!dir) throw fail("open .runs", errno);
  // Locked under a name the pruner ignores while locked, then renamed: a
  // pruner never sees the mark unlocked under its token. Between the create
  // and the lock another run's pruner may take "new-TOKEN" for a dead run's
  // (it is unlocked) and unlink it: then our lock is on a file with no name,
  // or the pruner holds it; either way start again under a fresh token.
  std::string token;
  UniqueFd fd;
  int err = 0;
  for (int attempt = 0; attempt < 16 && !fd; ++attempt) {
    token = random_token();
    const std::string tmp = "new-" + token;
    UniqueFd made(openat(dir.get(), tmp.c_str(), O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644));
    if (!made) throw fail(tmp, errno);
    if (flock(made.get(), LOCK_EX | LOCK_NB) != 0) {
      err = errno;
      if (err == EWOULDBLOCK) continue;  // a pruner holds it and will unlink it
      unlinkat(dir.get(), tmp.c_str(), 0);
      throw fail(tmp, err);
    }
    struct stat st {};
    if (fstat(made.get(), &st) != 0 || st.st_nlink == 0) {
      err = ENOENT;  // a pruner unlinked it before we locked it
      continue;
    }
    if (renameat(dir.get(), tmp.c_str(), dir.get(), token.c_str()) != 0) {
      err = errno;
      unlinkat(dir.get(), tmp.c_str(), 0);
      throw fail(token, err);
    }
    fd = std::move(made);
  }
  if (!fd) throw fail(token, err);
  runs_ = std::move(dir);
  lock_ = std::move(fd);
  token_ = std::move(token);
  return token_;
}

void prune_dead_runs(const std::string& cachedir) {
  UniqueFd cache(open(cachedir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!cache) return;
  UniqueFd top = open_dir_nofollow(cache.get(), "packages");  // a link planted there is not followed
  if (!top) return;
  UniqueFd runs = open_dir_nofollow(top.get(), kRunsDir);
  if (!runs) return;  // the common case: no run ever borrowed here
  std::vector<std::string> repos;
  bool scanned = false;
  for (const auto& entry : entries(runs.get())) {
    // "new-TOKEN": a run killed before its mark was in place; it borrowed nothing.
    const bool unfinished = entry.starts_with("new-");
    const std::string token = unfinished ? entry.substr(4) : entry;
    if (!is_token(token)) continue;
    UniqueFd mark = open_regular(runs.get(), entry);
    if (!mark || flock(mark.get(), LOCK_EX | LOCK_NB) != 0) continue;  // alive, or not ours to judge
    if (unfinished) {
      unlinkat(runs.get(), entry.c_str(), 0);
      continue;
    }
    if (!scanned) {
      repos = entries(top.get());
      scanned = true;
    }
    for (const auto& repo : repos) {
      UniqueFd dir = open_dir_nofollow(top.get(), repo);
      if (!dir) continue;
      for (const auto& name : entries(dir.get()))
        if (borrowed_by(name, token)) unlinkat(dir.get(), name.c_str(), 0);
    }
    unlinkat(runs.get(), token.c_str(), 0);  // last: a failure above is retried by the next run
  }
}

}  // namespace yumda
