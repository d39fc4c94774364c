// The yum.conf / *.repo INI parser: any text either parses or throws the
// library's one-line UsageError; anything else (a crash, a std:: exception
// escaping) is a bug.
#include <cstddef>
#include <cstdint>
#include <string>

#include "config/ini.hpp"
#include "yumda/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  try {
    auto sections = yumda::ini::parse(text, "fuzz.repo");
    for (auto& s : sections)
      for (auto& e : s.entries)
        if (e.origin.empty()) __builtin_trap();  // every key says where it came from
  } catch (const yumda::Error&) {
  }
  return 0;
}
