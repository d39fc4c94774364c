#include "common/lazy_library.hpp"

#include <dlfcn.h>

#include "yumda/error.hpp"

namespace yumda::lazy {

Library::Library(const char* soname, const char* install) : soname_(soname), install_(install) {
  handle_ = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
  if (!handle_) {
    const char* why = dlerror();
    error_ = "cannot load " + soname_ + " (" + (why ? why : "not found") + "): install " + install_;
  }
}

void* Library::symbol(const char* name) const {
  if (!handle_) throw Error(error_);
  dlerror();  // clear a stale error, so a failed lookup reports its own
  void* sym = dlsym(handle_, name);
  if (!sym) throw Error(soname_ + " lacks " + name + ": install a newer " + install_);
  return sym;
}

}  // namespace yumda::lazy
