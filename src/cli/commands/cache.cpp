// makecache and clean: the metadata and package cache.
#include <iostream>

#include "../console_reporter.hpp"
#include "common.hpp"
#include "yumda/install.hpp"

namespace yumda::cli {

namespace {

struct CleanArgs {
  std::string what;  // metadata, packages or all
};

void run_makecache(GlobalOptions& g) {
  Config config = make_config(g);
  ConsoleReporter reporter(g);
  auto repos = make_cache(config, reporter);
  json j = {{"repos", json::array()}};
  for (const auto& [id, n] : repos) {
    if (g.json) j["repos"].push_back({{"id", id}, {"package_count", n}});
    else if (!g.quiet) std::cout << id << ": " << n << " packages\n";
  }
  if (g.json) set_document(g, j);
  else if (!g.quiet) std::cout << "Metadata cache created in " << config.main.cachedir << ".\n";
}

void run_clean(GlobalOptions& g, const CleanArgs& a) {
  Config config = make_config(g);
  auto removed = clean_cache(config, a.what);
  if (g.json) set_document(g, {{"removed", removed}});
  else if (!g.quiet) std::cout << removed.size() << " cache director" << (removed.size() == 1 ? "y" : "ies") << " removed\n";
}

}  // namespace

void add_makecache(CLI::App& app, GlobalOptions& g) {
  auto* makecache = app.add_subcommand("makecache", "Download and cache the enabled repos' metadata");
  makecache->callback(verb_callback(g, [&g] { run_makecache(g); }));
}

void add_clean(CLI::App& app, GlobalOptions& g) {
  auto [clean, a] = add_verb<CleanArgs>(app, g, "clean", "Remove cached data: metadata, packages or all", run_clean);
  clean->add_option("what", a.what, "metadata, packages or all")->required();
}

}  // namespace yumda::cli
