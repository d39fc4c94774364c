// build: the layer zip declared in yumda.toml, with its lock.
#include <iostream>

#include "../console_reporter.hpp"
#include "common.hpp"
#include "yumda/build.hpp"
#include "yumda/fs.hpp"

namespace yumda::cli {

namespace {

struct BuildArgs {
  std::string file = "yumda.toml";
  bool nodocs = false;
};

void run_build(GlobalOptions& g, const BuildArgs& a) {
  ConsoleReporter reporter(g);
  LayerSpec spec = read_layer_spec(a.file);
  if (a.nodocs) spec.nodocs = true;
  BuildResult r = build_layer(spec, config_options(g), g.cacheonly, reporter);
  if (g.json) {
    set_document(g, {{"zip", r.zip_path}, {"lockfile", r.lock_path}, {"used_lock", r.used_lock}, {"package_count", r.packages},
                     {"entries", r.zip.entries}, {"zipped_bytes", r.zip.zipped_bytes}, {"unzipped_bytes", r.zip.unzipped_bytes}});
  } else if (!g.quiet) {
    std::cout << "Built " << r.zip_path << " from " << r.packages << " packages ("
              << (r.used_lock ? "exactly as locked in " : "lock written to ") << r.lock_path << "): "
              << human_size(r.zip.zipped_bytes) << ", " << human_size(r.zip.unzipped_bytes) << " unzipped\n";
  }
}

}  // namespace

void add_build(CLI::App& app, GlobalOptions& g) {
  auto [build, a] = add_verb<BuildArgs>(
      app, g, "build", "Build the layer zip declared in yumda.toml (with its lock)", run_build);
  build->add_option("-f,--file", a.file, "Layer file (default yumda.toml)");
  build->add_flag("--nodocs", a.nodocs, "Leave out %doc files, man and info pages");
}

}  // namespace yumda::cli
