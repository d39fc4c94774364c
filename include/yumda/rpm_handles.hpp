// Owners for the librpm handles the modules that call librpm (extract,
// verify) both hold: one definition, as c_unique.hpp asks.
#pragma once
#include <rpm/header.h>
#include <rpm/rpmfi.h>
#include <rpm/rpmfiles.h>
#include <rpm/rpmio.h>

#include <cstdlib>

#include "yumda/c_unique.hpp"

namespace yumda {

using HeaderPtr = c_unique_ptr<Header, headerFree>;
using FilesPtr = c_unique_ptr<rpmfiles, rpmfilesFree>;
using FiPtr = c_unique_ptr<rpmfi, rpmfiFree>;
using FdPtr = c_unique_ptr<FD_t, Fclose>;
template <typename T>
using MallocPtr = c_unique<T, ::free>;

}  // namespace yumda
