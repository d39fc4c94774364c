// Internal: RAII owners for librpm handles, and the main header of an RPM
// file (shared by read_rpm_header and the stripped-payload reader).
#pragma once
#include <rpm/header.h>
#include <rpm/rpmfi.h>
#include <rpm/rpmfiles.h>
#include <rpm/rpmio.h>
#include <rpm/rpmtd.h>

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <type_traits>

#include "yumda/c_unique.hpp"

namespace yumda::detail {

using HeaderPtr = c_unique_ptr<Header, headerFree>;
using FilesPtr = c_unique_ptr<rpmfiles, rpmfilesFree>;
using FiPtr = c_unique_ptr<rpmfi, rpmfiFree>;
using FdPtr = c_unique_ptr<FD_t, Fclose>;
template <typename T>
using MallocPtr = c_unique<T, ::free>;

// Reads PATH's main header (lead and signature header skipped, nothing
// verified); PAYLOAD_OFFSET receives where the payload starts. Throws Error
// naming PATH when it is not an RPM.
HeaderPtr read_main_header(const std::string& path, uint64_t& payload_offset);

}  // namespace yumda::detail
