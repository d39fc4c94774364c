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
  // indexes (repo/dep_index.hpp; docs/design.md): a warm resolve of a big repo
  // loads a few hundred packages, not 26k. False, with no pool, when
  // dep_index=0, an index is missing, stale or damaged, or a spec is a glob, a
  // path or a name no index knows: the whole repos decide those (load()).
  bool load_reachable(const std::vector<std::string>& specs, const std::vector<std::string>& installed_keys);
  // A fresh pool holding no repo (remove works on the installed set alone).
  void load_none();

  bool loaded() const;
  bool with_filelists() const;  // the last load had filelists
  bool partial() const;         // the last load holds only some packages
  bool no_repos() const;        // no repo is enabled (or every one was skipped)
  // The pool of the last load. Only after a load.
  Pool& pool();
  // The base URLs to download REPO's packages from (a mirror list resolved);
  // empty for a repo not of this sack (the installed one).
  std::vector<std::string> baseurls(s_Repo* repo) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace yumda
