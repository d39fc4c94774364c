// yumda.lock: exactly which packages a layer is made of (NEVRA, repo, location,
// checksum), so CI can rebuild the same layer later: `install --lockfile FILE`
// writes it, `install --locked FILE` installs exactly it or fails naming what moved.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "yumda/config.hpp"
#include "yumda/package.hpp"
#include "yumda/resolve.hpp"

namespace yumda {

// A package as the lock pins it. The file keeps its NEVRA, repo and checksum
// (package_json.hpp's groups) and these; the rest of the core is left empty
// when read back.
struct LockedPackage : PackageCore {
  std::string location;
  uint64_t download_size = 0;
};

struct Lockfile {
  int version = 1;
  std::string arch;
  std::string baseline;
  std::vector<std::pair<std::string, std::vector<std::string>>> repos;  // id -> baseurls
  // For a repo with a mirrorlist= (AL2023's): id -> (its mirrorlist, the base
  // URL the mirror list gave when the lock was made). AL2023's mirror.list
  // names one GUID directory per release, so this is the release resolved.
  std::map<std::string, std::pair<std::string, std::string>> mirrored;
  std::vector<LockedPackage> packages;  // sorted by NEVRA
  // What the lock was resolved from, when yumda.toml made it (`build`,
  // `lock`): each toml key that decides the packages (packages, repos,
  // runtime, baseline, arch, config) -> its value as JSON text. Empty for a
  // lock from `install --lockfile` or an older yumda: nothing to compare.
  std::map<std::string, std::string> inputs;

  // The specs that ask for exactly these packages ("name-epoch:version-release.arch").
  std::vector<std::string> specs() const;
};

// Throws Error naming the file (and the fix) when it cannot be read or parsed.
Lockfile read_lockfile(const std::string& path);
// Atomic; stable, sorted output, so the file diffs well in version control.
void write_lockfile(const std::string& path, const Lockfile& lock);

// The lock for PACKAGES resolved under CONFIG; a mirrorlist= repo that PACKAGES
// come from is recorded with the base URL they came from (Lockfile::mirrored).
Lockfile make_lockfile(const Config& config, const std::vector<PackageInfo>& packages);

// Replays the repo state of LOCK: each enabled mirrorlist= repo of CONFIG that
// the lock recorded a base URL for gets that URL as its only baseurl and no
// mirrorlist, so `install --locked` and `build` read the release the lock was
// made from (not what "latest" means today). Returns one line per repo pinned.
std::vector<std::string> pin_repos_to_lock(Config& config, const Lockfile& lock);

// Throws Error naming every package that moved: a planned package missing from
// the lock, a locked one missing from the plan, or one whose checksum changed.
void check_plan_against_lock(const ResolveResult& plan, const Lockfile& lock);

}  // namespace yumda
