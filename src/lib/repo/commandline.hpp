// Internal to repo/: the "@commandline" repo of local package files (sack.cpp).
#pragma once
#include <vector>

#include "solv/pool.hpp"
#include "yumda/sack.hpp"

namespace yumda {

// Reads PACKAGES into POOL as the repo kCommandlineRepo, each with its file's
// sha256 and size (so a copy is checked against what was resolved); returns
// their solvables in order. Throws Error naming a file that is not a binary RPM.
std::vector<Id> add_commandline_repo(Pool& pool, const std::vector<LocalPackage>& packages);

}  // namespace yumda
