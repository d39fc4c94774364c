// `yumda --version`: what a bug report needs to say which yumda this is.
#pragma once
#include <string>

namespace yumda::cli {

// "yumda VERSION (commit COMMIT)" and one line per library yumda was linked
// against at run time: libsolv, librpm, libcurl, libarchive. VERSION and
// COMMIT come from the build (CMakeLists.txt: project() and, at configure
// time, `git describe --always --dirty`, "unknown" outside a git checkout).
std::string version_text();

}  // namespace yumda::cli
