// The resolver: every enabled repo loaded into one pool, plus an "installed"
// repo made of the runtime baseline (locked: never changed or downloaded), a
// synthetic lambda-runtime package providing what the runtime's file list has,
// and the layer's own packages. All specs go to the solver as one job.
#include <fnmatch.h>

#include <algorithm>
#include <cstring>
#include <functional>
#include <optional>
#include <set>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "solv/pool.hpp"
#include "yumda/error.hpp"
#include "yumda/resolve.hpp"
#include "yumda/sack.hpp"
#include "yumda/suggest.hpp"

namespace yumda {
namespace {

constexpr int kSelectionFlags = SELECTION_NAME | SELECTION_PROVIDES | SELECTION_GLOB | SELECTION_CANON |
                                SELECTION_DOTARCH | SELECTION_REL;

std::string str_or_empty(const char* s) { return s ? s : ""; }

}  // namespace

struct Resolver::Impl {
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

  void ensure(bool need_filelists) {
    if (pool && !sack.partial() && (sack.with_filelists() || !need_filelists)) return;
    build(need_filelists);
  }

  // The sack has just made a fresh pool: the installed set goes into it.
  void finish_pool() {
    runtime_solvables.clear();
    layer_solvables.clear();
    pool = &sack.pool();
    add_installed();
    pool_addfileprovides(p());
    pool_createwhatprovides(p());
  }

  // The installed repo alone (remove): nothing is fetched. The sack counts
  // it partial, so a later query loads the whole repos.
  void build_installed_only() {
    pool = nullptr;
    sack.load_none();
    finish_pool();
  }

  void build(bool filelists) {
    pool = nullptr;
    sack.load(filelists);
    finish_pool();
  }

  // The pool for REQUEST with, of the repos, only the packages it can reach
  // (Sack::load_reachable). False when the sack cannot tell: the whole repos
  // decide then.
  bool build_partial(const ResolveRequest& request) {
    // Installed packages bring their updates and what they need.
    std::vector<std::string> keys;
    for (const auto& bp : baseline.packages) keys.push_back(bp.name);
    for (const auto& lp : layer) {
      keys.push_back(lp.nevra.name);
      for (const auto& dep : lp.requirements) {
        std::string word;
        for (char c : dep + " ") {
          if (c == ' ' || c == '(' || c == ')') {
            if (!word.empty()) keys.push_back(word);
            word.clear();
          } else {
            word += c;
          }
        }
      }
    }
    if (!sack.load_reachable(request.specs, keys)) {
      if (!sack.loaded()) pool = nullptr;
      return false;
    }
    finish_pool();
    return true;
  }

  // Name -> the available solvables of that name, for the names in NAMES.
  std::unordered_map<Id, std::vector<Id>> available_by_name(const std::unordered_set<Id>& names) {
    std::unordered_map<Id, std::vector<Id>> out;
    if (names.empty()) return out;
    for (Id id : pool->solvables())
      if (pool->available(id) && names.count(pool->solvable(id)->name)) out[pool->solvable(id)->name].push_back(id);
    return out;
  }

  // The repo package to take a baseline package's provides from: same arch
  // (when given) and EVR (when given), else the newest installable one.
  Solvable* pick_template(const std::vector<Id>& cands, const BaselinePackage& bp) {
    ::Pool* pool_ = p();
    Solvable* best = nullptr;
    Id arch = bp.arch.empty() ? 0 : pool_str2id(pool_, bp.arch.c_str(), 1);
    for (Id c : cands) {
      Solvable* s = pool_->solvables + c;
      if (arch ? s->arch != arch : !pool_installable(pool_, s)) continue;
      if (!bp.evr.empty() &&
          pool_evrcmp_str(pool_, pool_id2str(pool_, s->evr), bp.evr.c_str(), EVRCMP_MATCH_RELEASE) == 0)
        return s;
      if (!best || pool_evrcmp(pool_, s->evr, best->evr, EVRCMP_COMPARE) > 0) best = s;
    }
    return best;
  }

  Id add_installed_solvable(Repo* sys, Id name, Id evr, Id arch) {
    Id id = repo_add_solvable(sys);
    Solvable* s = p()->solvables + id;
    s->name = name;
    s->evr = evr;
    s->arch = arch;
    return id;
  }

