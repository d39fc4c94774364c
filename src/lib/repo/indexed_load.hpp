// The sack's reachable load (Sack::load_reachable) through each repo's
// dependency index: where the index of a repo's metadata lives and what it
// is made from (load_repo.cpp, beside the solv cache it may be made from).
// The index itself is the fast loader's (yumda/fastload.hpp).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "yumda/fastload.hpp"

struct s_Repo;

namespace yumda {

class Pool;
class Reporter;
struct RepoConfig;
struct RepoMetadata;

// The dep index of MD's repo when it is current (null otherwise: load_repo
// writes one on its next full load).
DepIndexHandle open_repo_index(const RepoMetadata& md);

// The dep index of MD's repo made now, from its solv cache when that is
// current, else by scanning primary (the solv cache is left to the next load
// that needs the whole repo: an install needs only the index). Null when it
// cannot be written (a warning). Throws Error as load_repo does on damaged
// metadata.
DepIndexHandle make_repo_index(const RepoMetadata& md, const std::string& arch, Reporter& reporter);

// A repo of POOL configured as CONFIG (priority, cost, excludes) holding the
// packages PKGS (ascending) of INDEX.
s_Repo* load_repo_subset(Pool& pool, const DepIndex& index, const std::vector<uint32_t>& pkgs,
                         const RepoConfig& config);

}  // namespace yumda
