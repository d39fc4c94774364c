// libsolvext, loaded on first use (see common/lazy_library.hpp). It needs
// librpm, librpmio and libexpat, so linking it loaded them all; yumda calls
// it only to read primary.xml the fast loader cannot (repo_add_rpmmd), a
// local .rpm (repo_add_rpm), a rich dependency (pool_parserpmrichdep) and a
// compressed file (solv_xfopen), never in a warm resolve.
#include "common/lazy_library.hpp"
#include "solv/solv.hpp"

namespace {

YUMDA_LAZY_LIBRARY(solvext, "libsolvext.so.1", "libsolvext1 (Debian) or libsolv (RPM)")

}  // namespace

extern "C" {

YUMDA_LAZY_FORWARD(solvext(), Id, pool_parserpmrichdep, (Pool * pool, const char* dep), (pool, dep))
YUMDA_LAZY_FORWARD(solvext(), Id, repo_add_rpm, (Repo * repo, const char* rpm, int flags), (repo, rpm, flags))
YUMDA_LAZY_FORWARD(solvext(), int, repo_add_rpmmd, (Repo * repo, FILE* fp, const char* language, int flags),
                   (repo, fp, language, flags))
YUMDA_LAZY_FORWARD(solvext(), FILE*, solv_xfopen, (const char* fn, const char* mode), (fn, mode))
YUMDA_LAZY_FORWARD(solvext(), int, solv_xfopen_iscompressed, (const char* fn), (fn))

}  // extern "C"
