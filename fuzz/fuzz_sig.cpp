// OpenPGP input yumda reads from repos: gpgkey= key blocks (rpm's key parser)
// and repomd.xml.asc signatures (our armor decoding and packet splitting, then
// rpm's signature parser). The first byte picks which; any bytes must give a
// result or a yumda::Error.
#include <cstddef>
#include <cstdint>
#include <string>

#include "yumda/error.hpp"
#include "yumda/verify.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  std::string bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  yumda::Keyring keyring;
  try {
    if (data[0] == 0)
      keyring.add_keys(bytes, "fuzz/key.asc");
    else
      yumda::verify_detached("<repomd>seed</repomd>\n", bytes, keyring, "fuzz repomd.xml", "fuzz/repomd.xml.asc");
  } catch (const yumda::Error&) {
  }
  return 0;
}
