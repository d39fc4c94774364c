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

namespace yumda::detail {

template <typename T, auto Free>
struct RpmFreer {
  void operator()(T p) const { Free(p); }
};
template <typename T, auto Free>
using RpmPtr = std::unique_ptr<std::remove_pointer_t<T>, RpmFreer<T, Free>>;

using HeaderPtr = RpmPtr<Header, headerFree>;
using FilesPtr = RpmPtr<rpmfiles, rpmfilesFree>;
using FiPtr = RpmPtr<rpmfi, rpmfiFree>;
using FdPtr = RpmPtr<FD_t, Fclose>;
struct MallocFreer {
  void operator()(void* p) const { free(p); }
};
template <typename T>
using MallocPtr = std::unique_ptr<T, MallocFreer>;

// Reads PATH's main header (lead and signature header skipped, nothing
// verified); PAYLOAD_OFFSET receives where the payload starts. Throws Error
// naming PATH when it is not an RPM.
HeaderPtr read_main_header(const std::string& path, uint64_t& payload_offset);

}  // namespace yumda::detail
