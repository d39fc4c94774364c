// sbom: an SPDX 2.3 or CycloneDX 1.5 document of the layer's packages.
#include <filesystem>
#include <iostream>

#include "common.hpp"
#include "yumda/fs.hpp"
#include "yumda/install.hpp"
#include "yumda/layer.hpp"
#include "yumda/sbom.hpp"

namespace yumda::cli {

namespace {

struct SbomArgs {
  std::string format = "spdx";
  std::string output;  // "" or "-": stdout
};

void run_sbom(GlobalOptions& g, const SbomArgs& a) {
  std::string root = layer_root(g);
  SbomOptions o;
  o.format = parse_sbom_format(a.format);
  o.layer_name = std::filesystem::path(root).lexically_normal().filename().string();
  if (o.layer_name.empty() || o.layer_name == ".") o.layer_name = "layer";
  o.created = reproducible_mtime(list_installed(root));
  o.tool_version = YUMDA_VERSION;
  std::string doc = make_sbom(list_installed(root), o);
  if (a.output.empty() || a.output == "-") {
    if (g.json) set_document(g, {{"format", a.format}, {"file", nullptr}, {"sbom", json::parse(doc)}});
    else std::cout << doc;
  } else {
    write_file_atomic(a.output, doc);
    if (g.json) set_document(g, {{"format", a.format}, {"file", a.output}});
  }
}

}  // namespace

void add_sbom(CLI::App& app, GlobalOptions& g) {
  auto [sbom, a] = add_verb<SbomArgs>(app, g, "sbom", "Write an SPDX 2.3 or CycloneDX 1.5 SBOM of the layer", run_sbom);
  sbom->add_option("--format", a.format, "spdx (default) or cyclonedx");
  sbom->add_option("-o,--output", a.output, "File to write (default: stdout)");
}

}  // namespace yumda::cli
