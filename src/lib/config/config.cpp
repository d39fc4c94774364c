// load_config: dnf's configuration semantics over yumda's files. See
// include/yumda/config.hpp for the order in which sources apply.
#include "yumda/config.hpp"

#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>

#include "config/config_files.hpp"
#include "config/ini.hpp"
#include "config/values.hpp"
#include "yumda/error.hpp"
#include "yumda/fs.hpp"
#include "yumda/runtime.hpp"

extern char** environ;

namespace yumda {

namespace {

namespace fs = std::filesystem;
using config_values::Vars;
namespace cf = config_files;
namespace cv = config_values;

// yum/dnf options that do not change what yumda does (logging, plugins,
// ...). Accepted so stock files load, and reported.
const std::set<std::string> kIgnoredMain = {
    "debuglevel", "errorlevel", "logfile", "logdir", "exactarch", "obsoletes", "plugins",
    "distroverpkg",
    "color", "diskspacecheck", "history_record", "protected_multilib", "multilib_policy",
    "deltarpm", "fastestmirror", "mirrorlist_expire", "persistdir", "group_package_types"};
const std::set<std::string> kIgnoredRepo = {"mirrorlist_expire", "report_instanceid", "fastestmirror_enabled",
                                            "deltarpm", "type", "module_hotfixes", "countme"};

const char* const kMainKeys =
    "cachedir, reposdir, runtime, gpgcheck, repo_gpgcheck, baseline, arch, releasever, install_weak_deps, dep_index, "
    "max_parallel_downloads, keepcache, link_mode, tsflags, excludepkgs, includepkgs, metadata_expire, timeout, retries, sslverify, "
    "skip_if_unavailable, relocate, relocate_rules, clean_requirements_on_remove, protected_packages, installonlypkgs, "
    "installonly_limit, best, strict, skip_broken";
const char* const kRepoKeys =
    "name, baseurl, mirrorlist, enabled, priority, cost, excludepkgs, includepkgs, skip_if_unavailable, "
    "metadata_expire, gpgcheck, repo_gpgcheck, gpgkey, sslverify, timeout, retries, s3_endpoint, relocate";

const char* const kProxyFix =
    "proxies are not read from the config (set https_proxy / http_proxy / no_proxy in the environment; "
    "libcurl uses them)";

std::string canonical_key(const std::string& key) {
  if (key == "exclude") return "excludepkgs";
  return key;
}

bool valid_repo_id(const std::string& id) {
  return !id.empty() && std::all_of(id.begin(), id.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == ':';
  });
}

long parse_timeout(const std::string& value) {
  long t = parse_duration(value);
  if (t <= 0) throw UsageError("timeout '" + value + "' must be at least 1 second (e.g. 30 or 2m)");
  return t;
}

Relocate parse_relocate(const std::string& value) {
  if (value == "auto") return Relocate::kAuto;
  if (value == "always") return Relocate::kAlways;
  if (value == "never") return Relocate::kNever;
  throw UsageError("bad value '" + value + "' (use auto, always or never)");
}

LinkMode parse_link_mode(const std::string& value) {
  if (value == "copy") return LinkMode::kCopy;
  if (value == "reflink") return LinkMode::kReflink;
  if (value == "hardlink") return LinkMode::kHardlink;
  throw UsageError("bad value '" + value + "' (use copy, reflink or hardlink)");
}

}  // namespace

std::pair<std::string, std::string> parse_relocate_rule(const std::string& rule) {
  auto eq = rule.find('=');
  std::string from = rule.substr(0, eq), to = eq == std::string::npos ? "" : rule.substr(eq + 1);
  auto clean = [](std::string p) {
    while (p.size() > 1 && p.back() == '/') p.pop_back();
    return p;
  };
  from = clean(from);
  to = clean(to);
  if (to.rfind("/opt/", 0) == 0) to = to.substr(5);
  else if (to == "/opt") to = "";
  auto bad_part = [](const std::string& p) {
    return p.find("/../") != std::string::npos || p.find("/./") != std::string::npos || p == ".." ||
           p.rfind("../", 0) == 0 || (p.size() >= 3 && p.compare(p.size() - 3, 3, "/..") == 0) ||
           p.find('\0') != std::string::npos;
  };
  if (eq == std::string::npos || from.empty() || from[0] != '/' || from == "/" || (!to.empty() && to[0] == '/') ||
      bad_part(from) || bad_part("/" + to))
    throw UsageError("bad relocation rule '" + rule +
                     "' (give OLD=NEW with OLD an absolute path and NEW under /opt, e.g. /usr/lib/foo=/opt/lib/foo)");
  return {from, to};
}

