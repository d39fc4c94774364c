// libsolv Pool ownership and loading one repo into it. Parsing primary.xml of
// a big repo takes a second; the solv cache written after the first parse
// makes every later load a near memory copy. The cache file ends in a tag
// (repomd checksum, libsolv version, whether filelists are in), so metadata
// changes, libsolv upgrades and a filelists-less cache all miss cleanly.
#include <fcntl.h>
#include <fnmatch.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <memory>

#include "repo/solv.hpp"

#include "repo/sqlite_primary.hpp"
#include "yumda/checksum.hpp"
#include "yumda/error.hpp"
#include "yumda/repo.hpp"

namespace yumda {
namespace {

struct FileCloser {
  void operator()(FILE* f) const { fclose(f); }
};
using UniqueFile = std::unique_ptr<FILE, FileCloser>;

constexpr size_t kTagSize = 64;  // hex sha256

std::string cache_tag(const RepoMetadata& md, bool filelists) {
  return string_digest(md.repomd_checksum + "|libsolv " LIBSOLV_VERSION_STRING "|" +
                           (filelists ? "filelists" : "primary") + "|yumda-solv-1",
                       "sha256");
}

// Loads PATH into REPO when its tag matches; anything else (missing, stale,
// corrupt) returns false with REPO left empty, so the caller rebuilds.
bool load_solv_cache(Repo* repo, const std::string& path, const std::string& tag) {
  UniqueFile fp(fopen(path.c_str(), "re"));
  if (!fp) return false;
  char have[kTagSize];
  if (fseek(fp.get(), -static_cast<long>(kTagSize), SEEK_END) != 0 ||
      fread(have, 1, kTagSize, fp.get()) != kTagSize || memcmp(have, tag.data(), kTagSize) != 0)
    return false;
  rewind(fp.get());
  if (repo_add_solv(repo, fp.get(), 0) != 0) {
    repo_empty(repo, 1);
    return false;
  }
  return true;
}

// Writes REPO to PATH (temp file + rename), tag last. Returns false on failure.
bool write_solv_cache(Repo* repo, const std::string& path, const std::string& tag) {
  std::string tmp = path + ".tmpXXXXXX";
  int fd = mkostemp(tmp.data(), O_CLOEXEC);
  if (fd < 0) return false;
  UniqueFile fp(fdopen(fd, "w"));
  if (!fp) {
    close(fd);
    unlink(tmp.c_str());
    return false;
  }
  bool ok = repo_write(repo, fp.get()) == 0 && fwrite(tag.data(), 1, kTagSize, fp.get()) == kTagSize &&
            fflush(fp.get()) == 0;
  ok = fclose(fp.release()) == 0 && ok;
  if (!ok || rename(tmp.c_str(), path.c_str()) != 0) {
    unlink(tmp.c_str());
    return false;
  }
  return true;
}

void add_rpmmd_file(Repo* repo, const std::string& path, int flags, const std::string& repo_id) {
  UniqueFile fp(solv_xfopen(path.c_str(), "r"));
  if (!fp) throw Error("repo " + repo_id + ": cannot open " + path + ": " + errno_text(errno));
  if (repo_add_rpmmd(repo, fp.get(), nullptr, flags) != 0)
    throw Error("repo " + repo_id + ": cannot parse " + path + ": " + pool_errstr(repo->pool) +
                " (the metadata is damaged: run `yumda clean metadata`, or fix the repo)");
}

void parse_metadata(Repo* repo, const RepoMetadata& md, bool with_filelists) {
  if (md.primary_is_sqlite) {
    add_sqlite_primary(repo, md.primary_path, with_filelists ? md.filelists_path : "", md.dir);
  } else {
    add_rpmmd_file(repo, md.primary_path, 0, md.repo_id);
    if (with_filelists && !md.filelists_path.empty())
      add_rpmmd_file(repo, md.filelists_path, REPO_EXTEND_SOLVABLES, md.repo_id);
  }
  repo_internalize(repo);
}

bool matches_any(const char* name, const std::vector<std::string>& globs) {
  for (const auto& g : globs)
    if (fnmatch(g.c_str(), name, 0) == 0) return true;
  return false;
}

}  // namespace

Pool::Pool(const std::string& arch) : pool_(pool_create()) {
  if (!pool_) throw Error("cannot create a libsolv pool (out of memory)");
  if (pool_setdisttype(pool_, DISTTYPE_RPM) == -1) {
    pool_free(pool_);
    throw Error("this libsolv was built without RPM support: install a libsolv with rpm-md support");
  }
  pool_setarch(pool_, arch.c_str());
  if (!pool_->id2arch) {
    pool_free(pool_);
    throw UsageError("unknown architecture '" + arch + "': use x86_64 or aarch64 (--forcearch / arch=)");
  }
}

Pool::~Pool() { pool_free(pool_); }

void exclude_packages(s_Repo* repo, const std::vector<std::string>& exclude, const std::vector<std::string>& include) {
  if (exclude.empty() && include.empty()) return;
  ::Pool* pool = repo->pool;
  Id p;
  Solvable* s;
  FOR_REPO_SOLVABLES(repo, p, s) {
    const char* name = pool_id2str(pool, s->name);
    if (matches_any(name, exclude) || (!include.empty() && !matches_any(name, include)))
      repo_free_solvable(repo, p, 1);
  }
}

s_Repo* load_repo(Pool& pool, const RepoMetadata& md, const RepoConfig& config, const std::string& cachedir,
                  bool with_filelists, Reporter& reporter) {
  (void)cachedir;  // the per-repo dir in MD is where the cache lives
  bool filelists = with_filelists && !md.filelists_path.empty();
  Repo* repo = repo_create(pool.get(), config.id.c_str());
  repo->priority = -config.priority;  // dnf: lower number wins; libsolv: higher wins
  repo->subpriority = -config.cost;
  std::string solv_path = md.dir + (filelists ? "/full.solv" : "/primary.solv");
  std::string tag = cache_tag(md, filelists);
  if (!load_solv_cache(repo, solv_path, tag)) {
    reporter.info("Parsing metadata of " + config.id);
    try {
      parse_metadata(repo, md, filelists);
    } catch (...) {
      repo_free(repo, 1);
      throw;
    }
    if (write_solv_cache(repo, solv_path, tag)) {
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
  exclude_packages(repo, config.excludepkgs, config.includepkgs);
  return repo;
}

}  // namespace yumda
