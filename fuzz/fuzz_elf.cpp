// The ELF reader behind `yumda check`: layer files are untrusted, and a
// malformed ELF must read as is_elf=false, never crash or throw.
#include <cstddef>
#include <cstdint>

#include "fuzz_util.hpp"
#include "yumda/check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  yumda_fuzz::TempDir dir;
  auto path = yumda_fuzz::write_file(dir.path / "bin", data, size);
  yumda::ElfInfo info = yumda::read_elf(path);
  if (!info.is_elf && !info.needed.empty()) __builtin_trap();
  return 0;
}
