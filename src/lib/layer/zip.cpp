// write_layer_zip: walk ROOT, hand the sorted entries to the writer (libdeflate
// on worker threads, zip_libdeflate.cpp), then publish the zip
// atomically: OUT.tmp first, rename when complete.
#include "yumda/zip.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "layer/zip_tree.hpp"
#include "yumda/error.hpp"
#include "yumda/fs.hpp"

namespace yumda {

namespace {

class TmpFileGuard {
 public:
  explicit TmpFileGuard(std::string path) : path_(std::move(path)) {}
  ~TmpFileGuard() {
    if (!path_.empty()) unlink(path_.c_str());
  }
  void release() { path_.clear(); }

 private:
  std::string path_;
};

}  // namespace

ZipResult write_layer_zip(const std::string& root, const std::string& out, const ZipOptions& options) {
  if (!is_directory(root)) throw Error("cannot zip " + root + ": not a directory");
  std::vector<detail::ZipItem> items = detail::collect_zip_items(root);
  std::string tmp = out + ".tmp";
  TmpFileGuard guard(tmp);
  ZipResult result = detail::write_zip_libdeflate(root, items, tmp, out, options);
  struct stat st;
  if (stat(tmp.c_str(), &st) != 0) throw Error("cannot write " + out + ": " + errno_text(errno));
  result.zipped_bytes = static_cast<uint64_t>(st.st_size);
  if (rename(tmp.c_str(), out.c_str()) != 0) throw Error("cannot write " + out + ": " + errno_text(errno));
  guard.release();
  return result;
}

}  // namespace yumda
