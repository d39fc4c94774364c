// download: packages, checked like any install, written into a directory.
#include <iostream>
#include <memory>

#include "../console_reporter.hpp"
#include "common.hpp"
#include "yumda/install.hpp"

namespace yumda::cli {

namespace {

struct DownloadArgs {
  std::vector<std::string> specs;
  std::string destdir = ".";
  bool resolve = false;
  bool source = false;
};

void run_download(GlobalOptions& g, const DownloadArgs& a) {
  ConfigOptions options = g.config;
  options.source_repos = a.source;
  Config config = make_config(g, options);
  ConsoleReporter reporter(g);
  DownloadOptions o;
  o.specs = a.specs;
  o.destdir = a.destdir;
  o.resolve = a.resolve;
  o.source = a.source;
  o.cacheonly = g.cacheonly;
  auto written = download_packages(config, o, reporter);
  if (g.json) set_document(g, {{"destdir", o.destdir}, {"files", written}});
  else if (!g.quiet)
    for (const auto& f : written) std::cout << f << "\n";
}

}  // namespace

void add_download(CLI::App& app, GlobalOptions& g) {
  auto a = std::make_shared<DownloadArgs>();
  auto* download = app.add_subcommand("download", "Download packages (checked) into a directory");
  download->add_option("packages", a->specs, "Package specs")->required();
  download->add_option("--destdir,--downloaddir", a->destdir, "Directory to write to (default .)");
  download->add_flag("--resolve", a->resolve, "Also the dependencies the runtime does not provide");
  download->add_flag("--source", a->source, "The source packages (SRPMs) instead, from ID-source repos too");
  download->callback(verb_callback(g, [&g, a] { run_download(g, *a); }));
}

}  // namespace yumda::cli
