// info: dnf's "Name : value" blocks, installed (from the layer) then available.
#include <cstdio>
#include <iostream>
#include <set>

#include "repo_verb.hpp"
#include "yumda/error.hpp"
#include "yumda/fs.hpp"

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
  std::string desc = p.description;  // dnf: every line of it indented under the label
  for (size_t nl = desc.find('\n'); nl != std::string::npos; nl = desc.find('\n', nl + 1))
    desc.insert(nl + 1, "             : "), nl += 15;
  line("Description", desc);
  std::printf("\n");
}

void run_info(GlobalOptions& g, const InfoArgs& a) {
  const auto& specs = a.specs;
  if (specs.empty()) throw UsageError("info needs package names (e.g. yumda info git)");
  std::string root = layer_root(g);
  json installed = json::array(), available = json::array();
  bool any = false;
  bool has_layer = is_directory(root + "/.yumda");
  RepoVerb repos(g, has_layer ? root : "");
  if (has_layer) {
    bool header = false;
    std::set<std::string> hits;  // what the specs match, in every form install takes (as dnf info: no provides)
    for (const auto& s : specs)
      for (const auto& n : repos.resolver().installed(s, /*by_provides=*/false)) hits.insert(n.str());
    std::vector<InstalledPackage> shown;
    std::vector<PackageInfo> copies;  // the repo copy of each of SHOWN (none: no repo_id)
    for (auto& p : list_installed(root)) {
      if (!hits.count(p.nevra.str())) continue;
      copies.emplace_back();
      for (auto& r : repos.resolver().query(p.nevra.str()))
        if (r.nevra == p.nevra) copies.back() = std::move(r);
      shown.push_back(std::move(p));
    }
    // the layer keeps no download size nor description: the repo copy of the same version has them
    repos.resolver().describe(copies);
    for (size_t k = 0; k < shown.size(); ++k) {
      const InstalledPackage& p = shown[k];
      const PackageInfo& copy = copies[k];
      any = true;
      if (g.json) {
        json pj = package_json(p);
        pj["repo"] = installed_from(p.repo_id);
        if (!copy.repo_id.empty()) pj["download_size"] = copy.download_size;
        pj["description"] = copy.description;
        installed.push_back(pj);
      } else {
        PackageInfo i;
        i.nevra = p.nevra, i.repo_id = installed_from(p.repo_id), i.install_size = p.install_size, i.summary = p.summary;
        i.url = p.url, i.license = p.license, i.sourcerpm = p.sourcerpm, i.description = copy.description;
        if (!header) std::cout << "Installed Packages\n";
        header = true;
        print_info(i);
      }
    }
  }
  bool header = false;
  std::vector<PackageInfo> found;
  for (const auto& spec : specs)
    for (auto& p : repos.resolver().query(spec)) found.push_back(std::move(p));
  repos.resolver().describe(found);
  for (const auto& p : found) {
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
