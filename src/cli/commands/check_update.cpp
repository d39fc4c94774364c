// check-update (check-upgrade), and list --upgrades: newer versions in the repos.
#include <cstdio>
#include <iostream>

#include "repo_verb.hpp"
#include "yumda/fs.hpp"

namespace yumda::cli {

void list_upgrades(GlobalOptions& g, const char* header) {
  std::string root = layer_root(g);
  json j = {{"upgrades", json::array()}};
  RepoVerb repos(g, is_directory(root + "/.yumda") ? root : "");
  ResolveResult plan = repos.resolver().upgrade({});
  bool any = false;
  if (g.json) repos.resolver().describe(plan.install);
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
