#include "commands.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <fnmatch.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>

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
#include <filesystem>

namespace yumda::cli {

namespace {

using nlohmann::json;

// Runs BODY, turning library errors into one line on stderr and an exit code.
template <typename F>
void guarded(GlobalOptions& g, F&& body) {
  try {
    body();
  } catch (const Error& e) {
    spdlog::error("{}", e.what());
    g.exit_code = e.exit_code();
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
    g.exit_code = kExitError;
  }
  if (interrupt_requested()) g.exit_code = kExitInterrupted;
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

void print_json(const json& j) { std::cout << j.dump(2) << "\n"; }

// -y proceeds, --assumeno stops, a terminal is asked; anything else refuses.
bool confirm(const GlobalOptions& g) {
  if (g.assumeno) {
    if (!g.json) std::cout << "Operation aborted.\n";
    return false;
  }
  if (g.assumeyes) return true;
  if (isatty(STDIN_FILENO) != 1)
    throw Error("not installing without confirmation: stdin is not a terminal; add -y to proceed");
  std::cout << "Is this ok [y/N]: " << std::flush;
  std::string answer;
  std::getline(std::cin, answer);
  if (answer == "y" || answer == "Y" || answer == "yes") return true;
  std::cout << "Operation aborted.\n";
  return false;
}

void run_install(GlobalOptions& g, const std::vector<std::string>& specs) {
  if (specs.empty() && g.args.locked.empty())
    throw UsageError("install needs package names (e.g. yumda install -y git) or --locked FILE");
  Config config = make_config(g);
  ConsoleReporter reporter(g.quiet, g.verbose);
  InstallOptions o;
  o.root = layer_root(g);
  o.specs = specs;
  o.cacheonly = g.cacheonly;
  o.nowait = g.nowait;
  Lockfile locked;
  if (!g.args.locked.empty()) {
    if (!g.args.lockfile.empty()) throw UsageError("use --lockfile (write) or --locked (install from), not both");
    locked = read_lockfile(g.args.locked);
    o.specs = locked.specs();
    o.check_plan = [&locked](const ResolveResult& plan) { check_plan_against_lock(plan, locked); };
  }
  o.confirm = [&](const ResolveResult& plan) {
    if (!g.json && !g.quiet) std::cout << format_summary(plan, specs) << std::flush;
    return confirm(g);
  };
  InstallResult r = install(config, o, reporter);
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
    print_json(j);
    return;
  }
  if (g.quiet) return;
  if (r.plan.install.empty()) {
    std::cout << format_summary(r.plan, specs);
    return;
  }
  if (!r.performed) return;
  std::cout << "\nInstalled:\n";
  for (const auto& p : r.installed) std::cout << "  " << p.nevra.str() << "\n";
  std::cout << "\nComplete! Layer directory: " << o.root << "\n";
}

void run_list(GlobalOptions& g, bool installed, bool available, const std::string& glob) {
  std::string root = layer_root(g);
  json j = json::object();
  if (installed || !available) {
    auto pkgs = list_installed(root);
    j["installed"] = json::array();
    if (!g.json && !pkgs.empty()) std::cout << "Installed Packages\n";
    for (const auto& p : pkgs) {
      if (!glob.empty() && fnmatch(glob.c_str(), p.nevra.name.c_str(), 0) != 0) continue;
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
    Baseline baseline = load_baseline(config.main.baseline);
    Fetcher fetcher(FetchOptions{}, reporter);
    Resolver resolver(config, baseline, {}, fetcher, g.cacheonly, reporter);
    auto pkgs = resolver.available(glob);
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
  if (g.json) print_json(j);
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
    spdlog::warn("{} is {} zipped: over Lambda's 50 MB limit for a direct upload (use S3)", out, human_size(r.zipped_bytes));
  if (r.unzipped_bytes > kLambdaMaxUnzipped)
    spdlog::warn("layer {} is {} unzipped: over Lambda's 250 MB limit for a function and its layers", root,
                 human_size(r.unzipped_bytes));
  if (g.json) {
    print_json({{"zip", out}, {"entries", r.entries}, {"unzipped_bytes", r.unzipped_bytes}, {"zipped_bytes", r.zipped_bytes}});
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
    case CheckFinding::Kind::kTooBig: return "too-big";
  }
  return "unknown";
}

void run_check(GlobalOptions& g) {
  std::string root = layer_root(g);
  if (!is_directory(root)) throw Error("layer directory " + root + " does not exist (check --root)");
  Config config = make_config(g);
  Baseline baseline = load_baseline(config.main.baseline);
  CheckOptions o;
  o.arch = config.main.arch;
  auto findings = check_layer(root, baseline, o);
  size_t errors = 0;
  json j = {{"root", root}, {"baseline", baseline.source}, {"findings", json::array()}};
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
  if (g.json) print_json(j);
  else if (!g.quiet)
    std::cout << root << ": " << errors << " error(s), " << findings.size() - errors << " warning(s) against baseline "
              << baseline.source << "\n";
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
  if (out.empty() || out == "-") std::cout << doc;
  else write_file_atomic(out, doc);
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
  ConsoleReporter reporter(g.quiet, g.verbose);
  RemoveOptions o;
  o.root = layer_root(g);
  o.specs = specs;
  o.nowait = g.nowait;
  o.confirm = [&](const RemovePlan& plan) {
    if (!g.json && !g.quiet) std::cout << format_remove_plan(plan) << std::flush;
    return confirm(g);
  };
  auto [plan, done] = remove_packages(o, reporter);
  if (g.json) {
    json j = {{"root", o.root}, {"performed", done}, {"remove", json::array()}};
    for (const auto* grp : {&plan.named, &plan.dependents, &plan.unneeded})
      for (const auto& p : *grp) j["remove"].push_back(package_json(p.nevra));
    print_json(j);
  } else if (done && !g.quiet) {
    std::cout << "\nRemoved " << plan.size() << " package" << (plan.size() == 1 ? "" : "s") << ". Complete!\n";
  }
}

void run_build(GlobalOptions& g, const std::string& file) {
  ConsoleReporter reporter(g.quiet, g.verbose);
  LayerSpec spec = read_layer_spec(file);
  ConfigOptions o = g.config;
  BuildResult r = build_layer(spec, o, g.cacheonly, reporter);
  if (g.json) {
    print_json({{"zip", r.zip_path}, {"lockfile", r.lock_path}, {"used_lock", r.used_lock}, {"packages", r.packages},
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
  if (g.json) print_json(j);
  else if (!g.quiet) std::cout << "Metadata cache created in " << config.main.cachedir << ".\n";
}

void run_clean(GlobalOptions& g, const std::string& what) {
  Config config = make_config(g);
  auto removed = clean_cache(config, what);
  if (g.json) print_json({{"removed", removed}});
  else if (!g.quiet) std::cout << removed.size() << " cache director" << (removed.size() == 1 ? "y" : "ies") << " removed\n";
}

void run_repolist(GlobalOptions& g, bool all) {
  Config config = make_config(g);
  json j = json::array();
  if (!g.json) std::printf("%-24s %-40s %s\n", "repo id", "repo name", all ? "status" : "");
  for (const auto& r : config.repos) {
    if (!all && !r.enabled) continue;
    if (g.json) {
      j.push_back({{"id", r.id}, {"name", r.name}, {"enabled", r.enabled}, {"baseurl", r.baseurls},
                   {"gpgcheck", r.gpgcheck}, {"priority", r.priority}});
    } else {
      std::printf("%-24s %-40s %s\n", r.id.c_str(), r.name.c_str(), all ? (r.enabled ? "enabled" : "disabled") : "");
    }
  }
  if (g.json) print_json(j);
}

}  // namespace

void add_global_options(CLI::App& app, GlobalOptions& g) {
  app.add_option("-c,--config", g.config.config_file, "Config file (yum.conf format)");
  app.add_option("--repofrompath", g.repofrompath_raw, "Add a repo: ID,URL")->take_all()->allow_extra_args(false);
  app.add_option("--enablerepo", g.enablerepo, "Enable repos by id or glob")->take_all()->allow_extra_args(false);
  app.add_option("--disablerepo", g.disablerepo, "Disable repos by id or glob")->take_all()->allow_extra_args(false);
  app.add_option("--repo,--repoid", g.config.only_repos, "Use only these repos")->take_all()->allow_extra_args(false);
  app.add_option("--setopt", g.config.setopts, "Set a config option: KEY=VAL or REPOID.KEY=VAL")->take_all()->allow_extra_args(false);
  app.add_option("--releasever", g.config.releasever, "Value of $releasever");
  app.add_option("--arch,--forcearch", g.config.arch, "Architecture of the layer (x86_64, aarch64)");
  app.add_option("--baseline", g.config.baseline, "Runtime baseline: al2, al1, none or a file");
  app.add_option("--root,--installroot", g.root, "Layer directory (default ./layer)");
  app.add_flag("-C,--cacheonly", g.cacheonly, "Use only cached metadata and packages");
  app.add_flag("-y,--assumeyes", g.assumeyes, "Answer yes to the question");
  app.add_flag("--assumeno", g.assumeno, "Answer no: show what would happen and stop");
  app.add_flag("-q,--quiet", g.quiet, "Print only errors");
  app.add_flag("-v,--verbose", g.verbose, "Print each step");
  app.add_flag("--json", g.json, "One JSON document on stdout");
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
      guarded(g, body);
    };
  };

  auto* install = app.add_subcommand("install", "Install packages into a layer directory");
  install->add_option("packages", a.specs, "Package names, globs, provides or /opt paths");
  install->add_option("--lockfile", a.lockfile, "Write the resolved packages to this lock file");
  install->add_option("--locked", a.locked, "Install exactly the packages of this lock file");
  install->callback(run([&g] { run_install(g, g.args.specs); }));

  auto* remove = app.add_subcommand("remove", "Remove packages (and what needs them, and unused dependencies)");
  remove->alias("erase");
  remove->add_option("packages", a.remove_specs, "Package names or globs")->required();
  remove->callback(run([&g] { run_remove(g, g.args.remove_specs); }));

  auto* list = app.add_subcommand("list", "List installed or available packages");
  list->add_flag("--installed", a.installed, "Packages in the layer");
  list->add_flag("--available", a.available, "Packages in the enabled repos");
  list->add_option("pattern", a.pattern, "Name glob");
  list->callback(run([&g] { run_list(g, g.args.installed, g.args.available, g.args.pattern); }));

  auto* zip = app.add_subcommand("zip", "Write the layer directory as a reproducible Lambda layer zip");
  zip->add_option("-o,--output", a.output, "Zip file to write (default layer.zip)");
  zip->callback(run([&g] { run_zip(g, g.args.output); }));

  auto* build = app.add_subcommand("build", "Build the layer zip declared in yumda.toml (with its lock)");
  build->add_option("-f,--file", a.build_file, "Layer file (default yumda.toml)");
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
}

}  // namespace yumda::cli
