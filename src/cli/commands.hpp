// The global options, shared by every verb; each verb (commands/<verb>.cpp)
// adds its CLI11 subcommand with its own options and runs through the library.
#pragma once
#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <vector>

#include "yumda/config.hpp"

namespace yumda::cli {

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
  int exit_code = 0;
  std::string document;  // --json: the verb's result, printed when it has finished
};

void add_global_options(CLI::App& app, GlobalOptions& g);
void add_commands(CLI::App& app, GlobalOptions& g);

// "schema_version" of every --json document (docs/json.md): bumped only when
// a key is renamed, removed or changes type.
inline constexpr int kJsonSchemaVersion = 1;

// --json's document for a failed run: {"schema_version": 1, "error": {"message": M, "exit_code": N}}
// on stdout, M being the line that went to stderr.
void print_json_error(const std::string& message, int exit_code);

}  // namespace yumda::cli
