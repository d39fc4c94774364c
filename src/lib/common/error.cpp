#include "yumda/error.hpp"

#include <cstring>

namespace yumda {

std::string errno_text(int err) {
  char buf[256];
  // GNU strerror_r returns the message pointer (possibly not BUF).
  return strerror_r(err, buf, sizeof buf);
}

std::string printable(const std::string& text) {
  static const char* hex = "0123456789abcdef";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if (c >= 0x20 && c != 0x7f) out += static_cast<char>(c);
    else if (c == '\n') out += "\\n";
    else if (c == '\t') out += "\\t";
    else out += std::string("\\x") + hex[c >> 4] + hex[c & 15];
  }
  return out;
}

std::string redact_urls(const std::string& text) {
  std::string out = text;
  for (size_t pos = out.find("://"); pos != std::string::npos; pos = out.find("://", pos + 3)) {
    size_t start = pos + 3;
    size_t end = out.find_first_of("/?# \t\n'\"", start);  // the authority ends here
    if (end == std::string::npos) end = out.size();
    size_t at = out.rfind('@', end);
    if (at == std::string::npos || at < start) continue;
    size_t colon = out.find(':', start);
    if (colon == std::string::npos || colon > at) continue;  // a user name alone is no secret
    out.replace(colon + 1, at - colon - 1, "***");
  }
  return out;
}

}  // namespace yumda
