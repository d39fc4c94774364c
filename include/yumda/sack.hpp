// The sack: the enabled repos loaded into one libsolv pool, which is what the
// resolver (resolve.hpp) works on. Fetching metadata and choosing what to load
// happen here; the resolver adds the installed set and solves, and never
// talks to the network. Each load makes a fresh pool: the caller adds its
// installed repo to it again.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "yumda/config.hpp"
#include "yumda/fetch.hpp"
#include "yumda/reporter.hpp"

struct s_Repo;

namespace yumda {

class Pool;  // src/lib/solv/pool.hpp
struct RepoMetadata;  // yumda/repo.hpp

// The repo of package files named on the command line (dnf's name for it).
inline constexpr const char* kCommandlineRepo = "@commandline";

// A package file named on the command line.
struct LocalPackage {
  std::string arg;   // as the user wrote it ("./x.rpm", "file:///z.rpm"; a glob's match)
  std::string path;  // absolute
};

// dnf's rule for install/upgrade/reinstall arguments: one that ends in
// ".rpm", a file:// URL, or a relative path with a '/' naming an existing
// file is a local package, not a spec. Takes those out of SPECS (the rest stay
// in order) and returns them; a glob ('dir/*.rpm') is expanded here, as the
// shell would have. Throws Error naming an argument that names no file.
std::vector<LocalPackage> take_local_packages(std::vector<std::string>& specs);

// Adds to KEYS the names a dependency string ("a >= 1", "(b or c)") mentions:
// what a dependency index is asked for.
void add_dep_keys(const std::string& dep, std::vector<std::string>& keys);

class Sack {
 public:
  // Nothing is fetched or loaded yet. CONFIG is copied; FETCHER and REPORTER
  // must outlive the sack. With CACHEONLY, metadata comes from the cache only.
  Sack(const Config& config, Fetcher& fetcher, bool cacheonly, Reporter& reporter = null_reporter());
  ~Sack();
  Sack(const Sack&) = delete;
  Sack& operator=(const Sack&) = delete;

  // A fresh pool with every enabled repo whole, with filelists when FILELISTS.
  // A repo that cannot be fetched is an Error, or a warning when it has
  // skip_if_unavailable=1; each repo's metadata is fetched once per sack.
  void load(bool filelists);
  // A fresh pool with, of each enabled repo, only the packages that SPECS and
  // the names in INSTALLED_KEYS can reach, read from the repos' dependency
  // indexes (docs/dep-index.md; the fast loader, yumda/fastload.hpp): a warm resolve of a big repo
  // loads a few hundred packages, not 26k. False, with no pool, when
  // dep_index=0, an index is missing, stale or damaged, or a spec is a glob, a
  // path or a name no index knows: the whole repos decide those (load()).
  bool load_reachable(const std::vector<std::string>& specs, const std::vector<std::string>& installed_keys);
  // A fresh pool holding no repo (remove works on the installed set alone).
  void load_none();
  // Package files to add to every pool this sack makes, as the repo
  // kCommandlineRepo (before any load). Each is read at once: Error naming
  // the file when it is not a binary RPM.
  void set_local_packages(const std::vector<LocalPackage>& packages);
  // The solvable of each of those in the last load's pool, in their order.
  const std::vector<LocalPackage>& local_packages() const;
  const std::vector<int>& local_ids() const;

  bool loaded() const;
  bool with_filelists() const;  // the last load had filelists
  bool partial() const;         // the last load holds only some packages
  bool no_repos() const;        // no repo is enabled (or every one was skipped)
  // The pool of the last load. Only after a load.
  Pool& pool();
  // The base URLs to download REPO's packages from (a mirror list resolved);
  // empty for a repo not of this sack (the installed one).
  std::vector<std::string> baseurls(s_Repo* repo) const;
  // The metadata this sack fetched for repo REPO_ID; null when none was
  // fetched (or the repo was skipped).
  const RepoMetadata* metadata(const std::string& repo_id) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace yumda
