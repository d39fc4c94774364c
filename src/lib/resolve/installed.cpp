// The installed set, in the pool the sack has just loaded: the runtime
// baseline (locked: never changed or downloaded), a synthetic lambda-runtime
// package providing what the runtime's file list has, and the layer's own
// packages.
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

namespace yumda {

void Resolver::Impl::ensure(bool need_filelists) {
  if (pool && !sack.partial() && (sack.with_filelists() || !need_filelists)) return;
  build(need_filelists);
}

// The sack has just made a fresh pool: the installed set goes into it.
void Resolver::Impl::finish_pool() {
  runtime_solvables.clear();
  layer_solvables.clear();
  pool = &sack.pool();
  add_installed();
  pool_addfileprovides(p());
  pool_createwhatprovides(p());
}

// The installed repo alone (remove): nothing is fetched. The sack counts
// it partial, so a later query loads the whole repos.
void Resolver::Impl::build_installed_only() {
  pool = nullptr;
  sack.load_none();
  finish_pool();
}

void Resolver::Impl::build(bool filelists) {
  pool = nullptr;
  sack.load(filelists);
  finish_pool();
}

// The pool for REQUEST with, of the repos, only the packages it can reach
// (Sack::load_reachable). False when the sack cannot tell: the whole repos
// decide then.
bool Resolver::Impl::build_partial(const ResolveRequest& request) {
  // Installed packages bring their updates and what they need.
  std::vector<std::string> keys;
  for (const auto& bp : baseline.packages) keys.push_back(bp.name);
  for (const auto& lp : layer) {
    keys.push_back(lp.nevra.name);
    for (const auto& dep : lp.requirements) add_dep_keys(dep, keys);
  }
  if (!sack.load_reachable(request.specs, keys)) {
    if (!sack.loaded()) pool = nullptr;
    return false;
  }
  finish_pool();
  return true;
}

// Name -> the available solvables of that name, for the names in NAMES.
std::unordered_map<Id, std::vector<Id>> Resolver::Impl::available_by_name(const std::unordered_set<Id>& names) {
  std::unordered_map<Id, std::vector<Id>> out;
  if (names.empty()) return out;
  for (Id id : pool->solvables())
    if (pool->available(id) && names.count(pool->solvable(id)->name)) out[pool->solvable(id)->name].push_back(id);
  return out;
}

// The repo package to take a baseline package's provides from: same arch
// (when given) and EVR (when given), else the newest installable one.
Solvable* Resolver::Impl::pick_template(const std::vector<Id>& cands, const BaselinePackage& bp) {
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

Id Resolver::Impl::add_installed_solvable(Repo* sys, Id name, Id evr, Id arch) {
  Id id = repo_add_solvable(sys);
  Solvable* s = p()->solvables + id;
  s->name = name;
  s->evr = evr;
  s->arch = arch;
  return id;
}

void Resolver::Impl::add_installed() {
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

void Resolver::Impl::add_runtime_files(Repo* sys) {
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

}  // namespace yumda
