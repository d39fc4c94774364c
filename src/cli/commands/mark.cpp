// mark install|remove PKG...: the reason dnf keeps per package (user or dependency).
#include <iostream>

#include "common.hpp"
#include "yumda/error.hpp"
#include "yumda/remove.hpp"

namespace yumda::cli {

namespace {

struct MarkArgs {
  std::string action;
  std::vector<std::string> specs;
};

void run_mark(GlobalOptions& g, const MarkArgs& a) {
  if (a.action != "install" && a.action != "remove")
    throw UsageError("mark: unknown action '" + a.action + "' (use mark install PKG... or mark remove PKG...)");
  Config config = make_config(g);
  MarkOptions o;
  o.root = layer_root(g);
  o.specs = a.specs;
  o.user_installed = a.action == "install";
  o.nowait = g.nowait;
  std::vector<Nevra> changed = mark_packages(config, o);
  if (g.json) {
    json j = {{"schema_version", 1}, {"root", o.root}, {"reason", o.user_installed ? "user" : "dependency"},
              {"changed", json::array()}};
    for (const auto& n : changed) j["changed"].push_back(nevra_json(n));
    return set_document(g, j);
  }
  if (g.quiet) return;
  for (const auto& n : changed)
    std::cout << "Marked " << n.str() << " as " << (o.user_installed ? "user-installed" : "a dependency") << "\n";
  if (changed.empty()) std::cout << "Nothing to do: already marked so.\n";
}

}  // namespace

void add_mark(CLI::App& app, GlobalOptions& g) {
  auto [mark, a] = add_verb<MarkArgs>(
      app, g, "mark", "Mark layer packages as user-installed (install) or dependencies (remove)", run_mark);
  mark->add_option("action", a.action, "install or remove")->required();
  mark->add_option("packages", a.specs, "Layer package names or globs")->required();
}

}  // namespace yumda::cli
