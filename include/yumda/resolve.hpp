// Dependency resolution with libsolv: the requested specs, against what the
// layer already holds plus the Lambda runtime baseline (both "installed"), in
// one job. Produces the list of packages to download and extract.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "yumda/baseline.hpp"
#include "yumda/config.hpp"
#include "yumda/nevra.hpp"
#include "yumda/repo.hpp"

namespace yumda {

// A package as the metadata describes it.
struct PackageInfo {
  Nevra nevra;
  std::string repo_id;
  std::string location;  // href relative to a base URL
  std::vector<std::string> baseurls;  // of its repo, in failover order
  std::string checksum_type;
  std::string checksum;
  uint64_t download_size = 0;
  uint64_t install_size = 0;
  uint64_t buildtime = 0;
  std::string license;
  std::string vendor;
  std::string summary;
  std::string url;
  std::string sourcerpm;
  std::vector<std::string> provides;  // "name op evr" as libsolv prints them
  std::vector<std::string> requirements;  // "requires" is a C++20 keyword
};

// A package the layer holds already (from ROOT/.yumda state).
struct LayerPackage {
  Nevra nevra;
  std::string repo_id;
  std::vector<std::string> provides;
  std::vector<std::string> requirements;  // "requires" is a C++20 keyword
  bool user_installed = true;  // asked for by name, not pulled in as a dependency
};

struct ResolveRequest {
  std::vector<std::string> specs;  // names, globs, name-version[-release], provides, /paths
  bool install_weak_deps = false;
};

struct ResolveResult {
  std::vector<PackageInfo> install;      // new packages, in install order
  std::vector<std::string> already_installed;  // specs already satisfied by the layer or runtime
  std::vector<std::string> from_baseline;      // specs the runtime baseline satisfies
};

// Builds the pool from the enabled repos' metadata and resolves.
class Resolver {
 public:
  Resolver(const Config& config, const Baseline& baseline, const std::vector<LayerPackage>& layer,
           Fetcher& fetcher, bool cacheonly, Reporter& reporter = null_reporter());
  ~Resolver();
  Resolver(const Resolver&) = delete;
  Resolver& operator=(const Resolver&) = delete;

  // Throws Error listing libsolv's problems in plain words when the request
  // cannot be satisfied, or "No match for argument: X" for an unknown spec.
  ResolveResult resolve(const ResolveRequest& request);

  // Every available package matching GLOB (all when empty), newest first per name.
  std::vector<PackageInfo> available(const std::string& glob = "");

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace yumda
