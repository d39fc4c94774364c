// The reachable load (the dep index): only what a request reaches is loaded,
// and every plan is the plan of the whole repos.
#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <array>
#include <mutex>
#include <set>
#include <cstdlib>

#include "test_support.hpp"
#include "resolve/resolve_test_util.hpp"
#include "yumda/checksum.hpp"
#include "yumda/error.hpp"
#include "yumda/fs.hpp"
#include "solv/pool.hpp"
#include "yumda/resolve.hpp"

using namespace yumda;
using namespace yumda::testing;

TEST_CASE("sack: loads only what a request reaches, or the whole repos") {
  Env env;
  Sack sack(env.config, env.fetcher, false);
  CHECK_FALSE(sack.loaded());
  auto count = [&] {
    size_t n = 0;
    for (Id id : sack.pool().solvables()) n += id ? 1 : 0;
    return n;
  };
  REQUIRE(sack.load_reachable({"app"}, {}));
  CHECK(sack.partial());
  size_t reached = count();
  CHECK(reached > 0);
  sack.load(false);
  CHECK_FALSE(sack.partial());
  CHECK_FALSE(sack.with_filelists());
  CHECK(count() > reached);
  // A glob or a path: the whole repos decide, and the whole pool stays.
  CHECK_FALSE(sack.load_reachable({"app*"}, {}));
  CHECK_FALSE(sack.load_reachable({"/usr/bin/app"}, {}));
  CHECK_FALSE(sack.partial());
  CHECK(sack.loaded());
  CHECK_FALSE(sack.no_repos());
  sack.load_none();
  CHECK(count() == 0);
  CHECK(sack.no_repos());
}


