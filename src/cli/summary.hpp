// dnf-style transaction summary printed before an install.
#pragma once
#include <string>
#include <vector>

#include "yumda/resolve.hpp"

namespace yumda::cli {

// What the plan does with one of its packages, in the order dnf groups them:
// replaces a layer package (same version: reinstall; newer: upgrade; older:
// downgrade), was asked for, or comes in as a dependency.
enum class PlanAction { kReinstall, kUpgrade, kDowngrade, kInstall, kDependency };
PlanAction plan_action(const ResolveResult& plan, const PackageInfo& p);
// "reinstall", "upgrade", "downgrade", "install", "dependency" (--json's "action").
const char* plan_action_name(PlanAction a);

// The table (Installing: / Installing dependencies:) and the totals.
std::string format_summary(const ResolveResult& plan);

}  // namespace yumda::cli