namespace {

// Runs FN, prefixing any UsageError with "WHERE: KEY".
template <typename Fn>
void with_origin(const std::string& where, const std::string& key, Fn&& fn) {
  try {
    fn();
  } catch (const UsageError& e) {
    throw UsageError(where + ": " + key + ": " + e.what());
  }
}

std::string default_cachedir() {
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && xdg[0] == '/') return std::string(xdg) + "/yumda";
  const char* home = std::getenv("HOME");
  if (!home || !*home) {
    const passwd* pw = getpwuid(getuid());
    home = pw ? pw->pw_dir : nullptr;
  }
  if (!home || !*home) throw UsageError("cannot find a cache directory: HOME is not set (use --cachedir DIR)");
  return std::string(home) + "/.cache/yumda";
}

// Applies one [main] KEY=VALUE; relative reposdir values resolve against BASE.
void apply_main(MainConfig& m, const std::string& key, const std::string& value, const std::string& where,
                const std::string& base, std::vector<std::string>& warnings) {
  with_origin(where, key, [&] {
    const std::string k = canonical_key(key);
    if (k == "cachedir") m.cachedir = value;
    else if (k == "reposdir") {
      m.reposdir.clear();
      for (const auto& d : cv::split_list(value)) m.reposdir.push_back(cf::resolve_dir(d, base));
    } else if (k == "gpgcheck") m.gpgcheck = cv::parse_bool(value);
    else if (k == "repo_gpgcheck") m.repo_gpgcheck = cv::parse_bool(value);
    else if (k == "baseline" || k == "releasever") {
      if (value.empty() || value.find_first_of(" \t\n") != std::string::npos)
        throw UsageError("bad value '" + value + "' (give one word, e.g. " + (k == "baseline" ? "al2023" : "latest") +
                         ")");
      (k == "baseline" ? m.baseline : m.releasever) = value;
    } else if (k == "arch") m.arch = canonical_arch(value);
    else if (k == "runtime") m.runtime = load_runtime(value).id;
    else if (k == "install_weak_deps") m.install_weak_deps = cv::parse_bool(value);
    else if (k == "dep_index") m.dep_index = cv::parse_bool(value);
    else if (k == "max_parallel_downloads") m.max_parallel_downloads = static_cast<int>(cv::parse_int(value, 1, 20));
    else if (k == "keepcache") m.keepcache = cv::parse_bool(value);
    else if (k == "link_mode") m.link_mode = parse_link_mode(value);
    else if (k == "tsflags") {
      m.nodocs = m.noscripts = false;
      for (const auto& f : cv::split_list(value)) {
        if (f == "nodocs") m.nodocs = true;
        else if (f == "noscripts") m.noscripts = true;
        else throw UsageError("unsupported flag '" + f + "' (yumda knows tsflags=nodocs and noscripts)");
      }
    } else if (k == "excludepkgs") m.excludepkgs = cv::split_list(value);
    else if (k == "includepkgs") m.includepkgs = cv::split_list(value);
    else if (k == "metadata_expire") m.metadata_expire = parse_duration(value);
    else if (k == "timeout") m.timeout = parse_timeout(value);
    else if (k == "retries") m.retries = static_cast<int>(cv::parse_int(value, 0, 1000));
    else if (k == "sslverify") m.sslverify = cv::parse_bool(value);
    else if (k == "skip_if_unavailable") m.skip_if_unavailable = cv::parse_bool(value);
    else if (k == "relocate") m.relocate = parse_relocate(value);
    else if (k == "relocate_rules") {
      m.relocate_rules.clear();
      for (const auto& rule : cv::split_list(value)) m.relocate_rules.push_back(parse_relocate_rule(rule));
    } else if (k == "clean_requirements_on_remove") m.clean_requirements_on_remove = cv::parse_bool(value);
    else if (k == "protected_packages") m.protected_packages = cv::split_list(value);
    else if (k == "installonlypkgs") {
      for (const auto& p : cv::split_list(value))  // added to dnf's list, as dnf does
        if (std::find(m.installonlypkgs.begin(), m.installonlypkgs.end(), p) == m.installonlypkgs.end())
          m.installonlypkgs.push_back(p);
    } else if (k == "installonly_limit") {
      long n = cv::parse_int(value, 0, 1000000);
      if (n == 1)
        throw UsageError("bad value '1' (dnf refuses 1: give 0 for no limit, or 2 or more; the default is 3)");
      m.installonly_limit = static_cast<int>(n);
    } else if (k == "best") m.best = cv::parse_bool(value);
    else if (k == "strict") m.strict = cv::parse_bool(value);
    else if (k == "skip_broken") m.strict = !cv::parse_bool(value);  // dnf 4's name for strict=0
    else if (k.rfind("proxy", 0) == 0)
      throw UsageError(kProxyFix);
    else if (kIgnoredMain.count(k))
      warnings.push_back(where + ": '" + k + "' is a yum/dnf option yumda does not use (ignored)");
    else
      throw UsageError("unknown option in [main] (yumda reads: " + std::string(kMainKeys) + ")");
  });
}

