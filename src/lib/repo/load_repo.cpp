// libsolv Pool ownership and loading one repo into it. Parsing primary.xml of
// a big repo takes a second; the solv cache written after the first parse
// makes every later load a near memory copy. The cache file ends in a tag
// (repomd checksum, libsolv version, whether filelists are in), so metadata
// changes, libsolv upgrades and a filelists-less cache all miss cleanly.
#include <fcntl.h>
#include <fnmatch.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <memory>
#include <string_view>

#include "repo/solv.hpp"

#include "repo/sqlite_primary.hpp"
#include "yumda/checksum.hpp"
#include "yumda/error.hpp"
#include "yumda/fs.hpp"
#include "yumda/repo.hpp"

namespace yumda {
namespace {

struct FileCloser {
  void operator()(FILE* f) const { fclose(f); }
};
using UniqueFile = std::unique_ptr<FILE, FileCloser>;

constexpr size_t kTagSize = 64;   // hex sha256 of what the cache was made from
constexpr size_t kSumSize = 16;   // hex digest of the solv body
constexpr size_t kTrailer = kTagSize + kSumSize;

std::string cache_tag(const RepoMetadata& md, bool filelists) {
  return string_digest(md.repomd_checksum + "|libsolv " LIBSOLV_VERSION_STRING "|" +
                           (filelists ? "filelists" : "primary") + "|yumda-solv-3",
                       "sha256");
}

// A fast digest of the solv body: libsolv reads a file with a flipped byte
// without complaint (and loses deps), so the cache checks itself. Not
// cryptographic: it guards against damage, not against an attacker.
std::string body_sum(const char* data, size_t len) {
  uint64_t h = 0x9E3779B97F4A7C15ULL ^ len;
  size_t i = 0;
  for (; i + 8 <= len; i += 8) {
    uint64_t w;
    memcpy(&w, data + i, 8);
    h = (h ^ w) * 0x100000001B3ULL;
    h ^= h >> 29;
  }
  for (; i < len; ++i) h = (h ^ static_cast<unsigned char>(data[i])) * 0x100000001B3ULL;
  char hex[kSumSize + 1];
  snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h));
  return std::string(hex, kSumSize);
}

// A read-only memory map of a whole file (empty when it cannot be mapped):
// no copy and no zero-fill, which a warm load of a big repo notices.
class MappedFile {
 public:
  explicit MappedFile(const std::string& path) {
    UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
    struct stat st;
    if (!fd || fstat(fd.get(), &st) != 0 || st.st_size <= 0) return;
    void* p = mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd.get(), 0);
    if (p == MAP_FAILED) return;
    data_ = static_cast<char*>(p);
    size_ = static_cast<size_t>(st.st_size);
  }
  ~MappedFile() {
    if (data_) munmap(data_, size_);
  }
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  char* data() const { return data_; }
  size_t size() const { return size_; }

 private:
  char* data_ = nullptr;
  size_t size_ = 0;
};

// Loads PATH into REPO when its tag and digest match; anything else (missing,
// stale, damaged) returns false with REPO left empty, so the caller rebuilds.
bool load_solv_cache(Repo* repo, const std::string& path, const std::string& tag) {
  MappedFile file(path);
  if (file.size() <= kTrailer) return false;
  size_t body = file.size() - kTrailer;
  std::string_view trailer(file.data() + body, kTrailer);
  if (trailer.substr(0, kTagSize) != tag || trailer.substr(kTagSize) != body_sum(file.data(), body)) return false;
  UniqueFile fp(fmemopen(file.data(), body, "r"));  // "r": never written through
  if (!fp) return false;
  if (repo_add_solv(repo, fp.get(), 0) != 0) {
    repo_empty(repo, 1);
    return false;
  }
  return true;
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

// Writes REPO to PATH (temp file + rename), tag and digest last. Returns
// false on failure.
bool write_solv_cache(Repo* repo, const std::string& path, const std::string& tag) {
  char* mem = nullptr;
  size_t len = 0;
  UniqueFile ms(open_memstream(&mem, &len));
  if (!ms) return false;
  bool ok = repo_write_filtered(repo, ms.get(), drop_unused_keys, nullptr, nullptr) == 0;
  ok = fclose(ms.release()) == 0 && ok;  // sets mem/len
  std::unique_ptr<char, decltype(&free)> body(mem, &free);
  if (!ok) return false;
  std::string tmp = path + ".tmpXXXXXX";
  UniqueFd fd(mkostemp(tmp.data(), O_CLOEXEC));
  if (!fd) return false;
  fchmod(fd.get(), 0644);  // like the rest of the cache, not mkstemp's 0600
  std::string trailer = tag + body_sum(mem, len);
  auto write_all = [&](const char* p, size_t n) {
    while (n > 0) {
      ssize_t w = write(fd.get(), p, n);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) return false;
      p += w;
      n -= static_cast<size_t>(w);
    }
    return true;
  };
  ok = write_all(mem, len) && write_all(trailer.data(), trailer.size());
  fd.reset();
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
                " (the repo's metadata is damaged: re-run createrepo_c on it, or use --disablerepo=" + repo_id + ")");
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