namespace {
// A plan as text, sorted: every field of what gets installed (NEVRA, repo and
// what the fetch and the layer state use), what it replaces, what the runtime
// or the layer already has; or the error.
std::string plan_text(Resolver& r, const std::string& spec, bool weak) {
  std::vector<std::string> lines;
  try {
    ResolveRequest req{{spec}, weak};
    ResolveResult res = r.resolve(req);
    for (const auto& p : res.install) {
      std::string line = "+ " + p.nevra.str() + " @" + p.repo_id + " " + p.checksum_type + ":" + p.checksum + " " +
                         p.location + " " + std::to_string(p.download_size) + "/" + std::to_string(p.install_size) +
                         " " + std::to_string(p.buildtime) + " [" + p.summary + "] [" + p.license + "] [" + p.url +
                         "] [" + p.vendor + "] " + p.sourcerpm + (res.requested.count(p.nevra.str()) ? " asked" : "");
      for (const auto& d : p.provides) line += " P:" + d;
      for (const auto& d : p.requirements) line += " R:" + d;
      lines.push_back(line);
    }
    for (const auto& n : res.replaced) lines.push_back("- " + n.str());
    for (const auto& s : res.from_baseline) lines.push_back("runtime " + s);
    for (const auto& s : res.already_installed) lines.push_back("layer " + s);
  } catch (const Error& e) {
    return std::string("error: ") + e.what();
  }
  std::sort(lines.begin(), lines.end());
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

// Counts the resolves that fell back to the whole repos after a failure.
struct FallbackCounter : Reporter {
  int fallbacks = 0;
  void info(const std::string& m) override {
    if (m.find("resolving against the whole repos after") != std::string::npos) ++fallbacks;
  }
};

// Every package name of ENV's repos (every STEP-th), installed alone with and
// without weak deps: the plan from only the packages the dep index says are
// reachable is the plan from the whole repos, and it needed no fallback when
// the whole repos found one. Returns how many plans were compared.
size_t check_reachable_equals_whole(Env& env, size_t step = 1) {
  Config whole_config = env.config;
  whole_config.main.dep_index = false;
  Sack whole_sack(whole_config, env.fetcher, false);
  Resolver whole(whole_config, env.baseline, env.layer, whole_sack);
  FallbackCounter counter;
  Sack part_sack(env.config, env.fetcher, false, counter);
  Resolver part(env.config, env.baseline, env.layer, part_sack, counter);
  std::set<std::string> names;
  for (const auto& p : whole.available()) names.insert(p.nevra.name);
  REQUIRE(!names.empty());
  size_t i = 0, compared = 0, planned = 0;
  for (const auto& name : names) {
    if (i++ % step) continue;
    for (bool weak : {false, true}) {
      int before = counter.fallbacks;
      std::string expected = plan_text(whole, name, weak);
      INFO(name << (weak ? " with weak deps" : "") << ":\n" << expected);
      CHECK(plan_text(part, name, weak) == expected);
      if (expected.rfind("error: ", 0) != 0) {
        CHECK(counter.fallbacks == before);
        ++planned;
      }
      ++compared;
    }
  }
  CHECK(planned > 0);
  return compared;
}
}  // namespace

TEST_CASE("resolve: with the dep index, only reachable packages load and every plan is the whole repos' plan") {
  Env env;
  SECTION("the test repo") { CHECK(check_reachable_equals_whole(env) >= 40); }
  SECTION("the test repo, with a runtime baseline and a layer to upgrade") {
    env.baseline.packages.push_back({"glibc", "2.26", ""});
    LayerPackage old;
    old.nevra = Nevra{"libfoo", "0", "1.0", "1", "x86_64"};
    old.provides = {"libfoo = 1.0-1"};
    env.layer.push_back(old);
    CHECK(check_reachable_equals_whole(env) >= 40);
  }
  SECTION("a damaged dep index is removed, the whole repos decide, and the next full load writes it anew") {
    check_reachable_equals_whole(env, 7);  // writes the index
    std::string index;
    for (const auto& e : std::filesystem::recursive_directory_iterator(env.cache.path))
      if (e.path().filename() == "deps.idx") index = e.path().string();
    REQUIRE(!index.empty());
    std::string bytes = read_file(index);
    for (size_t at = 64; at + 64 < bytes.size(); at += 97) bytes[at] = static_cast<char>(bytes[at] ^ 0x5a);
    write_text(index, bytes);  // a new identity: the digest is checked again
    CHECK(check_reachable_equals_whole(env, 3) > 10);
    CHECK(std::filesystem::exists(index));
    CHECK(read_file(index) != bytes);
  }
}

namespace {
// An rpm-md repo of (name, version, <rpm:...> deps) written by hand: the deps
// the dep index must follow that rpmbuild-made test packages lack.
std::string repo_with_deps(const std::string& dir, const std::vector<std::array<std::string, 3>>& pkgs) {
  std::string xml =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<metadata xmlns=\"http://linux.duke.edu/metadata/common\" "
      "xmlns:rpm=\"http://linux.duke.edu/metadata/rpm\" packages=\"" + std::to_string(pkgs.size()) + "\">\n";
  for (const auto& [name, ver, deps] : pkgs) {
    std::string file = name + "-" + ver + "-1.x86_64.rpm";
    xml += "<package type=\"rpm\"><name>" + name + "</name><arch>x86_64</arch><version epoch=\"0\" ver=\"" + ver +
           "\" rel=\"1\"/><checksum type=\"sha256\" pkgid=\"YES\">" + string_digest(file, "sha256") +
           "</checksum><summary>" + name + "</summary><description>d</description><packager/><url/>"
           "<time file=\"1\" build=\"1\"/><size package=\"10\" installed=\"20\" archive=\"30\"/><location href=\"" +
           file + "\"/><format><rpm:license>MIT</rpm:license><rpm:provides><rpm:entry name=\"" + name +
           "\" flags=\"EQ\" epoch=\"0\" ver=\"" + ver + "\" rel=\"1\"/></rpm:provides>" + deps + "</format></package>\n";
  }
  xml += "</metadata>\n";
  write_text(dir + "/repodata/primary.xml", xml);
  write_text(dir + "/repodata/repomd.xml",
             "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<repomd xmlns=\"http://linux.duke.edu/metadata/repo\">"
             "<revision>1</revision><data type=\"primary\"><checksum type=\"sha256\">" +
                 string_digest(xml, "sha256") + "</checksum><location href=\"repodata/primary.xml\"/><size>" +
                 std::to_string(xml.size()) + "</size></data></repomd>\n");
  return dir;
}
}  // namespace

TEST_CASE("resolve: the dep index reaches obsoleters of layer packages and supplementers of what is reached") {
  Env env;
  ScratchDir dir;
  env.config.repos = {local_repo(
      "deps", repo_with_deps(dir.path,
                             {{"old-lib", "1.0", ""},
                              // replaces old-lib: only an Obsoletes: ties it to the layer's old-lib
                              {"new-lib", "2.0",
                               "<rpm:obsoletes><rpm:entry name=\"old-lib\" flags=\"LT\" epoch=\"0\" ver=\"2.0\"/>"
                               "</rpm:obsoletes>"},
                              // wants old-lib gone, which only new-lib can do
                              {"app", "1.0",
                               "<rpm:requires><rpm:entry name=\"base\"/></rpm:requires><rpm:conflicts>"
                               "<rpm:entry name=\"old-lib\" flags=\"LT\" epoch=\"0\" ver=\"2.0\"/></rpm:conflicts>"},
                              {"base", "1.0", ""},
                              // named by nothing, it supplements base: weak deps bring it
                              {"base-extra", "1.0",
                               "<rpm:supplements><rpm:entry name=\"base\"/></rpm:supplements>"},
                              {"unrelated", "1.0", ""}}))};
  LayerPackage old;
  old.nevra = Nevra{"old-lib", "0", "1.0", "1", "x86_64"};
  env.layer.push_back(old);
  check_reachable_equals_whole(env);
  // What the comparison above relies on: the whole repo's plans use both.
  Sack r_sack(env.config, env.fetcher, false);
  Resolver r(env.config, env.baseline, env.layer, r_sack);
  ResolveRequest req{{"app"}, false};
  auto plan = r.resolve(req);
  CHECK(names(plan) == std::vector<std::string>{"app", "base", "new-lib"});
  REQUIRE(plan.replaced.size() == 1);
  CHECK(plan.replaced[0].name == "old-lib");
  req.install_weak_deps = true;
  CHECK(names(r.resolve(req)) == std::vector<std::string>{"app", "base", "base-extra", "new-lib"});
}

TEST_CASE("resolve: the dep index gives the whole repos' plans on dnf's CI repos, alone and together") {
  YUMDA_REQUIRE_SHARED(shared);
  Env env;
  for (const char* repo : {"dnf-ci-rich", "dnf-ci-obsoletes", "dnf-ci-security", "dnf-ci-thirdparty",
                           "dnf-ci-install-remove", "dnf-ci-scriptlets", "dnf-ci-fedora"}) {
    DYNAMIC_SECTION(repo) {
      env.config.repos = {local_repo(repo, dnf_ci_repo(shared, repo))};
      CHECK(check_reachable_equals_whole(env) >= 10);
    }
  }
  SECTION("obsoletes: a layer package that repo packages obsolete") {
    env.config.repos = {local_repo("obsoletes", dnf_ci_repo(shared, "dnf-ci-obsoletes"))};
    for (const char* name : {"PackageA", "PackageB"}) {
      LayerPackage old;
      old.nevra = Nevra{name, "0", "1.0", "1", "x86_64"};
      env.layer.push_back(old);
    }
    CHECK(check_reachable_equals_whole(env) >= 10);
  }
  SECTION("fedora with its updates repo: names met across two indexes") {
    env.config.repos = {local_repo("fedora", dnf_ci_repo(shared, "dnf-ci-fedora")),
                        local_repo("updates", dnf_ci_repo(shared, "dnf-ci-fedora-updates"))};
    CHECK(check_reachable_equals_whole(env) > 100);
  }
}

// YUMDA_DEP_INDEX_REPO=DIR (an rpm-md repo, e.g. a make-big-repo output) runs
// the same comparison there, on every YUMDA_DEP_INDEX_STEP-th name (default 50).
TEST_CASE("resolve: the dep index gives the whole repo's plans on a big repo (YUMDA_DEP_INDEX_REPO)") {
  const char* dir = std::getenv("YUMDA_DEP_INDEX_REPO");
  if (!dir || !*dir) {
    WARN("skipped: set YUMDA_DEP_INDEX_REPO to an rpm-md repo dir to run it");
    return;
  }
  const char* step = std::getenv("YUMDA_DEP_INDEX_STEP");
  Env env;
  env.config.repos = {local_repo("big", dir)};
  size_t n = check_reachable_equals_whole(env, step ? std::stoul(step) : 50);
  WARN("compared " << n << " plans");
}
