// list [installed|available|upgrades|all] [GLOB]
#include <fnmatch.h>

#include <cstdio>
#include <iostream>

#include "../console_reporter.hpp"
#include "common.hpp"
#include "yumda/baseline.hpp"
#include "yumda/error.hpp"
#include "yumda/fetch.hpp"
#include "yumda/install.hpp"

namespace yumda::cli {

namespace {

struct ListArgs {
  bool installed = false;
  bool available = false;
  bool upgrades = false;
  std::vector<std::string> words;  // [installed|available|upgrades|all] [GLOB]
};

void run_list(GlobalOptions& g, bool installed, bool available, const std::string& glob) {
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
        json pj = package_json(p);
        pj["user_installed"] = p.user_installed;
        j["installed"].push_back(pj);
      } else {
        std::printf("%-40s %-30s %s\n", (p.nevra.name + "." + p.nevra.arch).c_str(), p.nevra.evr().c_str(),
                    installed_from(p.repo_id).c_str());
      }
    }
  }
  if (available) {
    Config config = make_config(g);
    ConsoleReporter reporter(g);
    Baseline baseline = load_baseline(config.main.baseline, config.main.arch);
    Fetcher fetcher(FetchOptions{}, reporter);
    Sack sack(config, fetcher, g.cacheonly, reporter);
    Resolver resolver(config, baseline, {}, sack, reporter);
    auto pkgs = resolver.available(glob);
    if (g.json) resolver.describe(pkgs);
    listed += pkgs.size();
    j["available"] = json::array();
    if (!g.json && !pkgs.empty()) std::cout << "Available Packages\n";
    for (const auto& p : pkgs) {
      if (g.json) {
        j["available"].push_back(package_json(p));
      } else {
        std::printf("%-40s %-30s %s\n", (p.nevra.name + "." + p.nevra.arch).c_str(), p.nevra.evr().c_str(),
                    p.repo_id.c_str());
      }
    }
  }
  if (listed == 0) throw Error("No matching Packages to list");  // as dnf, --json or not
  if (g.json) set_document(g, j);
}

void run_list_words(GlobalOptions& g, ListArgs a) {
  // dnf's words: `yum list available` (the original image's habit) is --available, not a glob.
  auto& w = a.words;
  if (!w.empty() && (w[0] == "installed" || w[0] == "available" || w[0] == "all" || w[0] == "upgrades" || w[0] == "updates")) {
    a.installed = a.installed || w[0] == "installed" || w[0] == "all";
    a.available = a.available || w[0] == "available" || w[0] == "all";
    a.upgrades = a.upgrades || w[0] == "upgrades" || w[0] == "updates";
    w.erase(w.begin());
  }
  if (w.size() > 1) throw UsageError("list takes one name glob (e.g. yumda list 'lib*'), not " + std::to_string(w.size()));
  if (a.upgrades) return list_upgrades(g, "Available Upgrades");
  run_list(g, a.installed, a.available, w.empty() ? "" : w.front());
}

}  // namespace

void add_list(CLI::App& app, GlobalOptions& g) {
  auto [list, a] = add_verb<ListArgs>(app, g, "list", "List installed or available packages", run_list_words);
  list->add_flag("--installed", a.installed, "Packages in the layer");
  list->add_flag("--available", a.available, "Packages in the enabled repos");
  list->add_flag("--upgrades,--updates", a.upgrades, "Newer versions of layer packages (exit 100 when there is one)");
  list->add_option("pattern", a.words, "[installed|available|upgrades|all] and a name glob");
}

}  // namespace yumda::cli
