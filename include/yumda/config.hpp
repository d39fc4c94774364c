// Configuration with yum.conf/dnf semantics: [main] plus repo sections, from
// the -c file, /etc/yumda/yumda.conf or the built-in default (repo-config/),
// *.repo files from reposdir, variables, --setopt and --repofrompath.
#pragma once
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace yumda {

// Seconds; kNever for metadata_expire=never (or -1).
constexpr long kNever = -1;

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
  std::string origin;  // "FILE:LINE" of the section header, for messages
};

struct MainConfig {
  std::string cachedir;  // default $XDG_CACHE_HOME/yumda or ~/.cache/yumda
  std::vector<std::string> reposdir;  // directories of *.repo files
  bool gpgcheck = true;
  bool repo_gpgcheck = false;
  std::string baseline = "al2";  // name (al2, al1, none) or file path
  std::string arch = "x86_64";   // $basearch
  std::string releasever = "2";
  bool install_weak_deps = false;
  int max_parallel_downloads = 8;
  bool keepcache = false;
  bool nodocs = false;  // tsflags=nodocs
  std::vector<std::string> excludepkgs;
  long metadata_expire = 48 * 3600;
  long timeout = 30;
  int retries = 10;
  bool sslverify = true;
  std::string config_file;  // where [main] came from ("<built-in>" for the default)
};

struct Config {
  MainConfig main;
  std::vector<RepoConfig> repos;  // every configured repo, enabled or not, in file order

  std::vector<const RepoConfig*> enabled_repos() const;
  const RepoConfig* find_repo(const std::string& id) const;
};

// What the command line says about configuration, applied in dnf's order.
struct ConfigOptions {
  std::optional<std::string> config_file;  // -c; else /etc/yumda/yumda.conf, else built-in
  std::vector<std::pair<std::string, std::string>> repofrompath;  // (id, url)
  // --enablerepo (true) / --disablerepo (false) globs, in the order given.
  std::vector<std::pair<bool, std::string>> repo_toggles;
  std::vector<std::string> only_repos;  // --repo ID (globs): only these
  std::vector<std::string> setopts;     // KEY=VAL or REPOID.KEY=VAL
  std::optional<std::string> releasever;
  std::optional<std::string> arch;
  std::optional<std::string> baseline;
  std::optional<std::string> cachedir;
  std::string system_config = "/etc/yumda/yumda.conf";  // overridable for tests
};

// Loads and validates everything; throws UsageError with "FILE:LINE: ..." for a
// line the parser does not understand, an unknown key or a bad value.
Config load_config(const ConfigOptions& options);

// "30", "10m", "2h", "1d", "never" / "-1" -> seconds (kNever).
long parse_duration(const std::string& text);

}  // namespace yumda
