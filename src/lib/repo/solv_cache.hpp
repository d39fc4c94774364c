// libsolv's solv files in the metadata cache (load_repo.cpp): primary.solv,
// full.solv and descriptions.solv, each ending in the cache-file trailer.
#pragma once
#include <string>

struct s_Repo;
struct s_Repokey;

namespace yumda {

// Which keys a solv file keeps: libsolv's repo_write keyfilter.
using SolvKeyFilter = int (*)(s_Repo* repo, s_Repokey* key, void* kfdata);

// Loads PATH into REPO when its tag and digest match; anything else (missing,
// stale, damaged) returns false with REPO left empty, so the caller rebuilds.
bool load_solv_cache(s_Repo* repo, const std::string& path, const std::string& tag);

// Writes REPO's keys FILTER keeps to PATH (temp file + rename), tag and
// digest last. False on failure (errno set).
bool write_solv_cache(s_Repo* repo, const std::string& path, const std::string& tag, SolvKeyFilter filter);

}  // namespace yumda