// A repo being built, with where each URL key was set, for messages.
struct RepoDraft {
  RepoConfig repo;
  std::map<std::string, std::string> key_origin;
};

void apply_repo(RepoDraft& d, const std::string& key, const std::string& value, const std::string& where,
                const Vars& vars, std::vector<std::string>& warnings) {
  with_origin(where, key, [&] {
    RepoConfig& r = d.repo;
    const std::string k = canonical_key(key);
    d.key_origin[k] = where;
    if (k == "name") r.name = cv::expand(value, vars);
    else if (k == "baseurl") {
      r.baseurls.clear();
      for (const auto& u : cv::split_list(value)) r.baseurls.push_back(cv::expand(u, vars));
    } else if (k == "mirrorlist") r.mirrorlist = cv::expand(value, vars);
    else if (k == "enabled") r.enabled = cv::parse_bool(value);
    else if (k == "priority") r.priority = static_cast<int>(cv::parse_int(value, 1, 99));
    else if (k == "cost") r.cost = static_cast<int>(cv::parse_int(value, 0, 1000000));
    else if (k == "excludepkgs") r.excludepkgs = cv::split_list(value);
    else if (k == "includepkgs") r.includepkgs = cv::split_list(value);
    else if (k == "skip_if_unavailable") r.skip_if_unavailable = cv::parse_bool(value);
    else if (k == "metadata_expire") r.metadata_expire = parse_duration(value);
    else if (k == "gpgcheck") r.gpgcheck = cv::parse_bool(value);
    else if (k == "repo_gpgcheck") r.repo_gpgcheck = cv::parse_bool(value);
    else if (k == "gpgkey") {
      r.gpgkeys.clear();
      for (const auto& u : cv::split_list(value)) r.gpgkeys.push_back(cv::expand(u, vars));
    } else if (k == "sslverify") r.sslverify = cv::parse_bool(value);
    else if (k == "timeout") r.timeout = parse_timeout(value);
    else if (k == "retries") r.retries = static_cast<int>(cv::parse_int(value, 0, 1000));
    else if (k == "s3_endpoint") r.s3_endpoint = cv::expand(value, vars);
    else if (k == "relocate") r.relocate = parse_relocate(value);
    else if (k.rfind("proxy", 0) == 0)
      throw UsageError(kProxyFix);
    else if (k == "metalink")
      throw UsageError("metalink is not supported (use baseurl= or mirrorlist=)");
    else if (kIgnoredRepo.count(k))
      warnings.push_back(where + ": '" + k + "' is a yum/dnf option yumda does not use (ignored)");
    else
      throw UsageError("unknown option in [" + r.id + "] (yumda reads: " + std::string(kRepoKeys) + ")");
  });
}

RepoDraft new_repo(const std::string& id, const std::string& origin, const MainConfig& m) {
  if (!valid_repo_id(id))
    throw UsageError(origin + ": bad repo id '" + id + "' (use letters, digits and - _ . : only)");
  RepoDraft d;
  RepoConfig& r = d.repo;
  r.id = id;
  r.origin = origin;
  // Options a repo inherits from [main] when it does not set them (as dnf).
  r.gpgcheck = m.gpgcheck;
  r.repo_gpgcheck = m.repo_gpgcheck;
  r.metadata_expire = m.metadata_expire;
  r.timeout = m.timeout;
  r.retries = m.retries;
  r.sslverify = m.sslverify;
  r.skip_if_unavailable = m.skip_if_unavailable;
  r.relocate = m.relocate;
  return d;
}

