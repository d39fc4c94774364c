// Helpers shared by the layer module's tests: building small trees and
// describing a tree as a user would see it.
#pragma once
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <map>
#include <string>

#include "test_support.hpp"
#include "yumda/error.hpp"
#include "yumda/fs.hpp"

namespace yumda::testing {

// The message of the yumda::Error FN throws, "" when it does not throw.
inline void put_file(const std::string& path, const std::string& text, mode_t mode = 0644) {
  write_text(path, text);
  REQUIRE(chmod(path.c_str(), mode) == 0);
}

inline void put_link(const std::string& path, const std::string& target) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  REQUIRE(symlink(target.c_str(), path.c_str()) == 0);
}

// path -> "MODE content" / "MODE -> target" / "MODE" (directories), octal
// st_mode, for every entry under ROOT; relative paths in SKIP are left out
// with everything below them.
inline std::map<std::string, std::string> listing(const std::string& root, const std::vector<std::string>& skip = {}) {
  namespace fs = std::filesystem;
  std::map<std::string, std::string> out;
  for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator(); ++it) {
    std::string rel = it->path().lexically_relative(root).string();
    if (std::find(skip.begin(), skip.end(), rel) != skip.end()) {
      it.disable_recursion_pending();
      continue;
    }
    struct stat st;
    REQUIRE(lstat(it->path().c_str(), &st) == 0);
    char mode[16];
    snprintf(mode, sizeof mode, "%o", st.st_mode);
    std::string v = mode;
    if (S_ISLNK(st.st_mode))
      v += " -> " + fs::read_symlink(it->path()).string();
    else if (S_ISREG(st.st_mode))
      v += " " + read_file(it->path());
    out[rel] = v;
  }
  return out;
}

// Standard output of the shell command CMD.
inline std::string capture(const std::string& cmd) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  pclose(p);
  return out;
}

// Runs FN in a child as uid/gid 65534 (when we are root, who may write and
// read anything) and returns the Error message FN gave ("" for none); false
// when the child could not drop its privileges, so the caller can skip.
inline bool error_as_nobody(const std::function<void()>& fn, std::string& message) {
  if (geteuid() != 0) {
    message = error_of(fn);
    return true;
  }
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    close(fds[0]);
    if (setgid(65534) != 0 || setuid(65534) != 0) _exit(3);
    std::string m = error_of(fn);
    ssize_t n = write(fds[1], m.data(), m.size());
    _exit(n == static_cast<ssize_t>(m.size()) ? 0 : 4);
  }
  close(fds[1]);
  message.clear();
  char buf[512];
  ssize_t n;
  while ((n = read(fds[0], buf, sizeof buf)) > 0) message.append(buf, static_cast<size_t>(n));
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  REQUIRE(WIFEXITED(status));
  if (WEXITSTATUS(status) == 3) return false;
  REQUIRE(WEXITSTATUS(status) == 0);
  return true;
}

}  // namespace yumda::testing
