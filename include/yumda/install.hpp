// The whole job, stage by stage: config -> repo metadata -> resolve -> fetch ->
// verify -> extract -> layer. The CLI parses and prints; this does the work.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "yumda/baseline.hpp"
#include "yumda/check.hpp"
#include "yumda/config.hpp"
#include "yumda/fetch.hpp"
#include "yumda/layer.hpp"
#include "yumda/reporter.hpp"
#include "yumda/resolve.hpp"
#include "yumda/scripts.hpp"

namespace yumda {

// install: SPECS and their deps; upgrade: newer versions of the layer
// packages SPECS names (all when empty); reinstall: the same NEVRAs again;
// undo: transaction UNDO_ID of the layer's history reversed (what it
// installed removed, what it removed or replaced installed again at its exact
// version from the enabled repos).
enum class InstallMode { kInstall, kUpgrade, kReinstall, kUndo };

struct InstallOptions {
  std::string root = "layer";
  std::vector<std::string> specs;
  InstallMode mode = InstallMode::kInstall;
  uint64_t undo_id = 0;    // kUndo: the transaction; 0 = the last one
  bool noscripts = false;  // --noscripts: %post/%posttrans are listed as skipped
  bool cacheonly = false;
  bool nowait = false;  // fail instead of waiting for the layer lock
  // Called with the plan before anything is downloaded; return false to stop
  // (--assumeno, or the user said no). Not called when there is nothing to do.
  std::function<bool(const ResolveResult&)> confirm;
  // Called with the plan right after resolution, before confirm; throws to
  // refuse it (install --locked checks the plan against the lock here).
  std::function<void(const ResolveResult&)> check_plan;
};

struct InstallResult {
  ResolveResult plan;
  bool performed = false;  // false when confirm said no or nothing was to do
  std::vector<InstalledPackage> installed;
  // The layer's records of PLAN.replaced (upgrade, downgrade, reinstall,
  // Obsoletes:), filled with the plan so --assumeno shows them; taken out of
  // the layer only when PERFORMED.
  std::vector<InstalledPackage> removed;
  std::vector<ScriptletResult> scripts;  // one per %post/%posttrans, in install order
};

// Throws Error (one line for the user) on any failure; ROOT is then exactly as
// it was before the call. Files of replaced packages that no new package
// brings are removed in the same transaction. Scriptlets run after the commit
// (see scripts.hpp); their failure is a warning, never an Error.
InstallResult install(const Config& config, const InstallOptions& options, Reporter& reporter);

// The packages in ROOT, sorted by name.
std::vector<InstalledPackage> list_installed(const std::string& root);
// ROOT's whole record (packages and history), read as list_installed reads it.
LayerState read_layer_state(const std::string& root);

}  // namespace yumda

namespace yumda {

// The Fetcher settings of [main] (parallel downloads, timeout, retries,
// sslverify): what every verb that fetches uses.
FetchOptions fetch_options(const MainConfig& main);

// `makecache`: fetches every enabled repo's metadata (when expired) and writes
// its solv cache, so later runs (and -C) load in milliseconds. Returns the
// number of packages per repo id.
std::vector<std::pair<std::string, size_t>> make_cache(const Config& config, Reporter& reporter);

// `clean metadata|packages|all`: removes that part of the cache; returns what it removed.
std::vector<std::string> clean_cache(const Config& config, const std::string& what);

}  // namespace yumda

namespace yumda {

// Read-only questions to the enabled repos (info, search, provides,
// repoquery, list --available): a Resolver with its own Fetcher and the
// configured baseline; the layer ROOT's packages are the installed set when
// ROOT is not empty and holds a layer.
class RepoSession {
 public:
  RepoSession(const Config& config, const std::string& root, bool cacheonly, Reporter& reporter);
  ~RepoSession();
  Resolver& resolver() { return *resolver_; }

 private:
  std::unique_ptr<Fetcher> fetcher_;
  std::unique_ptr<Sack> sack_;
  std::unique_ptr<Resolver> resolver_;
};

// For `check` against a baseline without a file list: fills O's
// runtime_provides from what the baseline's packages provide in the enabled
// repos' cached metadata (nothing is fetched; left empty without a cache) and
// layer_provides / layer_requires from ROOT's record.
void add_package_facts(const Config& config, const Baseline& baseline, const std::string& root, CheckOptions& o,
                       Reporter& reporter);

struct DownloadOptions {
  std::vector<std::string> specs;
  std::string destdir = ".";
  bool resolve = false;  // also every dependency the runtime baseline does not provide
  bool cacheonly = false;
  // The source packages (SRPMs) of the packages chosen instead, from any
  // enabled repo (load the config with ConfigOptions::source_repos to enable
  // each ID-source repo, as dnf download --source does).
  bool source = false;
};

// `download`: the best package for each spec (with RESOLVE, the whole
// closure minus the baseline), fetched, checked (size, checksum, signatures
// as the repo says) and copied into DESTDIR (created). Returns the written
// paths in install order. Throws Error naming the package or the spec.
std::vector<std::string> download_packages(const Config& config, const DownloadOptions& options, Reporter& reporter);

}  // namespace yumda
