#include "install/package_source.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include "yumda/checksum.hpp"
#include "yumda/error.hpp"
#include "yumda/fs.hpp"

namespace yumda {

namespace {

std::string base_name(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// The file is what the metadata promised: right size, right checksum.
bool matches_metadata(const PackageInfo& pkg, const std::string& path) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return false;
  if (pkg.download_size && static_cast<uint64_t>(st.st_size) != pkg.download_size) return false;
  if (pkg.checksum_type.empty()) return true;
  return file_digest(path, pkg.checksum_type) == pkg.checksum;
}

}  // namespace

PackageSource::PackageSource(const Config& config, Fetcher& fetcher, bool cacheonly, Reporter& reporter)
    : config_(config), fetcher_(fetcher), cacheonly_(cacheonly), reporter_(reporter) {}

std::string PackageSource::cache_path(const PackageInfo& pkg) const {
  return config_.main.cachedir + "/packages/" + pkg.repo_id + "/" + base_name(pkg.location);
}

void PackageSource::fetch(const std::vector<PackageInfo>& packages,
                          const std::function<void(const PackageInfo&, const std::string&)>& ready) {
  // Keyrings first, on this thread: READY may verify on worker threads, and
  // fetching a key through the Fetcher from there would race the downloads.
  for (const auto& pkg : packages)
    if (const RepoConfig* repo = config_.find_repo(pkg.repo_id); repo && repo->gpgcheck) keyring_for(*repo);

  std::vector<FetchItem> items;
  std::vector<const PackageInfo*> pending;
  for (const auto& pkg : packages) {
    // A local repo's file is used where it is: copying it would only cost time.
    if (!pkg.baseurls.empty()) {
      std::string local = file_url_path(join_url(pkg.baseurls.front(), pkg.location));
      if (!local.empty() && path_exists(local)) {
        if (!matches_metadata(pkg, local))
          throw Error("package " + pkg.nevra.str() + " in " + local +
                      " does not match the repo metadata (size or checksum): the repo is corrupt or changed "
                      "under yumda; rebuild its metadata with createrepo_c");
        ready(pkg, local);
        continue;
      }
    }
    std::string dest = cache_path(pkg);
    if (path_exists(dest) && matches_metadata(pkg, dest)) {
      ready(pkg, dest);
      continue;
    }
    if (cacheonly_)
      throw Error("package " + pkg.nevra.str() + " is not in the cache and -C/--cacheonly forbids downloading it");
    make_dirs(config_.main.cachedir + "/packages/" + pkg.repo_id);
    const RepoConfig* repo = config_.find_repo(pkg.repo_id);
    FetchItem item = repo ? repo_fetch_item(*repo) : FetchItem{};
    for (const auto& base : pkg.baseurls) item.urls.push_back(join_url(base, pkg.location));
    item.dest = dest;
    item.expected_size = pkg.download_size;
    item.checksum_type = pkg.checksum_type;
    item.checksum = pkg.checksum;
    item.label = pkg.nevra.str();
    items.push_back(std::move(item));
    pending.push_back(&pkg);
  }
  if (items.empty()) return;

  std::string first_error;
  fetcher_.fetch_all(items, [&](size_t i, const FetchResult& r) {
    if (!first_error.empty()) return;  // already failing: let the rest drain
    if (!r.ok) {
      first_error = r.error;
      return;
    }
    downloaded_.push_back(items[i].dest);
    try {
      ready(*pending[i], items[i].dest);
    } catch (const Error& e) {
      first_error = e.what();
    }
  });
  if (!first_error.empty()) throw Error(first_error);
}

const Keyring* PackageSource::keyring_for(const RepoConfig& repo) {
  auto it = keyrings_.find(repo.id);
  if (it != keyrings_.end()) return it->second.get();
  auto ring = load_keyring(config_.main, repo, fetcher_, cacheonly_, "gpgcheck");
  return keyrings_.emplace(repo.id, std::move(ring)).first->second.get();
}

void PackageSource::verify(const PackageInfo& pkg, const std::string& path) {
  const RepoConfig* repo = config_.find_repo(pkg.repo_id);
  const Keyring* ring = nullptr;
  if (repo && repo->gpgcheck) {
    auto it = keyrings_.find(repo->id);  // made by fetch() before any worker runs
    if (it == keyrings_.end()) throw Error("internal: no keyring loaded for repo " + repo->id);
    ring = it->second.get();
  }
  verify_rpm(path, pkg.nevra.str(), ring);
}

void PackageSource::finish_success() {
  if (config_.main.keepcache) return;
  for (const auto& f : downloaded_) unlink(f.c_str());
}

FetchOptions fetch_options(const MainConfig& main) {
  FetchOptions o;
  o.max_parallel = std::max(1, main.max_parallel_downloads);
  o.timeout = main.timeout;
  o.retries = main.retries;
  o.sslverify = main.sslverify;
  return o;
}

std::vector<LayerPackage> layer_packages(const LayerState& state) {
  std::vector<LayerPackage> out;
  for (const auto& p : state.packages()) {
    LayerPackage lp;
    lp.nevra = p.nevra;
    lp.repo_id = p.repo_id;
    lp.provides = p.provides;
    lp.requirements = p.requirements;
    lp.user_installed = p.user_installed;
    out.push_back(std::move(lp));
  }
  return out;
}

}  // namespace yumda
