#include "commands.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <fnmatch.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "console_reporter.hpp"
#include "summary.hpp"
#include "yumda/error.hpp"
#include "yumda/fs.hpp"
#include "yumda/install.hpp"
#include "yumda/layer.hpp"
#include "yumda/zip.hpp"
#include "yumda/check.hpp"
#include "yumda/sbom.hpp"
#include "yumda/build.hpp"
#include "yumda/lockfile.hpp"
#include "yumda/remove.hpp"
#include "yumda/runtime.hpp"
#include "yumda/scripts.hpp"
#include <filesystem>

namespace yumda::cli {

namespace {

using nlohmann::json;

// Runs BODY, turning library errors into one line on stderr and an exit code.
// With --json, stdout then gets exactly one document: the verb's own, or on
// an error {"error": {...}} in its place (a verb may fail after building its
// document, e.g. info finding nothing).
template <typename F>
void guarded(GlobalOptions& g, F&& body) {
  std::optional<std::string> error;
  try {
    body();
  } catch (const Error& e) {
    error = redact_urls(e.what());  // a baseurl's password never reaches the terminal or --json
    g.exit_code = e.exit_code();
  } catch (const std::exception& e) {
    error = redact_urls(e.what());
    g.exit_code = kExitError;
  }
  if (interrupt_requested()) g.exit_code = kExitInterrupted;
  if (error) spdlog::error("{}", printable(*error));  // a name's escape sequence never reaches the terminal raw
  if (!g.json) return;
  if (error) print_json_error(*error, g.exit_code);
  else std::cout << g.document << std::flush;
}

Config make_config(GlobalOptions& g) {
  ConfigOptions o = g.config;
  for (const auto& spec : g.repofrompath_raw) {
    auto comma = spec.find(',');
    if (comma == std::string::npos || comma == 0 || comma + 1 == spec.size())
      throw UsageError("--repofrompath takes ID,URL (e.g. --repofrompath local,file:///srv/repo), not '" + spec + "'");
    o.repofrompath.emplace_back(spec.substr(0, comma), spec.substr(comma + 1));
  }
  Config config = load_config(o);
  if (!g.quiet)
    for (const auto& w : config.warnings) spdlog::warn("{}", w);
  return config;
}

std::string layer_root(const GlobalOptions& g) {
  if (g.root) return *g.root;
  if (const char* env = std::getenv("YUMDA_ROOT"); env && *env) return env;
  if (g.yum_compat && is_directory("/lambda/opt")) return "/lambda/opt";
  return "layer";
}

json package_json(const Nevra& n) {
  return {{"name", n.name}, {"epoch", n.epoch.empty() ? "0" : n.epoch}, {"version", n.version},
          {"release", n.release}, {"arch", n.arch}, {"nevra", n.str()}};
}

// --json: the verb's result, printed by guarded() once the verb has finished.
void set_document(GlobalOptions& g, const json& j) { g.document = j.dump(2) + "\n"; }

// -y proceeds, --assumeno stops, a terminal is asked; anything else refuses.
// A declined transaction exits 1, as dnf.
bool confirm(GlobalOptions& g) {
  if (g.assumeno) {
    if (!g.json) std::cout << "Operation aborted.\n";
    g.exit_code = kExitError;
    return false;
  }
  if (g.assumeyes) return true;
  if (isatty(STDIN_FILENO) != 1)
    throw Error("not installing without confirmation: stdin is not a terminal; add -y to proceed");
  std::ostream& out = g.json ? std::cerr : std::cout;  // --json keeps stdout for the document
  out << "Is this ok [y/N]: " << std::flush;
  std::string answer;
  std::getline(std::cin, answer);
  if (answer == "y" || answer == "Y" || answer == "yes") return true;
  out << "Operation aborted.\n";
  g.exit_code = kExitError;
  return false;
}

json scripts_json(const std::vector<ScriptletResult>& scripts) {
  json j = json::array();
  for (const auto& s : scripts)
    j.push_back({{"package", s.package}, {"status", scriptlet_status_name(s.status)}, {"exit_code", s.exit_code},
                 {"detail", s.detail}});
  return j;
}

void print_scripts(const std::vector<ScriptletResult>& scripts) {
  for (const auto& s : scripts)
    if (s.status == ScriptletResult::Status::kSkipped)
      std::cout << "Scriptlet of " << s.package << " not run: " << s.detail << "\n";
}

// Stock packages: how many files each had moved under /opt and rewritten.
void print_relocations(const std::vector<InstalledPackage>& installed) {
  bool header = false;
  for (const auto& p : installed) {
    if (p.moved_from.empty()) continue;
    if (!header) std::cout << "\nRelocated to /opt (files moved, files rewritten):\n";
    header = true;
    std::cout << "  " << p.nevra.str() << ": " << p.moved_from.size() << " moved, " << p.rewritten.size()
              << " rewritten";
    if (!p.unrewritable.empty()) std::cout << ", " << p.unrewritable.size() << " paths left (see yumda check)";
    std::cout << "\n";
  }
}

void run_install(GlobalOptions& g, const std::vector<std::string>& specs, InstallMode mode = InstallMode::kInstall) {
  if (mode == InstallMode::kInstall && specs.empty() && g.args.locked.empty())
    throw UsageError("install needs package names (e.g. yumda install -y git) or --locked FILE");
  if (g.args.nodocs) g.config.setopts.push_back("tsflags=nodocs");
  Config config = make_config(g);
  ConsoleReporter reporter(g.quiet, g.verbose);
  InstallOptions o;
  o.root = layer_root(g);
  o.specs = specs;
  o.cacheonly = g.cacheonly;
  o.nowait = g.nowait;
  o.mode = mode;
  o.noscripts = g.args.noscripts;
  Lockfile locked;
  if (!g.args.locked.empty()) {
    if (!g.args.lockfile.empty()) throw UsageError("use --lockfile (write) or --locked (install from), not both");
    locked = read_lockfile(g.args.locked);
    for (const auto& line : pin_repos_to_lock(config, locked)) reporter.info(line);
    o.specs = locked.specs();
    o.check_plan = [&locked](const ResolveResult& plan) { check_plan_against_lock(plan, locked); };
  }
  o.confirm = [&](const ResolveResult& plan) {
    if (!g.json && !g.quiet) std::cout << format_summary(plan) << std::flush;
    return confirm(g);
  };
  InstallResult r = install(config, o, reporter);
  const char* nothing = mode == InstallMode::kUpgrade ? "Dependencies resolved.\nNothing to do.\n" : nullptr;
  if (!g.args.lockfile.empty() && (r.performed || r.plan.install.empty()))
    write_lockfile(g.args.lockfile, make_lockfile(config, r.plan.install));
  if (g.json) {
    json j = {{"root", o.root}, {"performed", r.performed}, {"install", json::array()},
              {"already_installed", r.plan.already_installed}, {"from_baseline", r.plan.from_baseline}};
    for (const auto& p : r.plan.install) {
      json pj = package_json(p.nevra);
      pj["repo"] = p.repo_id;
      pj["download_size"] = p.download_size;
      pj["install_size"] = p.install_size;
      j["install"].push_back(pj);
    }
    j["removed"] = json::array();
    for (const auto& n : r.removed) j["removed"].push_back(package_json(n));
    j["relocated"] = json::array();
    for (const auto& p : r.installed)
      if (!p.moved_from.empty())
        j["relocated"].push_back({{"package", p.nevra.str()}, {"moved", p.moved_from.size()},
                                  {"rewritten", p.rewritten.size()}, {"unrewritable", p.unrewritable}});
    j["scripts"] = scripts_json(r.scripts);
    set_document(g, j);
    return;
  }
  if (g.quiet) return;
  if (r.plan.install.empty()) {
    std::cout << (nothing ? std::string(nothing) : format_summary(r.plan));
    return;
  }
  if (!r.performed) return;
  if (!r.removed.empty()) {
    std::cout << (mode == InstallMode::kReinstall ? "\nReinstalled:\n" : "\nReplaced:\n");
    for (const auto& n : r.removed) std::cout << "  " << n.str() << "\n";
  }
  print_scripts(r.scripts);
  std::cout << (mode == InstallMode::kUpgrade ? "\nUpgraded/Installed:\n" : "\nInstalled:\n");
  for (const auto& p : r.installed) std::cout << "  " << p.nevra.str() << "\n";
  print_relocations(r.installed);
  std::cout << "\nComplete! Layer directory: " << o.root << "\n";
}

// check-update and list --upgrades: the newer versions the repos have for
// the layer's packages; exit 100 when there is one, as dnf check-update.
void run_check_update(GlobalOptions& g, const char* header) {
  Config config = make_config(g);
  ConsoleReporter reporter(g.quiet, g.verbose);
  std::string root = layer_root(g);
  json j = {{"upgrades", json::array()}};
  RepoSession session(config, is_directory(root + "/.yumda") ? root : "", g.cacheonly, reporter);
  ResolveResult plan = session.resolver().upgrade({});
  bool any = false;
  for (const auto& p : plan.install) {
    if (!plan.replaces.count(p.nevra.str())) continue;  // a new dependency, not an upgrade
    if (!any && header && !g.json) std::cout << header << "\n";
    any = true;
    json pj = package_json(p.nevra);
    pj["repo"] = p.repo_id;
    j["upgrades"].push_back(pj);
    if (!g.json)
      std::printf("%-40s %-30s %s\n", (p.nevra.name + "." + p.nevra.arch).c_str(), p.nevra.evr().c_str(),
                  p.repo_id.c_str());
  }
  if (g.json) set_document(g, j);
  if (any) g.exit_code = 100;
}

void run_list(GlobalOptions& g, bool installed, bool available, const std::string& glob) {
  if (g.args.upgrades) return run_check_update(g, "Available Upgrades");
  std::string root = layer_root(g);
  json j = json::object();
  size_t listed = 0;
  if (installed || !available) {
    auto pkgs = list_installed(root);
    j["installed"] = json::array();
    if (!g.json && !pkgs.empty()) std::cout << "Installed Packages\n";
    for (const auto& p : pkgs) {
      if (!glob.empty() && fnmatch(glob.c_str(), p.nevra.name.c_str(), 0) != 0) continue;
      ++listed;
      if (g.json) {
        json pj = package_json(p.nevra);
        pj["repo"] = p.repo_id;
        pj["install_size"] = p.install_size;
        pj["user_installed"] = p.user_installed;
        j["installed"].push_back(pj);
      } else {
        std::printf("%-40s %-30s @%s\n", (p.nevra.name + "." + p.nevra.arch).c_str(), p.nevra.evr().c_str(),
                    p.repo_id.c_str());
      }
    }
  }
  if (available) {
    Config config = make_config(g);
    ConsoleReporter reporter(g.quiet, g.verbose);
    Baseline baseline = load_baseline(config.main.baseline, config.main.arch);
    Fetcher fetcher(FetchOptions{}, reporter);
    Resolver resolver(config, baseline, {}, fetcher, g.cacheonly, reporter);
    auto pkgs = resolver.available(glob);
    listed += pkgs.size();
    j["available"] = json::array();
    if (!g.json && !pkgs.empty()) std::cout << "Available Packages\n";
    for (const auto& p : pkgs) {
      if (g.json) {
        json pj = package_json(p.nevra);
        pj["repo"] = p.repo_id;
        j["available"].push_back(pj);
      } else {
        std::printf("%-40s %-30s %s\n", (p.nevra.name + "." + p.nevra.arch).c_str(), p.nevra.evr().c_str(),
                    p.repo_id.c_str());
      }
    }
  }
  if (listed == 0) throw Error("No matching Packages to list");  // as dnf, --json or not
  if (g.json) set_document(g, j);
}

int64_t zip_mtime(const std::string& root) {
  if (const char* sde = std::getenv("SOURCE_DATE_EPOCH"); sde && *sde) {
    char* end = nullptr;
    long long v = std::strtoll(sde, &end, 10);
    if (*end || v < 0) throw UsageError("SOURCE_DATE_EPOCH must be a number of seconds, not '" + std::string(sde) + "'");
    return v;
  }
  auto pkgs = list_installed(root);
  uint64_t newest = 0;
  for (const auto& p : pkgs) newest = std::max(newest, p.buildtime);
  return newest ? static_cast<int64_t>(newest) : 315532800;  // 1980-01-01, zip's epoch
}

void run_zip(GlobalOptions& g, const std::string& out) {
  std::string root = layer_root(g);
  if (!is_directory(root)) throw Error("layer directory " + root + " does not exist (check --root)");
  ZipOptions o;
  o.mtime = zip_mtime(root);
  ZipResult r = write_layer_zip(root, out, o);
  if (r.zipped_bytes > kLambdaMaxZipped)
    spdlog::warn("{} is {} zipped: over Lambda's 50 MiB limit for a direct upload (use S3)", out, human_size(r.zipped_bytes));
  if (r.unzipped_bytes > kLambdaMaxUnzipped)
    spdlog::warn("layer {} is {} unzipped: over Lambda's 250 MiB limit for a function and its layers", root,
                 human_size(r.unzipped_bytes));
  if (g.json) {
    set_document(g, {{"zip", out}, {"entries", r.entries}, {"unzipped_bytes", r.unzipped_bytes}, {"zipped_bytes", r.zipped_bytes}});
  } else if (!g.quiet) {
    std::cout << "Wrote " << out << ": " << r.entries << " entries, " << human_size(r.zipped_bytes) << " ("
              << human_size(r.unzipped_bytes) << " unzipped)\n";
  }
}

std::string finding_kind(CheckFinding::Kind k) {
  switch (k) {
    case CheckFinding::Kind::kMissingLibrary: return "missing-library";
    case CheckFinding::Kind::kWrongArchitecture: return "wrong-architecture";
    case CheckFinding::Kind::kMissingInterpreter: return "missing-interpreter";
    case CheckFinding::Kind::kBrokenSymlink: return "broken-symlink";
    case CheckFinding::Kind::kSymlinkOutside: return "symlink-outside-opt";
    case CheckFinding::Kind::kUsrPath: return "usr-path";
    case CheckFinding::Kind::kUnrelocatedPath: return "unrelocated-path";
    case CheckFinding::Kind::kModified: return "modified";
    case CheckFinding::Kind::kTooBig: return "too-big";
  }
  return "unknown";
}

void run_check(GlobalOptions& g) {
  std::string root = layer_root(g);
  if (!is_directory(root)) throw Error("layer directory " + root + " does not exist (check --root)");
  Config config = make_config(g);
  Baseline baseline = load_baseline(config.main.baseline, config.main.arch);
  CheckOptions o;
  o.arch = config.main.arch;
  const PathMap path_map = PathMap::standard(config.main.relocate_rules);
  o.path_map = &path_map;
  for (const auto& p : list_installed(root)) {
    for (const auto& [path, from] : p.moved_from) o.relocated_files.push_back(path);
    for (const auto& r : p.rewritten)
      if (!r.sha256.empty()) o.rewritten_digests[r.path] = {r.sha256, r.sha256_shipped};
  }
  ConsoleReporter reporter(g.quiet, g.verbose);
  if (baseline.files.empty()) add_package_facts(config, baseline, root, o, reporter);
  auto findings = check_layer(root, baseline, o);
  size_t errors = 0;
  json j = {{"root", root}, {"runtime", config.main.runtime}, {"arch", config.main.arch}, {"baseline", baseline.source},
            {"findings", json::array()}};
  for (const auto& f : findings) {
    errors += f.error ? 1 : 0;
    if (g.json) {
      j["findings"].push_back({{"kind", finding_kind(f.kind)}, {"error", f.error}, {"path", f.path},
                               {"detail", f.detail}, {"message", f.message()}});
    } else if (f.error) {
      std::cout << "error: " << f.message() << "\n";
    } else if (!g.quiet) {
      std::cout << "warning: " << f.message() << "\n";
    }
  }
  j["errors"] = errors;
  if (g.json) set_document(g, j);
  else if (!g.quiet)
    std::cout << root << ": " << errors << " error(s), " << findings.size() - errors << " warning(s) against baseline "
              << baseline.source << " (" << config.main.arch << ")\n";
  if (errors) g.exit_code = kExitError;
}

void run_sbom(GlobalOptions& g, const std::string& format, const std::string& out) {
  std::string root = layer_root(g);
  SbomOptions o;
  o.format = parse_sbom_format(format);
  o.layer_name = std::filesystem::path(root).lexically_normal().filename().string();
  if (o.layer_name.empty() || o.layer_name == ".") o.layer_name = "layer";
  o.created = zip_mtime(root);
  o.tool_version = YUMDA_VERSION;
  std::string doc = make_sbom(list_installed(root), o);
  if (out.empty() || out == "-") {
    if (g.json) g.document = doc;  // the SBOM is the document
    else std::cout << doc;
  } else {
    write_file_atomic(out, doc);
    if (g.json) set_document(g, {{"sbom", out}, {"format", format}});
  }
}

std::string format_remove_plan(const RemovePlan& plan) {
  std::string out = "Dependencies resolved.\n";
  uint64_t freed = 0;
  auto group = [&](const char* title, const std::vector<InstalledPackage>& pkgs) {
    if (pkgs.empty()) return;
    out += std::string(title) + "\n";
    for (const auto& p : pkgs) {
      char line[512];
      std::snprintf(line, sizeof line, " %-30s %-8s %-24s @%-12s %8s\n", p.nevra.name.c_str(), p.nevra.arch.c_str(),
                    p.nevra.evr().c_str(), p.repo_id.c_str(), human_size(p.install_size).c_str());
      out += line;
      freed += p.install_size;
    }
  };
  group("Removing:", plan.named);
  group("Removing dependent packages:", plan.dependents);
  group("Removing unused dependencies:", plan.unneeded);
  out += "\nTransaction Summary\nRemove  " + std::to_string(plan.size()) + " Package" + (plan.size() == 1 ? "" : "s") +
         "\n\nFreed space: " + human_size(freed) + "\n";
  return out;
}

void run_remove(GlobalOptions& g, const std::vector<std::string>& specs) {
  Config config = make_config(g);
  ConsoleReporter reporter(g.quiet, g.verbose);
  RemoveOptions o;
  o.root = layer_root(g);
  o.specs = specs;
  o.nowait = g.nowait;
  o.confirm = [&](const RemovePlan& plan) {
    if (!g.json && !g.quiet) std::cout << format_remove_plan(plan) << std::flush;
    return confirm(g);
  };
  auto [plan, done] = remove_packages(config, o, reporter);
  if (g.json) {
    json j = {{"root", o.root}, {"performed", done}, {"remove", json::array()}};
    for (const auto* grp : {&plan.named, &plan.dependents, &plan.unneeded})
      for (const auto& p : *grp) j["remove"].push_back(package_json(p.nevra));
    set_document(g, j);
  } else if (done && !g.quiet) {
    std::cout << "\nRemoved " << plan.size() << " package" << (plan.size() == 1 ? "" : "s") << ". Complete!\n";
  }
}

void run_build(GlobalOptions& g, const std::string& file) {
  ConsoleReporter reporter(g.quiet, g.verbose);
  LayerSpec spec = read_layer_spec(file);
  if (g.args.nodocs) spec.nodocs = true;
  ConfigOptions o = g.config;
  BuildResult r = build_layer(spec, o, g.cacheonly, reporter);
  if (g.json) {
    set_document(g, {{"zip", r.zip_path}, {"lockfile", r.lock_path}, {"used_lock", r.used_lock}, {"packages", r.packages},
                     {"entries", r.zip.entries}, {"zipped_bytes", r.zip.zipped_bytes}, {"unzipped_bytes", r.zip.unzipped_bytes}});
  } else if (!g.quiet) {
    std::cout << "Built " << r.zip_path << " from " << r.packages << " packages ("
              << (r.used_lock ? "exactly as locked in " : "lock written to ") << r.lock_path << "): "
              << human_size(r.zip.zipped_bytes) << ", " << human_size(r.zip.unzipped_bytes) << " unzipped\n";
  }
}

void run_makecache(GlobalOptions& g) {
  Config config = make_config(g);
  ConsoleReporter reporter(g.quiet, g.verbose);
  auto repos = make_cache(config, reporter);
  json j = json::array();
  for (const auto& [id, n] : repos) {
    if (g.json) j.push_back({{"id", id}, {"packages", n}});
    else if (!g.quiet) std::cout << id << ": " << n << " packages\n";
  }
  if (g.json) set_document(g, j);
  else if (!g.quiet) std::cout << "Metadata cache created in " << config.main.cachedir << ".\n";
}

void run_clean(GlobalOptions& g, const std::string& what) {
  Config config = make_config(g);
  auto removed = clean_cache(config, what);
  if (g.json) set_document(g, {{"removed", removed}});
  else if (!g.quiet) std::cout << removed.size() << " cache director" << (removed.size() == 1 ? "y" : "ies") << " removed\n";
}

void run_repolist(GlobalOptions& g, bool all) {
  Config config = make_config(g);
  json j = json::array();
  if (!g.json) std::printf("%-24s %-40s %s\n", "repo id", "repo name", all ? "status" : "");
  for (const auto& r : config.repos) {
    if (!all && !r.enabled) continue;
    if (g.json) {
      std::vector<std::string> urls;  // a password in a baseurl is not for the document
      for (const auto& u : r.baseurls) urls.push_back(redact_urls(u));
      j.push_back({{"id", r.id}, {"name", r.name}, {"enabled", r.enabled}, {"baseurl", urls},
                   {"gpgcheck", r.gpgcheck}, {"priority", r.priority}});
    } else {
      std::printf("%-24s %-40s %s\n", r.id.c_str(), r.name.c_str(), all ? (r.enabled ? "enabled" : "disabled") : "");
    }
  }
  if (g.json) set_document(g, j);
}

// `runtimes`: the built-in profiles, each with its default repos as the
// built-in config defines them for that runtime (x86_64 URLs).
void run_runtimes(GlobalOptions& g) {
  std::string current;
  try {
    current = make_config(g).main.runtime;
  } catch (const UsageError&) {
    // A config that does not load still lets the profiles be listed.
  }
  auto join = [](const std::vector<std::string>& v) {
    std::string out;
    for (const auto& s : v) out += (out.empty() ? "" : " ") + s;
    return out;
  };
  json j = json::array();
  for (const auto& id : builtin_runtimes()) {
    RuntimeProfile p = load_runtime(id);
    ConfigOptions o;
    o.config_file = kBuiltinConfig;
    o.runtime = id;
    o.cachedir = "/nonexistent";  // not used: only the repos are read
    json repos = json::array();
    std::string repo_text;
    const Config defaults = load_config(o);
    for (const RepoConfig* r : defaults.enabled_repos()) {
      const std::string url = r->mirrorlist.empty() ? join(r->baseurls) : r->mirrorlist;
      repos.push_back({{"id", r->id}, {"mirrorlist", r->mirrorlist}, {"baseurl", r->baseurls}});
      repo_text += "\n  repo          " + r->id + ": " + (r->mirrorlist.empty() ? "" : "mirrorlist ") + url;
    }
    if (g.json) {
      j.push_back({{"id", p.id}, {"name", p.name}, {"default", p.id == kDefaultRuntime}, {"selected", p.id == current},
                   {"lambda_runtimes", p.lambda_runtimes}, {"architectures", p.architectures},
                   {"baseline", p.baseline}, {"releasever", p.releasever}, {"relocate", p.relocate},
                   {"support", p.support}, {"date", p.date}, {"repos", repos}});
      continue;
    }
    std::cout << (p.id == current ? "* " : "  ") << p.id << " - " << p.name
              << (p.id == kDefaultRuntime ? " (default)" : "") << "\n  serves        " << join(p.lambda_runtimes)
              << "\n  architectures " << join(p.architectures) << "\n  support       " << p.support
              << "\n  package set   " << p.baseline << ", releasever " << p.releasever << ", relocate " << p.relocate
              << "\n  data from     " << p.date << repo_text << "\n\n";
  }
  if (g.json) set_document(g, j);
}

json info_json(const PackageInfo& p) {
  json j = package_json(p.nevra);
  j["repo"] = p.repo_id;
  j["size"] = p.download_size;
  j["install_size"] = p.install_size;
  j["summary"] = p.summary;
  j["url"] = p.url;
  j["license"] = p.license;
  j["description"] = p.description;
  j["sourcerpm"] = p.sourcerpm;
  return j;
}

// dnf's "Name : value" blocks.
void print_info(const PackageInfo& p) {
  auto line = [](const char* k, const std::string& v) {
    if (!v.empty()) std::printf("%-13s: %s\n", k, v.c_str());
  };
  line("Name", p.nevra.name);
  line("Epoch", p.nevra.epoch);
  line("Version", p.nevra.version);
  line("Release", p.nevra.release);
  line("Architecture", p.nevra.arch);
  line("Size", human_size(p.download_size));
  line("Source", p.sourcerpm);
  line("Repository", p.repo_id);
  line("Summary", p.summary);
  line("URL", p.url);
  line("License", p.license);
  line("Description", p.description);
  std::printf("\n");
}

json infos_json(const std::vector<PackageInfo>& pkgs) {
  json j = json::array();
  for (const auto& p : pkgs) j.push_back(info_json(p));
  return j;
}

void run_info(GlobalOptions& g, const std::vector<std::string>& specs) {
  if (specs.empty()) throw UsageError("info needs package names (e.g. yumda info git)");
  Config config = make_config(g);
  ConsoleReporter reporter(g.quiet, g.verbose);
  std::string root = layer_root(g);
  json installed = json::array(), available = json::array();
  bool any = false;
  bool has_layer = is_directory(root + "/.yumda");
  RepoSession session(config, has_layer ? root : "", g.cacheonly, reporter);
  if (has_layer) {
    bool header = false;
    std::set<std::string> hits;  // what the specs match, in every form install takes (as dnf info: no provides)
    for (const auto& s : specs)
      for (const auto& n : session.resolver().installed(s, /*by_provides=*/false)) hits.insert(n.str());
    for (const auto& p : list_installed(root)) {
      if (!hits.count(p.nevra.str())) continue;
      any = true;
      PackageInfo i;
      i.nevra = p.nevra, i.repo_id = "@" + p.repo_id, i.install_size = p.install_size, i.summary = p.summary;
      i.url = p.url, i.license = p.license, i.sourcerpm = p.sourcerpm;
      if (g.json) installed.push_back(info_json(i));
      else {
        if (!header) std::cout << "Installed Packages\n";
        header = true;
        print_info(i);
      }
    }
  }
  bool header = false;
  for (const auto& spec : specs)
    for (const auto& p : session.resolver().query(spec)) {
      any = true;
      if (g.json) available.push_back(info_json(p));
      else {
        if (!header) std::cout << "Available Packages\n";
        header = true;
        print_info(p);
      }
    }
  if (g.json) set_document(g, {{"installed", installed}, {"available", available}});
  if (!any) throw Error("No matching packages to list");
}

void run_search(GlobalOptions& g, const std::vector<std::string>& words) {
  if (words.empty()) throw UsageError("search needs a word (e.g. yumda search curl)");
  Config config = make_config(g);
  ConsoleReporter reporter(g.quiet, g.verbose);
  RepoSession session(config, "", g.cacheonly, reporter);
  auto found = session.resolver().search(words);
  if (g.json) return set_document(g, infos_json(found));
  if (found.empty()) {  // dnf: a message, exit 0
    if (!g.quiet) std::cerr << "No matches found.\n";
    return;
  }
  std::string keys;
  for (const auto& w : words) keys += (keys.empty() ? "" : ", ") + w;
  std::cout << "========== Name & Summary Matched: " << keys << " ==========\n";
  for (const auto& p : found) std::cout << p.nevra.name << "." << p.nevra.arch << " : " << p.summary << "\n";
}

void run_provides(GlobalOptions& g, const std::vector<std::string>& specs) {
  if (specs.empty()) throw UsageError("provides needs a capability or path (e.g. yumda provides /opt/bin/git)");
  Config config = make_config(g);
  ConsoleReporter reporter(g.quiet, g.verbose);
  RepoSession session(config, "", g.cacheonly, reporter);
  json j = json::array();
  bool any = false;
  for (const auto& spec : specs) {
    auto found = session.resolver().whatprovides(spec);
    // a bare command name means /opt/bin/NAME too, as dnf tries /usr/bin/NAME
    if (found.empty() && spec.find('/') == std::string::npos) found = session.resolver().whatprovides("/opt/bin/" + spec);
    for (const auto& p : found) {
      any = true;
      if (g.json) {
        json pj = info_json(p);
        pj["matched"] = spec;
        j.push_back(pj);
      } else {
        std::cout << p.nevra.str() << " : " << p.summary << "\nRepo        : " << p.repo_id
                  << "\nMatched from:\nProvide    : " << spec << "\n\n";
      }
    }
  }
  if (g.json) set_document(g, j);
  if (!any) throw Error("No matches found. (" + specs.front() + " is provided by no package of the enabled repos)");
}

void run_repoquery(GlobalOptions& g, const std::vector<std::string>& specs) {
  Config config = make_config(g);
  ConsoleReporter reporter(g.quiet, g.verbose);
  RepoSession session(config, "", g.cacheonly, reporter);
  Resolver& r = session.resolver();
  const CommandArgs& a = g.args;
  if (int(a.rq_requires) + int(a.rq_whatrequires) + int(a.rq_list) > 1)
    throw UsageError("repoquery takes one of --requires, --whatrequires, --list");
  std::vector<std::string> want = specs.empty() ? std::vector<std::string>{"*"} : specs;
  json j = json::array();
  std::vector<std::string> lines;
  for (const auto& spec : want) {
    if (a.rq_whatrequires) {
      for (const auto& p : r.whatrequires(spec)) {
        j.push_back(info_json(p));
        lines.push_back(p.nevra.str());
      }
      continue;
    }
    for (const auto& p : r.query(spec)) {
      json pj = package_json(p.nevra);
      pj["repo"] = p.repo_id;
      if (a.rq_requires) {
        pj["requires"] = p.requirements;
        lines.insert(lines.end(), p.requirements.begin(), p.requirements.end());
      } else if (a.rq_list) {
        auto files = r.files(p);
        pj["files"] = files;
        lines.insert(lines.end(), files.begin(), files.end());
      } else {
        lines.push_back(p.nevra.str());
      }
      j.push_back(pj);
    }
  }
  if (g.json) return set_document(g, j);
  if (a.rq_requires) {  // dnf prints the union, sorted
    std::sort(lines.begin(), lines.end());
    lines.erase(std::unique(lines.begin(), lines.end()), lines.end());
  }
  for (const auto& l : lines) std::cout << l << "\n";
}

void run_download(GlobalOptions& g, const std::vector<std::string>& specs) {
  Config config = make_config(g);
  ConsoleReporter reporter(g.quiet, g.verbose);
  DownloadOptions o;
  o.specs = specs;
  o.destdir = g.args.destdir;
  o.resolve = g.args.resolve;
  o.cacheonly = g.cacheonly;
  auto written = download_packages(config, o, reporter);
  if (g.json) set_document(g, {{"destdir", o.destdir}, {"files", written}});
  else if (!g.quiet)
    for (const auto& f : written) std::cout << f << "\n";
}

// --color=auto|always|never for the log lines on stderr; NO_COLOR turns auto off.
void apply_color(const GlobalOptions& g) {
  spdlog::color_mode mode = spdlog::color_mode::automatic;
  if (g.color == "always") mode = spdlog::color_mode::always;
  else if (g.color == "never") mode = spdlog::color_mode::never;
  else if (g.color != "auto") throw UsageError("--color takes auto, always or never, not '" + g.color + "'");
  else if (const char* nc = std::getenv("NO_COLOR"); nc && *nc) mode = spdlog::color_mode::never;
  auto logger = spdlog::default_logger();
  for (auto& sink : logger->sinks())
    if (auto* c = dynamic_cast<spdlog::sinks::stderr_color_sink_st*>(sink.get())) c->set_color_mode(mode);
  logger->set_pattern(mode == spdlog::color_mode::never ? "%l: %v" : "%^%l%$: %v");
  if (g.quiet) logger->set_level(spdlog::level::err);  // -q: only errors
}

}  // namespace

void print_json_error(const std::string& message, int exit_code) {
  std::cout << json{{"error", {{"message", redact_urls(message)}, {"exit_code", exit_code}}}}.dump(2) << "\n" << std::flush;
}

void add_global_options(CLI::App& app, GlobalOptions& g) {
  app.add_option("-c,--config", g.config.config_file, "Config file (yum.conf format)");
  app.add_option("--repofrompath", g.repofrompath_raw, "Add a repo: ID,URL")->take_all()->allow_extra_args(false);
  app.add_option("--enablerepo", g.enablerepo, "Enable repos by id or glob")->take_all()->allow_extra_args(false);
  app.add_option("--disablerepo", g.disablerepo, "Disable repos by id or glob")->take_all()->allow_extra_args(false);
  app.add_option("--repo,--repoid", g.config.only_repos, "Use only these repos")->take_all()->allow_extra_args(false);
  app.add_option("--setopt", g.config.setopts, "Set a config option: KEY=VAL or REPOID.KEY=VAL")->take_all()->allow_extra_args(false);
  app.add_option("--runtime", g.config.runtime, "Lambda runtime profile: al2023 (default), al2, al1 (see `yumda runtimes`)");
  app.add_option("--releasever", g.config.releasever, "Value of $releasever");
  app.add_option("--arch,--forcearch", g.config.arch, "Architecture of the layer: x86_64 (amd64) or aarch64 (arm64)");
  app.add_option("--baseline", g.config.baseline, "Runtime package set: al2023, al2, al1, none or a file");
  app.add_option("--relocate", g.config.relocate_rules,
                 "Relocate payload paths under OLD to NEW in the layer: OLD=NEW (e.g. /usr/lib/foo=/opt/lib/foo)")
      ->allow_extra_args(false);
  app.add_option("--root,--installroot", g.root, "Layer directory (default ./layer)");
  app.add_flag("-C,--cacheonly", g.cacheonly, "Use only cached metadata and packages");
  app.add_flag("-y,--assumeyes", g.assumeyes, "Answer yes to the question");
  app.add_flag("--assumeno", g.assumeno, "Answer no: show what would happen and stop");
  app.add_flag("-q,--quiet", g.quiet, "Print only errors");
  app.add_flag("-v,--verbose", g.verbose, "Print each step");
  app.add_flag("--json", g.json, "One JSON document on stdout");
  app.add_option("--color", g.color, "Color of log lines on stderr: auto (default; NO_COLOR turns it off), always, never");
  app.add_flag("--nowait", g.nowait, "Fail instead of waiting for a layer in use");
}

// --enablerepo/--disablerepo apply in the order given, which CLI11 does not
// keep across two options: recover it from the raw arguments.
static void order_repo_toggles(GlobalOptions& g, const std::vector<std::string>& raw) {
  size_t e = 0, d = 0;
  for (const auto& a : raw) {
    bool en = a.rfind("--enablerepo", 0) == 0, dis = a.rfind("--disablerepo", 0) == 0;
    if (en && e < g.enablerepo.size()) g.config.repo_toggles.emplace_back(true, g.enablerepo[e++]);
    if (dis && d < g.disablerepo.size()) g.config.repo_toggles.emplace_back(false, g.disablerepo[d++]);
  }
  while (e < g.enablerepo.size()) g.config.repo_toggles.emplace_back(true, g.enablerepo[e++]);
  while (d < g.disablerepo.size()) g.config.repo_toggles.emplace_back(false, g.disablerepo[d++]);
}

void add_commands(CLI::App& app, GlobalOptions& g) {
  CommandArgs& a = g.args;
  auto run = [&g](auto body) {
    return [&g, body] {
      order_repo_toggles(g, g.raw_args);
      guarded(g, [&g, &body] {
        apply_color(g);
        body();
      });
    };
  };

  auto* install = app.add_subcommand("install", "Install packages into a layer directory");
  install->add_option("packages", a.specs, "Package names, globs, provides or /opt paths");
  install->add_option("--lockfile", a.lockfile, "Write the resolved packages to this lock file");
  install->add_option("--locked", a.locked, "Install exactly the packages of this lock file");
  install->add_flag("--nodocs", a.nodocs, "Leave out %doc files, man and info pages (tsflags=nodocs)");
  install->add_flag("--noscripts", a.noscripts, "Do not run %post/%posttrans scriptlets");
  install->callback(run([&g] { run_install(g, g.args.specs); }));

  auto* upgrade = app.add_subcommand("upgrade", "Upgrade layer packages (all when none is named) to the newest in the repos");
  upgrade->alias("update");
  upgrade->add_option("packages", a.words, "Layer package names or globs");
  upgrade->add_flag("--nodocs", a.nodocs, "Leave out %doc files, man and info pages");
  upgrade->add_flag("--noscripts", a.noscripts, "Do not run %post/%posttrans scriptlets");
  upgrade->callback(run([&g] { run_install(g, g.args.words, InstallMode::kUpgrade); }));

  auto* reinstall = app.add_subcommand("reinstall", "Install layer packages again, same version, from the repos");
  reinstall->add_option("packages", a.words, "Layer package names or globs")->required();
  reinstall->add_flag("--nodocs", a.nodocs, "Leave out %doc files, man and info pages");
  reinstall->add_flag("--noscripts", a.noscripts, "Do not run %post/%posttrans scriptlets");
  reinstall->callback(run([&g] { run_install(g, g.args.words, InstallMode::kReinstall); }));

  auto* info = app.add_subcommand("info", "Show details of packages (installed in the layer and available)");
  info->add_option("packages", a.words, "Names, globs, name-version, 'name >= version'")->required();
  info->callback(run([&g] { run_info(g, g.args.words); }));

  auto* search = app.add_subcommand("search", "Find packages whose name or summary contains every word");
  search->add_option("words", a.words, "Words")->required();
  search->callback(run([&g] { run_search(g, g.args.words); }));

  auto* provides = app.add_subcommand("provides", "Find packages that provide a capability or an /opt file");
  provides->alias("whatprovides");
  provides->add_option("spec", a.words, "Capability (libz.so.1()(64bit)), path (/opt/bin/git) or glob")->required();
  provides->callback(run([&g] { run_provides(g, g.args.words); }));

  auto* repoquery = app.add_subcommand("repoquery", "Query the repos' packages");
  repoquery->add_option("spec", a.words, "Package specs (default: all)");
  repoquery->add_flag("--requires", a.rq_requires, "What the packages require");
  repoquery->add_flag("--whatrequires", a.rq_whatrequires, "Packages that require SPEC");
  repoquery->add_flag("-l,--list", a.rq_list, "The packages' files");
  repoquery->callback(run([&g] { run_repoquery(g, g.args.words); }));

  auto* download = app.add_subcommand("download", "Download packages (checked) into a directory");
  download->add_option("packages", a.words, "Package specs")->required();
  download->add_option("--destdir,--downloaddir", a.destdir, "Directory to write to (default .)");
  download->add_flag("--resolve", a.resolve, "Also the dependencies the runtime does not provide");
  download->callback(run([&g] { run_download(g, g.args.words); }));

  auto* remove = app.add_subcommand("remove", "Remove packages (and what needs them, and unused dependencies)");
  remove->alias("erase");
  remove->add_option("packages", a.remove_specs, "Package names or globs")->required();
  remove->callback(run([&g] { run_remove(g, g.args.remove_specs); }));

  auto* list = app.add_subcommand("list", "List installed or available packages");
  list->add_flag("--installed", a.installed, "Packages in the layer");
  list->add_flag("--available", a.available, "Packages in the enabled repos");
  list->add_flag("--upgrades,--updates", a.upgrades, "Newer versions of layer packages (exit 100 when there is one)");
  list->add_option("pattern", a.list_words, "[installed|available|upgrades|all] and a name glob");
  list->callback(run([&g] {
    // dnf's words: `yum list available` (the original image's habit) is --available, not a glob.
    CommandArgs& la = g.args;
    auto& w = la.list_words;
    if (!w.empty() && (w[0] == "installed" || w[0] == "available" || w[0] == "all" || w[0] == "upgrades" || w[0] == "updates")) {
      la.installed = la.installed || w[0] == "installed" || w[0] == "all";
      la.available = la.available || w[0] == "available" || w[0] == "all";
      la.upgrades = la.upgrades || w[0] == "upgrades" || w[0] == "updates";
      w.erase(w.begin());
    }
    if (w.size() > 1) throw UsageError("list takes one name glob (e.g. yumda list 'lib*'), not " + std::to_string(w.size()));
    run_list(g, la.installed, la.available, w.empty() ? "" : w.front());
  }));

  auto* check_update = app.add_subcommand("check-update", "List upgrades for the layer; exit 100 when there is one");
  check_update->alias("check-upgrade");
  check_update->callback(run([&g] { run_check_update(g, nullptr); }));

  auto* zip = app.add_subcommand("zip", "Write the layer directory as a reproducible Lambda layer zip");
  zip->add_option("-o,--output", a.output, "Zip file to write (default layer.zip)");
  zip->callback(run([&g] { run_zip(g, g.args.output); }));

  auto* build = app.add_subcommand("build", "Build the layer zip declared in yumda.toml (with its lock)");
  build->add_option("-f,--file", a.build_file, "Layer file (default yumda.toml)");
  build->add_flag("--nodocs", a.nodocs, "Leave out %doc files, man and info pages");
  build->callback(run([&g] { run_build(g, g.args.build_file); }));

  auto* check = app.add_subcommand("check", "Report what would keep the layer from working on Lambda");
  check->callback(run([&g] { run_check(g); }));

  auto* sbom = app.add_subcommand("sbom", "Write an SPDX 2.3 or CycloneDX 1.5 SBOM of the layer");
  sbom->add_option("--format", a.sbom_format, "spdx (default) or cyclonedx");
  sbom->add_option("-o,--output", a.sbom_output, "File to write (default: stdout)");
  sbom->callback(run([&g] { run_sbom(g, g.args.sbom_format, g.args.sbom_output); }));

  auto* makecache = app.add_subcommand("makecache", "Download and cache the enabled repos' metadata");
  makecache->callback(run([&g] { run_makecache(g); }));

  auto* clean = app.add_subcommand("clean", "Remove cached data: metadata, packages or all");
  clean->add_option("what", a.clean_what, "metadata, packages or all")->required();
  clean->callback(run([&g] { run_clean(g, g.args.clean_what); }));

  auto* repolist = app.add_subcommand("repolist", "Show configured repositories");
  repolist->add_flag("--all", a.all, "Also disabled repos");
  repolist->callback(run([&g] { run_repolist(g, g.args.all); }));

  auto* runtimes = app.add_subcommand("runtimes", "Show the Lambda runtime profiles (--runtime NAME) and what each serves");
  runtimes->callback(run([&g] { run_runtimes(g); }));
}

}  // namespace yumda::cli
