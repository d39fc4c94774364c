// The files of repo-config/, compiled into the binary (cmake/embed_files.cmake).
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace yumda::builtin {

struct File {
  std::string_view path;  // relative to repo-config/ ("repos.d/lambda2.repo")
  std::string_view data;
};

const std::vector<File>& files();

// The data of PATH, or nullptr when repo-config/ has no such file.
inline const std::string_view* find(std::string_view path) {
  for (const auto& f : files())
    if (f.path == path) return &f.data;
  return nullptr;
}

}  // namespace yumda::builtin
