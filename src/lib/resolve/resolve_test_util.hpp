// Helpers shared by the test files beside this one (split from resolve_test.cpp).
#pragma once
#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <array>
#include <mutex>
#include <set>
#include <cstdlib>
#include "test_support.hpp"
#include "yumda/checksum.hpp"
#include "yumda/error.hpp"
#include "yumda/fs.hpp"
#include "solv/pool.hpp"
#include "yumda/resolve.hpp"

namespace yumda::testing {


inline std::string spec(const std::string& name, const std::string& version, const std::string& preamble = "",
                 const std::string& epoch = "") {
  std::string file = "/opt/" + name + "/" + name + ".txt";
  std::string pre = preamble + (epoch.empty() ? "" : "\nEpoch: " + epoch);
  return simple_spec(name, version, pre, "mkdir -p %{buildroot}/opt/" + name + "\necho " + name + " > %{buildroot}" + file,
                     file);
}

// One repo with every package the tests below use, built once per run.
struct BaseRepo {
  RunScratchDir dir;
  std::string path = dir.path + "/repo";
  BaseRepo() {
    std::string work = dir.path + "/work";
    auto add = [&](const std::string& s) { build_rpm(work, path, s); };
    add(spec("app", "1.0", "Requires: libfoo"));
    add(spec("libfoo", "1.0"));
    add(spec("libfoo", "2.0"));
    add(spec("epo", "2.0"));
    add(spec("epo", "1.0", "", "1"));
    add(spec("glibc", "2.26", "Provides: libc.so.6()(64bit)\nProvides: libc.so.6(GLIBC_2.17)(64bit)"));
    add(spec("needs-glibc", "1.0", "Requires: libc.so.6(GLIBC_2.17)(64bit)\nRequires: glibc >= 2.17"));
    add(spec("needs-libz", "1.0", "Requires: libz.so.1()(64bit)"));
    add(spec("rich-app", "1.0", "Requires: (alt-a or alt-b)"));
    add(spec("alt-a", "1.0"));
    add(spec("alt-b", "1.0"));
    add(spec("weak-app", "1.0", "Recommends: weak-extra"));
    add(spec("weak-extra", "1.0"));
    add(spec("filedep-app", "1.0", "Requires: /opt/file-provider/file-provider.txt"));
    add(spec("file-provider", "1.0"));
    add(spec("conf-a", "1.0", "Conflicts: conf-b"));
    add(spec("conf-b", "1.0"));
    add(spec("broken", "1.0", "Requires: does-not-exist"));
    add(spec("glob-one", "1.0"));
    add(spec("glob-two", "1.0"));
    add(spec("provider-pkg", "1.0", "Provides: libcustom.so.4()(64bit)"));
    add(spec("excluded-pkg", "1.0"));
    createrepo(path);
  }
};

inline const std::string& base_repo() {
  static BaseRepo repo;  // for the whole run; removed at its exit
  return repo.path;
}

inline RepoConfig local_repo(const std::string& id, const std::string& path, int priority = 99) {
  RepoConfig rc;
  rc.id = id;
  rc.name = id;
  rc.baseurls = {"file://" + path};
  rc.priority = priority;
  return rc;
}

struct Env {
  ScratchDir cache;
  Config config;
  Baseline baseline;
  std::vector<LayerPackage> layer;
  Fetcher fetcher{FetchOptions{}};
  Env() {
    config.main.cachedir = cache.path;
    config.repos.push_back(local_repo("base", base_repo()));
  }
  ResolveResult resolve(std::vector<std::string> specs, bool weak = false) {
    Sack sack(config, fetcher, false);
    Resolver r(config, baseline, layer, sack);
    ResolveRequest req;
    req.specs = std::move(specs);
    req.install_weak_deps = weak;
    return r.resolve(req);
  }
};

inline std::vector<std::string> names(const ResolveResult& r) {
  std::vector<std::string> out;
  for (const auto& p : r.install) out.push_back(p.nevra.name);
  std::sort(out.begin(), out.end());
  return out;
}

// Names of the packages the specs asked for (the rest are dependencies).
inline std::vector<std::string> requested_names(const ResolveResult& r) {
  std::vector<std::string> out;
  for (const auto& p : r.install)
    if (r.requested.count(p.nevra.str())) out.push_back(p.nevra.name);
  std::sort(out.begin(), out.end());
  return out;
}

inline const PackageInfo* find(const ResolveResult& r, const std::string& name) {
  for (const auto& p : r.install)
    if (p.nevra.name == name) return &p;
  return nullptr;
}

inline std::string error_of(Env& env, std::vector<std::string> specs) {
  try {
    env.resolve(std::move(specs));
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}


// A repo of dnf's CI in the shared fixtures.
inline std::string dnf_ci_repo(const std::string& shared, const std::string& name) {
  return shared + "/fixtures/real/ci-dnf-stack/dnf-behave-tests/fixtures/repos/" + name;
}

}  // namespace yumda::testing
