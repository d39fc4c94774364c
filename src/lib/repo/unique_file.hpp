// An owning FILE* (fopen, fdopen, solv_xfopen, open_memstream...).
#pragma once
#include <cstdio>
#include <memory>

namespace yumda {

struct FileCloser {
  void operator()(FILE* f) const { fclose(f); }
};
using UniqueFile = std::unique_ptr<FILE, FileCloser>;

}  // namespace yumda
