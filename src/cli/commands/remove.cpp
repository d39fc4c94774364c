// remove (erase): packages, what needs them, and the dependencies left unused.
#include <cstdio>
#include <iostream>

#include "../console_reporter.hpp"
#include "common.hpp"
#include "yumda/fs.hpp"
#include "yumda/remove.hpp"

namespace yumda::cli {

namespace {

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

// The verb's own flags fill O; the global ones are added here.
void run_remove(GlobalOptions& g, RemoveOptions o) {
  Config config = make_config(g);
  ConsoleReporter reporter(g);
  o.root = layer_root(g);
  o.nowait = g.nowait;
  o.confirm = [&](const RemovePlan& plan) {
    if (!g.json && !g.quiet) std::cout << format_remove_plan(plan) << std::flush;
    return confirm(g);
  };
  auto [plan, done] = remove_packages(config, o, reporter);
  if (g.json) {
    json j = {{"root", o.root}, {"performed", done}, {"remove", json::array()}};
    const std::pair<const std::vector<InstalledPackage>*, const char*> groups[] = {
        {&plan.named, "requested"}, {&plan.dependents, "dependent"}, {&plan.unneeded, "unused"}};
    for (const auto& [pkgs, reason] : groups)
      for (const auto& p : *pkgs) {
        json pj = package_json(p);
        pj["reason"] = reason;
        j["remove"].push_back(pj);
      }
    set_document(g, j);
  } else if (!done && plan.size() == 0 && !g.quiet) {
    std::cout << "Dependencies resolved.\nNothing to do.\nComplete!\n";  // autoremove with nothing unneeded, as dnf
  } else if (done && !g.quiet) {
    std::cout << "\nRemoved " << plan.size() << " package" << (plan.size() == 1 ? "" : "s") << ". Complete!\n";
  }
}

}  // namespace

void add_remove(CLI::App& app, GlobalOptions& g) {
  auto [remove, a] = add_verb<RemoveOptions>(
      app, g, "remove", "Remove packages (and what needs them, and unused dependencies)", run_remove);
  remove->alias("erase");
  remove->add_option("packages", a.specs, "Package names or globs")->required();

  auto autoremove = add_verb<RemoveOptions>(
      app, g, "autoremove", "Remove packages installed as dependencies that nothing asked for needs", run_remove);
  autoremove.second.autoremove = true;
}

}  // namespace yumda::cli
