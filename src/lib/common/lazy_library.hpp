// A shared library yumda does not link but dlopen()s the first time one of
// its functions is called. Every library linked is mapped and relocated on
// every run, and a warm resolve calls none of libcurl, librpm, librpmio,
// libsolvext or libsqlite3 (CMakeLists.txt, "startup"). Each of those has a
// *_lazy.cpp that defines the C functions yumda calls, each forwarding to the
// library's own; a call added elsewhere fails to link until it is forwarded.
#pragma once
#include <string>

namespace yumda::lazy {

class Library {
 public:
  // Loads SONAME now (RTLD_LOCAL: its symbols never replace yumda's
  // forwarders). INSTALL names the package(s) that provide it, for errors.
  Library(const char* soname, const char* install);
  Library(const Library&) = delete;
  Library& operator=(const Library&) = delete;

  // NAME's address in the library (or the libraries it needs). Throws Error
  // naming the library and the package to install when it could not be
  // loaded or lacks NAME.
  void* symbol(const char* name) const;

 private:
  void* handle_ = nullptr;  // kept loaded for the life of the process
  std::string soname_;
  std::string install_;
  std::string error_;  // why it could not be loaded
};

}  // namespace yumda::lazy

// Defines NAME(), the Library of SONAME, loaded on NAME()'s first call.
#define YUMDA_LAZY_LIBRARY(name, soname, install)           \
  const yumda::lazy::Library& name() {                      \
    static const yumda::lazy::Library lib(soname, install); \
    return lib;                                             \
  }

// Inside a forwarding definition: `real`, the library's own NAME, looked up
// on the first call (a function-local static: thread-safe, once).
#define YUMDA_LAZY_REAL(library, name) \
  static const auto real = reinterpret_cast<decltype(&::name)>((library).symbol(#name))

// A forwarding definition of the C function NAME(PARAMS) -> RET, calling the
// real one with ARGS.
#define YUMDA_LAZY_FORWARD(library, Ret, name, params, args) \
  Ret name params {                                          \
    YUMDA_LAZY_REAL(library, name);                          \
    return real args;                                        \
  }
