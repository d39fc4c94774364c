// Dependency resolution with libsolv: the requested specs, against what the
// layer already holds plus the Lambda runtime baseline (both "installed"), in
// one job. Produces the list of packages to download and extract.
#pragma once
#include <cstdint>
#include <memory>
#include <map>
#include <set>
#include <optional>
#include <string>
#include <vector>

#include "yumda/baseline.hpp"
#include "yumda/config.hpp"
#include "yumda/nevra.hpp"
#include "yumda/package.hpp"
#include "yumda/repo.hpp"
#include "yumda/sack.hpp"

namespace yumda {

// A package as the metadata describes it.
struct PackageInfo : PackageCore {
  std::string location;  // href relative to a base URL
  std::vector<std::string> baseurls;  // of its repo, in failover order
  uint64_t download_size = 0;
  std::string description;  // "" when the metadata (or the solv cache) has none
};

// A package the layer holds already (from ROOT/.yumda state).
struct LayerPackage {
  Nevra nevra;
  std::string repo_id;
  std::vector<std::string> provides;
  std::vector<std::string> requirements;  // "requires" is a C++20 keyword
  bool user_installed = true;  // asked for by name, not pulled in as a dependency
  // Paths under /opt ("/opt/bin/x"); only those some layer package requires
  // become provides. Empty when not known (install does without them).
  std::vector<std::string> files;
};

// `remove SPECS`, as dnf: SOLVER_ERASE of what SPECS match, taking out the
// layer packages that need them and, with clean_deps, the dependencies that
// were pulled in only for the removed ones (never one the user asked for).
struct EraseRequest {
  std::vector<std::string> specs;  // anything install takes: names, globs, N-V-R, provides, /opt paths
  bool clean_deps = true;          // clean_requirements_on_remove
  std::vector<std::string> protected_packages;  // names or globs: a plan removing one is refused
  // `autoremove`: no specs; every layer package installed as a dependency
  // that no package the user asked for (nor the runtime) still needs, as
  // libsolv's solver_get_unneeded says. They come back in UNNEEDED.
  bool autoremove = false;
};

struct EraseResult {
  std::vector<Nevra> named;       // matched by the specs, in spec order
  std::vector<Nevra> dependents;  // need a removed package (sorted by name)
  std::vector<Nevra> unneeded;    // dependencies nothing needs any more (sorted by name)
};

struct ResolveRequest {
  std::vector<std::string> specs;  // names, globs, name-version[-release], provides, /paths
  bool install_weak_deps = false;
};

struct ResolveResult {
  std::vector<PackageInfo> install;      // new packages, in install order
  std::vector<std::string> already_installed;  // specs already satisfied by the layer or runtime
  std::vector<std::string> from_baseline;      // specs the runtime baseline satisfies
  // Layer packages the plan takes out (upgraded, obsoleted or reinstalled):
  // their files go unless a package of INSTALL brings them again.
  std::vector<Nevra> replaced;
  // For each package of INSTALL (by NEVRA string) that takes the place of
  // layer packages (newer version, Obsoletes:, reinstall): which ones. An
  // install carries their "asked for by name" mark over to it, as dnf does.
  std::map<std::string, std::vector<Nevra>> replaces;
  // Packages of INSTALL (by NEVRA string) that a spec selected, by name, glob,
  // version, provide or path; the rest come in as dependencies.
  std::set<std::string> requested;
  // strict=0 (dnf's skip_broken) only: specs that matched nothing, and the
  // newest candidate (NEVRA) of each asked-for job left out because its
  // dependencies cannot be met. With strict=1 either is an Error.
  std::vector<std::string> no_match;
  std::vector<std::string> skipped_broken;
};

// Resolves against SACK's pool (sack.hpp), which it asks to load on first
// use (resolve/available), without filelists unless a spec is a path; a
// request that fails only on a file dependency is retried once with
// filelists. It never fetches: the sack does. "Installed" = the baseline
// packages (with their repo twin's provides, locked), a "lambda-runtime"
// package providing the paths and library sonames of Baseline::files that
// repo packages use, and LAYER.
// CONFIG, BASELINE and LAYER are copied; SACK must outlive the resolver.
class Resolver {
 public:
  Resolver(const Config& config, const Baseline& baseline, const std::vector<LayerPackage>& layer,
           Sack& sack, Reporter& reporter = null_reporter());
  ~Resolver();
  Resolver(const Resolver&) = delete;
  Resolver& operator=(const Resolver&) = delete;

