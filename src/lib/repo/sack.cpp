#include "yumda/sack.hpp"

#include <algorithm>
#include <cstring>
#include <optional>
#include <unordered_map>

#include "repo/commandline.hpp"
#include "repo/indexed_load.hpp"
#include "solv/pool.hpp"
#include "yumda/error.hpp"
#include "yumda/repo.hpp"

namespace yumda {

namespace {

// The index keys SPEC may select by: itself (a name or provide), and each
// prefix before a '-', '.', ' ' or comparison ("git-2.39-1.x86_64",
// "git.x86_64", "git >= 2"). More keys than needed only load more.
std::vector<std::string> spec_keys(const std::string& spec) {
  std::vector<std::string> keys{spec};
  for (size_t i = 1; i < spec.size(); ++i)
    if (std::strchr("-. <>=", spec[i]) && !std::strchr("-. <>=", spec[i - 1])) keys.push_back(spec.substr(0, i));
  return keys;
}

}  // namespace

struct Sack::Impl {
  Config config;
  Fetcher& fetcher;
  bool cacheonly;
  Reporter& reporter;

  std::unique_ptr<Pool> pool;
  bool with_filelists = false;
  bool partial = false;
  // Repo id -> (with filelists?, metadata or nullopt when skipped).
  std::unordered_map<std::string, std::pair<bool, std::optional<RepoMetadata>>> fetched;
  std::unordered_map<s_Repo*, std::vector<std::string>> baseurls;
  std::vector<LocalPackage> local;  // in every pool, as kCommandlineRepo
  std::vector<Id> local_ids;        // their solvables in the current pool
  std::vector<std::string> local_keys;  // what they need, for the dep indexes

  Impl(const Config& c, Fetcher& f, bool co, Reporter& r) : config(c), fetcher(f), cacheonly(co), reporter(r) {}

  void reset(bool filelists, bool only_reachable) {
    pool.reset();
    baseurls.clear();
    pool = std::make_unique<Pool>(config.main.arch);
    local_ids = add_commandline_repo(*pool, local);
    with_filelists = filelists;
    partial = only_reachable;
  }

  void added(s_Repo* repo, const RepoConfig& rc, const RepoMetadata& md) {
    exclude_packages(repo, config.main.excludepkgs, config.main.includepkgs);
    // mirrorlist= repos: packages come from the URLs the metadata fetch found
    baseurls.emplace(repo, md.baseurls.empty() ? rc.baseurls : md.baseurls);
  }

  // RC's metadata (with filelists when FILELISTS), fetched once per sack;
  // nullopt when the repo is unavailable and skip_if_unavailable.
  std::optional<RepoMetadata> metadata(const RepoConfig& rc, bool filelists) {
    auto it = fetched.find(rc.id);
    if (it != fetched.end() && (it->second.first || !filelists)) return it->second.second;
    std::optional<RepoMetadata> md;
    try {
      // primary's check is left to its reader (load_repo, make_repo_index), so
      // that a cold index write hashes it while scanning it: see used().
      md = fetch_repo_metadata(config.main, rc, fetcher, cacheonly, filelists, reporter, true);
    } catch (const Interrupted&) {
      throw;
    } catch (const Error& e) {
      if (!rc.skip_if_unavailable) throw;
      skipped(rc, e);
    }
    fetched[rc.id] = {filelists || !md, md};
    return md;
  }

  void skipped(const RepoConfig& rc, const Error& e) {
    reporter.warning(std::string(e.what()) + "; skipping repo " + rc.id + " (skip_if_unavailable=1)");
  }