// Adds the repo sections of one parsed file.
void add_repo_sections(std::vector<RepoDraft>& drafts, const std::vector<ini::Section>& sections,
                       const MainConfig& m, const Vars& vars, std::vector<std::string>& warnings) {
  for (const auto& s : sections) {
    const std::string id = cv::expand(s.name, vars);  // dnf expands variables in ids too
    for (const auto& d : drafts)
      if (d.repo.id == id)
        throw UsageError(s.origin + ": repo id '" + id + "' is already defined at " + d.repo.origin +
                         " (rename one or remove the copy)");
    RepoDraft d = new_repo(id, s.origin, m);
    std::map<std::string, std::string> seen;
    for (const auto& e : s.entries) {
      auto [it, fresh] = seen.emplace(canonical_key(e.key), e.origin);
      if (!fresh)
        throw UsageError(e.origin + ": '" + e.key + "' is already set at " + it->second + " (keep one)");
      apply_repo(d, e.key, e.value, e.origin, vars, warnings);
    }
    if (d.repo.name.empty()) d.repo.name = d.repo.id;
    drafts.push_back(std::move(d));
  }
}

std::string repo_ids(const std::vector<RepoDraft>& drafts) {
  std::string out;
  for (const auto& d : drafts) out += (out.empty() ? "" : ", ") + d.repo.id;
  return out.empty() ? "none configured" : out;
}

// "KEY=VAL" -> (KEY, VAL); throws naming the --setopt.
std::pair<std::string, std::string> split_setopt(const std::string& opt) {
  size_t eq = opt.find('=');
  if (eq == std::string::npos || eq == 0)
    throw UsageError("--setopt " + opt + ": expected KEY=VALUE or REPOID.KEY=VALUE");
  return {opt.substr(0, eq), opt.substr(eq + 1)};
}

// How to define an undefined variable VAR ("$name" or "${name").
std::string define_hint(const std::string& var, const std::string& vars_dir) {
  const std::string name = var.substr(var.find_first_not_of("${"));
  if (cf::is_builtin(vars_dir)) return "set YUMDA_VAR_" + name + "=VALUE";
  return "create " + cf::join(vars_dir, name) + " or set YUMDA_VAR_" + name + "=VALUE";
}

// Scheme, variables and presence of the URLs of an enabled repo.
void check_urls(const RepoDraft& d, const std::string& vars_dir) {
  const RepoConfig& r = d.repo;
  auto origin = [&](const std::string& key) {
    auto it = d.key_origin.find(key);
    return it == d.key_origin.end() ? r.origin : it->second;
  };
  if (r.baseurls.empty() && r.mirrorlist.empty())
    throw UsageError(r.origin + ": repo '" + r.id + "' has no baseurl or mirrorlist (add baseurl=https://... or disable it)");
  // Caught here, before any download: repomd.xml.asc is checked against gpgkey= keys only.
  if (r.repo_gpgcheck && r.gpgkeys.empty())
    throw UsageError(origin("repo_gpgcheck") + ": repo '" + r.id + "' has repo_gpgcheck=1 but no gpgkey= to check "
                     "its repomd.xml signature with (add gpgkey=URL of the key that signs it, or set repo_gpgcheck=0)");
  auto check = [&](const std::string& key, const std::string& url) {
    if (std::string v = cv::first_unexpanded(url); !v.empty())
      throw UsageError(origin(key) + ": " + key + " '" + url + "' uses " + v + ", which is not defined (" +
                       define_hint(v, vars_dir) + ")");
    size_t colon = url.find("://");
    if (colon == std::string::npos)
      throw UsageError(origin(key) + ": " + key + " '" + url +
                       "' has no scheme (write file:///absolute/path or https://host/path)");
    std::string scheme = url.substr(0, colon);
    std::transform(scheme.begin(), scheme.end(), scheme.begin(), [](unsigned char c) { return std::tolower(c); });
    if (scheme != "file" && scheme != "http" && scheme != "https" && scheme != "s3")
      throw UsageError(origin(key) + ": " + key + " '" + url +
                       "' has an unsupported scheme (yumda fetches file://, http://, https:// and s3://)");
  };
  for (const auto& u : r.baseurls) check("baseurl", u);
  if (!r.mirrorlist.empty()) check("mirrorlist", r.mirrorlist);
  for (const auto& u : r.gpgkeys) check("gpgkey", u);
}

}  // namespace

