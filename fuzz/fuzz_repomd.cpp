// repomd.xml parsing: metadata comes off the network, so any bytes must give a
// Repomd or a yumda::Error naming the source.
#include <cstddef>
#include <cstdint>
#include <string>

#include "yumda/error.hpp"
#include "yumda/repo.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string xml(reinterpret_cast<const char*>(data), size);
  try {
    yumda::Repomd md = yumda::parse_repomd(xml, "fuzz/repomd.xml");
    (void)md.find("primary");
  } catch (const yumda::Error&) {
  }
  return 0;
}
