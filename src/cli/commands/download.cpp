// download: packages, checked like any install, written into a directory.
#include <iostream>

#include "../console_reporter.hpp"
#include "common.hpp"
#include "yumda/install.hpp"

namespace yumda::cli {

namespace {

// The flags fill the library's options directly; only the global ones are
// added here.
void run_download(GlobalOptions& g, DownloadOptions o) {
  ConfigOptions options = config_options(g);
  options.source_repos = o.source;
  Config config = make_config(g, options);
  ConsoleReporter reporter(g);
  o.cacheonly = g.cacheonly;
  auto written = download_packages(config, o, reporter);
  if (g.json) set_document(g, {{"destdir", o.destdir}, {"files", written}});
  else if (!g.quiet)
    for (const auto& f : written) std::cout << f << "\n";
}

}  // namespace

void add_download(CLI::App& app, GlobalOptions& g) {
  auto [download, a] = add_verb<DownloadOptions>(
      app, g, "download", "Download packages (checked) into a directory", run_download);
  download->add_option("packages", a.specs, "Package specs")->required();
  download->add_option("--destdir,--downloaddir", a.destdir, "Directory to write to (default .)");
  download->add_flag("--resolve", a.resolve, "Also the dependencies the runtime does not provide");
  download->add_flag("--source", a.source, "The source packages (SRPMs) instead, from ID-source repos too");
}

}  // namespace yumda::cli
