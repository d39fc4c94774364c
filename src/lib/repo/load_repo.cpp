// libsolv Pool ownership and loading one repo into it. Parsing primary.xml of
// a big repo takes a second; the solv cache written after the first parse
// makes every later load a near memory copy. The cache file ends in a tag
// (repomd checksum, libsolv version, whether filelists are in), so metadata
// changes, libsolv upgrades and a filelists-less cache all miss cleanly.
#include <fnmatch.h>

#include <cstdio>
#include <cstring>
#include <functional>
#include <memory>
#include <string_view>

#include "solv/pool.hpp"

#include "repo/indexed_load.hpp"
#include "repo/solv_cache.hpp"
#include "repo/sqlite_primary.hpp"
#include "solv/xml_stream.hpp"
#include "yumda/c_unique.hpp"
#include "yumda/cache_file.hpp"
#include "yumda/checksum.hpp"
#include "yumda/error.hpp"
#include "yumda/fastload.hpp"
#include "yumda/fs.hpp"
#include "yumda/repo.hpp"

namespace yumda {

bool load_solv_cache(Repo* repo, const std::string& path, const std::string& tag) {
  MappedFile file(path);
  std::string_view body = cache_file_body(file, tag);
  if (body.empty()) return false;
  UniqueFile fp(fmemopen(const_cast<char*>(body.data()), body.size(), "r"));  // "r": never written through
  if (!fp) return false;
  if (repo_add_solv(repo, fp.get(), 0) != 0) {
    repo_empty(repo, 1);
    return false;
  }
  return true;
}

bool write_solv_cache(Repo* repo, const std::string& path, const std::string& tag, SolvKeyFilter filter) {
  char* mem = nullptr;
  size_t len = 0;
  UniqueFile ms(open_memstream(&mem, &len));
  if (!ms) return false;
  bool ok = repo_write_filtered(repo, ms.get(), filter, nullptr, nullptr) == 0;
  ok = fclose(ms.release()) == 0 && ok;  // sets mem/len
  c_unique<char, ::free> body(mem);
  return ok && write_cache_file(path, std::string_view(mem, len), tag);
}

namespace {

std::string cache_tag(const RepoMetadata& md, bool filelists) {
  return string_digest(md.repomd_checksum + "|libsolv " LIBSOLV_VERSION_STRING "|" +
                           (filelists ? "filelists" : "primary") + "|yumda-solv-4",
                       "sha256");
}

// Keys nothing in yumda reads: left out of the cache, so a warm load reads
// (and allocates) less. Descriptions alone are a good part of primary.xml.
int drop_unused_keys(Repo* repo, Repokey* key, void* kfdata) {
  switch (key->name) {
    case SOLVABLE_DESCRIPTION:
    case SOLVABLE_PACKAGER:
    case SOLVABLE_GROUP:
    case SOLVABLE_BUILDHOST:
    case SOLVABLE_HEADEREND:
    case SOLVABLE_AUTHORS:
    case SOLVABLE_KEYWORDS:
    case SOLVABLE_DISTRIBUTION:
    case SOLVABLE_EULA:
    case SOLVABLE_MESSAGEINS:
    case SOLVABLE_CHANGELOG:
      return KEY_STORAGE_DROPPED;
    default:
      return repo_write_stdkeyfilter(repo, key, kfdata);
  }
}

void parse_metadata(Repo* repo, const RepoMetadata& md, bool with_filelists) {
  md.verify_primary();
  if (md.primary_is_sqlite) {
    add_sqlite_primary(repo, md.primary_path, with_filelists ? md.filelists_path : "", md.dir);
  } else {
    add_primary_xml(repo, md.primary_path, md.repo_id);
    if (with_filelists && !md.filelists_path.empty())
      add_rpmmd_xml(repo, md.filelists_path, REPO_EXTEND_SOLVABLES, md.repo_id);
  }
  repo_internalize(repo);
}

// Whether a glob of GLOBS matches S's name or one of the NEVRA forms dnf
// matches excludes against: name.arch, name-version, name-version-release,
// name-version-release.arch, and the last two with the epoch (0: when none).
bool matches_any(::Pool* pool, Solvable* s, const std::vector<std::string>& globs) {
  const char* name = pool_id2str(pool, s->name);
  for (const auto& g : globs)
    if (fnmatch(g.c_str(), name, 0) == 0) return true;
  std::string n = name, arch = pool_id2str(pool, s->arch), evr = pool_id2str(pool, s->evr), epoch = "0";
  if (auto colon = evr.find(':'); colon != std::string::npos) epoch = evr.substr(0, colon), evr = evr.substr(colon + 1);
  std::string version = evr.substr(0, evr.rfind('-'));
  const std::string forms[] = {n + "." + arch, n + "-" + version, n + "-" + evr, n + "-" + evr + "." + arch,
                               n + "-" + epoch + ":" + evr, n + "-" + epoch + ":" + evr + "." + arch};
  for (const auto& g : globs)
    for (const auto& f : forms)
      if (fnmatch(g.c_str(), f.c_str(), 0) == 0) return true;
  return false;
}

}  // namespace

void exclude_packages(s_Repo* repo, const std::vector<std::string>& exclude, const std::vector<std::string>& include) {
  if (exclude.empty() && include.empty()) return;
  ::Pool* pool = repo->pool;
  Id p;
  Solvable* s;
  FOR_REPO_SOLVABLES(repo, p, s) {
    if (matches_any(pool, s, exclude) || (!include.empty() && !matches_any(pool, s, include)))
      repo_free_solvable(repo, p, 1);
  }
}

namespace {
std::string dep_index_path(const RepoMetadata& md) { return md.dir + "/deps.idx"; }

// The index is derived from primary alone, as primary.solv is: a new repomd,
// libsolv or solv layout makes it stale too (docs/dep-index.md).
std::string dep_index_tag(const RepoMetadata& md) {
  return string_digest(cache_tag(md, false) + "|dep-index-2", "sha256");
}
}  // namespace

DepIndexHandle open_repo_index(const RepoMetadata& md) {
  if (md.primary_path.empty()) return nullptr;
  return open_dep_index(dep_index_path(md), dep_index_tag(md));
}

DepIndexHandle make_repo_index(const RepoMetadata& md, const std::string& arch, Reporter& reporter) {
  if (md.primary_path.empty()) return nullptr;
  std::string path = dep_index_path(md);
  auto cannot_write = [&] {
    reporter.warning("cannot write the dependency index " + path + ": " + errno_text(errno) +
                     " (resolving will be slower; check the cache dir's permissions)");
    return nullptr;
  };
  // A current solv cache (a whole-repo command loaded the repo before) is
  // the quickest source, then the scan of primary.xml, then libsolv.
  Pool pool(arch);
  Repo* repo = repo_create(pool.get(), md.repo_id.c_str());
  if (load_solv_cache(repo, md.dir + "/primary.solv", cache_tag(md, false))) {
    md.verify_primary();  // as the fetch would have: a primary that changed since is an error
  } else {
    reporter.info("Parsing metadata of " + md.repo_id);
    if (!md.primary_is_sqlite) {
      Pool scratch(arch);  // thrown away: what a failed scan interned stays out of REPO's pool
      // primary's check, if still due, runs beside the scan: the index is written only if it passes
      std::function<void()> check;
      if (md.primary_check) check = [&md] { md.verify_primary(); };
      switch (write_dep_index_from_primary(repo_create(scratch.get(), md.repo_id.c_str()), md.primary_path,
                                           md.repo_id, path, dep_index_tag(md), check)) {
        case IndexFromPrimary::written:
          return open_repo_index(md);
        case IndexFromPrimary::write_failed:
          return cannot_write();
        case IndexFromPrimary::unsupported:
          break;  // libsolv reads it (and reports any damage)
      }
    }
    parse_metadata(repo, md, false);
  }
  if (!write_dep_index(repo, path, dep_index_tag(md))) return cannot_write();
  return open_repo_index(md);
}

namespace {
Repo* new_repo(Pool& pool, const RepoConfig& config) {
  Repo* repo = repo_create(pool.get(), config.id.c_str());
  repo->priority = -config.priority;  // dnf: lower number wins; libsolv: higher wins
  repo->subpriority = -config.cost;
  return repo;
}
}  // namespace

s_Repo* load_repo(Pool& pool, const RepoMetadata& md, const RepoConfig& config, const std::string& cachedir,
                  bool with_filelists, Reporter& reporter) {
  (void)cachedir;  // the per-repo dir in MD is where the cache lives
  md.verify_primary();  // before the solv cache made from it is trusted, as the fetch would have
  bool filelists = with_filelists && !md.filelists_path.empty();
  Repo* repo = new_repo(pool, config);
  std::string solv_path = md.dir + (filelists ? "/full.solv" : "/primary.solv");
  std::string tag = cache_tag(md, filelists);
  bool rebuilt = false;
  if (!load_solv_cache(repo, solv_path, tag)) {
    rebuilt = true;
    reporter.info("Parsing metadata of " + config.id);
    try {
      parse_metadata(repo, md, filelists);
    } catch (...) {
      repo_free(repo, 1);
      throw;
    }
    if (write_solv_cache(repo, solv_path, tag, drop_unused_keys)) {
      // Reload from the file just written: the solv layout is far more
      // compact in memory than what the parser built.
      repo_empty(repo, 1);
      if (!load_solv_cache(repo, solv_path, tag)) {
        repo_empty(repo, 1);
        parse_metadata(repo, md, filelists);
      }
    } else {
      reporter.warning("cannot write the metadata cache " + solv_path + ": " + errno_text(errno) +
                       " (loading will be slower; check the cache dir's permissions)");
    }
  }
  // The dep index holds what the primary-only cache holds, for resolves that
  // load only what they can reach (DepIndex). A missing one is made here.
  std::string index_path = dep_index_path(md);
  if (!filelists && (rebuilt || !path_exists(index_path)) && !write_dep_index(repo, index_path, dep_index_tag(md)))
    reporter.warning("cannot write the dependency index " + index_path + ": " + errno_text(errno) +
                     " (resolving will be slower; check the cache dir's permissions)");
  exclude_packages(repo, config.excludepkgs, config.includepkgs);
  return repo;
}

size_t cache_repo(const MainConfig& main, const RepoMetadata& md, const RepoConfig& config, Reporter& reporter) {
  Pool pool(main.arch);
  return static_cast<size_t>(load_repo(pool, md, config, main.cachedir, false, reporter)->nsolvables);
}

s_Repo* load_repo_subset(Pool& pool, const DepIndex& index, const std::vector<uint32_t>& pkgs,
                         const RepoConfig& config) {
  Repo* repo = new_repo(pool, config);
  add_indexed_packages(index, repo, pkgs);
  exclude_packages(repo, config.excludepkgs, config.includepkgs);
  return repo;
}

}  // namespace yumda
