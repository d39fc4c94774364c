// The layer state (ROOT/.yumda/installed.json) is read back on every run and
// may have been written by anyone: LayerState::load must give a state or a
// yumda::Error for any bytes, never crash. A state it accepts must also
// survive to_json() and parse back to the same text (what save() writes).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "fuzz_util.hpp"
#include "yumda/error.hpp"
#include "yumda/layer.hpp"

namespace fs = std::filesystem;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  yumda_fuzz::TempDir box;
  const fs::path meta = box.path / "layer/.yumda";
  fs::create_directories(meta);
  yumda_fuzz::write_file(meta / "installed.json", data, size);
  try {
    yumda::LayerState state = yumda::LayerState::load((box.path / "layer").string());
    for (const auto& p : state.packages()) (void)state.find(p.nevra.name);
    (void)yumda::reproducible_mtime(state.packages());
    const std::string text = state.to_json();
    if (yumda::LayerState::parse(text, "round trip").to_json() != text) std::abort();
  } catch (const yumda::Error&) {
  }
  return 0;
}
