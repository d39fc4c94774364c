// The layer journal (ROOT/.yumda/txn/): a forged removals.json or next state
// must never crash recover() nor touch anything outside ROOT (issue #14).
//
// Each input builds a scratch box: box/layer (a few files, a symlink
// layer/out -> ../outside and one to /) and box/outside/secret. The input,
// split at its first NUL byte, is txn/removals.json and txn/installed.json;
// bit 0 of the byte after the NUL (when there is one) drops COMMIT (an
// uncommitted journal), bit 1 stages a file. Then recover() (a yumda::Error
// is a fine answer) and LayerState::load of the result. Afterwards
// box/outside must hold exactly the secret, unchanged, or the target aborts.
#include <sys/stat.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "fuzz_util.hpp"
#include "yumda/error.hpp"
#include "yumda/layer.hpp"

namespace fs = std::filesystem;

namespace {

void put(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << text;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  const size_t nul = input.find('\0');
  const std::string removals = input.substr(0, nul);
  std::string state, rest = nul == std::string::npos ? "" : input.substr(nul + 1);
  unsigned flags = 0;
  if (!rest.empty()) {
    flags = static_cast<unsigned char>(rest[0]);
    state = rest.substr(1);
  }

  yumda_fuzz::TempDir box;
  const fs::path layer = box.path / "layer", outside = box.path / "outside";
  put(outside / "secret", "secret\n");
  put(layer / "bin/a", "a\n");
  put(layer / "lib/x/y", "y\n");
  put(layer / ".yumda/installed.json", R"({"format_version": 1, "packages": []})");
  fs::create_directory_symlink("../outside", layer / "out");
  fs::create_directory_symlink("/", layer / "slash");
  const fs::path txn = layer / ".yumda/txn";
  put(txn / "removals.json", removals);
  if (!state.empty()) put(txn / "installed.json", state);
  if (flags & 2) put(txn / "stage/bin/new", "new\n");
  fs::create_directories(txn / "stage");
  if (!(flags & 1)) put(txn / "COMMIT", "commit\n");

  try {
    yumda::LayerTransaction::recover(layer.string());
    (void)yumda::LayerState::load(layer.string());
  } catch (const yumda::Error&) {
  }

  // Nothing outside the layer may have changed.
  size_t n = 0;
  for (const auto& e : fs::directory_iterator(outside)) n += e.path().filename() == "secret" ? 1 : 100;
  if (n != 1 || slurp(outside / "secret") != "secret\n") std::abort();
  n = 0;
  for (const auto& e : fs::directory_iterator(box.path)) n += (e.path() == layer || e.path() == outside) ? 1 : 100;
  if (n != 2) std::abort();
  return 0;
}
