// lock: rewrites yumda.lock from yumda.toml on purpose (cargo's `generate-lockfile`).
#include <iostream>

#include "../console_reporter.hpp"
#include "common.hpp"
#include "yumda/build.hpp"

namespace yumda::cli {

namespace {

struct LockArgs {
  std::string file = "yumda.toml";
};

void run_lock(GlobalOptions& g, const LockArgs& a) {
  ConsoleReporter reporter(g);
  LayerSpec spec = read_layer_spec(a.file);
  Lockfile lock = lock_layer(spec, config_options(g), g.cacheonly, reporter);
  std::string path = lock_path(spec);
  if (g.json) {
    json j = {{"schema_version", 1}, {"lockfile", path}, {"packages", json::array()}};
    for (const auto& p : lock.packages) j["packages"].push_back(nevra_json(p.nevra));
    return set_document(g, j);
  }
  if (g.quiet) return;
  std::cout << "Wrote " << path << ": " << lock.packages.size() << " package" << (lock.packages.size() == 1 ? "" : "s")
            << " resolved from " << spec.path << "\n";
}

}  // namespace

void add_lock(CLI::App& app, GlobalOptions& g) {
  auto [lock, a] = add_verb<LockArgs>(
      app, g, "lock", "Resolve yumda.toml afresh and rewrite its lock (nothing is installed)", run_lock);
  lock->add_option("-f,--file", a.file, "Layer file (default yumda.toml)");
}

}  // namespace yumda::cli