  void add_installed() {
    ::Pool* pool_ = p();
    Repo* sys = repo_create(pool_, "@System");
    pool_set_installed(pool_, sys);

    std::unordered_set<Id> names;
    for (const auto& bp : baseline.packages) names.insert(pool_str2id(pool_, bp.name.c_str(), 1));
    for (const auto& lp : layer) names.insert(pool_str2id(pool_, lp.nevra.name.c_str(), 1));
    auto by_name = available_by_name(names);

    // (a) the runtime's packages, with the provides of their repo twin (so
    // soname deps like libc.so.6(GLIBC_2.26)(64bit) are met by them).
    for (const auto& bp : baseline.packages) {
      Id name = pool_str2id(pool_, bp.name.c_str(), 1);
      auto it = by_name.find(name);
      Solvable* t = it == by_name.end() ? nullptr : pick_template(it->second, bp);
      Id tmpl_id = t ? static_cast<Id>(t - pool_->solvables) : 0;
      Id evr = !bp.evr.empty() ? pool_str2id(pool_, bp.evr.c_str(), 1) : t ? t->evr : ID_EMPTY;
      Id arch = !bp.arch.empty() ? pool_str2id(pool_, bp.arch.c_str(), 1) : t ? t->arch : ARCH_NOARCH;
      Id id = add_installed_solvable(sys, name, evr, arch);  // may move pool->solvables
      runtime_solvables.insert(id);
      Solvable* tmpl = tmpl_id ? pool_->solvables + tmpl_id : nullptr;
      Offset provides = 0;
      if (tmpl)
        pool->for_each_dep(tmpl_id, tmpl->provides, [&](Id dep) {
          if (ISRELDEP(dep)) {
            Reldep* rd = GETRELDEP(pool_, dep);
            if (rd->name == name && rd->flags == REL_EQ) return;  // the twin's own version
          }
          provides = repo_addid_dep(sys, provides, dep, 0);
        });
      provides = repo_addid_dep(sys, provides, evr == ID_EMPTY ? name : pool_rel2id(pool_, name, evr, REL_EQ, 1), 0);
      pool_->solvables[id].provides = provides;
    }

    // (b) what the runtime's file list holds: paths, and sonames of libraries.
    if (!baseline.files.empty()) add_runtime_files(sys);

    // Paths some layer package requires: the layer files that meet them.
    std::unordered_set<std::string> required_paths;
    for (const auto& lp : layer)
      for (const auto& d : lp.requirements)
        if (d.starts_with("/")) required_paths.insert(d.substr(0, d.find(' ')));

    // (c) the layer's packages, with their repo twin's deps when there is one.
    for (size_t li = 0; li < layer.size(); ++li) {
      const LayerPackage& lp = layer[li];
      Id name = pool_str2id(pool_, lp.nevra.name.c_str(), 1);
      Id evr = pool_str2id(pool_, lp.nevra.evr().c_str(), 1);
      Id arch = pool_str2id(pool_, lp.nevra.arch.empty() ? "noarch" : lp.nevra.arch.c_str(), 1);
      Id twin_id = 0;
      if (auto it = by_name.find(name); it != by_name.end())
        for (Id c : it->second) {
          Solvable* s = pool_->solvables + c;
          if (s->arch == arch && pool_evrcmp(pool_, s->evr, evr, EVRCMP_COMPARE) == 0) twin_id = c;
        }
      Id id = add_installed_solvable(sys, name, evr, arch);  // may move pool->solvables
      layer_solvables.emplace(id, li);
      Solvable* s = pool_->solvables + id;
      if (twin_id) {
        Solvable* twin = pool_->solvables + twin_id;
        Offset prov = 0, req = 0, conf = 0, obs = 0;
        pool->for_each_dep(twin_id, twin->provides, [&](Id d) { prov = repo_addid_dep(sys, prov, d, 0); });
        pool->for_each_dep(twin_id, twin->solv_requires, [&](Id d) { req = repo_addid_dep(sys, req, d, 0); });
        pool->for_each_dep(twin_id, twin->conflicts, [&](Id d) { conf = repo_addid_dep(sys, conf, d, 0); });
        pool->for_each_dep(twin_id, twin->obsoletes, [&](Id d) { obs = repo_addid_dep(sys, obs, d, 0); });
        s->provides = prov;
        s->solv_requires = req;
        s->conflicts = conf;
        s->obsoletes = obs;
      } else {
        Offset prov = 0, req = 0;
        for (const auto& d : lp.provides)
          if (Id dep = pool->parse_dep(d)) prov = repo_addid_dep(sys, prov, dep, 0);
        prov = repo_addid_dep(sys, prov, pool_rel2id(pool_, name, evr, REL_EQ, 1), 0);
        for (const auto& d : lp.requirements)
          if (Id dep = pool->parse_dep(d)) req = repo_addid_dep(sys, req, dep, 0);
        s->provides = prov;
        s->solv_requires = req;
      }
      for (const auto& f : lp.files)
        if (required_paths.count(f)) s->provides = repo_addid_dep(sys, s->provides, pool_str2id(pool_, f.c_str(), 1), 0);
    }
  }

