// Removal works on the layer's own record (requires/provides of each package)
// with libsolv (Resolver::erase), so it needs no repo: a layer can be trimmed
// offline.
#include "yumda/remove.hpp"

#include <algorithm>
#include <ctime>
#include <optional>
#include <set>

#include "install/package_source.hpp"
#include "yumda/error.hpp"
#include "yumda/fetch.hpp"
#include "yumda/fs.hpp"
#include "yumda/resolve.hpp"

namespace yumda {

RemovePlan plan_remove(const Config& config, const Baseline& baseline, const LayerState& state,
                       const std::vector<std::string>& specs, bool autoremove) {
  std::vector<LayerPackage> layer = layer_packages(state);
  Fetcher fetcher(FetchOptions{});  // nothing is fetched: erase loads no repo
  Sack sack(config, fetcher, /*cacheonly=*/true);
  Resolver resolver(config, baseline, layer, sack);
  EraseRequest request;
  request.specs = specs;
  request.clean_deps = config.main.clean_requirements_on_remove;
  request.protected_packages = config.main.protected_packages;
  request.autoremove = autoremove;
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

namespace {

// ROOT's record, read under its lock (held in LOCK) once an interrupted run is finished.
LayerState locked_layer_state(const std::string& root, std::optional<LayerLock>& lock, bool nowait) {
  if (!is_directory(root + "/.yumda"))
    throw Error("layer directory " + root + " has no packages installed by yumda (check --root)");
  lock.emplace(root, !nowait);
  LayerTransaction::recover(root);
  return LayerState::load(root);
}

}  // namespace

std::pair<RemovePlan, bool> remove_packages(const Config& config, const RemoveOptions& options, Reporter& reporter) {
  (void)reporter;
  std::optional<LayerLock> lock;
  if (options.specs.empty() && !options.autoremove) throw UsageError("remove needs at least one package name");
  LayerState state = locked_layer_state(options.root, lock, options.nowait);
  RemovePlan plan = plan_remove(config, load_baseline(config.main.baseline, config.main.arch), state, options.specs,
                                options.autoremove);
  if (plan.size() == 0) return {plan, false};
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

  std::string command = options.autoremove ? "autoremove" : "remove";
  for (const auto& s : options.specs) command += " " + s;
  next.record(state, command, {}, static_cast<uint64_t>(time(nullptr)));
  LayerTransaction txn(options.root);
  txn.own_paths(state.owners());  // lib/x goes from lib64/ when lib -> lib64 is owned
  txn.remove_paths(paths);
  txn.commit(next);
  return {plan, true};
}

std::vector<Nevra> mark_packages(const Config& config, const MarkOptions& options) {
  if (options.specs.empty()) throw UsageError("mark needs at least one package name");
  std::optional<LayerLock> lock;
  LayerState state = locked_layer_state(options.root, lock, options.nowait);
  Fetcher fetcher(FetchOptions{});  // the layer's record is enough
  Sack sack(config, fetcher, /*cacheonly=*/true);
  Resolver resolver(config, Baseline{}, layer_packages(state), sack);
  std::set<std::string> matched;
  for (const auto& spec : options.specs) {
    auto found = resolver.installed(spec, /*by_provides=*/false);
    if (found.empty()) throw Error("No match for argument: " + spec + " (see yumda list --installed)");
    for (const auto& n : found) matched.insert(n.str());
  }
  LayerState next = state;
  std::vector<Nevra> changed;
  for (auto& p : next.packages())
    if (matched.count(p.nevra.str()) && p.user_installed != options.user_installed) {
      p.user_installed = options.user_installed;
      changed.push_back(p.nevra);
    }
  if (changed.empty()) return changed;
  // Through the journal like any change: the record is replaced whole or not at all.
  LayerTransaction txn(options.root);
  txn.commit(next);
  return changed;
}

}  // namespace yumda
