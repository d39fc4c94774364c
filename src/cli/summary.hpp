// dnf-style transaction summary printed before an install.
#pragma once
#include <string>
#include <vector>

#include "yumda/resolve.hpp"

namespace yumda::cli {

// The table (Installing: / Installing dependencies:) and the totals.
std::string format_summary(const ResolveResult& plan);

}  // namespace yumda::cli
