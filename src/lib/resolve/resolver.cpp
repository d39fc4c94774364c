// The resolver's facade: the sack's pool plus an "installed" repo
// (installed.cpp); all specs go to the solver as one job (goal.cpp). Here:
// package records and the queries.
#include <fnmatch.h>

#include <algorithm>
#include <cstring>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "repo/descriptions.hpp"
#include "resolve/resolver_impl.hpp"
#include "yumda/error.hpp"

namespace yumda {

PackageInfo Resolver::Impl::info(Id id) {
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

// selection_make, plus what it leaves out: a glob in the version of
// name-version[-release] ("git-2.39*"), matched against the EVR, the
// version-release and the version alone.
void Resolver::Impl::make_selection(const std::string& spec, int flags, SolvQueue& sel) {
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

// Available solvables, sorted by name, newest first, then arch.
std::vector<PackageInfo> Resolver::Impl::infos(std::vector<Id> ids) {
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

std::vector<Id> Resolver::Impl::select(const std::string& spec, int flags) {
  SolvQueue sel, matched;
  make_selection(spec, flags, sel);
  selection_solvables(p(), sel.get(), matched.get());
  return std::vector<Id>(matched.get()->elements, matched.get()->elements + matched.size());
}


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
  return impl_->infos(std::move(ids));
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

ResolveResult Resolver::undo(const std::vector<Nevra>& install, const std::vector<Nevra>& erase) {
  impl_->ensure(false);
  return impl_->undo(install, erase);
}

EraseResult Resolver::erase(const EraseRequest& request) {
  impl_->build_installed_only();
  return impl_->erase(request);
}

std::vector<Nevra> Resolver::installed(const std::string& spec, bool by_provides) {
  if (!impl_->pool) impl_->build_installed_only();
  std::vector<Nevra> out;
  for (Id id : impl_->layer_matches(spec, by_provides ? Impl::kSelectionFlags : Impl::kSelectionFlags & ~SELECTION_PROVIDES))
    out.push_back(impl_->layer[impl_->layer_solvables.at(id)].nevra);
  return out;
}

std::vector<PackageInfo> Resolver::query(const std::string& spec) {
  bool path = spec.starts_with("/");
  impl_->ensure(path);
  return impl_->infos(impl_->select(spec, Impl::kSelectionFlags | (path ? SELECTION_FILELIST : 0)));
}

std::optional<PackageInfo> Resolver::source_package(const std::string& sourcerpm) {
  impl_->ensure(false);
  for (Id id : impl_->pool->solvables()) {
    if (!impl_->pool->is_source(id) || !impl_->pool->available(id)) continue;
    Nevra n = impl_->pool->nevra(id);
    // The file name has no epoch: name-version-release.arch.rpm.
    if (n.name + "-" + n.version + "-" + n.release + "." + n.arch + ".rpm" == sourcerpm) return impl_->info(id);
  }
  return std::nullopt;
}

void Resolver::describe(std::vector<PackageInfo>& pkgs) {
  std::map<std::string, std::vector<size_t>> by_repo;  // the packages to fill, per repo
  for (size_t i = 0; i < pkgs.size(); ++i)
    if (pkgs[i].description.empty()) by_repo[pkgs[i].repo_id].push_back(i);
  for (const auto& [repo_id, idx] : by_repo) {
    const RepoMetadata* md = impl_->sack.metadata(repo_id);
    if (!md) continue;
    std::vector<DescriptionKey> keys;
    for (size_t i : idx) keys.push_back({pkgs[i].nevra.str(), pkgs[i].checksum});
    auto found = read_descriptions(*md, impl_->config.main.arch, keys);
    for (size_t k = 0; k < idx.size(); ++k) pkgs[idx[k]].description = std::move(found[k]);
  }
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
  auto targets_v = impl_->select(spec, Impl::kSelectionFlags | (path ? SELECTION_FILELIST : 0));
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
                            Impl::str_or_empty(solvable_lookup_str(s, SOLVABLE_SUMMARY)));
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
