// What goes into a layer zip: the entries under ROOT (ROOT/.yumda left out),
// sorted by path bytes, shared by the two zip writers.
#pragma once
#include <sys/stat.h>

#include <string>
#include <vector>

#include "yumda/zip.hpp"

namespace yumda::detail {

struct ZipItem {
  std::string rel;     // relative to ROOT, no trailing slash
  std::string target;  // symlinks: the link text
  struct stat st;      // lstat
};

// Throws Error naming any entry that is not a file, directory or symlink.
std::vector<ZipItem> collect_zip_items(const std::string& root);

// Entry name in the zip: directories end in '/'.
inline std::string zip_name(const ZipItem& item) { return S_ISDIR(item.st.st_mode) ? item.rel + "/" : item.rel; }

// The writer: all ITEMS into the file TMP (OUT names the result in messages).
// It fills entries and unzipped_bytes; the caller sizes and renames TMP.
ZipResult write_zip_libdeflate(const std::string& root, const std::vector<ZipItem>& items, const std::string& tmp,
                               const std::string& out, const ZipOptions& options);

}  // namespace yumda::detail
