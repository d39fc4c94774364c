// `yumda build`: a layer declared in yumda.toml (packages, repos, runtime,
// baseline, arch, nodocs, output), resolved (or taken from the lock), installed into a
// fresh directory and zipped. The same file and lock give the same zip bytes.
#pragma once
#include <string>
#include <vector>

#include "yumda/config.hpp"
#include "yumda/lockfile.hpp"
#include "yumda/reporter.hpp"
#include "yumda/zip.hpp"

namespace yumda {

struct LayerSpecRepo {
  std::string id;
  std::vector<std::string> baseurls;
  bool gpgcheck = false;
  std::vector<std::string> gpgkeys;
};

struct LayerSpec {
  std::string path;  // the yumda.toml read
  std::vector<std::string> packages;
  std::string config;  // yum.conf-style file for the repos, relative to the toml; "" = default
  std::vector<LayerSpecRepo> repos;  // when given, the only repos used
  std::string runtime;  // a runtime profile (runtime.hpp); "" = the config's
  std::string baseline;
  std::string arch;
  bool nodocs = false;
  std::string output = "layer.zip";  // relative to the toml's directory
  std::string lockfile = "yumda.lock";
};

// Throws UsageError "FILE:LINE: ..." for bad TOML or unknown keys.
LayerSpec read_layer_spec(const std::string& path);

struct BuildResult {
  std::string zip_path;
  std::string lock_path;
  ZipResult zip;
  size_t packages = 0;
  bool used_lock = false;  // installed exactly what the lock says
};

// OPTIONS carries the command line's config settings (cachedir, -C ...).
// With a lock beside the toml, installs exactly it; a lock made from other
// toml settings (its "inputs") is refused, naming the file and `yumda lock`.
BuildResult build_layer(const LayerSpec& spec, const ConfigOptions& options, bool cacheonly, Reporter& reporter);

// Where SPEC's lock is: its lockfile key, beside the toml.
std::string lock_path(const LayerSpec& spec);

// `yumda lock`: resolves SPEC's packages afresh (an existing lock is ignored)
// and rewrites its lock file with them and the toml's inputs; nothing is
// downloaded or installed. Returns the lock written.
Lockfile lock_layer(const LayerSpec& spec, const ConfigOptions& options, bool cacheonly, Reporter& reporter);

}  // namespace yumda
