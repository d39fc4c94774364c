// info: dnf's "Name : value" blocks, installed (from the layer) then available.
#include <cstdio>
#include <iostream>
#include <set>

#include "../console_reporter.hpp"
#include "common.hpp"
#include "yumda/error.hpp"
#include "yumda/fs.hpp"
#include "yumda/install.hpp"

namespace yumda::cli {

namespace {

struct InfoArgs {
  std::vector<std::string> specs;
};

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

void run_info(GlobalOptions& g, const InfoArgs& a) {
  const auto& specs = a.specs;
  if (specs.empty()) throw UsageError("info needs package names (e.g. yumda info git)");
  Config config = make_config(g);
  ConsoleReporter reporter(g);
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
      if (g.json) {
        json pj = package_json(p);
        pj["repo"] = installed_from(p.repo_id);
        // the layer keeps no download size: the repo copy of the same version has it
        for (const auto& r : session.resolver().query(p.nevra.str()))
          if (r.nevra == p.nevra) pj["download_size"] = r.download_size;
        installed.push_back(pj);
      } else {
        PackageInfo i;
        i.nevra = p.nevra, i.repo_id = installed_from(p.repo_id), i.install_size = p.install_size, i.summary = p.summary;
        i.url = p.url, i.license = p.license, i.sourcerpm = p.sourcerpm;
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
      if (g.json) available.push_back(package_json(p));
      else {
        if (!header) std::cout << "Available Packages\n";
        header = true;
        print_info(p);
      }
    }
  if (g.json) set_document(g, {{"installed", installed}, {"available", available}});
  if (!any) throw Error("No matching packages to list");
}

}  // namespace

void add_info(CLI::App& app, GlobalOptions& g) {
  auto [info, a] = add_verb<InfoArgs>(
      app, g, "info", "Show details of packages (installed in the layer and available)", run_info);
  info->add_option("packages", a.specs, "Names, globs, name-version, 'name >= version'")->required();
}

}  // namespace yumda::cli
