// check: what would keep the layer from working on Lambda.
#include <iostream>

#include "../console_reporter.hpp"
#include "common.hpp"
#include "yumda/baseline.hpp"
#include "yumda/check.hpp"
#include "yumda/error.hpp"
#include "yumda/fs.hpp"
#include "yumda/install.hpp"

namespace yumda::cli {

namespace {

std::string finding_kind(CheckFinding::Kind k) {
  switch (k) {
    case CheckFinding::Kind::kMissingLibrary: return "missing-library";
    case CheckFinding::Kind::kWrongArchitecture: return "wrong-architecture";
    case CheckFinding::Kind::kMissingInterpreter: return "missing-interpreter";
    case CheckFinding::Kind::kBrokenSymlink: return "broken-symlink";
    case CheckFinding::Kind::kSymlinkOutside: return "symlink-outside-opt";
    case CheckFinding::Kind::kUsrPath: return "usr-path";
    case CheckFinding::Kind::kUnrelocatedPath: return "unrelocated-path";
    case CheckFinding::Kind::kModified: return "modified";
    case CheckFinding::Kind::kTooBig: return "too-big";
  }
  return "unknown";
}

void run_check(GlobalOptions& g) {
  std::string root = layer_root(g);
  if (!is_directory(root)) throw Error("layer directory " + root + " does not exist (check --root)");
  Config config = make_config(g);
  Baseline baseline = load_baseline(config.main.baseline, config.main.arch);
  CheckOptions o;
  o.arch = config.main.arch;
  const PathMap path_map = PathMap::standard(config.main.relocate_rules);
  o.path_map = &path_map;
  for (const auto& p : list_installed(root)) {
    for (const auto& [path, from] : p.moved_from) o.relocated_files.push_back(path);
    for (const auto& r : p.rewritten)
      if (!r.sha256.empty()) o.rewritten_digests[r.path] = {r.sha256, r.sha256_shipped};
  }
  ConsoleReporter reporter(g);
  if (baseline.files.empty()) add_package_facts(config, baseline, root, o, reporter);
  auto findings = check_layer(root, baseline, o);
  size_t errors = 0;
  json j = {{"root", root}, {"runtime", config.main.runtime}, {"arch", config.main.arch}, {"baseline", baseline.source},
            {"findings", json::array()}};
  for (const auto& f : findings) {
    errors += f.error ? 1 : 0;
    if (g.json) {
      j["findings"].push_back({{"kind", finding_kind(f.kind)}, {"error", f.error}, {"path", f.path},
                               {"detail", f.detail}, {"message", f.message()}});
    } else if (f.error) {
      std::cout << "error: " << f.message() << "\n";
    } else if (!g.quiet) {
      std::cout << "warning: " << f.message() << "\n";
    }
  }
  j["errors"] = errors;
  if (g.json) set_document(g, j);
  else if (!g.quiet)
    std::cout << root << ": " << errors << " error(s), " << findings.size() - errors << " warning(s) against baseline "
              << baseline.source << " (" << config.main.arch << ")\n";
  if (errors) g.exit_code = kExitError;
}

}  // namespace

void add_check(CLI::App& app, GlobalOptions& g) {
  auto* check = app.add_subcommand("check", "Report what would keep the layer from working on Lambda");
  check->callback(verb_callback(g, [&g] { run_check(g); }));
}

}  // namespace yumda::cli