std::vector<const RepoConfig*> Config::enabled_repos() const {
  std::vector<const RepoConfig*> out;
  for (const auto& r : repos)
    if (r.enabled) out.push_back(&r);
  return out;
}

const RepoConfig* Config::find_repo(const std::string& id) const {
  for (const auto& r : repos)
    if (r.id == id) return &r;
  return nullptr;
}

Config load_config(const ConfigOptions& options, Reporter& reporter) {
  Config cfg;
  std::vector<std::string> warnings;  // reported once the whole config has loaded
  MainConfig& m = cfg.main;

  // 1. Which file: -c, else the system file when present, else built-in.
  std::string path;
  if (options.config_file) {
    path = *options.config_file;
    if (path == kBuiltinConfig) path = cf::join(path, "yumda.conf");  // -c '<built-in>'
    if (!cf::is_builtin(path)) {
      path = fs::absolute(path).lexically_normal().string();
      if (!path_exists(path)) throw UsageError("config file " + path + " does not exist (check -c)");
    }
  } else if (path_exists(options.system_config)) {
    path = fs::absolute(options.system_config).lexically_normal().string();
  } else {
    path = std::string(kBuiltinConfig) + "/yumda.conf";
  }
  const bool builtin = cf::is_builtin(path);
  const std::string config_dir = builtin ? std::string(kBuiltinConfig) : fs::path(path).parent_path().string();
  m.config_file = builtin ? std::string(kBuiltinConfig) : path;
  m.reposdir = {cf::join(config_dir, "repos.d")};  // the default, like dnf's /etc/yum.repos.d
  bool reposdir_default = true;

  const auto sections = ini::parse(cf::read_text(path, "config file"), path);

  // 2. [main], then main-key --setopt (before reposdir is read, as dnf).
  // SET_HERE: the keys a runtime profile gives defaults for that are set
  // (with where), so the profile leaves them alone.
  std::map<std::string, std::string> set_here;
  auto note = [&](const std::string& key, const std::string& where) {
    const std::string k = canonical_key(key);
    if (k == "baseline" || k == "releasever" || k == "relocate") set_here[k] = where;
  };
  std::vector<ini::Section> repo_sections;
  for (const auto& s : sections) {
    if (s.name != "main") {
      repo_sections.push_back(s);
      continue;
    }
    std::map<std::string, std::string> seen;
    for (const auto& e : s.entries) {
      auto [it, fresh] = seen.emplace(canonical_key(e.key), e.origin);
      if (!fresh) throw UsageError(e.origin + ": '" + e.key + "' is already set at " + it->second + " (keep one)");
      if (canonical_key(e.key) == "reposdir") reposdir_default = false;
      apply_main(m, e.key, e.value, e.origin, config_dir, warnings);
      note(e.key, e.origin);
    }
  }
  const std::string cwd = fs::current_path().string();
  for (const auto& opt : options.setopts) {
    auto [key, value] = split_setopt(opt);
    if (key.find('.') != std::string::npos) continue;  // a repo option, applied later
    if (canonical_key(key) == "reposdir") reposdir_default = false;
    apply_main(m, key, value, "--setopt " + opt, cwd, warnings);
    note(key, "--setopt " + opt);
  }

  // 3. Command-line options beat every file.
  if (options.runtime) apply_main(m, "runtime", *options.runtime, "--runtime", cwd, warnings);
  if (options.releasever) apply_main(m, "releasever", *options.releasever, "--releasever", cwd, warnings);
  if (options.arch) apply_main(m, "arch", *options.arch, "--arch", cwd, warnings);
  if (options.baseline) apply_main(m, "baseline", *options.baseline, "--baseline", cwd, warnings);
  for (const auto& rule : options.relocate_rules) {
    try {
      m.relocate_rules.push_back(parse_relocate_rule(rule));
    } catch (const UsageError& e) {
      throw UsageError(std::string("--relocate: ") + e.what());
    }
  }
  if (options.cachedir) m.cachedir = *options.cachedir;
  if (options.nodocs) m.nodocs = true;
  if (options.best) m.best = *options.best;
  if (options.skip_broken) m.strict = false;
  // dnf's -x: added to what the config excludes, in every repo.
  m.excludepkgs.insert(m.excludepkgs.end(), options.excludes.begin(), options.excludes.end());
  if (options.releasever) note("releasever", "--releasever");
  if (options.baseline) note("baseline", "--baseline");

  // 3b. The runtime profile: defaults for what nothing above set.
  const RuntimeProfile profile = load_runtime(m.runtime);
  for (const auto& [key, value] : {std::pair{"baseline", profile.baseline}, std::pair{"releasever", profile.releasever},
                                   std::pair{"relocate", profile.relocate}}) {
    auto it = set_here.find(key);
    if (it == set_here.end()) {
      if (!value.empty()) apply_main(m, key, value, profile.source, cwd, warnings);
    } else if (options.runtime && it->second.rfind("--", 0) != 0) {
      warnings.push_back(it->second + ": " + key + " is set here, so --runtime " + m.runtime + " does not change it");
    }
  }
  if (!profile.has_arch(m.arch)) {
    std::string archs;
    for (const auto& a : profile.architectures) archs += (archs.empty() ? "" : ", ") + a;
    throw UsageError("runtime " + m.runtime + " has no " + m.arch + " Lambda runtime (its architectures: " + archs +
                     "); choose another --arch or --runtime");
  }

  // 4. Variables: built-in ones, then vars/ next to the config, then YUMDA_VAR_*.
  const std::string vars_dir = cf::join(config_dir, "vars");
  Vars vars = cf::read_vars_dir(config_dir, warnings);
  for (char** env = environ; env && *env; ++env) {
    std::string e = *env;
    if (e.rfind("YUMDA_VAR_", 0) != 0 || e.find('=') == std::string::npos) continue;
    vars[e.substr(10, e.find('=') - 10)] = e.substr(e.find('=') + 1);
  }
  for (std::string fixed : {"arch", "basearch", "releasever", "runtime"})
    if (vars.count(fixed)) {
      const std::string key = fixed == "basearch" ? "arch" : fixed;
      throw UsageError("variable $" + fixed + " is set in " + vars_dir + "/" + fixed + " or YUMDA_VAR_" + fixed +
                       " (set " + key + " in [main] or with --" + key + " instead)");
    }
  vars["arch"] = vars["basearch"] = m.arch;
  vars["releasever"] = m.releasever;
  vars["runtime"] = m.runtime;
  for (auto& dir : m.reposdir) {
    dir = cv::expand(dir, vars);
    if (std::string v = cv::first_unexpanded(dir); !v.empty())
      throw UsageError("reposdir '" + dir + "' uses " + v + ", which is not defined (" + define_hint(v, vars_dir) + ")");
  }

  m.cachedir = m.cachedir.empty() ? default_cachedir() : cv::expand(m.cachedir, vars);
  if (std::string v = cv::first_unexpanded(m.cachedir); !v.empty())
    throw UsageError("cachedir '" + m.cachedir + "' uses " + v + ", which is not defined (" +
                     define_hint(v, vars_dir) + ")");
  if (!m.cachedir.empty() && m.cachedir[0] != '/') m.cachedir = fs::absolute(m.cachedir).lexically_normal().string();

  // 5. Repos: the config file's own sections, then each reposdir's *.repo files.
  std::vector<RepoDraft> drafts;
  add_repo_sections(drafts, repo_sections, m, vars, warnings);
  for (const auto& dir : m.reposdir) {
    if (!cf::dir_exists(dir)) {
      if (path_exists(dir)) throw UsageError("reposdir " + dir + " is not a directory (fix reposdir=)");
      if (!reposdir_default) warnings.push_back("reposdir " + dir + " does not exist");
      continue;
    }
    for (const auto& file : cf::repo_files(dir)) {
      auto file_sections = ini::parse(cf::read_text(file, "repo file"), file);
      for (const auto& s : file_sections)
        if (s.name == "main")
          throw UsageError(s.origin + ": [main] belongs in the config file, not in a .repo file (move it to " +
                           m.config_file + ")");
      add_repo_sections(drafts, file_sections, m, vars, warnings);
    }
  }

  // 6. --repofrompath ID,URL (and yumda.toml's repos): enabled; gpgcheck as given, else [main]'s (as
  //    dnf). repo_gpgcheck stays off: there is no gpgkey to check a repomd.xml signature with.
  auto as_url = [](const std::string& u) {
    return u.find("://") == std::string::npos ? "file://" + fs::absolute(u).lexically_normal().string() : u;
  };
  for (const auto& rp : options.repofrompath) {
    const std::string where = "--repofrompath " + rp.id + "," + rp.url;
    for (const auto& d : drafts)
      if (d.repo.id == rp.id)
        throw UsageError(where + ": repo id '" + rp.id + "' is already defined at " + d.repo.origin + " (pick another id)");
    RepoDraft d = new_repo(rp.id, where, m);
    d.repo.name = rp.id;
    d.repo.gpgcheck = rp.gpgcheck.value_or(m.gpgcheck);
    d.repo.repo_gpgcheck = false;
    if (rp.url.empty()) throw UsageError(where + ": no path or URL after the comma (write ID,PATH or ID,URL)");
    d.repo.baseurls = {cv::expand(as_url(rp.url), vars)};
    for (const auto& u : rp.more_urls) d.repo.baseurls.push_back(cv::expand(as_url(u), vars));
    for (const auto& k : rp.gpgkeys) d.repo.gpgkeys.push_back(cv::expand(k, vars));
    drafts.push_back(std::move(d));
  }

  // 7. REPOID.KEY=VALUE --setopt; REPOID is a glob and must match a repo.
  for (const auto& opt : options.setopts) {
    auto [key, value] = split_setopt(opt);
    size_t dot = key.rfind('.');
    if (dot == std::string::npos) continue;
    const std::string pattern = key.substr(0, dot), repo_key = key.substr(dot + 1);
    bool matched = false;
    for (auto& d : drafts)
      if (cv::glob_match(pattern, d.repo.id)) {
        apply_repo(d, repo_key, value, "--setopt " + opt, vars, warnings);
        matched = true;
      }
    if (!matched)
      throw UsageError("--setopt " + opt + ": no repo matches '" + pattern + "' (repos: " + repo_ids(drafts) + ")");
  }

  // 8. --repo (= --disablerepo='*' --enablerepo=ID), then --enablerepo/--disablerepo in order.
  std::vector<std::pair<bool, std::string>> toggles;
  if (!options.only_repos.empty()) {
    toggles.emplace_back(false, "*");
    for (const auto& id : options.only_repos) toggles.emplace_back(true, id);
  }
  toggles.insert(toggles.end(), options.repo_toggles.begin(), options.repo_toggles.end());
  for (const auto& [enable, pattern] : toggles) {
    bool matched = false;
    for (auto& d : drafts)
      if (cv::glob_match(pattern, d.repo.id)) {
        d.repo.enabled = enable;
        matched = true;
      }
    if (matched) continue;
    if (enable) throw UsageError("unknown repo '" + pattern + "' (repos: " + repo_ids(drafts) + ")");
    if (pattern != "*") warnings.push_back("--disablerepo " + pattern + ": no repo matches");
  }
  // A repo given on the command line is never disabled by the toggles (dnf:
  // "combine it with --repo=<repo> or --disablerepo='*' to see only it").
  for (auto& d : drafts)
    for (const auto& rp : options.repofrompath)
      if (d.repo.id == rp.id) d.repo.enabled = true;
  if (options.source_repos) {
    std::set<std::string> enabled;
    for (const auto& d : drafts)
      if (d.repo.enabled) enabled.insert(d.repo.id);
    for (auto& d : drafts)
      if (d.repo.id.ends_with("-source") && enabled.count(d.repo.id.substr(0, d.repo.id.size() - 7)))
        d.repo.enabled = true;
  }

  if (options.nogpgcheck) cfg.main.gpgcheck = cfg.main.repo_gpgcheck = false;  // command-line packages too
  for (auto& d : drafts) {
    // dnf's --nogpgcheck and --refresh beat every file and --setopt.
    if (options.nogpgcheck) d.repo.gpgcheck = d.repo.repo_gpgcheck = false;
    if (options.refresh) d.repo.metadata_expire = 0;
    if (d.repo.enabled) check_urls(d, vars_dir);
    cfg.repos.push_back(std::move(d.repo));
  }
  for (const auto& w : warnings) reporter.warning(w);
  return cfg;
}

FetchItem repo_fetch_item(const RepoConfig& repo) {
  FetchItem item;
  item.s3_endpoint = repo.s3_endpoint;
  item.timeout = repo.timeout;
  item.retries = repo.retries;
  item.sslverify = repo.sslverify;
  return item;
}

}  // namespace yumda