  // USE(MD), which reads primary and so checks it first: a mismatch the fetch
  // left to it is the fetch's failure, and skips the repo as the fetch would
  // have (false) under skip_if_unavailable.
  template <class F>
  bool used(const RepoConfig& rc, const RepoMetadata& md, F&& use) {
    try {
      use();
      return true;
    } catch (const Error& e) {
      if (!md.primary_check || !md.primary_check->failed() || !rc.skip_if_unavailable) throw;
      skipped(rc, e);
      fetched[rc.id] = {true, std::nullopt};
      return false;
    }
  }
};

Sack::Sack(const Config& config, Fetcher& fetcher, bool cacheonly, Reporter& reporter)
    : impl_(std::make_unique<Impl>(config, fetcher, cacheonly, reporter)) {}

Sack::~Sack() = default;

void Sack::load(bool filelists) {
  impl_->reset(filelists, false);
  for (const RepoConfig* rc : impl_->config.enabled_repos()) {
    check_interrupt();
    auto md = impl_->metadata(*rc, filelists);
    if (!md) continue;
    s_Repo* repo = nullptr;
    auto load = [&] { repo = load_repo(*impl_->pool, *md, *rc, impl_->config.main.cachedir, filelists, impl_->reporter); };
    if (!impl_->used(*rc, *md, load)) continue;
    impl_->added(repo, *rc, *md);
  }
}

void Sack::load_none() { impl_->reset(false, true); }

void Sack::set_local_packages(const std::vector<LocalPackage>& packages) {
  impl_->local = packages;
  impl_->local_keys.clear();
  // Read now, so a bad file is named before any repo is fetched; their
  // names and requirements are what a reachable load must bring in.
  Pool scratch(impl_->config.main.arch);
  for (Id id : add_commandline_repo(scratch, packages)) {
    impl_->local_keys.push_back(scratch.str(scratch.solvable(id)->name));
    for (const auto& dep : scratch.deps(id, SOLVABLE_REQUIRES)) add_dep_keys(dep, impl_->local_keys);
  }
}

const std::vector<LocalPackage>& Sack::local_packages() const { return impl_->local; }
const std::vector<int>& Sack::local_ids() const { return impl_->local_ids; }

bool Sack::load_reachable(const std::vector<std::string>& specs, const std::vector<std::string>& installed_keys) {
  if (!impl_->config.main.dep_index) return false;
  std::vector<std::pair<const RepoConfig*, RepoMetadata>> repos;
  std::vector<DepIndexHandle> owned;
  std::vector<const DepIndex*> indexes;
  for (const RepoConfig* rc : impl_->config.enabled_repos()) {
    check_interrupt();
    auto md = impl_->metadata(*rc, false);
    if (!md) continue;
    DepIndexHandle idx;
    auto index = [&] {
      idx = open_repo_index(*md);
      if (idx) md->verify_primary();  // an index made before primary changed is not proof of it
      else idx = make_repo_index(*md, impl_->config.main.arch, impl_->reporter);
    };
    if (!impl_->used(*rc, *md, index)) continue;
    if (!idx) return false;
    indexes.push_back(idx.get());
    owned.push_back(std::move(idx));
    repos.emplace_back(rc, std::move(*md));
  }
  std::vector<std::string> roots;
  for (const auto& spec : specs) {
    if (spec.starts_with("/") || spec.find_first_of("*?[") != std::string::npos) return false;
    size_t before = roots.size();
    for (auto& key : spec_keys(spec))
      if (std::any_of(indexes.begin(), indexes.end(), [&](const DepIndex* i) { return dep_index_knows(*i, key); }))
        roots.push_back(std::move(key));
    if (roots.size() == before) return false;
  }
  roots.insert(roots.end(), installed_keys.begin(), installed_keys.end());
  roots.insert(roots.end(), impl_->local_keys.begin(), impl_->local_keys.end());
  try {
    auto reach = reachable_packages(indexes, roots);
    impl_->reset(false, true);
    for (size_t i = 0; i < repos.size(); ++i) {
      s_Repo* repo = load_repo_subset(*impl_->pool, *indexes[i], reach[i], *repos[i].first);
      impl_->added(repo, *repos[i].first, repos[i].second);
    }
    return true;
  } catch (const Interrupted&) {
    throw;
  } catch (const Error& e) {  // a damaged index (now removed)
    impl_->reporter.info(e.what());
    impl_->pool.reset();
    return false;
  }
}

bool Sack::loaded() const { return impl_->pool != nullptr; }
bool Sack::with_filelists() const { return impl_->with_filelists; }
bool Sack::partial() const { return impl_->partial; }
bool Sack::no_repos() const { return impl_->baseurls.empty(); }
Pool& Sack::pool() { return *impl_->pool; }

std::vector<std::string> Sack::baseurls(s_Repo* repo) const {
  auto it = impl_->baseurls.find(repo);
  return it == impl_->baseurls.end() ? std::vector<std::string>{} : it->second;
}

const RepoMetadata* Sack::metadata(const std::string& repo_id) const {
  auto it = impl_->fetched.find(repo_id);
  return it == impl_->fetched.end() || !it->second.second ? nullptr : &*it->second.second;
}

}  // namespace yumda
