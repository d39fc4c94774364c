#include "install/package_source.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include <set>

#include "yumda/checksum.hpp"
#include "yumda/error.hpp"
#include "yumda/fs.hpp"
#include "yumda/sack.hpp"

namespace yumda {

namespace {

std::string base_name(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// PKG's URL under each base URL of its repo, its location resolved as a URL
// (AL2023's hrefs climb out of the repo into a blobstore); a location that
// climbs above the host root, or out of a file:// repo, is refused.
std::vector<std::string> package_urls(const PackageInfo& pkg) {
  std::vector<std::string> urls;
  for (const auto& base : pkg.baseurls) {
    try {
      urls.push_back(resolve_location(base, pkg.location));
    } catch (const Error& e) {
      throw Error("package " + pkg.nevra.str() + " of repo " + pkg.repo_id + ": " + e.what() +
                  "; refusing to fetch it (the repo's metadata is broken or hostile)");
    }
  }
  return urls;
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
    : config_(config),
      fetcher_(fetcher),
      cacheonly_(cacheonly),
      reporter_(reporter),
      verified_(config.main.cachedir + "/verified-packages"),
      run_mark_(config.main.cachedir) {
  prune_dead_runs(config.main.cachedir);  // the borrowed names of runs killed with -9
}

bool PackageSource::gpgcheck(const PackageInfo& pkg) const {
  // A command-line package: [main] gpgcheck, as dnf5 (--nogpgcheck turns it off).
  if (pkg.repo_id == kCommandlineRepo) return config_.main.gpgcheck;
  const RepoConfig* repo = config_.find_repo(pkg.repo_id);
  return repo && repo->gpgcheck;
}

const Keyring* PackageSource::loaded_keyring(const PackageInfo& pkg) const {
  if (!gpgcheck(pkg)) return nullptr;
  auto it = keyrings_.find(pkg.repo_id);  // made by fetch() before any worker runs
  if (it == keyrings_.end()) throw Error("internal: no keyring loaded for repo " + pkg.repo_id);
  return it->second.get();
}

std::string PackageSource::checks_of(const PackageInfo& pkg) const {
  const Keyring* ring = loaded_keyring(pkg);
  return pkg.checksum_type + ":" + (pkg.checksum.empty() ? "-" : pkg.checksum) + ":" +
         (ring ? "keys-" + ring->fingerprint() : "nosig");
}

std::string PackageSource::cache_path(const PackageInfo& pkg) const {
  // The location's last segment only: never its directories (which may climb
  // with "..", or name a blobstore's digest). Two packages of one name are
  // told apart by the size and checksum check before a cached file is used.
  return config_.main.cachedir + "/packages/" + pkg.repo_id + "/" + base_name(pkg.location);
}

void PackageSource::fetch(const std::vector<PackageInfo>& packages,
                          const std::function<void(const PackageInfo&, const std::string&)>& ready) {
  // Keyrings first, on this thread: READY may verify on worker threads, and
  // fetching a key through the Fetcher from there would race the downloads.
  for (const auto& pkg : packages)
    if (pkg.repo_id == kCommandlineRepo && gpgcheck(pkg)) commandline_keyring(pkg);
    else if (const RepoConfig* repo = config_.find_repo(pkg.repo_id); repo && repo->gpgcheck) keyring_for(*repo);

  std::vector<FetchItem> items;
  std::vector<const PackageInfo*> pending;
  std::set<std::string> dests;  // of this batch: two downloads never share a file
  for (const auto& pkg : packages) {
    if (pkg.repo_id == kCommandlineRepo) {
      ready(pkg, copy_local(pkg));
      continue;
    }
    const std::vector<std::string> urls = package_urls(pkg);
    // A local repo's file is used where it is: copying it would only cost time.
    if (!urls.empty()) {
      std::string local = file_url_path(urls.front());
      if (!local.empty() && path_exists(local)) {
        if (!verified_.has(local, checks_of(pkg)) && !matches_metadata(pkg, local))
          throw Error("package " + pkg.nevra.str() + " in " + local +
                      " does not match the repo metadata (size or checksum): the repo is corrupt or changed "
                      "under yumda; rebuild its metadata with createrepo_c");
        ready(pkg, local);
        continue;
      }
    }
    std::string dest = cache_path(pkg);
    if (dests.count(dest))  // same base name, another blob: a name of its own
      dest = dest.substr(0, dest.rfind('/') + 1) + (pkg.checksum.empty() ? std::to_string(items.size()) :
                                                    pkg.checksum.substr(0, 16)) + "-" + base_name(dest);
    dests.insert(dest);
    if (path_exists(dest) && (verified_.has(dest, checks_of(pkg)) || matches_metadata(pkg, dest))) {
      // Without keepcache, the run that downloaded it deletes it when done,
      // maybe while this one still reads it: read it through a name of our own.
      const std::string use = config_.main.keepcache ? dest : borrow(dest);
      if (!use.empty()) {  // else it went meanwhile: download it
        ready(pkg, use);
        continue;
      }
    }
    if (cacheonly_)
      throw Error("package " + pkg.nevra.str() + " is not in the cache and -C/--cacheonly forbids downloading it");
    make_cache_dirs(config_.main.cachedir, "packages/" + pkg.repo_id);
    const RepoConfig* repo = config_.find_repo(pkg.repo_id);
    FetchItem item = repo ? repo_fetch_item(*repo) : FetchItem{};
    item.urls = urls;
    item.dest = dest;
    item.expected_size = pkg.download_size;
    item.checksum_type = pkg.checksum_type;
    item.checksum = pkg.checksum;
    item.label = pkg.nevra.str();
    if (!config_.main.keepcache) item.private_link = borrow_name(dest);
    items.push_back(std::move(item));
    pending.push_back(&pkg);
  }
  if (items.empty()) return;
  uint64_t bytes = 0;
  for (const auto& item : items) bytes += item.expected_size;
  reporter_.downloads_start(items.size(), bytes);

  std::string first_error;
  fetcher_.fetch_all(items, [&](size_t i, const FetchResult& r) {
    if (!first_error.empty()) return;  // already failing: let the rest drain
    if (!r.ok) {
      first_error = r.error;
      return;
    }
    downloaded_.push_back(items[i].dest);
    reporter_.package_done("download", pending[i]->nevra.str());
    std::string use = items[i].dest;
    if (!items[i].private_link.empty() && !r.private_link_failed) {
      borrowed_.push_back(items[i].private_link);
      use = items[i].private_link;
    }
    try {
      ready(*pending[i], use);
    } catch (const Error& e) {
      first_error = e.what();
    }
  });
  if (!first_error.empty()) throw Error(first_error);
}

const Keyring* PackageSource::keyring_for(const RepoConfig& repo) {
  auto it = keyrings_.find(repo.id);
  if (it != keyrings_.end()) return it->second.get();
  auto ring = load_keyring(config_.main, repo, fetcher_, cacheonly_, "gpgcheck", reporter_);
  return keyrings_.emplace(repo.id, std::move(ring)).first->second.get();
}

// dnf5 checks a command-line package against the keys it has imported;
// yumda's are the gpgkey= keys of the enabled repos.
const Keyring* PackageSource::commandline_keyring(const PackageInfo& pkg) {
  if (auto it = keyrings_.find(kCommandlineRepo); it != keyrings_.end()) return it->second.get();
  RepoConfig keys;
  keys.id = kCommandlineRepo;
  for (const RepoConfig* repo : config_.enabled_repos())
    for (const auto& url : repo->gpgkeys)
      if (std::find(keys.gpgkeys.begin(), keys.gpgkeys.end(), url) == keys.gpgkeys.end()) keys.gpgkeys.push_back(url);
  if (keys.gpgkeys.empty())
    throw Error("local package " + pkg.location + " cannot have its signature checked: gpgcheck=1 and no enabled "
                "repo has a gpgkey= (pass --nogpgcheck to install it unchecked)");
  return keyrings_.emplace(keys.id, load_keyring(config_.main, keys, fetcher_, cacheonly_, "gpgcheck", reporter_))
      .first->second.get();
}

// A command-line package is copied into the cache and used from there: the
// user's file is only read, and a change to it since it was resolved is caught
// by the size and checksum libsolv took then.
std::string PackageSource::copy_local(const PackageInfo& pkg) {
  const std::string dir = make_cache_dirs(config_.main.cachedir, std::string("packages/") + kCommandlineRepo);
  const std::string dest = dir + "/" + pkg.checksum.substr(0, 16) + "-" + base_name(pkg.location);
  const std::string copy = borrow_name(dest);
  borrowed_.push_back(copy);
  {
    UniqueFd out(open(copy.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644));
    if (!out) throw Error("cannot write " + copy + ": " + errno_text(errno));
    read_file_chunks(pkg.location, [&](const char* data, size_t n) {
      for (size_t done = 0; done < n;) {
        ssize_t w = write(out.get(), data + done, n - done);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) throw Error("cannot write " + copy + ": " + errno_text(errno));
        done += static_cast<size_t>(w);
      }
    });
  }
  if (!matches_metadata(pkg, copy))
    throw Error("local package " + pkg.location + " changed while yumda was using it; run the command again");
  if (!config_.main.keepcache) return copy;
  if (rename(copy.c_str(), dest.c_str()) != 0) throw Error("cannot keep " + dest + ": " + errno_text(errno));
  borrowed_.pop_back();
  return dest;
}

void PackageSource::verify(const PackageInfo& pkg, const std::string& path) {
  // PATH passed the metadata checks in fetch() (or the download's own).
  std::string checks = checks_of(pkg);
  if (verified_.has(path, checks)) return;
  if (pkg.repo_id == kCommandlineRepo)
    verify_rpm(path, pkg.location + " (" + pkg.nevra.str() + ")", loaded_keyring(pkg),
               "pass --nogpgcheck to install it unchecked, or sign it with a key an enabled repo's gpgkey= lists");
  else
    verify_rpm(path, pkg.nevra.str(), loaded_keyring(pkg));
  if (const Keyring* ring = loaded_keyring(pkg)) announce_keys(*ring, config_.main.cachedir, reporter_);
  verified_.add(path, checks);
}

// A name no other run and no other borrow of this run uses.
std::string PackageSource::borrow_name(const std::string& dest) {
  return dest + ".in-use." + run_mark_.token() + "." + std::to_string(borrow_count_++);
}

std::string PackageSource::borrow(const std::string& dest) {
  std::string name;
  try {
    name = borrow_name(dest);
  } catch (const Error&) {
    return dest;  // no mark can be made (a read-only cache): no borrowed name either, as without hard links
  }
  if (link(dest.c_str(), name.c_str()) == 0) {
    borrowed_.push_back(name);
    return name;
  }
  return errno == ENOENT ? std::string() : dest;  // no hard links here: as before
}

PackageSource::~PackageSource() {
  for (const auto& f : borrowed_) unlink(f.c_str());
}

void PackageSource::finish_success() {
  if (!config_.main.keepcache)
    for (const auto& f : downloaded_) unlink(f.c_str());
  verified_.save();  // after the unlinks: entries of removed files are dropped
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
    for (const auto& f : p.files) lp.files.push_back("/opt/" + f);  // path specs and path requires
    out.push_back(std::move(lp));
  }
  return out;
}

}  // namespace yumda
