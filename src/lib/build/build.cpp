#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

#include "yumda/build.hpp"
#include "yumda/error.hpp"
#include "yumda/fs.hpp"
#include "yumda/install.hpp"
#include "yumda/lockfile.hpp"
#include "yumda/fetch.hpp"
#include "yumda/resolve.hpp"

namespace yumda {

namespace fs = std::filesystem;

namespace {

std::string beside(const std::string& toml_path, const std::string& rel) {
  if (rel.empty() || rel[0] == '/') return rel;
  return (fs::path(toml_path).parent_path() / rel).lexically_normal().string();
}

// The spec's settings as command-line config options, so yumda.toml means
// exactly what the same flags would.
ConfigOptions config_options(const LayerSpec& spec, ConfigOptions o) {
  if (!spec.config.empty()) o.config_file = beside(spec.path, spec.config);
  if (!spec.baseline.empty() && !o.baseline) {
    std::string b = spec.baseline;
    if (b.find('/') != std::string::npos) b = beside(spec.path, b);  // a file, relative to the toml
    o.baseline = b;
  }
  if (!spec.arch.empty() && !o.arch) o.arch = spec.arch;
  if (!spec.runtime.empty() && !o.runtime) o.runtime = spec.runtime;
  o.nodocs = o.nodocs || spec.nodocs;
  // A repo's path is relative to the toml, not to where yumda runs.
  auto url = [&spec](const std::string& u) {
    return u.find("://") == std::string::npos ? "file://" + fs::absolute(beside(spec.path, u)).string() : u;
  };
  for (const auto& r : spec.repos) {
    RepoFromPath rp{r.id, url(r.baseurls.front()), {}, r.gpgcheck, r.gpgkeys};
    for (size_t i = 1; i < r.baseurls.size(); ++i) rp.more_urls.push_back(url(r.baseurls[i]));
    o.repofrompath.push_back(std::move(rp));
    o.only_repos.push_back(r.id);
  }
  return o;
}

// The toml keys that decide which packages the lock holds, as JSON text
// (Lockfile::inputs): a change to any of them makes the lock stale.
std::map<std::string, std::string> lock_inputs(const LayerSpec& spec) {
  nlohmann::json repos = nlohmann::json::array();
  for (const auto& r : spec.repos)
    repos.push_back({{"id", r.id}, {"baseurls", r.baseurls}, {"gpgcheck", r.gpgcheck}, {"gpgkeys", r.gpgkeys}});
  return {{"packages", nlohmann::json(spec.packages).dump()}, {"repos", repos.dump()},
          {"runtime", nlohmann::json(spec.runtime).dump()},   {"baseline", nlohmann::json(spec.baseline).dump()},
          {"arch", nlohmann::json(spec.arch).dump()},         {"config", nlohmann::json(spec.config).dump()}};
}

// Refuses a lock made from another yumda.toml: building it would quietly
// give the old layer. A lock without inputs (install --lockfile) is not checked.
void check_lock_inputs(const LayerSpec& spec, const Lockfile& lock, const std::string& lock_path) {
  if (lock.inputs.empty()) return;
  std::string changed;
  for (const auto& [key, now] : lock_inputs(spec)) {
    auto it = lock.inputs.find(key);
    std::string was = it == lock.inputs.end() ? "none" : it->second;
    if (was != now) changed += (changed.empty() ? "" : ", ") + key + " " + now + ", locked " + was;
  }
  if (!changed.empty())
    throw Error(spec.path + " changed after " + lock_path + " was written (" + changed + "); run `yumda lock -f " +
                spec.path + "` to update the lock, then build again");
}

// REPORTER: the config's warnings (an unmatched --disablerepo...), as any verb shows them.
Config build_config(const LayerSpec& spec, const ConfigOptions& options, Reporter& reporter) {
  return load_config(config_options(spec, options), reporter);
}

}  // namespace

std::string lock_path(const LayerSpec& spec) { return beside(spec.path, spec.lockfile); }

Lockfile lock_layer(const LayerSpec& spec, const ConfigOptions& options, bool cacheonly, Reporter& reporter) {
  Config config = build_config(spec, options, reporter);
  Baseline baseline = load_baseline(config.main.baseline, config.main.arch);
  Fetcher fetcher(fetch_options(config.main), reporter);
  Sack sack(config, fetcher, cacheonly, reporter);
  Resolver resolver(config, baseline, {}, sack, reporter);
  ResolveRequest request;
  request.specs = spec.packages;
  request.install_weak_deps = config.main.install_weak_deps;
  ResolveResult plan = resolver.resolve(request);
  Lockfile lock = make_lockfile(config, plan.install);
  lock.inputs = lock_inputs(spec);
  write_lockfile(lock_path(spec), lock);
  return lock;
}

BuildResult build_layer(const LayerSpec& spec, const ConfigOptions& options, bool cacheonly, Reporter& reporter) {
  Config config = build_config(spec, options, reporter);
  BuildResult result;
  result.zip_path = beside(spec.path, spec.output);
  result.lock_path = lock_path(spec);

  InstallOptions io;
  io.specs = spec.packages;
  io.cacheonly = cacheonly;
  io.confirm = [](const ResolveResult&) { return true; };
  Lockfile lock;
  if (path_exists(result.lock_path)) {
    lock = read_lockfile(result.lock_path);
    check_lock_inputs(spec, lock, result.lock_path);
    for (const auto& line : pin_repos_to_lock(config, lock)) reporter.info(line);
    io.specs = lock.specs();
    io.check_plan = [&lock](const ResolveResult& plan) { check_plan_against_lock(plan, lock); };
    result.used_lock = true;
  }

  // A fresh layer every time, beside the output so the final rename stays on one filesystem.
  std::string out_dir = fs::path(result.zip_path).parent_path().string();
  if (out_dir.empty()) out_dir = ".";
  make_dirs(out_dir);
  TempDir work(out_dir, ".yumda-build.");
  io.root = work.path() + "/layer";
  InstallResult installed = install(config, io, reporter);
  result.packages = installed.installed.size();
  if (!result.used_lock) {
    lock = make_lockfile(config, installed.plan.install);
    lock.inputs = lock_inputs(spec);
    write_lockfile(result.lock_path, lock);
  }

  ZipOptions zo;
  zo.mtime = reproducible_mtime(LayerState::load(io.root).packages());
  result.zip = write_layer_zip(io.root, result.zip_path, zo);
  return result;
}

}  // namespace yumda
