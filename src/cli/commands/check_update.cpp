// check-update (check-upgrade), and list --upgrades: newer versions in the repos.
#include <cstdio>
#include <iostream>

#include "../console_reporter.hpp"
#include "common.hpp"
#include "yumda/fs.hpp"
#include "yumda/install.hpp"

namespace yumda::cli {

void list_upgrades(GlobalOptions& g, const char* header) {
  Config config = make_config(g);
  ConsoleReporter reporter(g);
  std::string root = layer_root(g);
  json j = {{"upgrades", json::array()}};
  RepoSession session(config, is_directory(root + "/.yumda") ? root : "", g.cacheonly, reporter);
  ResolveResult plan = session.resolver().upgrade({});
  bool any = false;
  if (g.json) session.resolver().describe(plan.install);
  for (const auto& p : plan.install) {
    if (!plan.replaces.count(p.nevra.str())) continue;  // a new dependency, not an upgrade
    if (!any && header && !g.json) std::cout << header << "\n";
    any = true;
    j["upgrades"].push_back(package_json(p));
    if (!g.json)
      std::printf("%-40s %-30s %s\n", (p.nevra.name + "." + p.nevra.arch).c_str(), p.nevra.evr().c_str(),
                  p.repo_id.c_str());
  }
  if (g.json) set_document(g, j);
  if (any) g.exit_code = 100;
}

void add_check_update(CLI::App& app, GlobalOptions& g) {
  auto* check_update = app.add_subcommand("check-update", "List upgrades for the layer; exit 100 when there is one");
  check_update->alias("check-upgrade");
  check_update->callback(verb_callback(g, [&g] { list_upgrades(g, nullptr); }));
}

}  // namespace yumda::cli
