// Repository metadata: repomd.xml, then primary and filelists, fetched into the
// cache and checked against repomd's checksums, then loaded into a libsolv pool
// (with a solv cache per repo, so a warm load is a memory map, not a parse).
#pragma once
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "yumda/config.hpp"
#include "yumda/fetch.hpp"
#include "yumda/reporter.hpp"

struct s_Repo;

namespace yumda {

class Pool;  // libsolv's pool, owned (src/lib/solv/pool.hpp)

// One metadata file as repomd.xml describes it.
struct RepomdRecord {
  std::string type;      // "primary", "filelists", "primary_db", ...
  std::string location;  // href, relative to the base URL
  std::string checksum_type;
  std::string checksum;
  uint64_t size = 0;
  uint64_t timestamp = 0;
};

struct Repomd {
  std::string revision;
  std::vector<RepomdRecord> records;
  const RepomdRecord* find(const std::string& type) const;
};

// Parses repomd.xml text; throws Error naming SOURCE when it is not rpm-md.
Repomd parse_repomd(const std::string& xml, const std::string& source);

// primary's check against repomd.xml, left by fetch_repo_metadata (asked to,
// for a file:// repo) to the first reader of primary: a cold dep index write
// hashes the file on a thread of its own while it scans it, rather than
// before. verify() hashes once (thread-safe); every later call repeats the
// answer: nothing, or the Error the fetch would have thrown.
class PrimaryCheck {
 public:
  PrimaryCheck(std::string path, RepomdRecord record, std::string stamps, bool trust_stamp, std::string error);
  PrimaryCheck(const PrimaryCheck&) = delete;
  PrimaryCheck& operator=(const PrimaryCheck&) = delete;
  void verify();
  bool failed() const;  // verify() threw

 private:
  mutable std::mutex mutex_;
  enum class Result { unknown, matched, mismatched } result_ = Result::unknown;
  std::string path_;
  RepomdRecord record_;
  std::string stamps_;  // the repo's `verified` file
  bool trust_stamp_;
  std::string error_;
};

// Local copies of one repo's metadata, in the cache.
struct RepoMetadata {
  std::string repo_id;
  std::string baseurl;         // the base URL that answered
  // Every base URL of the repo in failover order: baseurl= ones, then those
  // the mirrorlist= gave. Packages are fetched from these.
  std::vector<std::string> baseurls;
  std::string dir;             // cache dir of this repo
  std::string repomd_path;
  std::string repomd_checksum; // sha256 of repomd.xml: tags the solv cache
  Repomd repomd;
  std::string primary_path;    // xml (any compression) or sqlite when no xml is offered
  bool primary_is_sqlite = false;
  // Null once primary is checked; else a reader of primary_path calls
  // verify_primary() first (load_repo, make_repo_index, descriptions do).
  std::shared_ptr<PrimaryCheck> primary_check;
  void verify_primary() const {
    if (primary_check) primary_check->verify();
  }
  std::string filelists_path;  // "" until needed / when absent
  bool filelists_is_sqlite = false;
};

// Cache layout: CACHEDIR/repos/<id>-<hash of baseurls>/{repomd.xml,<files>,*.solv}.
std::string repo_cache_dir(const MainConfig& main, const RepoConfig& repo);
// The same, made level by level through no symlink (make_cache_dirs).
std::string make_repo_cache_dir(const MainConfig& main, const RepoConfig& repo);

// Makes sure the cache holds current metadata for REPO: fetches repomd.xml
// unless it is younger than metadata_expire (or CACHEONLY), and each file whose
// checksum changed; filelists only WITH_FILELISTS. Throws Error naming the repo
// and the URL on failure (with CACHEONLY: naming the missing cache and `makecache`).
// A mirrorlist= (one base URL a line, # comments; yum's format, and AL2's
// one-URL answer) is fetched to DIR/mirrorlist under the same expiry as
// repomd.xml; its URLs are tried after the baseurl= ones. Transfers use the
// repo's timeout=, retries= and sslverify= (FETCHER's options otherwise).
// A file:// repo (first baseurl) is read in place, as dnf does: repomd.xml every
// time, primary/filelists checked against repomd once (then remembered by
// size+mtime in DIR/verified); only the solv cache is written to DIR.
// When repomd lists no "primary" but a "primary_db", primary_path is the sqlite
// file (and filelists_path the "filelists_db"), with the *_is_sqlite flags set.
// With repo_gpgcheck=1, repomd.xml must verify against repodata/repomd.xml.asc
// (from the base URL that served repomd.xml) and the gpgkey= keys before
// anything it lists is fetched; the pair enters the cache only once verified,
// and a cached repomd.xml counts only while its cached signature verifies
// (else it is fetched again, or with CACHEONLY it is an error).
// DEFER_PRIMARY_CHECK: a file:// repo's primary.xml that must be hashed is
// not hashed here but left to md.primary_check (the caller answers for
// calling verify_primary() before anything reads primary).
RepoMetadata fetch_repo_metadata(const MainConfig& main, const RepoConfig& repo, Fetcher& fetcher,
                                 bool cacheonly, bool with_filelists, Reporter& reporter,
                                 bool defer_primary_check = false);

// Loads one repo's metadata into POOL (solv cache first, else the xml or sqlite,
// then writes the cache atomically). The repo's name is the repo id, and its
// appdata points at nothing. repo->priority = -priority (dnf: lower number
// wins), subpriority = -cost. Filelists are loaded only when WITH_FILELISTS
// (file deps need them); DIR/primary.solv and DIR/full.solv are the two caches.
// A stale, damaged or foreign cache is rebuilt silently; a cache that cannot
// be written is a warning. The repo's excludepkgs/includepkgs are applied.
// Throws Error naming the file when the metadata cannot be parsed.
s_Repo* load_repo(Pool& pool, const RepoMetadata& md, const RepoConfig& repo, const std::string& cachedir,
                  bool with_filelists, Reporter& reporter);

// `makecache` for one repo: loads MD as load_repo does (writing its solv
// cache and dep index when they are missing or stale) into a pool of its own
// and returns how many packages it holds.
size_t cache_repo(const MainConfig& main, const RepoMetadata& md, const RepoConfig& repo, Reporter& reporter);

// Drops from REPO every package whose name (or NEVRA form: name.arch,
// name-version[-release][.arch], name-epoch:version-release[.arch]) matches a
// glob of EXCLUDE, and when INCLUDE is not empty, every package matching none
// of it (excludepkgs=, includepkgs=). load_repo applies the repo's own lists; callers apply [main]'s.
void exclude_packages(s_Repo* repo, const std::vector<std::string>& exclude,
                      const std::vector<std::string>& include = {});

}  // namespace yumda
