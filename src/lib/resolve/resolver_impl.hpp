// Internal to resolve/: the resolver's state, shared by its three files:
// installed.cpp (the sack's pool plus the installed set), goal.cpp (install,
// upgrade, reinstall, erase -> a plan, problems in words) and resolver.cpp
// (the facade, package records, queries).
#pragma once
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "solv/pool.hpp"
#include "yumda/error.hpp"
#include "yumda/resolve.hpp"
#include "yumda/sack.hpp"

namespace yumda {

struct Resolver::Impl {
  static constexpr int kSelectionFlags = SELECTION_NAME | SELECTION_PROVIDES | SELECTION_GLOB | SELECTION_CANON |
                                         SELECTION_DOTARCH | SELECTION_REL;
  static std::string str_or_empty(const char* s) { return s ? s : ""; }

  Config config;
  Baseline baseline;
  std::vector<LayerPackage> layer;
  Sack& sack;
  Reporter& reporter;

  Pool* pool = nullptr;  // the sack's, once it holds the installed set too
  std::unordered_set<Id> runtime_solvables;  // baseline + lambda-runtime: locked
  std::unordered_map<Id, size_t> layer_solvables;  // installed solvable -> index in LAYER

  Impl(const Config& c, const Baseline& b, const std::vector<LayerPackage>& l, Sack& s, Reporter& r)
      : config(c), baseline(b), layer(l), sack(s), reporter(r) {}

  ::Pool* p() const { return pool->get(); }


  // installed.cpp
  void ensure(bool need_filelists);
  void finish_pool();
  void build_installed_only();
  void build(bool filelists);
  bool build_partial(const ResolveRequest& request);
  std::unordered_map<Id, std::vector<Id>> available_by_name(const std::unordered_set<Id>& names);
  Solvable* pick_template(const std::vector<Id>& cands, const BaselinePackage& bp);
  Id add_installed_solvable(Repo* sys, Id name, Id evr, Id arch);
  void add_installed();
  void add_runtime_files(Repo* sys);

  // goal.cpp
  bool missing_file_dep(Solver* solv);
  std::string problems_text(Solver* solv);
  std::string maybe_meant(const std::string& spec);
  std::vector<Id> with_obsoleters(const std::string& spec, const SolvQueue& matched);
  std::optional<ResolveResult> attempt(const ResolveRequest& request);
  bool solve(SolvQueue& job, bool weak_deps, ResolveResult& result, const std::set<Id>& asked = {},
             bool allow_downgrade = false);
  std::vector<std::string> unmet_jobs(Solver* solv, SolvQueue& job);
  bool is_layer(Id id) const {
    return p()->solvables[id].repo == p()->installed && !runtime_solvables.count(id);
  }
  Id layer_same_nevra(Id id);
  std::vector<Id> installonly_excess(Transaction* trans);
  std::vector<Id> layer_matches(const std::string& spec, int flags = kSelectionFlags);
  static Error no_layer_match(const std::string& spec);
  std::vector<Id> upgrade_targets(const std::string& spec);
  std::optional<ResolveResult> upgrade(const std::vector<std::string>& specs);
  ResolveResult reinstall(const std::vector<std::string>& specs);
  Id repo_twin(const Nevra& n);
  ResolveResult undo(const std::vector<Nevra>& install, const std::vector<Nevra>& erase);
  std::vector<Id> layer_path_matches(std::string spec);
  std::vector<Id> unneeded_layer();
  EraseResult erase(const EraseRequest& request);

  // resolver.cpp
  PackageInfo info(Id id);
  void make_selection(const std::string& spec, int flags, SolvQueue& sel);
  std::vector<PackageInfo> infos(std::vector<Id> ids);
  std::vector<Id> select(const std::string& spec, int flags);
};

}  // namespace yumda
