// Removing packages from a layer, as dnf does: the named packages, every
// layer package that needs them, and the dependencies nothing needs any more
// (clean_requirements_on_remove); packages the user asked for are kept.
// libsolv decides (Resolver::erase), on the layer's record: versions and rich
// dependencies count; no repo is needed.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "yumda/baseline.hpp"
#include "yumda/config.hpp"
#include "yumda/layer.hpp"
#include "yumda/reporter.hpp"

namespace yumda {

struct RemovePlan {
  std::vector<InstalledPackage> named;       // matched by the specs
  std::vector<InstalledPackage> dependents;  // need a named package
  std::vector<InstalledPackage> unneeded;    // dependencies nothing needs any more
  size_t size() const { return named.size() + dependents.size() + unneeded.size(); }
};

// Works out what `remove SPECS` takes out of STATE (specs: names, globs,
// name-version[-release], N-E:V-R.A, name.arch, provides, /opt paths), with
// CONFIG's clean_requirements_on_remove and protected_packages, the runtime
// BASELINE meeting what it provides. Throws Error "No match for argument: X"
// for a spec that matches nothing, and Error naming a protected package the
// plan would take out.
// With AUTOREMOVE (and no specs): the dependencies nothing the user asked for
// needs any more, as dnf autoremove.
RemovePlan plan_remove(const Config& config, const Baseline& baseline, const LayerState& state,
                       const std::vector<std::string>& specs, bool autoremove = false);
// The same with the default config and no baseline (tests).
RemovePlan plan_remove(const LayerState& state, const std::vector<std::string>& specs, bool clean_deps = true);

struct RemoveOptions {
  std::string root;
  std::vector<std::string> specs;
  bool autoremove = false;  // `autoremove`: no specs, the unneeded dependencies
  bool nowait = false;
  std::function<bool(const RemovePlan&)> confirm;
};

// Removes the plan's packages and their files (those no remaining package
// owns) in one transaction; ROOT changes all or nothing. Returns the plan and
// whether it was carried out.
std::pair<RemovePlan, bool> remove_packages(const Config& config, const RemoveOptions& options, Reporter& reporter);

struct MarkOptions {
  std::string root;
  std::vector<std::string> specs;  // layer packages: names, globs, NEVRAs
  bool user_installed = true;      // mark install (true) or mark remove (false)
  bool nowait = false;
};

// `mark install|remove`: sets the reason of the layer packages SPECS match
// to "user" or "dependency" (so autoremove may take them), as dnf mark; no
// file changes and no history entry. Returns the packages whose mark
// changed. Throws Error "No match for argument: X" for a spec no layer
// package matches; ROOT is then unchanged.
std::vector<Nevra> mark_packages(const Config& config, const MarkOptions& options);

}  // namespace yumda
