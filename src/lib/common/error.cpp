#include "yumda/error.hpp"

#include <cstring>

namespace yumda {

std::string errno_text(int err) {
  char buf[256];
  // GNU strerror_r returns the message pointer (possibly not BUF).
  return strerror_r(err, buf, sizeof buf);
}

}  // namespace yumda
