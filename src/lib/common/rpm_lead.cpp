#include "yumda/rpm_lead.hpp"

#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

#include "yumda/error.hpp"

namespace yumda {

namespace {

constexpr size_t kLeadSize = 96;
constexpr uint32_t kMaxHeaderBytes = 256u << 20;  // rpm's own limit

uint32_t be32(const unsigned char* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

void read_exact(int fd, void* buf, size_t len, uint64_t offset, const std::string& path) {
  size_t done = 0;
  while (done < len) {
    ssize_t n = pread(fd, static_cast<char*>(buf) + done, len - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw Error("cannot read " + path + ": " + errno_text(errno));
    if (n == 0) throw Error(path + " is not an RPM package (it is truncated)");
    done += static_cast<size_t>(n);
  }
}

}  // namespace

uint64_t rpm_main_header_offset(int fd, const std::string& path) {
  std::array<unsigned char, kLeadSize + 16> buf{};
  read_exact(fd, buf.data(), buf.size(), 0, path);
  static const unsigned char lead_magic[] = {0xed, 0xab, 0xee, 0xdb};
  static const unsigned char header_magic[] = {0x8e, 0xad, 0xe8, 0x01};
  if (memcmp(buf.data(), lead_magic, 4) != 0) throw Error(path + " is not an RPM package (no RPM lead)");
  const unsigned char* sig = buf.data() + kLeadSize;
  if (memcmp(sig, header_magic, 4) != 0) throw Error(path + " is not an RPM package (no signature header)");
  uint64_t il = be32(sig + 8), dl = be32(sig + 12);
  if (il > 0xffff || dl > kMaxHeaderBytes) throw Error(path + " is not an RPM package (signature header too large)");
  uint64_t sig_size = 16 + il * 16 + dl;
  return kLeadSize + ((sig_size + 7) & ~uint64_t{7});
}

}  // namespace yumda
