// The verbs: each adds its CLI11 subcommand and runs through the library.
#pragma once
#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <vector>

#include "yumda/config.hpp"

namespace yumda::cli {

// Arguments of the verbs, filled by CLI11.
struct CommandArgs {
  std::vector<std::string> specs;  // install
  std::vector<std::string> remove_specs;  // remove
  std::string lockfile;
  std::string clean_what;  // clean
  std::string locked;
  std::string build_file = "yumda.toml";  // build
  bool installed = false;          // list
  bool available = false;
  bool upgrades = false;  // list --upgrades
  std::vector<std::string> list_words;  // list: [installed|available|upgrades|all] [GLOB]
  std::string output = "layer.zip";  // zip
  bool all = false;                  // repolist
  std::string sbom_format = "spdx";  // sbom
  std::string sbom_output;
  bool nodocs = false;     // install, build, upgrade, reinstall
  bool noscripts = false;  // install, upgrade, reinstall
  std::vector<std::string> words;  // info, search, provides, repoquery, download, upgrade, reinstall
  bool rq_requires = false, rq_whatrequires = false, rq_list = false;  // repoquery
  std::string destdir = ".";  // download
  bool resolve = false;
};

struct GlobalOptions {
  ConfigOptions config;
  std::vector<std::string> repofrompath_raw;  // "ID,URL"
  std::vector<std::string> enablerepo, disablerepo;
  std::optional<std::string> root;
  bool cacheonly = false;
  bool assumeyes = false;
  bool assumeno = false;
  bool quiet = false;
  bool verbose = false;
  bool json = false;
  std::string color = "auto";  // --color=auto|always|never (NO_COLOR wins over auto)
  bool nowait = false;
  bool yum_compat = false;  // invoked as `yum`: default root /lambda/opt when it exists
  std::vector<std::string> raw_args;  // as typed, for option order
  CommandArgs args;
  int exit_code = 0;
  std::string document;  // --json: the verb's result, printed when it has finished
};

void add_global_options(CLI::App& app, GlobalOptions& g);
void add_commands(CLI::App& app, GlobalOptions& g);

// --json's document for a failed run: {"error": {"message": M, "exit_code": N}}
// on stdout, M being the line that went to stderr.
void print_json_error(const std::string& message, int exit_code);

}  // namespace yumda::cli
