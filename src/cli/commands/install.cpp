// install, upgrade (update), reinstall: one plan, one transaction.
#include <iostream>

#include "../console_reporter.hpp"
#include "../summary.hpp"
#include "common.hpp"
#include "yumda/error.hpp"
#include "yumda/install.hpp"
#include "yumda/lockfile.hpp"
#include "yumda/sack.hpp"

namespace yumda::cli {

namespace {

// The verb's flags: the library's options (specs, undo_id, noscripts) and
// those the CLI handles itself.
struct InstallArgs {
  InstallOptions o;
  std::string lockfile;  // install --lockfile: write
  std::string locked;    // install --locked: install from
  bool nodocs = false;
};

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

json install_json(const std::string& root, const InstallResult& r) {
  json j = {{"root", root}, {"performed", r.performed}, {"install", json::array()}, {"remove", json::array()},
            {"already_installed", r.plan.already_installed}, {"from_baseline", r.plan.from_baseline},
            {"no_match", r.plan.no_match}, {"skipped_broken", r.plan.skipped_broken}};
  for (const auto& p : r.plan.install) {
    json pj = package_json(p);
    pj["action"] = plan_action_name(plan_action(r.plan, p));
    pj["replaces"] = json::array();
    if (auto it = r.plan.replaces.find(p.nevra.str()); it != r.plan.replaces.end())
      for (const auto& n : it->second) pj["replaces"].push_back(n.str());
    j["install"].push_back(pj);
  }
  for (const auto& p : r.removed) {
    json pj = package_json(p);
    pj["reason"] = "replaced";
    j["remove"].push_back(pj);
  }
  j["relocated"] = json::array();
  for (const auto& p : r.installed)
    if (!p.moved_from.empty())
      j["relocated"].push_back({{"package", p.nevra.str()}, {"moved", p.moved_from.size()},
                                {"rewritten", p.rewritten.size()}, {"unrewritable", p.unrewritable}});
  j["scripts"] = scripts_json(r.scripts);
  return j;
}

void run_install(GlobalOptions& g, const InstallArgs& a, InstallMode mode) {
  if (mode == InstallMode::kInstall && a.o.specs.empty() && a.locked.empty())
    throw UsageError("install needs package names (e.g. yumda install -y git) or --locked FILE");
  if (!a.lockfile.empty()) {
    std::vector<std::string> specs = a.o.specs;
    if (auto local = take_local_packages(specs); !local.empty())
      throw UsageError("--lockfile records repo packages only, and " + local.front().arg +
                       " is a file: put it in a repo (createrepo_c DIR, then --repofrompath ID,DIR) to lock it");
  }
  ConfigOptions co = config_options(g);
  co.nodocs = co.nodocs || a.nodocs;
  Config config = make_config(g, co);
  ConsoleReporter reporter(g);
  InstallOptions o = a.o;
  o.root = layer_root(g);
  o.cacheonly = g.cacheonly;
  o.nowait = g.nowait;
  o.mode = mode;
  Lockfile locked;
  if (!a.locked.empty()) {
    if (!a.lockfile.empty()) throw UsageError("use --lockfile (write) or --locked (install from), not both");
    locked = read_lockfile(a.locked);
    for (const auto& line : pin_repos_to_lock(config, locked)) reporter.info(line);
    o.specs = locked.specs();
    o.check_plan = [&locked](const ResolveResult& plan) { check_plan_against_lock(plan, locked); };
  }
  o.confirm = [&](const ResolveResult& plan) {
    if (!g.json && !g.quiet) std::cout << format_summary(plan) << std::flush;
    return confirm(g);
  };
  InstallResult r = install(config, o, reporter);
  if (!a.lockfile.empty() && (r.performed || r.plan.install.empty()))
    write_lockfile(a.lockfile, make_lockfile(config, r.plan.install));
  if (g.json) return set_document(g, install_json(o.root, r));
  if (g.quiet) return;
  if (r.plan.install.empty() && r.plan.replaced.empty()) {
    std::cout << (mode == InstallMode::kUpgrade ? "Dependencies resolved.\nNothing to do.\n" : format_summary(r.plan));
    return;
  }
  if (!r.performed) return;
  if (!r.removed.empty()) {
    std::cout << (mode == InstallMode::kReinstall ? "\nReinstalled:\n"
                  : mode == InstallMode::kUndo    ? "\nRemoved/Replaced:\n"
                                                  : "\nReplaced:\n");
    for (const auto& p : r.removed) std::cout << "  " << p.nevra.str() << "\n";
  }
  print_scripts(r.scripts);
  if (!r.installed.empty()) std::cout << (mode == InstallMode::kUpgrade ? "\nUpgraded/Installed:\n" : "\nInstalled:\n");
  for (const auto& p : r.installed) std::cout << "  " << p.nevra.str() << "\n";
  print_relocations(r.installed);
  std::cout << "\nComplete! Layer directory: " << o.root << "\n";
}

void add_doc_script_flags(CLI::App* cmd, InstallArgs& a) {
  cmd->add_flag("--nodocs", a.nodocs, "Leave out %doc files, man and info pages (tsflags=nodocs)");
  cmd->add_flag("--noscripts", a.o.noscripts, "Do not run %post/%posttrans scriptlets");
}

}  // namespace

void run_undo(GlobalOptions& g, uint64_t id) {
  InstallArgs a;
  a.o.undo_id = id;
  run_install(g, a, InstallMode::kUndo);
}

void add_install_verbs(CLI::App& app, GlobalOptions& g) {
  auto in = [](InstallMode mode) { return [mode](GlobalOptions& g, const InstallArgs& a) { run_install(g, a, mode); }; };
  auto [install, ia] = add_verb<InstallArgs>(app, g, "install", "Install packages into a layer directory",
                                             in(InstallMode::kInstall));
  install->add_option("packages", ia.o.specs,
                      "Package names, globs, provides, /opt paths, or .rpm files (./x.rpm, 'dir/*.rpm', file:///x.rpm)");
  install->add_option("--lockfile", ia.lockfile, "Write the resolved packages to this lock file");
  install->add_option("--locked", ia.locked, "Install exactly the packages of this lock file");
  add_doc_script_flags(install, ia);

  auto [upgrade, ua] = add_verb<InstallArgs>(
      app, g, "upgrade", "Upgrade layer packages (all when none is named) to the newest in the repos",
      in(InstallMode::kUpgrade));
  upgrade->alias("update");
  upgrade->add_option("packages", ua.o.specs, "Layer package names or globs, or .rpm files of newer versions");
  add_doc_script_flags(upgrade, ua);

  auto [reinstall, ra] = add_verb<InstallArgs>(
      app, g, "reinstall", "Install layer packages again, same version, from the repos", in(InstallMode::kReinstall));
  reinstall->add_option("packages", ra.o.specs, "Layer package names or globs, or .rpm files")->required();
  add_doc_script_flags(reinstall, ra);
}

}  // namespace yumda::cli
