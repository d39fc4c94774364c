// repolist: the configured repos.
#include <cstdio>

#include "common.hpp"
#include "yumda/error.hpp"

namespace yumda::cli {

namespace {

struct RepolistArgs {
  bool all = false;  // also disabled repos
};

void run_repolist(GlobalOptions& g, const RepolistArgs& a) {
  const bool all = a.all;
  Config config = make_config(g);
  json j = {{"repos", json::array()}};
  if (!g.json) std::printf("%-24s %-40s %s\n", "repo id", "repo name", all ? "status" : "");
  for (const auto& r : config.repos) {
    if (!all && !r.enabled) continue;
    if (g.json) {
      std::vector<std::string> urls;  // a password in a baseurl is not for the document
      for (const auto& u : r.baseurls) urls.push_back(redact_urls(u));
      j["repos"].push_back({{"id", r.id}, {"name", r.name}, {"enabled", r.enabled}, {"baseurl", urls},
                   {"gpgcheck", r.gpgcheck}, {"priority", r.priority}});
    } else {
      std::printf("%-24s %-40s %s\n", r.id.c_str(), r.name.c_str(), all ? (r.enabled ? "enabled" : "disabled") : "");
    }
  }
  if (g.json) set_document(g, j);
}

}  // namespace

void add_repolist(CLI::App& app, GlobalOptions& g) {
  auto [repolist, a] = add_verb<RepolistArgs>(app, g, "repolist", "Show configured repositories", run_repolist);
  repolist->add_flag("--all", a.all, "Also disabled repos");
}

}  // namespace yumda::cli