  void add_runtime_files(Repo* sys) {
    ::Pool* pool_ = p();
    std::unordered_set<std::string_view> paths;
    std::unordered_set<std::string_view> libs;  // basenames in the library dirs
    std::unordered_set<std::string_view> usr_paths;  // /usr/bin/sh as /bin/sh
    for (const auto& f : baseline.files) {
      std::string_view v(f);
      paths.insert(v);
      if (v.starts_with("/usr/")) usr_paths.insert(v.substr(4));
      for (std::string_view dir : {"/lib64/", "/usr/lib64/", "/lib/", "/usr/lib/"})
        if (v.starts_with(dir) && v.find('/', dir.size()) == std::string_view::npos) libs.insert(v.substr(dir.size()));
    }
    // glibc's dynamic loader is what answers rpm's rtld(GNU_HASH) requires.
    bool has_loader = false;
    for (auto l : libs) has_loader = has_loader || l.starts_with("ld-linux");
    // The layer's recorded requirements count too (remove loads no repo):
    // parsed first, so that their names are among the strings SEEN covers.
    std::vector<Id> layer_deps;
    for (const auto& lp : layer)
      for (const auto& d : lp.requirements)
        if (Id dep = pool->parse_dep(d)) layer_deps.push_back(dep);
    // Each dep name is looked at once, however many packages use it.
    std::vector<char> seen(static_cast<size_t>(pool_->ss.nstrings), 0);
    Offset provides = 0;
    std::function<void(Id)> consider = [&](Id dep) {
      Id name = dep;
      if (ISRELDEP(dep)) {
        Reldep* rd = GETRELDEP(pool_, dep);
        if (rd->flags == REL_AND || rd->flags == REL_OR || rd->flags == REL_WITH || rd->flags == REL_WITHOUT ||
            rd->flags == REL_COND || rd->flags == REL_UNLESS || rd->flags == REL_ELSE) {
          consider(rd->name);  // a rich dep: each of its parts
          consider(rd->evr);
          return;
        }
        if (rd->flags > 7 || ISRELDEP(rd->name)) return;
        name = rd->name;
      }
      if (name >= static_cast<Id>(seen.size()) || seen[static_cast<size_t>(name)]) return;
      seen[static_cast<size_t>(name)] = 1;
      std::string_view n = pool_id2str(pool_, name);
      bool met = false;
      if (n.starts_with("/")) {
        met = paths.count(n) > 0;
        // AL2 merged /bin, /sbin, /lib, /lib64 into /usr: its file list has
        // /usr/bin/sh where packages require /bin/sh (every %post does).
        for (std::string_view top : {"/bin/", "/sbin/", "/lib/", "/lib64/"})
          if (!met && n.starts_with(top)) met = usr_paths.count(n) > 0;
      } else if (auto paren = n.find('('); paren != std::string_view::npos && n.find(".so") < paren) {
        met = libs.count(n.substr(0, paren)) > 0;  // libz.so.1()(64bit), libc.so.6(GLIBC_2.17)(64bit)
      } else if (paren == std::string_view::npos && n.find(".so.") != std::string_view::npos) {
        met = libs.count(n) > 0;  // 32-bit sonames carry no "()"
      } else if (n.starts_with("rtld(")) {
        met = has_loader;
      }
      if (met) provides = repo_addid_dep(sys, provides, name, 0);
    };
    for (Id id : pool->solvables()) {
      Solvable* s = pool->solvable(id);
      if (s->repo == sys) continue;
      pool->for_each_dep(id, s->solv_requires, consider);
      pool->for_each_dep(id, s->provides, consider);
    }
    for (Id dep : layer_deps) consider(dep);
    Id name = pool_str2id(pool_, "lambda-runtime", 1);
    Id evr = pool_str2id(pool_, "0", 1);
    Id id = add_installed_solvable(sys, name, evr, ARCH_NOARCH);
    provides = repo_addid_dep(sys, provides, pool_rel2id(pool_, name, evr, REL_EQ, 1), 0);
    pool_->solvables[id].provides = provides;
    runtime_solvables.insert(id);
  }

