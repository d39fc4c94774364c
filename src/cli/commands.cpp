// The global options and the verbs' registration; each verb is in
// commands/<verb>.cpp with its own options.
#include "commands.hpp"

#include <iostream>
#include <nlohmann/json.hpp>

#include "commands/common.hpp"
#include "yumda/error.hpp"

namespace yumda::cli {

void print_json_error(const std::string& message, int exit_code) {
  std::cout << nlohmann::json{{"schema_version", kJsonSchemaVersion},
                                {"error", {{"message", redact_urls(message)}, {"exit_code", exit_code}}}}.dump(2) << "\n"
            << std::flush;
}

void add_global_options(CLI::App& app, GlobalOptions& g) {
  app.add_option("-c,--config", g.config.config_file, "Config file (yum.conf format)");
  app.add_option("--repofrompath", g.repofrompath_raw, "Add a repo: ID,URL")->take_all()->allow_extra_args(false);
  app.add_option("--enablerepo", g.enablerepo, "Enable repos by id or glob")->take_all()->allow_extra_args(false);
  app.add_option("--disablerepo", g.disablerepo, "Disable repos by id or glob")->take_all()->allow_extra_args(false);
  app.add_option("--repo,--repoid", g.config.only_repos, "Use only these repos")->take_all()->allow_extra_args(false);
  app.add_option("--setopt", g.config.setopts, "Set a config option: KEY=VAL or REPOID.KEY=VAL")->take_all()->allow_extra_args(false);
  app.add_option("--runtime", g.config.runtime, "Lambda runtime profile: al2023 (default), al2, al1 (see `yumda runtimes`)");
  app.add_option("--releasever", g.config.releasever, "Value of $releasever");
  app.add_option("--arch,--forcearch", g.config.arch, "Architecture of the layer: x86_64 (amd64) or aarch64 (arm64)");
  app.add_option("--baseline", g.config.baseline, "Runtime package set: al2023, al2, al1, none or a file");
  app.add_option("--relocate", g.config.relocate_rules,
                 "Relocate payload paths under OLD to NEW in the layer: OLD=NEW (e.g. /usr/lib/foo=/opt/lib/foo)")
      ->allow_extra_args(false);
  app.add_option("--root,--installroot", g.root, "Layer directory (default ./layer)");
  app.add_option("-x,--exclude", g.config.excludes, "Exclude packages by name or NEVRA glob, in every repo")
      ->allow_extra_args(false);
  app.add_flag("--nogpgcheck", g.config.nogpgcheck, "Do not check package or repo metadata signatures (as dnf)");
  app.add_flag_callback("--best", [&g] { g.config.best = true; }, "Install the newest candidate or fail (best=1, as dnf)");
  app.add_flag_callback("--nobest", [&g] { g.config.best = false; },
                        "Fall back to an older candidate when the newest cannot be installed (best=0)");
  app.add_flag("--skip-broken", g.config.skip_broken,
               "Skip what matches nothing or cannot be installed, and say so (strict=0, as dnf)");
  app.add_flag("--refresh", g.config.refresh, "Treat all repo metadata as expired: fetch repomd.xml again");
  app.add_flag("-C,--cacheonly", g.cacheonly, "Use only cached metadata and packages");
  app.add_flag("-y,--assumeyes", g.assumeyes, "Answer yes to the question");
  app.add_flag("--assumeno", g.assumeno, "Answer no: show what would happen and stop");
  app.add_flag("-q,--quiet", g.quiet, "Print only errors");
  app.add_flag("-v,--verbose", g.verbose, "Print each step");
  app.add_flag("--json", g.json, "One JSON document on stdout");
  app.add_option("--color", g.color, "Color of log lines on stderr: auto (default; NO_COLOR turns it off), always, never");
  app.add_flag("--nowait", g.nowait, "Fail instead of waiting for a layer in use");
}

// In the order `yumda --help` lists them.
void add_commands(CLI::App& app, GlobalOptions& g) {
  add_install_verbs(app, g);
  add_info(app, g);
  add_search(app, g);
  add_provides(app, g);
  add_repoquery(app, g);
  add_download(app, g);
  add_remove(app, g);
  add_mark(app, g);
  add_history(app, g);
  add_list(app, g);
  add_check_update(app, g);
  add_zip(app, g);
  add_build(app, g);
  add_lock(app, g);
  add_check(app, g);
  add_sbom(app, g);
  add_makecache(app, g);
  add_clean(app, g);
  add_repolist(app, g);
  add_runtimes(app, g);
}

}  // namespace yumda::cli
