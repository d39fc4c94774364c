// zip: the layer directory as a reproducible Lambda layer zip.
#include <spdlog/spdlog.h>

#include <iostream>

#include "common.hpp"
#include "yumda/error.hpp"
#include "yumda/fs.hpp"
#include "yumda/install.hpp"
#include "yumda/layer.hpp"
#include "yumda/zip.hpp"

namespace yumda::cli {

namespace {

struct ZipArgs {
  std::string output = "layer.zip";
};

void run_zip(GlobalOptions& g, const ZipArgs& a) {
  const std::string& out = a.output;
  std::string root = layer_root(g);
  if (!is_directory(root)) throw Error("layer directory " + root + " does not exist (check --root)");
  ZipOptions o;
  o.mtime = reproducible_mtime(list_installed(root));
  ZipResult r = write_layer_zip(root, out, o);
  if (r.zipped_bytes > kLambdaMaxZipped)
    spdlog::warn("{} is {} zipped: over Lambda's 50 MiB limit for a direct upload (use S3)", out, human_size(r.zipped_bytes));
  if (r.unzipped_bytes > kLambdaMaxUnzipped)
    spdlog::warn("layer {} is {} unzipped: over Lambda's 250 MiB limit for a function and its layers", root,
                 human_size(r.unzipped_bytes));
  if (g.json) {
    set_document(g, {{"zip", out}, {"entries", r.entries}, {"unzipped_bytes", r.unzipped_bytes}, {"zipped_bytes", r.zipped_bytes}});
  } else if (!g.quiet) {
    std::cout << "Wrote " << out << ": " << r.entries << " entries, " << human_size(r.zipped_bytes) << " ("
              << human_size(r.unzipped_bytes) << " unzipped)\n";
  }
}

}  // namespace

void add_zip(CLI::App& app, GlobalOptions& g) {
  auto [zip, a] = add_verb<ZipArgs>(
      app, g, "zip", "Write the layer directory as a reproducible Lambda layer zip", run_zip);
  zip->add_option("-o,--output", a.output, "Zip file to write (default layer.zip)");
}

}  // namespace yumda::cli
