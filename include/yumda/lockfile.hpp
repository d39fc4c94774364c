// yumda.lock: exactly which packages a layer is made of (NEVRA, repo, location,
// checksum), so CI can rebuild the same layer later: `install --lockfile FILE`
// writes it, `install --locked FILE` installs exactly it or fails naming what moved.
#pragma once
#include <string>
#include <vector>

#include "yumda/config.hpp"
#include "yumda/resolve.hpp"

namespace yumda {

struct LockedPackage {
  Nevra nevra;
  std::string repo_id;
  std::string location;
  std::string checksum_type;
  std::string checksum;
  uint64_t download_size = 0;
};

struct Lockfile {
  int version = 1;
  std::string arch;
  std::string baseline;
  std::vector<std::pair<std::string, std::vector<std::string>>> repos;  // id -> baseurls
  std::vector<LockedPackage> packages;  // sorted by NEVRA

  // The specs that ask for exactly these packages ("name-epoch:version-release.arch").
  std::vector<std::string> specs() const;
};

// Throws Error naming the file (and the fix) when it cannot be read or parsed.
Lockfile read_lockfile(const std::string& path);
// Atomic; stable, sorted output, so the file diffs well in version control.
void write_lockfile(const std::string& path, const Lockfile& lock);

// The lock for PACKAGES resolved under CONFIG.
Lockfile make_lockfile(const Config& config, const std::vector<PackageInfo>& packages);

// Throws Error naming every package that moved: a planned package missing from
// the lock, a locked one missing from the plan, or one whose checksum changed.
void check_plan_against_lock(const ResolveResult& plan, const Lockfile& lock);

}  // namespace yumda
