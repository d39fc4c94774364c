// Walking ROOT for the zip: lstat only (never following a symlink), .yumda/
// skipped, order by path bytes so readdir order cannot leak into the zip.
#include "layer/zip_tree.hpp"

#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <memory>

#include "yumda/error.hpp"

namespace yumda::detail {

namespace {

std::string read_link(const std::string& path) {
  std::string buf(256, '\0');
  for (;;) {
    ssize_t n = readlink(path.c_str(), buf.data(), buf.size());
    if (n < 0) throw Error("cannot read symlink " + path + ": " + errno_text(errno));
    if (static_cast<size_t>(n) < buf.size()) {
      buf.resize(static_cast<size_t>(n));
      return buf;
    }
    buf.resize(buf.size() * 2);
  }
}

void collect(const std::string& root, const std::string& rel, std::vector<ZipItem>& out) {
  std::string dir = rel.empty() ? root : root + "/" + rel;
  std::unique_ptr<DIR, int (*)(DIR*)> d(opendir(dir.c_str()), closedir);
  if (!d) throw Error("cannot read " + dir + ": " + errno_text(errno));
  std::vector<std::string> names;
  while (dirent* e = readdir(d.get())) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    if (rel.empty() && name == ".yumda") continue;  // yumda's state, not layer content
    names.push_back(std::move(name));
  }
  d.reset();
  for (const auto& name : names) {
    ZipItem item;
    item.rel = rel.empty() ? name : rel + "/" + name;
    std::string full = root + "/" + item.rel;
    if (lstat(full.c_str(), &item.st) != 0) throw Error("cannot stat " + full + ": " + errno_text(errno));
    if (!S_ISDIR(item.st.st_mode) && !S_ISREG(item.st.st_mode) && !S_ISLNK(item.st.st_mode))
      throw Error("cannot zip " + full + ": a layer holds only files, directories and symlinks (remove it)");
    if (S_ISLNK(item.st.st_mode)) item.target = read_link(full);
    bool is_dir = S_ISDIR(item.st.st_mode);
    std::string child = item.rel;  // OUT grows below: no reference into it
    out.push_back(std::move(item));
    if (is_dir) collect(root, child, out);
  }
}

}  // namespace

std::vector<ZipItem> collect_zip_items(const std::string& root) {
  std::vector<ZipItem> items;
  collect(root, "", items);
  std::sort(items.begin(), items.end(), [](const ZipItem& a, const ZipItem& b) { return a.rel < b.rel; });
  return items;
}

}  // namespace yumda::detail
