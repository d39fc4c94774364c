// An RPM from a repo, header and payload: read_rpm_header, then extract_rpm
// into a stage dir. Any bytes must end in a result or a yumda::Error, and
// nothing may appear next to the stage dir (the "outside the layer" check).
#include <cstddef>
#include <cstdint>
#include <filesystem>

#include "fuzz_util.hpp"
#include "yumda/error.hpp"
#include "yumda/extract.hpp"
#include "yumda/rpm_file.hpp"

namespace fs = std::filesystem;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  yumda_fuzz::TempDir dir;
  fs::create_directory(dir.path / "in");
  fs::create_directory(dir.path / "stage");
  auto rpm = yumda_fuzz::write_file(dir.path / "in" / "p.rpm", data, size);
  try {
    yumda::RpmHeaderInfo info = yumda::read_rpm_header(rpm);
    yumda::ExtractOptions opts;
    (void)yumda::extract_rpm(rpm, info, (dir.path / "stage").string(), opts);
  } catch (const yumda::Error&) {
  }
  // Only in/ and stage/ may exist beside each other, and in/ holds only the input.
  size_t n = 0;
  for (auto& e : fs::directory_iterator(dir.path)) {
    (void)e;
    ++n;
  }
  size_t m = 0;
  for (auto& e : fs::directory_iterator(dir.path / "in")) {
    (void)e;
    ++m;
  }
  if (n != 2 || m != 1) __builtin_trap();
  return 0;
}
