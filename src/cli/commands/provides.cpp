// provides (whatprovides): the packages that provide a capability or a path.
#include <iostream>

#include "repo_verb.hpp"
#include "yumda/error.hpp"

namespace yumda::cli {

namespace {

void run_provides(GlobalOptions& g, const std::vector<std::string>& specs) {
  if (specs.empty()) throw UsageError("provides needs a capability or path (e.g. yumda provides /opt/bin/git)");
  RepoVerb repos(g, "");
  json j = {{"packages", json::array()}};
  bool any = false;
  for (const auto& spec : specs) {
    auto found = repos.resolver().whatprovides(spec);
    // a bare command name means /opt/bin/NAME too, as dnf tries /usr/bin/NAME
    if (found.empty() && spec.find('/') == std::string::npos) found = repos.resolver().whatprovides("/opt/bin/" + spec);
    if (g.json) repos.resolver().describe(found);
    for (const auto& p : found) {
      any = true;
      if (g.json) {
        json pj = package_json(p);
        pj["matched"] = spec;
        j["packages"].push_back(pj);
      } else {
        std::cout << p.nevra.str() << " : " << p.summary << "\nRepo        : " << p.repo_id
                  << "\nMatched from:\nProvide    : " << spec << "\n\n";
      }
    }
  }
  if (g.json) set_document(g, j);
  if (!any) throw Error("No matches found. (" + specs.front() + " is provided by no package of the enabled repos)");
}

}  // namespace

void add_provides(CLI::App& app, GlobalOptions& g) {
  auto [provides, specs] = add_verb<std::vector<std::string>>(
      app, g, "provides", "Find packages that provide a capability or an /opt file", run_provides);
  provides->alias("whatprovides");
  provides->add_option("spec", specs, "Capability (libz.so.1()(64bit)), path (/opt/bin/git) or glob")->required();
}

}  // namespace yumda::cli
