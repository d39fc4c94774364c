// Borrowed package names (DEST.in-use.TOKEN.N, see PackageSource::borrow) of
// a run killed with -9 would stay in the package cache for ever. Each run that
// borrows holds an flock on CACHEDIR/packages/.runs/TOKEN for its lifetime; a
// later run that can take that lock knows the run is gone and removes its
// names. flock, not a pid check: a run in another pid namespace (a container
// sharing the cache) has a pid this one cannot see, but the same lock.
#pragma once
#include <string>

#include "yumda/fs.hpp"

namespace yumda {

class RunMark {
 public:
  explicit RunMark(std::string cachedir);
  ~RunMark();                                  // drops the mark (the names are the owner's to drop first)
  RunMark(const RunMark&) = delete;
  RunMark& operator=(const RunMark&) = delete;

  // "PID-RANDOM", the lock held from the first call on; throws Error when the
  // mark cannot be made (packages/ or .runs/ planted as a link, whose target
  // is outside the cache, included: no link is followed).
  const std::string& token();

 private:
  std::string cachedir_;
  std::string token_;
  UniqueFd runs_;  // CACHEDIR/packages/.runs
  UniqueFd lock_;
};

// Removes, below CACHEDIR/packages/<repo>/, the borrowed names of every run
// whose mark is no longer locked, then the mark. Best effort: what it cannot
// remove now a later run or `yumda clean packages` will. Follows no link
// below CACHEDIR (the cache is input like any other).
void prune_dead_runs(const std::string& cachedir);

}  // namespace yumda