  // Throws Error listing libsolv's problems in plain words when the request
  // cannot be satisfied ("cannot resolve: ...; ..." on one line), or
  // "No match for argument: X" for an unknown spec. A spec an installed layer
  // package matches goes to already_installed, one only the runtime matches to
  // from_baseline; neither is installed. Weak deps only with install_weak_deps.
  ResolveResult resolve(const ResolveRequest& request);

  // Every available package matching GLOB (all when empty), newest first per name.
  std::vector<PackageInfo> available(const std::string& glob = "");

  // `upgrade [SPECS]`: SOLVER_UPDATE for each layer package SPECS name (all of
  // the layer when empty); the runtime baseline is never touched. INSTALL holds
  // the newer packages (and new deps), REPLACED the layer packages they
  // replace. A spec no layer package matches is "No match for argument: X".
  ResolveResult upgrade(const std::vector<std::string>& specs);

  // `reinstall SPECS`: the repo copy of each matching layer package, same
  // NEVRA, in INSTALL and REPLACED. Error when a package is not installed or
  // its exact version is no longer in any repo.
  ResolveResult reinstall(const std::vector<std::string>& specs);

  // `history undo`: each of INSTALL at its exact NEVRA from the repos (an
  // older version than the layer's is a downgrade) and each layer package of
  // ERASE taken out, in one job. Throws Error naming a package of INSTALL no
  // enabled repo has, or one of ERASE the layer lacks.
  ResolveResult undo(const std::vector<Nevra>& install, const std::vector<Nevra>& erase);

  // `remove`: one libsolv job over the installed repo alone (the baseline,
  // locked, the runtime's files, and LAYER; the repos are not fetched, so a
  // layer can be trimmed offline). Packages LAYER marks user_installed are
  // never removed as unneeded; a requirement that no installed package met
  // before decides nothing (the runtime meets it). Throws Error "No match for
  // argument: X" for a spec no layer package matches, and "The operation
  // would result in removing the following protected packages: X" when the
  // plan takes out a protected package.
  EraseResult erase(const EraseRequest& request);

  // The layer packages SPEC matches, by any form install takes (with
  // BY_PROVIDES, a capability too; dnf's info does not match those); a /path
  // matches the package owning it. Needs no repo when none was loaded yet.
  std::vector<Nevra> installed(const std::string& spec, bool by_provides = true);

  // Queries over the available (repo) packages, sorted by name, newest first.
  // SPEC is anything resolve() takes: name, glob, name-version[-release] with
  // globs ("git-2.39*"), "git >= 2.30", a provide, or a /path (filelists are
  // loaded for paths). Empty when nothing matches.
  std::vector<PackageInfo> query(const std::string& spec);
  // The packages that provide capability SPEC (a glob is allowed) or own the
  // file SPEC (a path or path glob, from filelists).
  std::vector<PackageInfo> whatprovides(const std::string& spec);
  // The packages whose requires are met by what SPEC's packages provide (or
  // by the capability SPEC itself).
  std::vector<PackageInfo> whatrequires(const std::string& spec);
  // The files of PKG (absolute paths, sorted), from filelists.
  std::vector<std::string> files(const PackageInfo& pkg);
  // Packages whose name or summary contains every word (case-insensitive),
  // newest version of each name only.
  std::vector<PackageInfo> search(const std::vector<std::string>& words);
  // The source package (arch src or nosrc) an enabled repo has under the
  // file name SOURCERPM (a binary's sourcerpm, "name-version-release.src.rpm").
  std::optional<PackageInfo> source_package(const std::string& sourcerpm);
  // Fills in the description of each of PKGS that has none, from its repo's
  // metadata: the solv cache leaves descriptions out (resolving never reads
  // them), so the verbs that show them ask here for just what they print.
  // Packages of no repo of this sack (the layer's, @commandline) are left as
  // they are. Throws Error as loading does when the metadata is damaged.
  void describe(std::vector<PackageInfo>& pkgs);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace yumda
