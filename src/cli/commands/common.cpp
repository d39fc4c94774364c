#include "common.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <optional>

#include "../console_reporter.hpp"
#include "yumda/error.hpp"
#include "yumda/fs.hpp"
#include "yumda/package_json.hpp"

namespace yumda::cli {

namespace {

// Runs BODY, turning library errors into one line on stderr and an exit code.
// With --json, stdout then gets exactly one document: the verb's own, or on
// an error {"error": {...}} in its place (a verb may fail after building its
// document, e.g. info finding nothing).
void guarded(GlobalOptions& g, const std::function<void()>& body) {
  std::optional<std::string> error;
  try {
    body();
  } catch (const Error& e) {
    error = redact_urls(e.what());  // a baseurl's password never reaches the terminal or --json
    g.exit_code = e.exit_code();
  } catch (const std::exception& e) {
    error = redact_urls(e.what());
    g.exit_code = kExitError;
  }
  if (interrupt_requested()) g.exit_code = kExitInterrupted;
  if (error) spdlog::error("{}", printable(*error));  // a name's escape sequence never reaches the terminal raw
  if (!g.json) return;
  if (error) print_json_error(*error, g.exit_code);
  else std::cout << g.document << std::flush;
}

// --color=auto|always|never for the log lines on stderr; NO_COLOR turns auto off.
void apply_color(const GlobalOptions& g) {
  spdlog::color_mode mode = spdlog::color_mode::automatic;
  if (g.color == "always") mode = spdlog::color_mode::always;
  else if (g.color == "never") mode = spdlog::color_mode::never;
  else if (g.color != "auto") throw UsageError("--color takes auto, always or never, not '" + g.color + "'");
  else if (const char* nc = std::getenv("NO_COLOR"); nc && *nc) mode = spdlog::color_mode::never;
  auto logger = spdlog::default_logger();
  for (auto& sink : logger->sinks())
    if (auto* c = dynamic_cast<spdlog::sinks::stderr_color_sink_st*>(sink.get())) c->set_color_mode(mode);
  logger->set_pattern(mode == spdlog::color_mode::never ? "%l: %v" : "%^%l%$: %v");
  if (g.quiet) logger->set_level(spdlog::level::err);  // -q: only errors
}

// --enablerepo/--disablerepo apply in the order given, which CLI11 does not
// keep across two options: recover it from the raw arguments.
void order_repo_toggles(GlobalOptions& g) {
  size_t e = 0, d = 0;
  for (const auto& a : g.raw_args) {
    bool en = a.rfind("--enablerepo", 0) == 0, dis = a.rfind("--disablerepo", 0) == 0;
    if (en && e < g.enablerepo.size()) g.config.repo_toggles.emplace_back(true, g.enablerepo[e++]);
    if (dis && d < g.disablerepo.size()) g.config.repo_toggles.emplace_back(false, g.disablerepo[d++]);
  }
  while (e < g.enablerepo.size()) g.config.repo_toggles.emplace_back(true, g.enablerepo[e++]);
  while (d < g.disablerepo.size()) g.config.repo_toggles.emplace_back(false, g.disablerepo[d++]);
}

}  // namespace

std::function<void()> verb_callback(GlobalOptions& g, std::function<void()> body) {
  return [&g, body = std::move(body)] {
    order_repo_toggles(g);
    guarded(g, [&g, &body] {
      apply_color(g);
      body();
    });
  };
}

ConfigOptions config_options(const GlobalOptions& g) {
  ConfigOptions o = g.config;
  for (const auto& spec : g.repofrompath_raw) {
    auto comma = spec.find(',');
    if (comma == std::string::npos || comma == 0 || comma + 1 == spec.size())
      throw UsageError("--repofrompath takes ID,URL (e.g. --repofrompath local,file:///srv/repo), not '" + spec + "'");
    o.repofrompath.emplace_back(spec.substr(0, comma), spec.substr(comma + 1));
  }
  return o;
}

Config make_config(const GlobalOptions& g) { return make_config(g, config_options(g)); }

Config make_config(const GlobalOptions& g, const ConfigOptions& o) {
  ConsoleReporter reporter(g);  // its warnings: on stderr, none with -q
  return load_config(o, reporter);
}

std::string layer_root(const GlobalOptions& g) {
  if (g.root) return *g.root;
  if (const char* env = std::getenv("YUMDA_ROOT"); env && *env) return env;
  if (g.yum_compat && is_directory("/lambda/opt")) return "/lambda/opt";
  return "layer";
}

void set_document(GlobalOptions& g, json j) {
  j["schema_version"] = kJsonSchemaVersion;
  g.document = j.dump(2) + "\n";
}

// A declined transaction exits 1, as dnf; anything but a terminal refuses.
bool confirm(GlobalOptions& g) {
  if (g.assumeno) {
    if (!g.json) std::cout << "Operation aborted.\n";
    g.exit_code = kExitError;
    return false;
  }
  if (g.assumeyes) return true;
  if (isatty(STDIN_FILENO) != 1)
    throw Error("not installing without confirmation: stdin is not a terminal; add -y to proceed");
  std::ostream& out = g.json ? std::cerr : std::cout;  // --json keeps stdout for the document
  out << "Is this ok [y/N]: " << std::flush;
  std::string answer;
  std::getline(std::cin, answer);
  if (answer == "y" || answer == "Y" || answer == "yes") return true;
  out << "Operation aborted.\n";
  g.exit_code = kExitError;
  return false;
}

json nevra_json(const Nevra& n) {
  json j = json::object();
  nevra_to_json(j, n, JsonStyle::kShown);
  return j;
}

namespace {

// The fields of docs/json.md's package object that both records have.
json core_json(const PackageCore& p) {
  json j = json::object();
  package_to_json(j, p, JsonStyle::kShown, kNevraFields | kRepoField | kHeaderFields);
  return j;
}

}  // namespace

json package_json(const PackageInfo& p) {
  json j = core_json(p);
  j["download_size"] = p.download_size;
  j["description"] = p.description;
  return j;
}

json package_json(const InstalledPackage& p) {
  json j = core_json(p);
  j["download_size"] = nullptr;  // the layer keeps no download size or description
  j["description"] = "";
  return j;
}

json scripts_json(const std::vector<ScriptletResult>& scripts) {
  json j = json::array();
  for (const auto& s : scripts)
    j.push_back({{"package", s.package}, {"status", scriptlet_status_name(s.status)}, {"exit_code", s.exit_code},
                 {"detail", s.detail}});
  return j;
}

}  // namespace yumda::cli
