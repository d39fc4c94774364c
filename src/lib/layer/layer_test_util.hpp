// Helpers shared by the layer module's tests: building small trees and
// describing a tree as a user would see it.
#pragma once
#include <sys/stat.h>
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
inline std::string error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

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

}  // namespace yumda::testing
