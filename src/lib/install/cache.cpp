// The cache verbs: makecache and clean.
#include "install/package_source.hpp"
#include "yumda/error.hpp"
#include "yumda/fs.hpp"
#include "yumda/install.hpp"
#include "yumda/repo.hpp"

namespace yumda {

std::vector<std::pair<std::string, size_t>> make_cache(const Config& config, Reporter& reporter) {
  Fetcher fetcher(fetch_options(config.main), reporter);
  std::vector<std::pair<std::string, size_t>> out;
  for (const RepoConfig* repo : config.enabled_repos()) {
    try {
      RepoMetadata md = fetch_repo_metadata(config.main, *repo, fetcher, false, false, reporter);
      out.emplace_back(repo->id, cache_repo(config.main, md, *repo, reporter));
    } catch (const Error& e) {
      if (!repo->skip_if_unavailable) throw;
      reporter.warning(std::string(e.what()) + " (skipped: skip_if_unavailable=1)");
    }
  }
  return out;
}

std::vector<std::string> clean_cache(const Config& config, const std::string& what) {
  std::vector<std::string> parts;
  if (what == "metadata" || what == "all") parts.push_back("repos");
  if (what == "packages" || what == "all") {
    parts.push_back("packages");
    parts.push_back("expanded");  // keepcache's expanded payloads are packages too
  }
  if (what == "all") parts.push_back("keys");
  if (parts.empty()) throw UsageError("clean takes metadata, packages or all, not '" + what + "'");
  std::vector<std::string> removed;
  for (const auto& p : parts) {
    std::string dir = config.main.cachedir + "/" + p;
    if (!path_exists(dir)) continue;
    remove_tree(dir);
    removed.push_back(dir);
  }
  return removed;
}

}  // namespace yumda
