// The whole job, stage by stage: config -> repo metadata -> resolve -> fetch ->
// verify -> extract -> layer. The CLI parses and prints; this does the work.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "yumda/baseline.hpp"
#include "yumda/config.hpp"
#include "yumda/layer.hpp"
#include "yumda/reporter.hpp"
#include "yumda/resolve.hpp"

namespace yumda {

struct InstallOptions {
  std::string root = "layer";
  std::vector<std::string> specs;
  bool cacheonly = false;
  bool nowait = false;  // fail instead of waiting for the layer lock
  // Called with the plan before anything is downloaded; return false to stop
  // (--assumeno, or the user said no). Not called when there is nothing to do.
  std::function<bool(const ResolveResult&)> confirm;
  // Called with the plan right after resolution, before confirm; throws to
  // refuse it (install --locked checks the plan against the lock here).
  std::function<void(const ResolveResult&)> check_plan;
};

struct InstallResult {
  ResolveResult plan;
  bool performed = false;  // false when confirm said no or nothing was to do
  std::vector<InstalledPackage> installed;
};

// Throws Error (one line for the user) on any failure; ROOT is then exactly as
// it was before the call.
InstallResult install(const Config& config, const InstallOptions& options, Reporter& reporter);

// The packages in ROOT, sorted by name.
std::vector<InstalledPackage> list_installed(const std::string& root);

}  // namespace yumda

namespace yumda {

// `makecache`: fetches every enabled repo's metadata (when expired) and writes
// its solv cache, so later runs (and -C) load in milliseconds. Returns the
// number of packages per repo id.
std::vector<std::pair<std::string, size_t>> make_cache(const Config& config, Reporter& reporter);

// `clean metadata|packages|all`: removes that part of the cache; returns what it removed.
std::vector<std::string> clean_cache(const Config& config, const std::string& what);

}  // namespace yumda
