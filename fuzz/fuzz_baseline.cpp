// Baseline files (--baseline FILE): package lists and runtime file lists.
#include <cstddef>
#include <cstdint>
#include <string>

#include "yumda/baseline.hpp"
#include "yumda/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  try {
    yumda::Baseline b = yumda::parse_baseline(text, "fuzz.txt");
    yumda::parse_baseline_files(text, "fuzz.files.txt", b);
    (void)b.has_file("/lib64/libc.so.6");
    (void)b.has_package("glibc");
  } catch (const yumda::Error&) {
  }
  return 0;
}