  PackageInfo info(Id id) {
    ::Pool* pool_ = p();
    Solvable* s = pool_->solvables + id;
    PackageInfo info;
    info.nevra = pool->nevra(id);
    info.repo_id = s->repo->name ? s->repo->name : "";
    info.location = str_or_empty(solvable_lookup_location(s, nullptr));
    info.baseurls = sack.baseurls(s->repo);
    Id type = 0;
    if (const char* ck = solvable_lookup_checksum(s, SOLVABLE_CHECKSUM, &type)) {
      info.checksum = ck;
      info.checksum_type = str_or_empty(solv_chksum_type2str(type));
    }
    info.download_size = solvable_lookup_num(s, SOLVABLE_DOWNLOADSIZE, 0);
    info.install_size = solvable_lookup_num(s, SOLVABLE_INSTALLSIZE, 0);
    info.buildtime = solvable_lookup_num(s, SOLVABLE_BUILDTIME, 0);
    info.license = str_or_empty(solvable_lookup_str(s, SOLVABLE_LICENSE));
    info.vendor = str_or_empty(solvable_lookup_str(s, SOLVABLE_VENDOR));
    info.summary = str_or_empty(solvable_lookup_str(s, SOLVABLE_SUMMARY));
    info.url = str_or_empty(solvable_lookup_str(s, SOLVABLE_URL));
    info.sourcerpm = str_or_empty(solvable_lookup_sourcepkg(s));
    info.provides = pool->deps(id, SOLVABLE_PROVIDES);
    info.requirements = pool->deps(id, SOLVABLE_REQUIRES);
    info.description = str_or_empty(solvable_lookup_str(s, SOLVABLE_DESCRIPTION));
    return info;
  }

