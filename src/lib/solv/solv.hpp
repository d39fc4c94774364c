// Every libsolv header yumda uses, included in one
// place: libsolv's Solvable has a field named `requires`, a C++20 keyword, so
// the headers are read with it renamed to `solv_requires` (same layout).
#pragma once

#define requires solv_requires
extern "C" {
#include <solv/chksum.h>
#include <solv/evr.h>
#include <solv/pool.h>
#include <solv/pool_parserpmrichdep.h>
#include <solv/poolarch.h>
#include <solv/queue.h>
#include <solv/repo.h>
#include <solv/repo_rpmdb.h>
#include <solv/repo_rpmmd.h>
#include <solv/repo_solv.h>
#include <solv/repo_write.h>
#include <solv/repodata.h>
#include <solv/selection.h>
#include <solv/solv_xfopen.h>
#include <solv/solver.h>
#include <solv/solvversion.h>
#include <solv/transaction.h>
}
#undef requires
