// One owner for every C library handle: c_unique<T, Free> is a unique_ptr to
// T that calls Free(p) when it goes, so no module writes its own deleter.
//   c_unique<sqlite3, sqlite3_close> db;  c_unique<char, ::free> buf;
// For a library's pointer typedef (librpm's Header, rpmts...), name the
// pointee: c_unique<std::remove_pointer_t<Header>, headerFree>, or use
// c_unique_ptr<Header, headerFree>.
#pragma once
#include <cstdio>
#include <memory>
#include <type_traits>

namespace yumda {

template <auto Free>
struct CFree {
  template <typename T>
  void operator()(T* p) const noexcept {
    Free(p);  // what Free returns (librpm's NULL) is of no use here
  }
};

template <typename T, auto Free>
using c_unique = std::unique_ptr<T, CFree<Free>>;

// The same for a handle type that is itself a pointer typedef.
template <typename Ptr, auto Free>
using c_unique_ptr = c_unique<std::remove_pointer_t<Ptr>, Free>;

using UniqueFile = c_unique<FILE, fclose>;

}  // namespace yumda
