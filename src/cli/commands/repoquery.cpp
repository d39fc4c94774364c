// repoquery: the repos' packages, or what they require, or their files.
#include <algorithm>
#include <iostream>
#include <memory>

#include "../console_reporter.hpp"
#include "common.hpp"
#include "yumda/error.hpp"
#include "yumda/install.hpp"

namespace yumda::cli {

namespace {

struct RepoqueryArgs {
  std::vector<std::string> specs;
  bool requires_ = false, whatrequires = false, list = false;
};

void run_repoquery(GlobalOptions& g, const RepoqueryArgs& a) {
  Config config = make_config(g);
  ConsoleReporter reporter(g.quiet, g.verbose);
  RepoSession session(config, "", g.cacheonly, reporter);
  Resolver& r = session.resolver();
  if (int(a.requires_) + int(a.whatrequires) + int(a.list) > 1)
    throw UsageError("repoquery takes one of --requires, --whatrequires, --list");
  std::vector<std::string> want = a.specs.empty() ? std::vector<std::string>{"*"} : a.specs;
  json j = {{"packages", json::array()}};
  std::vector<std::string> lines;
  for (const auto& spec : want) {
    if (a.whatrequires) {
      for (const auto& p : r.whatrequires(spec)) {
        j["packages"].push_back(package_json(p));
        lines.push_back(p.nevra.str());
      }
      continue;
    }
    for (const auto& p : r.query(spec)) {
      json pj = package_json(p);
      if (a.requires_) {
        pj["requires"] = p.requirements;
        lines.insert(lines.end(), p.requirements.begin(), p.requirements.end());
      } else if (a.list) {
        auto files = r.files(p);
        pj["files"] = files;
        lines.insert(lines.end(), files.begin(), files.end());
      } else {
        lines.push_back(p.nevra.str());
      }
      j["packages"].push_back(pj);
    }
  }
  if (g.json) return set_document(g, j);
  if (a.requires_) {  // dnf prints the union, sorted
    std::sort(lines.begin(), lines.end());
    lines.erase(std::unique(lines.begin(), lines.end()), lines.end());
  }
  for (const auto& l : lines) std::cout << l << "\n";
}

}  // namespace

void add_repoquery(CLI::App& app, GlobalOptions& g) {
  auto a = std::make_shared<RepoqueryArgs>();
  auto* repoquery = app.add_subcommand("repoquery", "Query the repos' packages");
  repoquery->add_option("spec", a->specs, "Package specs (default: all)");
  repoquery->add_flag("--requires", a->requires_, "What the packages require");
  repoquery->add_flag("--whatrequires", a->whatrequires, "Packages that require SPEC");
  repoquery->add_flag("-l,--list", a->list, "The packages' files");
  repoquery->callback(verb_callback(g, [&g, a] { run_repoquery(g, *a); }));
}

}  // namespace yumda::cli
