// Opening a layer's directories the one safe way: everything yumda reads back
// from ROOT/.yumda (lock, journal, state) is input someone else may have
// planted, so no symlink is followed into or out of it (issue #14).
#pragma once
#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "yumda/fs.hpp"

namespace yumda::detail {

struct LayerDirs {
  UniqueFd root;  // empty: ROOT does not exist (only when !create)
  UniqueFd meta;  // ROOT/.yumda; empty: it does not exist (only when !create)
};

// Opens ROOT and ROOT/.yumda (creating .yumda when CREATE). Throws Error when
// ROOT itself is a symlink, or .yumda is a symlink or not a directory.
LayerDirs open_layer_dirs(const std::string& root, bool create);

// Reads NAME beneath DIR_FD (open_beneath: no symlink, no '..'), at most MAX
// bytes; false when it does not exist. WHAT names it in errors.
bool read_beneath(int dir_fd, const std::string& name, uint64_t max, const std::string& what, std::string& out);

struct DirEntry {
  std::string name;
  mode_t mode;  // lstat's: a symlink is a symlink
};
// DIRFD's entries, sorted by name so what is done with them is reproducible.
// WHERE names the directory in errors.
std::vector<DirEntry> list_dir(int dirfd, const std::string& where);

// installed.json and removals.json are never near this; /dev/zero or a
// planted multi-GB file stops here instead of exhausting memory.
constexpr uint64_t kMaxLayerMetaFile = uint64_t{1} << 30;

}  // namespace yumda::detail
