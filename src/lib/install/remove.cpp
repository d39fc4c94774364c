// Removal works on the layer's own record (requires/provides of each package)
// with libsolv (Resolver::erase), so it needs no repo: a layer can be trimmed
// offline.
#include "yumda/remove.hpp"

#include <algorithm>
#include <set>

#include "install/package_source.hpp"
#include "yumda/error.hpp"
#include "yumda/fetch.hpp"
#include "yumda/fs.hpp"
#include "yumda/resolve.hpp"

namespace yumda {

RemovePlan plan_remove(const Config& config, const Baseline& baseline, const LayerState& state,
                       const std::vector<std::string>& specs) {
  std::vector<LayerPackage> layer = layer_packages(state);
  Fetcher fetcher(FetchOptions{});  // nothing is fetched: erase loads no repo
  Sack sack(config, fetcher, /*cacheonly=*/true);
  Resolver resolver(config, baseline, layer, sack);
  EraseRequest request;
  request.specs = specs;
  request.clean_deps = config.main.clean_requirements_on_remove;
  request.protected_packages = config.main.protected_packages;
  EraseResult erased = resolver.erase(request);
  auto records = [&](const std::vector<Nevra>& ns) {
    std::vector<InstalledPackage> out;
    for (const auto& n : ns)
      for (const auto& p : state.packages())
        if (p.nevra == n) {
          out.push_back(p);
          break;
        }
    return out;
  };
  RemovePlan plan;
  plan.named = records(erased.named);
  plan.dependents = records(erased.dependents);
  plan.unneeded = records(erased.unneeded);
  return plan;
}

RemovePlan plan_remove(const LayerState& state, const std::vector<std::string>& specs, bool clean_deps) {
  Config config;
  config.main.clean_requirements_on_remove = clean_deps;
  return plan_remove(config, Baseline{}, state, specs);
}

std::pair<RemovePlan, bool> remove_packages(const Config& config, const RemoveOptions& options, Reporter& reporter) {
  (void)reporter;
  if (options.specs.empty()) throw UsageError("remove needs at least one package name");
  if (!is_directory(options.root + "/.yumda"))
    throw Error("layer directory " + options.root + " has no packages installed by yumda (check --root)");
  LayerLock lock(options.root, !options.nowait);
  LayerTransaction::recover(options.root);
  LayerState state = LayerState::load(options.root);
  RemovePlan plan = plan_remove(config, load_baseline(config.main.baseline, config.main.arch), state, options.specs);
  if (options.confirm && !options.confirm(plan)) return {plan, false};

  std::set<std::string> going;
  for (const auto* group : {&plan.named, &plan.dependents, &plan.unneeded})
    for (const auto& p : *group) going.insert(p.nevra.str());
  LayerState next;
  std::set<std::string> still_owned;
  for (const auto& p : state.packages())
    if (!going.count(p.nevra.str())) {
      next.packages().push_back(p);
      still_owned.insert(p.files.begin(), p.files.end());
    }
  // Deepest paths first, so directories empty out before they are looked at.
  std::vector<std::string> paths;
  for (const auto& p : state.packages())
    if (going.count(p.nevra.str()))
      for (const auto& f : p.files) {
        if (!still_owned.count(f)) paths.push_back(f);
        // Parent dirs the payload did not list were made by extraction; they
        // go too when nothing else is left in them (the journal keeps non-empty dirs).
        for (auto slash = f.rfind('/'); slash != std::string::npos; slash = f.rfind('/', slash - 1)) {
          std::string dir = f.substr(0, slash);
          if (!still_owned.count(dir)) paths.push_back(dir);
          if (slash == 0) break;
        }
      }
  std::sort(paths.begin(), paths.end(), std::greater<>());
  paths.erase(std::unique(paths.begin(), paths.end()), paths.end());

  LayerTransaction txn(options.root);
  txn.own_paths(state.owners());  // lib/x goes from lib64/ when lib -> lib64 is owned
  txn.remove_paths(paths);
  txn.commit(next);
  return {plan, true};
}

}  // namespace yumda