  // True when a problem of SOLV is a file dependency nobody provides: with
  // primary alone only some paths are known, so filelists may help.
  bool missing_file_dep(Solver* solv) {
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
  std::string problems_text(Solver* solv) {
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
  std::string maybe_meant(const std::string& spec) {
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
  std::vector<Id> with_obsoleters(const std::string& spec, const SolvQueue& matched) {
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
  std::optional<ResolveResult> attempt(const ResolveRequest& request) {
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
    if (!solve(job, request.install_weak_deps, result, asked)) return std::nullopt;
    return result;
  }

  // Runs JOB and adds its transaction to RESULT: new packages to install,
  // erased layer packages to replaced. False when it failed only for lack of
  // filelists.
  bool solve(SolvQueue& job, bool weak_deps, ResolveResult& result, const std::set<Id>& asked = {}) {
    ::Pool* pool_ = p();
    UniqueSolver solv(solver_create(pool_));
    solver_set_flag(solv.get(), SOLVER_FLAG_IGNORE_RECOMMENDED, weak_deps ? 0 : 1);
    // dnf allows vendor changes; a layer package (no vendor recorded) must
    // still be upgradable by a repo package that has one.
    solver_set_flag(solv.get(), SOLVER_FLAG_ALLOW_VENDORCHANGE, 1);
    if (solver_solve(solv.get(), job.get()) != 0) {
      if (!sack.with_filelists() && missing_file_dep(solv.get())) return false;
      throw Error(problems_text(solv.get()));
    }
    UniqueTransaction trans(solver_create_transaction(solv.get()));
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

  // selection_make, plus what it leaves out: a glob in the version of
  // name-version[-release] ("git-2.39*"), matched against the EVR, the
  // version-release and the version alone.
  void make_selection(const std::string& spec, int flags, SolvQueue& sel) {
    ::Pool* pool_ = p();
    selection_make(pool_, sel.get(), spec.c_str(), flags);
    if (sel.size() || spec.find_first_of("*?[") == std::string::npos || spec.starts_with("/")) return;
    for (size_t dash = spec.rfind('-'); dash != std::string::npos && dash > 0; dash = spec.rfind('-', dash - 1)) {
      std::string name = spec.substr(0, dash), evr = spec.substr(dash + 1);
      SolvQueue by_name, ids;
      selection_make(pool_, by_name.get(), name.c_str(), SELECTION_NAME | SELECTION_GLOB | (flags & SELECTION_INSTALLED_ONLY));
      selection_solvables(pool_, by_name.get(), ids.get());
      SolvQueue hits;
      for (int i = 0; i < ids.size(); ++i) {
        Nevra n = pool->nevra(ids[i]);
        for (const std::string& cand : {n.evr(), n.version + "-" + n.release, n.version})
          if (fnmatch(evr.c_str(), cand.c_str(), 0) == 0) {
            hits.push(ids[i]);
            break;
          }
      }
      if (hits.size()) {
        sel.push2(SOLVER_SOLVABLE_ONE_OF, pool_queuetowhatprovides(pool_, hits.get()));
        return;
      }
      if (dash == 0) break;
    }
  }

  bool is_layer(Id id) const {
    return p()->solvables[id].repo == p()->installed && !runtime_solvables.count(id);
  }

  // The layer solvables SPEC matches (maybe none); a /path by the files.
  std::vector<Id> layer_matches(const std::string& spec, int flags = kSelectionFlags) {
    if (spec.starts_with("/")) return layer_path_matches(spec);
    SolvQueue sel, matched;
    make_selection(spec, flags | SELECTION_INSTALLED_ONLY, sel);
    selection_solvables(p(), sel.get(), matched.get());
    std::vector<Id> out;
    for (int i = 0; i < matched.size(); ++i)
      if (is_layer(matched[i])) out.push_back(matched[i]);
    return out;
  }

  static Error no_layer_match(const std::string& spec) {
    return Error("No match for argument: " + spec + " (no package of the layer matches it)");
  }

  // The repo packages SPEC selects that carry the name of a layer package:
  // "lib-c-2.0" matches no layer package while lib-c-1.0 is installed, yet
  // names the version to upgrade it to.
  std::vector<Id> upgrade_targets(const std::string& spec) {
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
  std::optional<ResolveResult> upgrade(const std::vector<std::string>& specs) {
    ResolveResult result;
    SolvQueue job;
    for (Id id : runtime_solvables) job.push2(SOLVER_LOCK | SOLVER_SOLVABLE, id);
    size_t jobs = 0;
    auto update = [&](Id id) {
      job.push2(SOLVER_UPDATE | SOLVER_SOLVABLE, id);
      ++jobs;
    };
    if (specs.empty()) {
      for (Id id : pool->solvables())
        if (is_layer(id)) update(id);
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

  ResolveResult reinstall(const std::vector<std::string>& specs) {
    ::Pool* pool_ = p();
    ResolveResult result;
    for (const auto& spec : specs) {
      auto ids = layer_matches(spec);
      if (ids.empty()) throw no_layer_match(spec);
      for (Id id : ids) {
        Solvable* s = pool_->solvables + id;
        Id twin = 0;
        for (Id c : pool->solvables()) {
          Solvable* t = pool->solvable(c);
          if (pool->available(c) && t->name == s->name && t->evr == s->evr && t->arch == s->arch) {
            twin = c;
            break;
          }
        }
        Nevra n = pool->nevra(id);
        if (!twin)
          throw Error("Installed package " + n.str() + " is not available in any enabled repo; cannot reinstall it");
        if (std::any_of(result.replaced.begin(), result.replaced.end(), [&](const Nevra& r) { return r == n; }))
          continue;
        result.install.push_back(info(twin));
        result.replaced.push_back(n);
        result.replaces[result.install.back().nevra.str()].push_back(n);
      }
    }
    return result;
  }

  // The layer solvables whose files match the path glob SPEC ("/opt/bin/x";
  // a trailing '/' names the directory itself).
  std::vector<Id> layer_path_matches(std::string spec) {
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

  // As dnf's remove: SOLVER_ERASE (with SOLVER_CLEANDEPS) for what the specs
  // match; every layer package but a protected one may go (allow_erasing);
  // the ones the user asked for are SOLVER_USERINSTALLED, so cleandeps keeps them.
  EraseResult erase(const EraseRequest& request) {
    ::Pool* pool_ = p();
    std::vector<Id> named;
    std::unordered_set<Id> named_set;
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
    return result;
  }

  // Available solvables, sorted by name, newest first, then arch.
  std::vector<PackageInfo> infos(std::vector<Id> ids) {
    ::Pool* pool_ = p();
    ids.erase(std::remove_if(ids.begin(), ids.end(),
                             [&](Id id) {
                               Solvable* s = pool_->solvables + id;
                               return !s->repo || s->repo == pool_->installed || s->arch == ARCH_SRC ||
                                      s->arch == ARCH_NOSRC;
                             }),
              ids.end());
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    std::sort(ids.begin(), ids.end(), [pool_](Id a, Id b) {
      Solvable* sa = pool_->solvables + a;
      Solvable* sb = pool_->solvables + b;
      if (sa->name != sb->name) return std::strcmp(pool_id2str(pool_, sa->name), pool_id2str(pool_, sb->name)) < 0;
      int c = pool_evrcmp(pool_, sa->evr, sb->evr, EVRCMP_COMPARE);
      if (c != 0) return c > 0;
      int d = std::strcmp(pool_id2str(pool_, sa->arch), pool_id2str(pool_, sb->arch));
      if (d != 0) return d < 0;
      return std::strcmp(sa->repo->name ? sa->repo->name : "", sb->repo->name ? sb->repo->name : "") < 0;
    });
    std::vector<PackageInfo> out;
    out.reserve(ids.size());
    for (Id id : ids) out.push_back(info(id));
    return out;
  }

  std::vector<Id> select(const std::string& spec, int flags) {
    SolvQueue sel, matched;
    make_selection(spec, flags, sel);
    selection_solvables(p(), sel.get(), matched.get());
    return std::vector<Id>(matched.get()->elements, matched.get()->elements + matched.size());
  }
};

Resolver::Resolver(const Config& config, const Baseline& baseline, const std::vector<LayerPackage>& layer,
                   Sack& sack, Reporter& reporter)
    : impl_(std::make_unique<Impl>(config, baseline, layer, sack, reporter)) {}

Resolver::~Resolver() = default;

ResolveResult Resolver::resolve(const ResolveRequest& request) {
  bool paths = std::any_of(request.specs.begin(), request.specs.end(),
                           [](const std::string& s) { return s.starts_with("/"); });
  // Metadata errors are not caught here: the whole repos would meet them again.
  if (!paths && impl_->build_partial(request)) {
    try {
      if (auto r = impl_->attempt(request)) return *r;
      impl_->reporter.info("a file dependency is not in primary; resolving against the whole repos");
    } catch (const Interrupted&) {
      throw;
    } catch (const Error& e) {
      // The whole repos decide, and word the error if it is one.
      impl_->reporter.info(std::string("resolving against the whole repos after: ") + e.what());
    }
  }
  impl_->ensure(paths);
  if (auto r = impl_->attempt(request)) return *r;
  // A file dependency or path spec that primary alone cannot answer.
  impl_->ensure(true);
  return *impl_->attempt(request);
}

std::vector<PackageInfo> Resolver::available(const std::string& glob) {
  impl_->ensure(false);
  ::Pool* pool = impl_->p();
  std::vector<Id> ids;
  for (Id id : impl_->pool->solvables()) {
    if (!impl_->pool->available(id) || impl_->pool->is_source(id)) continue;
    if (!glob.empty() && fnmatch(glob.c_str(), pool_id2str(pool, pool->solvables[id].name), 0) != 0) continue;
    ids.push_back(id);
  }
  std::sort(ids.begin(), ids.end(), [pool](Id a, Id b) {
    Solvable* sa = pool->solvables + a;
    Solvable* sb = pool->solvables + b;
    if (sa->name != sb->name) return std::strcmp(pool_id2str(pool, sa->name), pool_id2str(pool, sb->name)) < 0;
    int c = pool_evrcmp(pool, sa->evr, sb->evr, EVRCMP_COMPARE);
    if (c != 0) return c > 0;
    return std::strcmp(pool_id2str(pool, sa->arch), pool_id2str(pool, sb->arch)) < 0;
  });
  std::vector<PackageInfo> out;
  out.reserve(ids.size());
  for (Id id : ids) out.push_back(impl_->info(id));
  return out;
}

ResolveResult Resolver::upgrade(const std::vector<std::string>& specs) {
  impl_->ensure(false);
  if (auto r = impl_->upgrade(specs)) return *r;
  impl_->ensure(true);
  return *impl_->upgrade(specs);
}

ResolveResult Resolver::reinstall(const std::vector<std::string>& specs) {
  impl_->ensure(false);
  return impl_->reinstall(specs);
}

EraseResult Resolver::erase(const EraseRequest& request) {
  impl_->build_installed_only();
  return impl_->erase(request);
}

std::vector<Nevra> Resolver::installed(const std::string& spec, bool by_provides) {
  if (!impl_->pool) impl_->build_installed_only();
  std::vector<Nevra> out;
  for (Id id : impl_->layer_matches(spec, by_provides ? kSelectionFlags : kSelectionFlags & ~SELECTION_PROVIDES))
    out.push_back(impl_->layer[impl_->layer_solvables.at(id)].nevra);
  return out;
}

std::vector<PackageInfo> Resolver::query(const std::string& spec) {
  bool path = spec.starts_with("/");
  impl_->ensure(path);
  return impl_->infos(impl_->select(spec, kSelectionFlags | (path ? SELECTION_FILELIST : 0)));
}

std::vector<PackageInfo> Resolver::whatprovides(const std::string& spec) {
  bool path = spec.starts_with("/");
  impl_->ensure(path);
  int flags = path ? (SELECTION_FILELIST | SELECTION_GLOB) : (SELECTION_PROVIDES | SELECTION_GLOB | SELECTION_REL);
  return impl_->infos(impl_->select(spec, flags));
}

std::vector<PackageInfo> Resolver::whatrequires(const std::string& spec) {
  bool path = spec.starts_with("/");
  impl_->ensure(path);
  ::Pool* pool = impl_->p();
  auto targets_v = impl_->select(spec, kSelectionFlags | (path ? SELECTION_FILELIST : 0));
  std::unordered_set<Id> targets(targets_v.begin(), targets_v.end());
  std::vector<Id> out;
  if (targets.empty()) return {};
  for (Id id : impl_->pool->solvables()) {
    Solvable* s = pool->solvables + id;
    if (!impl_->pool->available(id)) continue;
    bool hit = false;
    impl_->pool->for_each_dep(id, s->solv_requires, [&](Id dep) {
      if (hit) return;
      for (Id* pp = pool_whatprovides_ptr(pool, dep); *pp; ++pp)
        if (targets.count(*pp)) {
          hit = true;
          break;
        }
    });
    if (hit) out.push_back(id);
  }
  return impl_->infos(out);
}

std::vector<std::string> Resolver::files(const PackageInfo& pkg) {
  impl_->ensure(true);
  const Pool& pool = *impl_->pool;
  std::vector<std::string> out;
  for (Id id : pool.solvables()) {
    if (!pool.available(id) || pkg.repo_id != pool.repo_name(id) || !(pool.nevra(id) == pkg.nevra)) continue;
    DataIterator di(pool, id, SOLVABLE_FILELIST, SEARCH_FILES | SEARCH_COMPLETE_FILELIST);
    while (di.step()) out.emplace_back(di.str());
    break;
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::vector<PackageInfo> Resolver::search(const std::vector<std::string>& words) {
  impl_->ensure(false);
  ::Pool* pool = impl_->p();
  auto lower = [](std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  };
  std::vector<std::string> want;
  for (const auto& w : words) want.push_back(lower(w));
  std::unordered_map<Id, Id> newest;  // name -> best solvable
  for (Id id : impl_->pool->solvables()) {
    Solvable* s = pool->solvables + id;
    if (!impl_->pool->available(id) || impl_->pool->is_source(id)) continue;
    std::string hay = lower(std::string(pool_id2str(pool, s->name)) + "\n" +
                            str_or_empty(solvable_lookup_str(s, SOLVABLE_SUMMARY)));
    if (!std::all_of(want.begin(), want.end(), [&](const std::string& w) { return hay.find(w) != std::string::npos; }))
      continue;
    auto [it, fresh] = newest.emplace(s->name, id);
    if (!fresh && pool_evrcmp(pool, s->evr, pool->solvables[it->second].evr, EVRCMP_COMPARE) > 0) it->second = id;
  }
  std::vector<Id> ids;
  for (auto& [name, id] : newest) ids.push_back(id);
  return impl_->infos(ids);
}

}  // namespace yumda
