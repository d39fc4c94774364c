// yumda's command line: parses, calls the library, prints. Exit codes: 0 ok,
// 1 error, 2 usage, 130 interrupted (README.md, "Exit codes").
#include <signal.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "commands.hpp"
#include "version.hpp"
#include "yumda/error.hpp"
#include "yumda/reporter.hpp"
#include "yumda/suggest.hpp"

namespace {

void on_signal(int) { yumda::request_interrupt(); }

void install_signal_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

void setup_logging() {
  auto logger = spdlog::stderr_color_st("yumda");
  logger->set_pattern("%^%l%$: %v");
  if (std::getenv("NO_COLOR")) logger->set_pattern("%l: %v");
  spdlog::set_default_logger(logger);
}

// The original yumda image ran `yum install -y PKG` with the layer mounted at
// /lambda/opt; `yumda yum ...`, `yum ...` (a symlink) and `dnf ...` keep working.
bool strip_yum_compat(std::vector<std::string>& args, const char* argv0) {
  std::string self = argv0;
  self = self.substr(self.rfind('/') == std::string::npos ? 0 : self.rfind('/') + 1);
  bool compat = self == "yum" || self == "dnf";
  if (!args.empty() && (args.front() == "yum" || args.front() == "dnf")) {
    args.erase(args.begin());
    compat = true;
  }
  return compat;
}

// A parse error can come before CLI11 has stored --json (e.g. an option left
// without its value): an argument spelled --json before any "--" counts too.
bool wants_json(const yumda::cli::GlobalOptions& g) {
  if (g.json) return true;
  auto end = std::find(g.raw_args.begin(), g.raw_args.end(), "--");
  return std::find(g.raw_args.begin(), end, "--json") != end;
}

// The first word of ARGS that is neither an option nor an option's value:
// where the verb should be. "" when there is none.
std::string first_word(const CLI::App& app, const std::vector<std::string>& args) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") return i + 1 < args.size() ? args[i + 1] : "";
    if (a.empty() || a[0] != '-') return a;
    if (a.find('=') != std::string::npos || (a.size() > 2 && a[1] != '-')) continue;  // --k=v, -yq, -cFILE
    const CLI::Option* opt = app.get_option_no_throw(a);
    if (opt && opt->get_expected_max() > 0) ++i;  // its value
  }
  return "";
}

// "No such command: instal. Did you mean: install?" for a verb CLI11 did
// not know; "" when the error is another one.
std::string unknown_verb(const CLI::App& app, const std::vector<std::string>& args) {
  if (!app.get_subcommands().empty()) return "";
  std::string word = first_word(app, args);
  if (word.empty()) return "";
  std::vector<std::string> verbs;
  for (const CLI::App* sub : app.get_subcommands({})) {
    if (sub->get_name() == word) return "";
    verbs.push_back(sub->get_name());
    for (const auto& alias : sub->get_aliases()) verbs.push_back(alias);
  }
  std::string msg = "No such command: " + word + ".";
  auto near = yumda::closest_words(word, verbs, 3);
  for (size_t i = 0; i < near.size(); ++i) msg += (i ? " or " : " Did you mean: ") + near[i];
  return msg + (near.empty() ? "" : "?") + " (yumda --help lists the commands)";
}

}  // namespace

int main(int argc, char** argv) {
  setup_logging();
  install_signal_handlers();

  std::vector<std::string> args(argv + 1, argv + argc);
  yumda::cli::GlobalOptions g;
  g.yum_compat = strip_yum_compat(args, argv[0]);
  g.raw_args = args;

  CLI::App app{"yumda: build AWS Lambda layers from RPM repositories", "yumda"};
  app.require_subcommand(1);
  app.fallthrough();  // global options may also follow the subcommand, as with dnf
  app.set_version_flag("--version", yumda::cli::version_text, "Print the version, the commit and the library versions, and exit");
  yumda::cli::add_global_options(app, g);
  yumda::cli::add_commands(app, g);

  std::reverse(args.begin(), args.end());  // CLI11 parses a reversed vector
  try {
    app.parse(args);
  } catch (const CLI::ParseError& e) {
    std::string verb_error = e.get_exit_code() == 0 ? "" : unknown_verb(app, g.raw_args);
    if (!verb_error.empty()) spdlog::error("{}", verb_error);
    int rc = verb_error.empty() ? app.exit(e) : 1;  // --help/--version on stdout (rc 0), else the error on stderr
    if (rc == 0) return 0;
    if (wants_json(g)) yumda::cli::print_json_error(verb_error.empty() ? e.what() : verb_error, yumda::kExitUsage);
    return yumda::kExitUsage;
  }
  return g.exit_code;
}
