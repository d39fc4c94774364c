// The read-only verbs' access to the repos (RepoSession) and `download`,
// which fetches and checks packages like install does but copies them out
// instead of extracting them.
#include <algorithm>
#include <filesystem>
#include <set>

#include "install/package_source.hpp"
#include "yumda/error.hpp"
#include "yumda/fs.hpp"
#include "yumda/install.hpp"

namespace yumda {

namespace {

std::vector<LayerPackage> layer_of(const std::string& root) {
  if (root.empty() || !is_directory(root + "/.yumda")) return {};
  LayerState state;
  state.packages() = list_installed(root);
  return layer_packages(state);
}

}  // namespace

RepoSession::RepoSession(const Config& config, const std::string& root, bool cacheonly, Reporter& reporter)
    : fetcher_(std::make_unique<Fetcher>(fetch_options(config.main), reporter)),
      sack_(std::make_unique<Sack>(config, *fetcher_, cacheonly, reporter)) {
  resolver_ = std::make_unique<Resolver>(config, load_baseline(config.main.baseline, config.main.arch), layer_of(root), *sack_,
                                         reporter);
}

RepoSession::~RepoSession() = default;

void add_package_facts(const Config& config, const Baseline& baseline, const std::string& root, CheckOptions& o,
                       Reporter& reporter) {
  if (!root.empty() && is_directory(root + "/.yumda"))
    for (const auto& p : list_installed(root)) {
      o.layer_provides.insert(o.layer_provides.end(), p.provides.begin(), p.provides.end());
      o.layer_requires.insert(o.layer_requires.end(), p.requirements.begin(), p.requirements.end());
    }
  if (baseline.packages.empty() || config.enabled_repos().empty()) return;
  try {
    // Cached metadata only, and quietly: a missing cache leaves the record to decide.
    RepoSession session(config, "", /*cacheonly=*/true, null_reporter());
    for (const auto& bp : baseline.packages) {
      auto found = session.resolver().query(bp.name);
      if (!found.empty())
        o.runtime_provides.insert(o.runtime_provides.end(), found.front().provides.begin(), found.front().provides.end());
    }
  } catch (const Interrupted&) {
    throw;
  } catch (const Error& e) {
    reporter.info(std::string("the baseline's packages' provides are not known (") + e.what() + ")");
  }
}

namespace {

// The source package of each of BINARIES, once each. Throws Error naming the
// package whose source no enabled repo has.
std::vector<PackageInfo> sources_of(const std::vector<PackageInfo>& binaries, Resolver& resolver) {
  std::vector<PackageInfo> out;
  std::set<std::string> seen;
  for (const auto& b : binaries) {
    if (b.sourcerpm.empty()) throw Error(b.nevra.str() + " names no source package (its sourcerpm is empty)");
    if (!seen.insert(b.sourcerpm).second) continue;
    auto src = resolver.source_package(b.sourcerpm);
    if (!src)
      throw Error("No source package " + b.sourcerpm + " of " + b.nevra.str() +
                  " in the enabled repos (enable the repo that has it, e.g. --enablerepo=" + b.repo_id + "-source)");
    out.push_back(std::move(*src));
  }
  return out;
}

}  // namespace

std::vector<std::string> download_packages(const Config& config, const DownloadOptions& options, Reporter& reporter) {
  if (options.specs.empty()) throw UsageError("download needs package names (e.g. yumda download --destdir rpms git)");
  Fetcher fetcher(fetch_options(config.main), reporter);
  Sack sack(config, fetcher, options.cacheonly, reporter);
  Resolver resolver(config, load_baseline(config.main.baseline, config.main.arch), {}, sack, reporter);
  std::vector<PackageInfo> wanted;
  if (options.resolve) {
    ResolveRequest request;
    request.specs = options.specs;
    request.install_weak_deps = config.main.install_weak_deps;
    wanted = resolver.resolve(request).install;
  } else {
    // The newest of each name and arch a spec selects, as dnf download does.
    for (const auto& spec : options.specs) {
      auto found = resolver.query(spec);
      if (found.empty()) throw Error("No package " + spec + " available.");
      std::set<std::pair<std::string, std::string>> seen;
      for (auto& p : found)
        if (seen.emplace(p.nevra.name, p.nevra.arch).second) wanted.push_back(std::move(p));
    }
  }
  if (options.source) wanted = sources_of(wanted, resolver);
  make_dirs(options.destdir);
  PackageSource source(config, fetcher, options.cacheonly, reporter);
  std::vector<std::string> written;
  source.fetch(wanted, [&](const PackageInfo& pkg, const std::string& path) {
    check_interrupt();
    source.verify(pkg, path);
    std::string out = options.destdir + "/" + std::filesystem::path(pkg.location).filename().string();
    std::error_code ec;
    std::filesystem::copy_file(path, out, std::filesystem::copy_options::overwrite_existing, ec);
    if (ec) throw Error("cannot write " + out + ": " + ec.message() + " (check --destdir)");
    written.push_back(out);  // PackageSource reported it as downloaded
  });
  source.finish_success();
  return written;
}

}  // namespace yumda
