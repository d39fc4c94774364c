// Where the install job gets each package file: straight from a file:// repo
// (no copy), from the package cache, or downloaded into it; and the checks a
// file passes before extraction (size + checksum, then the repo's signatures).
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "yumda/config.hpp"
#include "yumda/layer.hpp"
#include "yumda/fetch.hpp"
#include "yumda/reporter.hpp"
#include "yumda/resolve.hpp"
#include "yumda/verify.hpp"
#include "install/run_mark.hpp"
#include "install/verified_files.hpp"

namespace yumda {

class PackageSource {
 public:
  PackageSource(const Config& config, Fetcher& fetcher, bool cacheonly, Reporter& reporter);
  ~PackageSource();  // drops the names borrow() made
  PackageSource(const PackageSource&) = delete;
  PackageSource& operator=(const PackageSource&) = delete;

  // Makes every package available as a local file, calling READY(pkg, path)
  // for each as soon as it is (on this thread). Throws Error naming the first
  // package that could not be had.
  void fetch(const std::vector<PackageInfo>& packages,
             const std::function<void(const PackageInfo&, const std::string&)>& ready);

  // Signature and digest checks for PKG's repo (gpgcheck); throws Error.
  void verify(const PackageInfo& pkg, const std::string& path);

  // After a successful install: drop downloaded packages unless keepcache=1.
  void finish_success();

  // CACHEDIR/packages/<repo>/<file name>
  std::string cache_path(const PackageInfo& pkg) const;

 private:
  const Keyring* keyring_for(const RepoConfig& repo);
  const Keyring* commandline_keyring(const PackageInfo& pkg);
  bool gpgcheck(const PackageInfo& pkg) const;
  std::string copy_local(const PackageInfo& pkg);  // the cache's copy of a command-line package
  const Keyring* loaded_keyring(const PackageInfo& pkg) const;  // nullptr without gpgcheck
  // The checks a file of PKG passes: its metadata checksum and the keyring.
  std::string checks_of(const PackageInfo& pkg) const;
  // A hard link to the cached DEST that only this run uses (a concurrent run
  // that downloaded DEST deletes its name when done, keepcache=0); "" when
  // DEST is gone, DEST itself where hard links cannot be made.
  std::string borrow(const std::string& dest);
  std::string borrow_name(const std::string& dest);

  const Config& config_;
  Fetcher& fetcher_;
  bool cacheonly_;
  Reporter& reporter_;
  std::map<std::string, std::unique_ptr<Keyring>> keyrings_;  // by repo id
  std::vector<std::string> downloaded_;
  std::vector<std::string> borrowed_;
  size_t borrow_count_ = 0;
  // Package files that passed every check (metadata checksum, rpm digests and,
  // with gpgcheck, signatures against a keyring) in an earlier run: a warm
  // install of packages read in place then hashes nothing it hashed before.
  VerifiedFiles verified_;
  RunMark run_mark_;  // names the borrowed names; destroyed after they are dropped
};

// The layer's packages as the resolver takes them (its installed set).
std::vector<LayerPackage> layer_packages(const LayerState& state);

}  // namespace yumda
