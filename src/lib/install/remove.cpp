// Removal works on the layer's own record (requires/provides of each package),
// so it needs no repo: a layer can be trimmed offline.
#include "yumda/remove.hpp"

#include <fnmatch.h>

#include <map>
#include <algorithm>
#include <optional>
#include <set>

#include "yumda/error.hpp"
#include "yumda/fs.hpp"

namespace yumda {

namespace {

std::string dep_name(const std::string& dep) { return dep.substr(0, dep.find(' ')); }

bool matches(const InstalledPackage& p, const std::string& spec) {
  return spec == p.nevra.name || spec == p.nevra.str() || fnmatch(spec.c_str(), p.nevra.name.c_str(), 0) == 0 ||
         fnmatch(spec.c_str(), p.nevra.str().c_str(), 0) == 0;
}

// Which packages of the layer provide each dependency name. A requirement no
// layer package provides is met by the runtime and never decides anything here.
class Providers {
 public:
  explicit Providers(const std::vector<InstalledPackage>& pkgs) {
    for (size_t i = 0; i < pkgs.size(); ++i) {
      by_name_[pkgs[i].nevra.name].insert(i);
      for (const auto& p : pkgs[i].provides) by_name_[dep_name(p)].insert(i);
      for (const auto& f : pkgs[i].files) by_name_["/opt/" + f].insert(i);
    }
  }
  // The providers of REQ among the packages still KEPT; nullopt when no layer
  // package ever provided it.
  std::optional<size_t> count_kept(const std::string& req, const std::vector<bool>& kept) const {
    auto it = by_name_.find(dep_name(req));
    if (it == by_name_.end()) return std::nullopt;
    size_t n = 0;
    for (size_t i : it->second) n += kept[i] ? 1 : 0;
    return n;
  }
  const std::set<size_t>* of(const std::string& req) const {
    auto it = by_name_.find(dep_name(req));
    return it == by_name_.end() ? nullptr : &it->second;
  }

 private:
  std::map<std::string, std::set<size_t>> by_name_;
};

}  // namespace

RemovePlan plan_remove(const LayerState& state, const std::vector<std::string>& specs, bool clean_deps) {
  const auto& pkgs = state.packages();
  std::vector<bool> kept(pkgs.size(), true);
  RemovePlan plan;
  for (const auto& spec : specs) {
    bool any = false;
    for (size_t i = 0; i < pkgs.size(); ++i)
      if (matches(pkgs[i], spec)) {
        any = true;
        if (kept[i]) plan.named.push_back(pkgs[i]);
        kept[i] = false;
      }
    if (!any) throw Error("No match for argument: " + spec + " (see yumda list --installed)");
  }
  Providers providers(pkgs);

  // Dependents: a kept package with a requirement only removed packages provided.
  for (bool changed = true; changed;) {
    changed = false;
    for (size_t i = 0; i < pkgs.size(); ++i) {
      if (!kept[i]) continue;
      for (const auto& r : pkgs[i].requirements) {
        auto n = providers.count_kept(r, kept);
        if (n && *n == 0) {
          kept[i] = false;
          plan.dependents.push_back(pkgs[i]);
          changed = true;
          break;
        }
      }
    }
  }

  // Unneeded: pulled in as a dependency, and no kept package requires it now.
  for (bool changed = clean_deps; changed;) {
    changed = false;
    std::vector<bool> needed(pkgs.size(), false);
    for (size_t i = 0; i < pkgs.size(); ++i) {
      if (!kept[i]) continue;
      for (const auto& r : pkgs[i].requirements)
        if (const auto* who = providers.of(r))
          for (size_t j : *who)
            if (j != i) needed[j] = true;
    }
    for (size_t i = 0; i < pkgs.size(); ++i)
      if (kept[i] && !pkgs[i].user_installed && !needed[i]) {
        kept[i] = false;
        plan.unneeded.push_back(pkgs[i]);
        changed = true;
      }
  }
  return plan;
}

std::pair<RemovePlan, bool> remove_packages(const RemoveOptions& options, Reporter& reporter) {
  (void)reporter;
  if (options.specs.empty()) throw UsageError("remove needs at least one package name");
  if (!is_directory(options.root + "/.yumda"))
    throw Error("layer directory " + options.root + " has no packages installed by yumda (check --root)");
  LayerLock lock(options.root, !options.nowait);
  LayerTransaction::recover(options.root);
  LayerState state = LayerState::load(options.root);
  RemovePlan plan = plan_remove(state, options.specs);
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
  txn.remove_paths(paths);
  txn.commit(next);
  return {plan, true};
}

}  // namespace yumda
