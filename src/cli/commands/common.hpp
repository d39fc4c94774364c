// What the verbs share: the config from the global options, the layer root,
// --json's document, the confirmation question, the JSON of a package. Each
// verb lives in its own file (commands/<verb>.cpp) with its own options.
#pragma once
#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "../commands.hpp"
#include "yumda/config.hpp"
#include "yumda/layer.hpp"
#include "yumda/nevra.hpp"
#include "yumda/resolve.hpp"
#include "yumda/scripts.hpp"

namespace yumda::cli {

using nlohmann::json;

// The callback of a verb: --enablerepo/--disablerepo put in order, --color
// applied, BODY run; a library error becomes one line on stderr and an exit
// code, and with --json stdout gets exactly one document.
std::function<void()> verb_callback(GlobalOptions& g, std::function<void()> body);

// A verb NAME: its subcommand and its options struct ARGS (owned by the
// callback), handed to RUN (as run(g, args)) once the command line is parsed.
// The caller adds the verb's flags, bound to ARGS' fields.
template <class Args, class Run>
std::pair<CLI::App*, Args&> add_verb(CLI::App& app, GlobalOptions& g, const std::string& name,
                                     const std::string& description, Run run) {
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand(name, description);
  cmd->callback(verb_callback(g, [&g, args, run] { run(g, *args); }));
  return {cmd, *args};
}

// The global options' Config (or with OPTIONS, a verb's variant of them);
// its warnings go to stderr (a ConsoleReporter's) unless -q.
// The command line's configuration options, --repofrompath parsed.
ConfigOptions config_options(const GlobalOptions& g);
Config make_config(const GlobalOptions& g);
Config make_config(const GlobalOptions& g, const ConfigOptions& options);  // OPTIONS: from config_options()
// --root, else $YUMDA_ROOT, else /lambda/opt as `yum`, else ./layer.
std::string layer_root(const GlobalOptions& g);
// --json: the verb's result, printed once the verb has finished: an object,
// with "schema_version" (docs/json.md) added here so no verb forgets it.
void set_document(GlobalOptions& g, json j);
// -y proceeds, --assumeno stops (exit 1, as dnf), a terminal is asked.
bool confirm(GlobalOptions& g);

// An installed package's repo as dnf shows it: "@ID", "@commandline".
inline std::string installed_from(const std::string& repo_id) {
  return repo_id.starts_with("@") ? repo_id : "@" + repo_id;
}
// docs/json.md's "package": the same keys for a repo's package and a layer's
// (whose download size is null and description "": the layer keeps neither).
json package_json(const PackageInfo& p);
// docs/json.md's "nevra": a package named only (history, lock, mark).
json nevra_json(const Nevra& n);
json package_json(const InstalledPackage& p);
json scripts_json(const std::vector<ScriptletResult>& scripts);

// The newer versions the repos have for the layer's packages, under HEADER
// (none: no header); exit 100 when there is one, as dnf check-update.
void list_upgrades(GlobalOptions& g, const char* header);

void add_install_verbs(CLI::App& app, GlobalOptions& g);  // install, upgrade, reinstall
void add_info(CLI::App& app, GlobalOptions& g);
void add_search(CLI::App& app, GlobalOptions& g);
void add_provides(CLI::App& app, GlobalOptions& g);
void add_repoquery(CLI::App& app, GlobalOptions& g);
void add_download(CLI::App& app, GlobalOptions& g);
void add_remove(CLI::App& app, GlobalOptions& g);  // remove, autoremove
void add_mark(CLI::App& app, GlobalOptions& g);
void add_history(CLI::App& app, GlobalOptions& g);
// history undo ID (0: the last), as an install run: the plan, the question, the summary.
void run_undo(GlobalOptions& g, uint64_t id);
void add_list(CLI::App& app, GlobalOptions& g);
void add_check_update(CLI::App& app, GlobalOptions& g);
void add_zip(CLI::App& app, GlobalOptions& g);
void add_build(CLI::App& app, GlobalOptions& g);
void add_lock(CLI::App& app, GlobalOptions& g);
void add_check(CLI::App& app, GlobalOptions& g);
void add_sbom(CLI::App& app, GlobalOptions& g);
void add_makecache(CLI::App& app, GlobalOptions& g);
void add_clean(CLI::App& app, GlobalOptions& g);
void add_repolist(CLI::App& app, GlobalOptions& g);
void add_runtimes(CLI::App& app, GlobalOptions& g);

}  // namespace yumda::cli
