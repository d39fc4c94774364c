// The goal: install, upgrade, reinstall and erase jobs on the sack's pool,
// solved by libsolv into a plan; its problems put in words.
#include <fnmatch.h>

#include <algorithm>
#include <cstring>
#include <functional>
#include <optional>
#include <set>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "resolve/resolver_impl.hpp"
#include "yumda/error.hpp"
#include "yumda/suggest.hpp"

namespace yumda {

// True when a problem of SOLV is a file dependency nobody provides: with
// primary alone only some paths are known, so filelists may help.
bool Resolver::Impl::missing_file_dep(Solver* solv) {
  unsigned count = solver_problem_count(solv);
  for (Id problem = 1; problem <= static_cast<Id>(count); ++problem) {
    SolvQueue rules;
    solver_findallproblemrules(solv, problem, rules.get());
    for (int i = 0; i < rules.size(); ++i) {
      Id source = 0, target = 0, dep = 0;
      SolverRuleinfo type = solver_ruleinfo(solv, rules[i], &source, &target, &dep);
      if ((type == SOLVER_RULE_PKG_NOTHING_PROVIDES_DEP || type == SOLVER_RULE_JOB_NOTHING_PROVIDES_DEP) && dep &&
          pool_dep2str(p(), dep)[0] == '/')
        return true;
    }
  }
  return false;
}

// Each problem in libsolv's words, followed by the rules behind it (which
// name the conflicting packages), all on one line.
std::string Resolver::Impl::problems_text(Solver* solv) {
  std::string out;
  unsigned count = solver_problem_count(solv);
  for (Id problem = 1; problem <= static_cast<Id>(count); ++problem) {
    if (!out.empty()) out += "; ";
    std::string main = solver_problem2str(solv, problem);
    out += main;
    SolvQueue rules;
    solver_findallproblemrules(solv, problem, rules.get());
    std::vector<std::string> details;
    for (int i = 0; i < rules.size(); ++i) {
      Id source = 0, target = 0, dep = 0;
      SolverRuleinfo type = solver_ruleinfo(solv, rules[i], &source, &target, &dep);
      if (type == SOLVER_RULE_JOB || type == SOLVER_RULE_PKG_SAME_NAME) continue;  // says nothing new
      std::string d = solver_ruleinfo2str(solv, type, source, target, dep);
      if (d != main && std::find(details.begin(), details.end(), d) == details.end()) details.push_back(d);
    }
    if (!details.empty()) {
      out += " (";
      for (size_t i = 0; i < details.size(); ++i) out += (i ? ", " : "") + details[i];
      out += ")";
    }
  }
  return "cannot resolve: " + out;
}

// ". Maybe you meant: git" for a mistyped package name ("gti"): the names
// of the repos' packages a typo away, as dnf suggests; "" when none is.
std::string Resolver::Impl::maybe_meant(const std::string& spec) {
  if (spec.find_first_of("*?[]/ <>=()") != std::string::npos) return "";
  ::Pool* pool_ = p();
  std::unordered_set<Id> ids;
  for (Id id : pool->solvables())
    if (pool->available(id) && !pool->is_source(id)) ids.insert(pool->solvable(id)->name);
  std::vector<std::string> names;
  for (Id id : ids) names.emplace_back(pool_id2str(pool_, id));
  auto near = closest_words(spec, names, 5);
  std::string out;
  for (const auto& n : near) out += (out.empty() ? ". Maybe you meant: " : ", ") + n;
  return out;
}

// For a spec that is just a name (dnf's rule): MATCHED plus the available
// packages of another name whose Obsoletes: match one of them; empty when
// none obsoletes them.
std::vector<Id> Resolver::Impl::with_obsoleters(const std::string& spec, const SolvQueue& matched) {
  ::Pool* pool_ = p();
  Id name = pool_str2id(pool_, spec.c_str(), 0);
  bool just_name = false;
  for (int i = 0; i < matched.size(); ++i) just_name = just_name || pool_->solvables[matched[i]].name == name;
  if (!name || !just_name) return {};
  std::vector<Id> out;
  for (Id t : pool->solvables()) {
    Solvable* ts = pool->solvable(t);
    if (!pool->available(t) || !ts->obsoletes || ts->name == name) continue;
    bool hit = false;
    pool->for_each_dep(t, ts->obsoletes, [&](Id obs) {
      for (int i = 0; i < matched.size() && !hit; ++i)
        hit = pool_match_nevr(pool_, pool_->solvables + matched[i], obs) != 0;
    });
    if (hit) out.push_back(t);
  }
  if (out.empty()) return {};
  for (int i = 0; i < matched.size(); ++i) out.push_back(matched[i]);
  return out;
}

// One attempt; nullopt when it failed only for lack of filelists.
std::optional<ResolveResult> Resolver::Impl::attempt(const ResolveRequest& request) {
  ::Pool* pool_ = p();
  ResolveResult result;
  SolvQueue job;
  std::set<Id> asked;  // what the specs selected
  for (Id id : runtime_solvables) job.push2(SOLVER_LOCK | SOLVER_SOLVABLE, id);
  for (const auto& spec : request.specs) {
    if (spec.starts_with("/") &&
        std::find(baseline.files.begin(), baseline.files.end(), spec) != baseline.files.end()) {
      result.from_baseline.push_back(spec);  // the runtime has that file
      continue;
    }
    int flags = kSelectionFlags | (spec.starts_with("/") ? SELECTION_FILELIST : 0);
    SolvQueue sel;
    make_selection(spec, flags, sel);
    if (sel.size() == 0) {
      if (spec.starts_with("/") && !sack.with_filelists()) return std::nullopt;
      if (!config.main.strict) {
        result.no_match.push_back(spec);
        continue;
      }
      throw Error("No match for argument: " + spec +
                  (sack.no_repos() ? " (no repo is enabled: check the config or use --enablerepo=ID)"
                                        : maybe_meant(spec)));
    }
    SolvQueue matched;
    selection_solvables(pool_, sel.get(), matched.get());
    bool by_layer = false, by_runtime = false;
    for (int i = 0; i < matched.size(); ++i) {
      if (pool_->solvables[matched[i]].repo != pool_->installed) continue;
      (runtime_solvables.count(matched[i]) ? by_runtime : by_layer) = true;
    }
    if (by_layer) {
      result.already_installed.push_back(spec);
      continue;
    }
    if (by_runtime) {
      result.from_baseline.push_back(spec);
      continue;
    }
    if (auto with = with_obsoleters(spec, matched); !with.empty()) {
      // As dnf (obsoletes=1): a package the repos obsolete brings its
      // obsoleter; libsolv's policy prefers it over what it obsoletes.
      SolvQueue q;
      for (Id id : with) q.push(id), asked.insert(id);
      job.push2(SOLVER_INSTALL | SOLVER_SOLVABLE_ONE_OF, pool_queuetowhatprovides(pool_, q.get()));
      continue;
    }
    for (int i = 0; i + 1 < sel.size(); i += 2) job.push2(sel[i] | SOLVER_INSTALL, sel[i + 1]);
    for (int i = 0; i < matched.size(); ++i) asked.insert(matched[i]);
  }
  // Package files named on the command line: that very package, its
  // dependencies from the repos (dnf's add_rpm_install).
  for (size_t i = 0; i < sack.local_ids().size(); ++i) {
    Id id = sack.local_ids()[i];
    if (layer_same_nevra(id)) {
      result.already_installed.push_back(sack.local_packages()[i].arg);
      continue;
    }
    job.push2(SOLVER_INSTALL | SOLVER_SOLVABLE, id);
    asked.insert(id);
  }
  if (!solve(job, request.install_weak_deps, result, asked)) return std::nullopt;
  return result;
}

// The layer solvable of ID's name, version and arch; 0 when none is.
Id Resolver::Impl::layer_same_nevra(Id id) {
  const Solvable* s = pool->solvable(id);
  for (const auto& [lid, li] : layer_solvables) {
    const Solvable* l = pool->solvable(lid);
    if (l->name == s->name && l->evr == s->evr && l->arch == s->arch) return lid;
  }
  return 0;
}

// Runs JOB and adds its transaction to RESULT: new packages to install,
// erased layer packages to replaced. False when it failed only for lack of
// filelists.
bool Resolver::Impl::solve(SolvQueue& job, bool weak_deps, ResolveResult& result, const std::set<Id>& asked,
                           bool allow_downgrade) {
  ::Pool* pool_ = p();
  // dnf's best and strict, on what was asked for (not on the locks).
  for (int i = 0; i + 1 < job.size(); i += 2) {
    Id how = job[i] & SOLVER_JOBMASK;
    if (how != SOLVER_INSTALL && how != SOLVER_UPDATE) continue;
    if (config.main.best) job->elements[i] |= SOLVER_FORCEBEST;
    if (!config.main.strict) job->elements[i] |= SOLVER_WEAK;
  }
  // dnf's installonlypkgs: a new version goes in beside the layer's.
  for (const auto& dep : config.main.installonlypkgs)
    if (Id d = pool->parse_dep(dep)) job.push2(SOLVER_MULTIVERSION | SOLVER_SOLVABLE_PROVIDES, d);
  UniqueSolver solv;
  UniqueTransaction trans;
  for (bool limited = false;;) {
    solv.reset(solver_create(pool_));
    if (allow_downgrade) solver_set_flag(solv.get(), SOLVER_FLAG_ALLOW_DOWNGRADE, 1);
    solver_set_flag(solv.get(), SOLVER_FLAG_IGNORE_RECOMMENDED, weak_deps ? 0 : 1);
    // dnf allows vendor changes; a layer package (no vendor recorded) must
    // still be upgradable by a repo package that has one.
    solver_set_flag(solv.get(), SOLVER_FLAG_ALLOW_VENDORCHANGE, 1);
    if (solver_solve(solv.get(), job.get()) != 0) {
      if (!sack.with_filelists() && missing_file_dep(solv.get())) return false;
      throw Error(problems_text(solv.get()));
    }
    trans.reset(solver_create_transaction(solv.get()));
    if (!config.main.strict) result.skipped_broken = unmet_jobs(solv.get(), job);
    if (limited) break;
    // installonly_limit, as dnf: once the plan is known, the oldest versions
    // beyond it are erased by a second solve.
    auto excess = installonly_excess(trans.get());
    if (excess.empty()) break;
    // The first plan's new packages stay in it (an update of an erased old
    // version would otherwise be dropped with it).
    SolvQueue again;
    for (int i = 0; i + 1 < job.size(); i += 2)
      if ((job[i] & SOLVER_JOBMASK) != SOLVER_UPDATE || (job[i] & SOLVER_SELECTMASK) != SOLVER_SOLVABLE ||
          std::find(excess.begin(), excess.end(), job[i + 1]) == excess.end())
        again.push2(job[i], job[i + 1]);
    for (int i = 0; i < trans->steps.count; ++i)
      if (!pool->in_installed(trans->steps.elements[i]))
        again.push2(SOLVER_INSTALL | SOLVER_SOLVABLE, trans->steps.elements[i]);
    for (Id id : excess) again.push2(SOLVER_ERASE | SOLVER_SOLVABLE, id);
    job.clear();
    for (Id v : again) job.push(v);
    limited = true;
  }
  transaction_order(trans.get(), 0);
  for (int i = 0; i < trans->steps.count; ++i) {
    Id id = trans->steps.elements[i];
    if (pool_->solvables[id].repo != pool_->installed) {
      result.install.push_back(info(id));
      if (asked.count(id)) result.requested.insert(result.install.back().nevra.str());
      SolvQueue old;
      transaction_all_obs_pkgs(trans.get(), id, old.get());
      for (int j = 0; j < old.size(); ++j)
        if (!runtime_solvables.count(old[j]))
          result.replaces[result.install.back().nevra.str()].push_back(pool->nevra(old[j]));
    } else if (!runtime_solvables.count(id)) {
      result.replaced.push_back(pool->nevra(id));
    }
  }
  return true;
}

// strict=0: the asked-for install/update jobs of JOB that SOLV left
// unfulfilled (weak jobs it could not meet), each as its newest candidate.
std::vector<std::string> Resolver::Impl::unmet_jobs(Solver* solv, SolvQueue& job) {
  std::vector<std::string> out;
  for (int i = 0; i + 1 < job.size(); i += 2) {
    Id how = job[i] & SOLVER_JOBMASK;
    if ((how != SOLVER_INSTALL && how != SOLVER_UPDATE) || !(job[i] & SOLVER_WEAK)) continue;
    SolvQueue candidates;
    pool_job2solvables(p(), candidates.get(), job[i], job[i + 1]);
    Id newest = 0;
    bool met = false;
    for (Id id : candidates) {
      if (solver_get_decisionlevel(solv, id) > 0) met = true;
      if (!newest || pool_evrcmp(p(), pool->solvable(id)->evr, pool->solvable(newest)->evr, EVRCMP_COMPARE) > 0)
        newest = id;
    }
    if (!met && newest) out.push_back(pool->nevra(newest).str());
  }
  return out;
}

// The layer versions of install-only names that TRANS would leave beyond
// installonly_limit, oldest first; only for a name TRANS adds a version of.
std::vector<Id> Resolver::Impl::installonly_excess(Transaction* trans) {
  const int limit = config.main.installonly_limit;
  if (limit <= 0) return {};
  std::unordered_set<Id> names;
  for (const auto& dep : config.main.installonlypkgs)
    if (Id d = pool->parse_dep(dep))
      for (Id* pp = pool_whatprovides_ptr(p(), d); *pp; ++pp) names.insert(pool->solvable(*pp)->name);
  std::unordered_set<Id> in_trans(trans->steps.elements, trans->steps.elements + trans->steps.count);
  std::unordered_map<Id, std::vector<Id>> kept;  // name -> its layer versions the plan keeps
  std::unordered_map<Id, int> added;             // name -> versions the plan brings
  for (const auto& [id, li] : layer_solvables)
    if (names.count(pool->solvable(id)->name) && !in_trans.count(id)) kept[pool->solvable(id)->name].push_back(id);
  for (Id id : in_trans)
    if (!pool->in_installed(id) && names.count(pool->solvable(id)->name)) ++added[pool->solvable(id)->name];
  std::vector<Id> out;
  for (auto& [name, ids] : kept) {
    const int total = static_cast<int>(ids.size()) + added[name];
    if (!added[name] || total <= limit) continue;
    std::sort(ids.begin(), ids.end(), [&](Id a, Id b) { return pool->evrcmp(pool->solvable(a)->evr, pool->solvable(b)->evr) < 0; });
    for (int i = 0; i < total - limit && i < static_cast<int>(ids.size()); ++i) out.push_back(ids[static_cast<size_t>(i)]);
  }
  return out;
}

// The layer solvables SPEC matches (maybe none); a /path by the files.
std::vector<Id> Resolver::Impl::layer_matches(const std::string& spec, int flags) {
  if (spec.starts_with("/")) return layer_path_matches(spec);
  SolvQueue sel, matched;
  make_selection(spec, flags | SELECTION_INSTALLED_ONLY, sel);
  selection_solvables(p(), sel.get(), matched.get());
  std::vector<Id> out;
  for (int i = 0; i < matched.size(); ++i)
    if (is_layer(matched[i])) out.push_back(matched[i]);
  return out;
}

Error Resolver::Impl::no_layer_match(const std::string& spec) {
  return Error("No match for argument: " + spec + " (no package of the layer matches it)");
}

// The repo packages SPEC selects that carry the name of a layer package:
// "lib-c-2.0" matches no layer package while lib-c-1.0 is installed, yet
// names the version to upgrade it to.
std::vector<Id> Resolver::Impl::upgrade_targets(const std::string& spec) {
  ::Pool* pool_ = p();
  std::unordered_set<Id> layer_names;
  for (Id id : pool->solvables())
    if (is_layer(id)) layer_names.insert(pool_->solvables[id].name);
  std::vector<Id> out;
  for (Id id : select(spec, kSelectionFlags))
    if (pool_->solvables[id].repo != pool_->installed && layer_names.count(pool_->solvables[id].name))
      out.push_back(id);
  return out;
}

// As dnf: a spec matching layer packages updates them to the best version
// (or to a package obsoleting them); one matching only repo packages of a
// layer package's name is a targeted update to those versions.
std::optional<ResolveResult> Resolver::Impl::upgrade(const std::vector<std::string>& specs) {
  ResolveResult result;
  SolvQueue job;
  for (Id id : runtime_solvables) job.push2(SOLVER_LOCK | SOLVER_SOLVABLE, id);
  size_t jobs = 0;
  auto update = [&](Id id) {
    job.push2(SOLVER_UPDATE | SOLVER_SOLVABLE, id);
    ++jobs;
  };
  if (specs.empty() && sack.local_ids().empty()) {
    for (Id id : pool->solvables())
      if (is_layer(id)) update(id);
  }
  // `upgrade ./x-2.rpm`: a targeted update of the layer package of its name.
  for (size_t i = 0; i < sack.local_ids().size(); ++i) {
    Id id = sack.local_ids()[i];
    bool installed = std::any_of(layer_solvables.begin(), layer_solvables.end(), [&](const auto& l) {
      return pool->solvable(l.first)->name == pool->solvable(id)->name;
    });
    if (!installed) throw no_layer_match(sack.local_packages()[i].arg);
    update(id);
  }
  for (const auto& s : specs) {
    auto installed = layer_matches(s);
    if (!installed.empty()) {
      // A spec that names some versions only ("lib-c-1.0", "lib-c-1*")
      // pins the upgrade to them, as dnf: nothing newer than what it names.
      auto targets = s.starts_with("/") ? std::vector<Id>{} : upgrade_targets(s);
      std::unordered_set<Id> names;
      for (Id id : installed) names.insert(p()->solvables[id].name);
      size_t all = 0;
      for (Id id : pool->solvables()) all += pool->available(id) && names.count(pool->solvable(id)->name) ? 1 : 0;
      if (targets.empty() || targets.size() == all) {
        for (Id id : installed) update(id);
        continue;
      }
      SolvQueue q;
      for (Id id : targets) q.push(id);
      job.push2(SOLVER_UPDATE | SOLVER_SOLVABLE_ONE_OF, pool_queuetowhatprovides(p(), q.get()));
      ++jobs;
      continue;
    }
    auto targets = upgrade_targets(s);
    if (targets.empty() && !config.main.strict) {
      result.no_match.push_back(s);
      continue;
    }
    if (targets.empty()) throw no_layer_match(s);
    SolvQueue q;
    for (Id id : targets) q.push(id);
    job.push2(SOLVER_UPDATE | SOLVER_SOLVABLE_ONE_OF, pool_queuetowhatprovides(p(), q.get()));
    ++jobs;
  }
  if (jobs == 0) return result;
  if (!solve(job, config.main.install_weak_deps, result)) return std::nullopt;
  return result;
}

// The repo package of exactly N's name, version and arch; 0 when none.
Id Resolver::Impl::repo_twin(const Nevra& n) {
  ::Pool* pool_ = p();
  for (Id c : pool->solvables()) {
    Solvable* t = pool->solvable(c);
    if (pool->available(c) && n.name == pool_id2str(pool_, t->name) && n.arch == pool_id2str(pool_, t->arch) &&
        compare_evr(n.evr(), pool_id2str(pool_, t->evr)) == 0)
      return c;
  }
  return 0;
}

// As dnf's history undo: exact versions back in (SOLVER_FLAG_ALLOW_DOWNGRADE
// lets an older one replace the layer's), exact packages out; no cleandeps,
// since the transaction's own dependencies are in ERASE already.
ResolveResult Resolver::Impl::undo(const std::vector<Nevra>& install, const std::vector<Nevra>& erase) {
  ResolveResult result;
  SolvQueue job;
  for (Id id : runtime_solvables) job.push2(SOLVER_LOCK | SOLVER_SOLVABLE, id);
  std::set<Id> asked;
  for (const auto& n : install) {
    Id twin = repo_twin(n);
    if (!twin) throw Error(n.str() + " is not in any enabled repo (enable the repo that has it, or --repofrompath one)");
    job.push2(SOLVER_INSTALL | SOLVER_SOLVABLE, twin);
    asked.insert(twin);
  }
  for (const auto& n : erase) {
    Id found = 0;
    for (const auto& [id, li] : layer_solvables)
      if (layer[li].nevra == n) found = id;
    if (!found) throw Error(n.str() + " is no longer in the layer (a later transaction changed it)");
    job.push2(SOLVER_ERASE | SOLVER_SOLVABLE, found);
  }
  if (job.size() == 2 * static_cast<int>(runtime_solvables.size())) return result;
  solve(job, false, result, asked, /*allow_downgrade=*/true);
  return result;
}

ResolveResult Resolver::Impl::reinstall(const std::vector<std::string>& specs) {
  ResolveResult result;
  for (const auto& spec : specs) {
    auto ids = layer_matches(spec);
    if (ids.empty()) throw no_layer_match(spec);
    for (Id id : ids) {
      Nevra n = pool->nevra(id);
      Id twin = repo_twin(n);
      if (!twin)
        throw Error("Installed package " + n.str() + " is not available in any enabled repo; cannot reinstall it");
      if (std::any_of(result.replaced.begin(), result.replaced.end(), [&](const Nevra& r) { return r == n; }))
        continue;
      result.install.push_back(info(twin));
      result.replaced.push_back(n);
      result.replaces[result.install.back().nevra.str()].push_back(n);
    }
  }
  for (size_t i = 0; i < sack.local_ids().size(); ++i) {  // `reinstall ./x.rpm`: that file
    Id id = sack.local_ids()[i];
    Id same = layer_same_nevra(id);
    if (!same)
      throw Error("local package " + sack.local_packages()[i].arg + " (" + pool->nevra(id).str() +
                  ") is not in the layer, so it cannot be reinstalled; use yumda install " +
                  sack.local_packages()[i].arg);
    result.install.push_back(info(id));
    result.replaced.push_back(pool->nevra(same));
    result.replaces[result.install.back().nevra.str()].push_back(pool->nevra(same));
  }
  return result;
}

// The layer solvables whose files match the path glob SPEC ("/opt/bin/x";
// a trailing '/' names the directory itself).
std::vector<Id> Resolver::Impl::layer_path_matches(std::string spec) {
  while (spec.size() > 1 && spec.back() == '/') spec.pop_back();
  std::vector<Id> out;
  for (const auto& [id, li] : layer_solvables)
    for (const auto& f : layer[li].files)
      if (fnmatch(spec.c_str(), f.c_str(), FNM_PATHNAME) == 0) {
        out.push_back(id);
        break;
      }
  std::sort(out.begin(), out.end());
  return out;
}

// As dnf's autoremove: the layer packages no user-installed package needs.
// The runtime counts as user-installed: what it needs stays.
std::vector<Id> Resolver::Impl::unneeded_layer() {
  SolvQueue job;
  for (Id id : runtime_solvables) job.push2(SOLVER_LOCK | SOLVER_SOLVABLE, id), job.push2(SOLVER_USERINSTALLED | SOLVER_SOLVABLE, id);
  for (const auto& [id, li] : layer_solvables)
    if (layer[li].user_installed) job.push2(SOLVER_USERINSTALLED | SOLVER_SOLVABLE, id);
  UniqueSolver solv(solver_create(p()));
  if (solver_solve(solv.get(), job.get()) != 0) throw Error(problems_text(solv.get()));
  SolvQueue unneeded;
  solver_get_unneeded(solv.get(), unneeded.get(), 0);
  std::vector<Id> out;
  for (int i = 0; i < unneeded.size(); ++i)
    if (is_layer(unneeded[i])) out.push_back(unneeded[i]);
  return out;
}

// As dnf's remove: SOLVER_ERASE (with SOLVER_CLEANDEPS) for what the specs
// match; every layer package but a protected one may go (allow_erasing);
// the ones the user asked for are SOLVER_USERINSTALLED, so cleandeps keeps them.
EraseResult Resolver::Impl::erase(const EraseRequest& request) {
  ::Pool* pool_ = p();
  std::vector<Id> named;
  std::unordered_set<Id> named_set;
  if (request.autoremove)
    for (Id id : unneeded_layer()) named_set.insert(id), named.push_back(id);
  for (const auto& spec : request.specs) {
    auto ids = layer_matches(spec);
    if (ids.empty()) throw Error("No match for argument: " + spec + " (see yumda list --installed)");
    for (Id id : ids)
      if (named_set.insert(id).second) named.push_back(id);
  }
  auto is_protected = [&](Id id) {
    const char* name = pool_id2str(pool_, pool_->solvables[id].name);
    return std::any_of(request.protected_packages.begin(), request.protected_packages.end(),
                       [&](const std::string& g) { return fnmatch(g.c_str(), name, 0) == 0; });
  };
  auto refuse = [](std::vector<std::string> names) {  // dnf's words
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    std::string list;
    for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
    return Error("The operation would result in removing the following protected packages: " + list);
  };
  SolvQueue job;
  for (Id id : runtime_solvables) job.push2(SOLVER_LOCK | SOLVER_SOLVABLE, id);
  for (const auto& [id, li] : layer_solvables) {
    if (!is_protected(id)) job.push2(SOLVER_ALLOWUNINSTALL | SOLVER_SOLVABLE, id);
    if (layer[li].user_installed) job.push2(SOLVER_USERINSTALLED | SOLVER_SOLVABLE, id);
  }
  for (Id id : named) job.push2(SOLVER_ERASE | SOLVER_SOLVABLE | (request.clean_deps ? SOLVER_CLEANDEPS : 0), id);
  UniqueSolver solv(solver_create(pool_));
  if (solver_solve(solv.get(), job.get()) != 0) {
    // Only a protected package can make a removal fail: say which, as dnf.
    std::vector<std::string> held;
    for (const auto& [id, li] : layer_solvables)
      if (is_protected(id)) held.push_back(layer[li].nevra.name);
    if (held.empty()) throw Error(problems_text(solv.get()));
    throw refuse(held);
  }
  SolvQueue cleandeps;
  solver_get_cleandeps(solv.get(), cleandeps.get());
  std::unordered_set<Id> unneeded(cleandeps.get()->elements, cleandeps.get()->elements + cleandeps.size());
  UniqueTransaction trans(solver_create_transaction(solv.get()));
  EraseResult result;
  std::vector<std::string> protected_out;
  std::vector<Id> erased;
  for (int i = 0; i < trans->steps.count; ++i) {
    Id id = trans->steps.elements[i];
    if (!is_layer(id)) continue;
    erased.push_back(id);
    if (is_protected(id)) protected_out.push_back(pool_id2str(pool_, pool_->solvables[id].name));
  }
  if (!protected_out.empty()) throw refuse(protected_out);
  for (Id id : named)
    if (std::find(erased.begin(), erased.end(), id) != erased.end())
      result.named.push_back(layer[layer_solvables.at(id)].nevra);
  std::sort(erased.begin(), erased.end(), [pool_](Id a, Id b) {
    return std::strcmp(pool_id2str(pool_, pool_->solvables[a].name), pool_id2str(pool_, pool_->solvables[b].name)) < 0;
  });
  for (Id id : erased) {
    if (named_set.count(id)) continue;
    (unneeded.count(id) ? result.unneeded : result.dependents).push_back(layer[layer_solvables.at(id)].nevra);
  }
  if (request.autoremove) {  // nothing was named: every one is an unneeded dependency
    result.unneeded.insert(result.unneeded.end(), result.named.begin(), result.named.end());
    result.named.clear();
    std::sort(result.unneeded.begin(), result.unneeded.end(),
              [](const Nevra& a, const Nevra& b) { return a.name < b.name; });
  }
  return result;
}

}  // namespace yumda
