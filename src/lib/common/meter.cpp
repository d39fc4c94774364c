#include "yumda/meter.hpp"

#include <cmath>

namespace yumda {

void MovingRate::reset(double t, uint64_t bytes) {
  last_t_ = t;
  last_bytes_ = bytes;
  rate_ = 0;
  known_ = false;
}

void MovingRate::sample(double t, uint64_t bytes) {
  const double dt = t - last_t_;
  if (dt < kMinStep || bytes < last_bytes_) return;
  const double now = static_cast<double>(bytes - last_bytes_) / dt;
  // The first rate is taken whole; later ones blend in by how long they cover.
  rate_ = known_ ? rate_ + (1 - std::exp(-dt / tau_)) * (now - rate_) : now;
  known_ = true;
  last_t_ = t;
  last_bytes_ = bytes;
}

std::optional<double> MovingRate::eta(uint64_t remaining) const {
  if (!known_ || rate_ <= 0) return std::nullopt;
  return static_cast<double>(remaining) / rate_;
}

namespace {

// Columns a code point takes on a terminal (wcwidth's answer for the common
// cases, without depending on the process's locale).
size_t columns_of(char32_t c) {
  if ((c >= 0x300 && c <= 0x36F) || (c >= 0x200B && c <= 0x200F) || (c >= 0xFE00 && c <= 0xFE0F)) return 0;
  const bool wide = (c >= 0x1100 && c <= 0x115F) || (c >= 0x2E80 && c <= 0x303E) || (c >= 0x3041 && c <= 0x33FF) ||
                    (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0xA000 && c <= 0xA4CF) ||
                    (c >= 0xAC00 && c <= 0xD7A3) || (c >= 0xF900 && c <= 0xFAFF) || (c >= 0xFE30 && c <= 0xFE4F) ||
                    (c >= 0xFF00 && c <= 0xFF60) || (c >= 0xFFE0 && c <= 0xFFE6) || (c >= 0x1F300 && c <= 0x1F64F) ||
                    (c >= 0x1F900 && c <= 0x1F9FF) || (c >= 0x20000 && c <= 0x3FFFD);
  return wide ? 2 : 1;
}

// The length of the UTF-8 sequence at S[I] and its code point; 1 and the byte
// itself when it is not a well-formed sequence.
size_t decode(const std::string& s, size_t i, char32_t& c) {
  const auto b = static_cast<unsigned char>(s[i]);
  size_t n = b < 0x80 ? 1 : (b >> 5) == 6 ? 2 : (b >> 4) == 14 ? 3 : (b >> 3) == 30 ? 4 : 0;
  if (n == 0 || i + n > s.size()) return c = b, 1;
  c = n == 1 ? b : b & (0x7F >> n);
  for (size_t k = 1; k < n; ++k) {
    const auto cb = static_cast<unsigned char>(s[i + k]);
    if ((cb >> 6) != 2) return c = b, 1;
    c = (c << 6) | (cb & 0x3F);
  }
  return n;
}

}  // namespace

std::string cut_to_columns(const std::string& s, size_t cols) {
  size_t used = 0, i = 0;
  while (i < s.size()) {
    char32_t c = 0;
    const size_t n = decode(s, i, c);
    const size_t w = columns_of(c);
    if (used + w > cols) break;
    used += w;
    i += n;
  }
  return s.substr(0, i);
}

}  // namespace yumda
