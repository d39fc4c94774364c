// runtimes: the built-in Lambda runtime profiles.
#include <iostream>

#include "common.hpp"
#include "yumda/error.hpp"
#include "yumda/runtime.hpp"

namespace yumda::cli {

namespace {

// `runtimes`: the built-in profiles, each with its default repos as the
// built-in config defines them for that runtime (x86_64 URLs).
void run_runtimes(GlobalOptions& g) {
  std::string current;
  try {
    current = make_config(g).main.runtime;
  } catch (const UsageError&) {
    // A config that does not load still lets the profiles be listed.
  }
  auto join = [](const std::vector<std::string>& v) {
    std::string out;
    for (const auto& s : v) out += (out.empty() ? "" : " ") + s;
    return out;
  };
  json j = {{"runtimes", json::array()}};
  for (const auto& id : builtin_runtimes()) {
    RuntimeProfile p = load_runtime(id);
    ConfigOptions o;
    o.config_file = kBuiltinConfig;
    o.runtime = id;
    o.cachedir = "/nonexistent";  // not used: only the repos are read
    json repos = json::array();
    std::string repo_text;
    const Config defaults = load_config(o);
    for (const RepoConfig* r : defaults.enabled_repos()) {
      const std::string url = r->mirrorlist.empty() ? join(r->baseurls) : r->mirrorlist;
      repos.push_back({{"id", r->id}, {"mirrorlist", r->mirrorlist}, {"baseurl", r->baseurls}});
      repo_text += "\n  repo          " + r->id + ": " + (r->mirrorlist.empty() ? "" : "mirrorlist ") + url;
    }
    if (g.json) {
      j["runtimes"].push_back({{"id", p.id}, {"name", p.name}, {"default", p.id == kDefaultRuntime}, {"selected", p.id == current},
                   {"lambda_runtimes", p.lambda_runtimes}, {"architectures", p.architectures},
                   {"baseline", p.baseline}, {"releasever", p.releasever}, {"relocate", p.relocate},
                   {"support", p.support}, {"date", p.date}, {"repos", repos}});
      continue;
    }
    std::cout << (p.id == current ? "* " : "  ") << p.id << " - " << p.name
              << (p.id == kDefaultRuntime ? " (default)" : "") << "\n  serves        " << join(p.lambda_runtimes)
              << "\n  architectures " << join(p.architectures) << "\n  support       " << p.support
              << "\n  package set   " << p.baseline << ", releasever " << p.releasever << ", relocate " << p.relocate
              << "\n  data from     " << p.date << repo_text << "\n\n";
  }
  if (g.json) set_document(g, j);
}

}  // namespace

void add_runtimes(CLI::App& app, GlobalOptions& g) {
  auto* runtimes = app.add_subcommand("runtimes", "Show the Lambda runtime profiles (--runtime NAME) and what each serves");
  runtimes->callback(verb_callback(g, [&g] { run_runtimes(g); }));
}

}  // namespace yumda::cli
