// yumda.lock comes with a project (a pull request may change it): read_lockfile
// must give a Lockfile or a yumda::Error for any bytes, never crash; what it
// accepts must also write back and read again to the same specs (in any order:
// write_lockfile sorts).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "fuzz_util.hpp"
#include "yumda/error.hpp"
#include "yumda/lockfile.hpp"

namespace fs = std::filesystem;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  yumda_fuzz::TempDir box;
  const std::string path = yumda_fuzz::write_file(box.path / "yumda.lock", data, size);
  try {
    yumda::Lockfile lock = yumda::read_lockfile(path);
    auto specs = lock.specs();
    std::sort(specs.begin(), specs.end());
    const std::string again = (box.path / "again.lock").string();
    yumda::write_lockfile(again, lock);
    auto back = yumda::read_lockfile(again).specs();
    std::sort(back.begin(), back.end());
    if (back != specs) std::abort();
  } catch (const yumda::Error&) {
  }
  return 0;
}
