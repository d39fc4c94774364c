// The fixed layout in front of an RPM's main header: the 96-byte lead, then
// the signature header (16-byte intro, il index entries of 16 bytes, dl data
// bytes, padded to 8). Read by hand, so no rpmts or keyring is involved.
#pragma once
#include <cstdint>
#include <string>

namespace yumda {

// Offset of the main header in the RPM open on FD (PATH names it in errors).
// Throws Error "PATH is not an RPM package (...)" for a file without an RPM
// lead or signature header, a truncated one or a signature header over rpm's
// own size limit.
uint64_t rpm_main_header_offset(int fd, const std::string& path);

}  // namespace yumda
