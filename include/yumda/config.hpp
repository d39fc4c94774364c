// Configuration with yum.conf/dnf semantics: [main] plus repo sections, from
// the -c file, /etc/yumda/yumda.conf or the built-in default (repo-config/),
// *.repo files from reposdir, variables, --setopt and --repofrompath.
#pragma once
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "yumda/fetch.hpp"
#include "yumda/link_mode.hpp"
#include "yumda/reporter.hpp"

namespace yumda {

// Seconds; kNever for metadata_expire=never (or -1).
constexpr long kNever = -1;

// How the built-in default configuration (repo-config/, compiled into the
// binary) is named: MainConfig::config_file is "<built-in>", a reposdir that
// refers to the built-in repos.d is "<built-in>/repos.d", and a repo from it
// has origin "<built-in>/repos.d/lambda2.repo:LINE".
inline constexpr const char* kBuiltinConfig = "<built-in>";

// Whether a repo's packages are relocated into the layer (relocate=): kAuto
// moves a package whose payload has files outside /opt (stock /usr packages)
// and leaves /opt-built ones exactly as they are; kAlways also rewrites the
// compiled-in paths of /opt-built packages; kNever installs only what lies
// under /opt and leaves the rest out, with a warning.
enum class Relocate { kAuto, kAlways, kNever };

struct RepoConfig {
  std::string id;
  std::string name;
  std::vector<std::string> baseurls;  // variables expanded; tried in order
  std::string mirrorlist;
  bool enabled = true;
  bool gpgcheck = false;
  bool repo_gpgcheck = false;
  std::vector<std::string> gpgkeys;  // URLs, variables expanded
  int priority = 99;
  int cost = 1000;
  std::vector<std::string> excludepkgs;  // globs
  std::vector<std::string> includepkgs;  // globs; empty = all
  bool skip_if_unavailable = false;
  long metadata_expire = 48 * 3600;
  bool sslverify = true;
  long timeout = 30;  // seconds
  int retries = 10;
  std::string s3_endpoint;
  Relocate relocate = Relocate::kAuto;  // relocate=; inherits [main]'s
  std::string origin;  // "FILE:LINE" of the section header, for messages
};

struct MainConfig {
  std::string cachedir;  // default $XDG_CACHE_HOME/yumda or ~/.cache/yumda
  // Directories of *.repo files, absolute, in the order given. A relative
  // reposdir value is relative to the config file's directory; for the
  // built-in config that is the built-in repo-config/, so "repos.d" becomes
  // "<built-in>/repos.d" (any config may name that directory too).
  std::vector<std::string> reposdir;
  bool gpgcheck = true;
  bool repo_gpgcheck = false;
  // The Lambda runtime profile (runtime.hpp): al2023, al2 or al1. load_config
  // takes baseline, releasever and relocate from it unless they are set.
  std::string runtime = "al2023";
  std::string baseline = "al2";  // name (al2023, al2, al1, none) or file path
  std::string arch = "x86_64";   // $basearch: x86_64 or aarch64 (amd64/arm64 are read as these)
  std::string releasever = "2";
  bool install_weak_deps = false;
  // yumda's own: resolve installs against only the packages the request can
  // reach, from each repo's dep index (0: load whole repos, to compare).
  bool dep_index = true;
  int max_parallel_downloads = 8;
  bool keepcache = false;
  LinkMode link_mode = LinkMode::kCopy;  // how a warm install places files from the expanded cache
  bool nodocs = false;     // tsflags=nodocs
  bool noscripts = false;  // tsflags=noscripts: %post scriptlets are not run
  std::vector<std::string> excludepkgs;
  // dnf's includepkgs in [main]: when set, only packages matching one of these
  // globs are seen, in every repo (a repo's own includepkgs filter as well).
  std::vector<std::string> includepkgs;
  long metadata_expire = 48 * 3600;
  long timeout = 30;
  int retries = 10;
  bool sslverify = true;
  bool skip_if_unavailable = false;  // default for repos
  Relocate relocate = Relocate::kAuto;  // default for repos
  // --relocate OLD=NEW (and relocate_rules=OLD=NEW,... in [main]): extra or
  // overriding path rules, OLD absolute ("/usr/lib/foo"), NEW relative to the
  // layer root ("lib/foo"), as rpm --relocate.
  std::vector<std::pair<std::string, std::string>> relocate_rules;
  // remove: also the dependencies nothing needs any more (dnf's default).
  bool clean_requirements_on_remove = true;
  // remove: names or globs of layer packages never removed (dnf refuses the
  // whole transaction when one would go).
  std::vector<std::string> protected_packages;
  // Install-only packages (dnf's installonlypkgs: provides, dnf's default list
  // and what [main] adds): a new version goes in beside the old ones, and the
  // oldest beyond installonly_limit (0: no limit; 1 is refused, as dnf) go.
  std::vector<std::string> installonlypkgs = {"kernel", "kernel-PAE", "installonlypkg(kernel)",
                                              "installonlypkg(kernel-module)", "installonlypkg(vm)",
                                              "multiversion(kernel)"};
  int installonly_limit = 3;
  // dnf's best: install and upgrade take the newest candidate or fail (on),
  // or fall back to an older one that can be installed (off, libdnf's default).
  bool best = false;
  // dnf's strict: off (dnf's skip_broken) skips a spec that matches nothing
  // and packages whose dependencies cannot be met, saying so, instead of failing.
  bool strict = true;
  std::string config_file;  // where [main] came from ("<built-in>" for the default)
};

struct Config {
  MainConfig main;
  std::vector<RepoConfig> repos;  // every configured repo, enabled or not, in file order
  std::vector<const RepoConfig*> enabled_repos() const;
  const RepoConfig* find_repo(const std::string& id) const;
};

// A repo added by --repofrompath ID,URL or by yumda.toml's [[repo]].
struct RepoFromPath {
  std::string id;
  std::string url;                     // a path is read as file://ABSOLUTE-PATH
  std::vector<std::string> more_urls{};  // tried after URL (yumda.toml's further baseurls)
  std::optional<bool> gpgcheck{};      // unset: [main]'s gpgcheck, as dnf's --repofrompath
  std::vector<std::string> gpgkeys{};
};

// What the command line says about configuration, applied in dnf's order.
struct ConfigOptions {
  // -c; else /etc/yumda/yumda.conf, else built-in. "<built-in>" names the built-in one.
  std::optional<std::string> config_file;
  std::vector<RepoFromPath> repofrompath;
  // --enablerepo (true) / --disablerepo (false) globs, in the order given.
  std::vector<std::pair<bool, std::string>> repo_toggles;
  std::vector<std::string> only_repos;  // --repo ID (globs): only these
  std::vector<std::string> setopts;     // KEY=VAL or REPOID.KEY=VAL
  std::optional<std::string> runtime;  // --runtime
  std::optional<std::string> releasever;
  std::optional<std::string> arch;
  std::optional<std::string> baseline;
  std::optional<std::string> cachedir;
  std::vector<std::string> relocate_rules;  // --relocate OLD=NEW, added after the config's
  bool nodocs = false;                      // --nodocs: as tsflags=nodocs, whatever tsflags says
  bool nogpgcheck = false;                  // --nogpgcheck: gpgcheck and repo_gpgcheck off in every repo
  bool refresh = false;                     // --refresh: every repo's metadata counts as expired
  std::vector<std::string> excludes;        // -x/--exclude: added to [main]'s excludepkgs
  std::optional<bool> best;                 // --best / --nobest
  bool skip_broken = false;                 // --skip-broken: strict=0
  bool source_repos = false;                // download --source: each enabled ID's ID-source repo too
  std::string system_config = "/etc/yumda/yumda.conf";  // overridable for tests
};

// Loads and validates everything; throws UsageError with "FILE:LINE: ..." for a
// line the parser does not understand, an unknown key or a bad value.
//
// Order (dnf's): the config file ([main] and any repo sections), main-key
// --setopt, the --runtime/--releasever/--arch/--baseline/--cachedir options,
// the runtime profile's baseline/releasever/relocate where none of those set
// them (and its architectures, which arch must be one of), the *.repo
// files of each reposdir (sorted by name), --repofrompath repos, REPOID.KEY
// --setopt (REPOID may be a glob), --repo (as --disablerepo='*' plus
// --enablerepo=ID, applied first), then --enablerepo/--disablerepo in order,
// then (source_repos) the ID-source repo of each enabled repo ID, as dnf's
// download --source.
// Variables ($basearch, $arch, $releasever, $runtime, ${name}, and NAME from
// <config dir>/vars/NAME or $YUMDA_VAR_NAME) are expanded in repo names, URLs,
// gpgkey, cachedir and reposdir. URLs of enabled repos must have a scheme (file://,
// http://, https://, s3://) and no undefined variable. What the user should
// hear about but does not stop the job ("FILE:LINE: 'debuglevel' is a yum/dnf
// option yumda does not use", a reposdir that does not exist, a --disablerepo
// glob that matches nothing) goes to REPORTER's warning(), once the config
// has loaded.
Config load_config(const ConfigOptions& options, Reporter& reporter = null_reporter());

// The public key that a gpgkey URL of the built-in repos refers to, when it is
// not installed: for URL file:///etc/yumda/NAME, if that file does not exist on
// disk and repo-config/NAME is built into the binary, returns its text (the
// armored key); otherwise nullopt and the caller reads the URL as usual. So the
// built-in lambda2 repo verifies signatures with no install step, while a key
// an admin put in /etc/yumda always wins.
std::optional<std::string> builtin_key_for_url(const std::string& url);

// A download made for REPO (metadata, mirrorlist, key, package): it carries
// the repo's s3_endpoint=, timeout=, retries= and sslverify=, which win over
// the Fetcher's [main] ones.
FetchItem repo_fetch_item(const RepoConfig& repo);

// "OLD=NEW" of --relocate -> (OLD, NEW relative to the layer root):
// "/usr/lib/foo=/opt/lib/foo" and "/usr/lib/foo=lib/foo" both give
// ("/usr/lib/foo", "lib/foo"). Throws UsageError on anything else.
std::pair<std::string, std::string> parse_relocate_rule(const std::string& rule);

// "30", "10m", "2h", "1d", "never" / "-1" -> seconds (kNever).
long parse_duration(const std::string& text);

}  // namespace yumda
