// Internal: the main header of an RPM file (shared by read_rpm_header and the
// stripped-payload reader). The librpm owners are yumda/rpm_handles.hpp's.
#pragma once
#include <rpm/rpmtd.h>

#include <cstdint>
#include <string>

#include "yumda/rpm_handles.hpp"

namespace yumda::detail {

// Reads PATH's main header (lead and signature header skipped, nothing
// verified); PAYLOAD_OFFSET receives where the payload starts. Throws Error
// naming PATH when it is not an RPM.
HeaderPtr read_main_header(const std::string& path, uint64_t& payload_offset);

}  // namespace yumda::detail
