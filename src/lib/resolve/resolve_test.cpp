// Resolver behaviour on repos built on the fly with rpmbuild + createrepo_c.
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

TEST_CASE("resolve: a small closure, newest version, in install order, with full package info") {
  Env env;
  auto r = env.resolve({"app"});
  REQUIRE(names(r) == std::vector<std::string>{"app", "libfoo"});
  // the dependency comes first in install order
  CHECK(r.install.front().nevra.name == "libfoo");
  const PackageInfo* lib = find(r, "libfoo");
  CHECK(lib->nevra.version == "2.0");
  CHECK(lib->repo_id == "base");
  CHECK(lib->location == "libfoo-2.0-1.noarch.rpm");
  CHECK(lib->baseurls == std::vector<std::string>{"file://" + base_repo()});
  CHECK(lib->checksum_type == "sha256");
  CHECK(lib->checksum == file_digest(base_repo() + "/libfoo-2.0-1.noarch.rpm", "sha256"));
  CHECK(lib->download_size == std::filesystem::file_size(base_repo() + "/libfoo-2.0-1.noarch.rpm"));
  CHECK(lib->install_size > 0);
  CHECK(lib->buildtime == 1700000000);
  CHECK(lib->license == "MIT");
  CHECK(lib->summary == "test package libfoo");
  CHECK(lib->sourcerpm == "libfoo-2.0-1.src.rpm");
  CHECK(std::count(lib->provides.begin(), lib->provides.end(), "libfoo = 2.0-1") == 1);
  const PackageInfo* app = find(r, "app");
  CHECK(std::count(app->requirements.begin(), app->requirements.end(), "libfoo") == 1);
  CHECK(r.already_installed.empty());
  CHECK(r.from_baseline.empty());
}

TEST_CASE("resolve: epochs win over versions, and name-version pins an older one") {
  Env env;
  auto r = env.resolve({"epo"});
  REQUIRE(r.install.size() == 1);
  CHECK(r.install[0].nevra.epoch == "1");
  CHECK(r.install[0].nevra.version == "1.0");
  r = env.resolve({"libfoo-1.0"});
  REQUIRE(r.install.size() == 1);
  CHECK(r.install[0].nevra.version == "1.0");
  r = env.resolve({"epo-2.0"});  // the older one, by epoch
  REQUIRE(r.install.size() == 1);
  CHECK(r.install[0].nevra.epoch.empty());
  CHECK(r.install[0].nevra.version == "2.0");
  r = env.resolve({"epo-1:1.0-1.noarch"});
  REQUIRE(r.install.size() == 1);
  CHECK(r.install[0].nevra.epoch == "1");
  r = env.resolve({"libfoo < 2"});
  REQUIRE(r.install.size() == 1);
  CHECK(r.install[0].nevra.version == "1.0");
}

TEST_CASE("resolve: a baseline package meets deps and is never installed") {
  Env env;
  CHECK(names(env.resolve({"needs-glibc"})) == std::vector<std::string>{"glibc", "needs-glibc"});
  env.baseline.packages.push_back({"glibc", "2.26-1", "noarch"});
  auto r = env.resolve({"needs-glibc"});
  CHECK(names(r) == std::vector<std::string>{"needs-glibc"});
  // asking for the runtime's own package installs nothing
  r = env.resolve({"glibc"});
  CHECK(r.install.empty());
  CHECK(r.from_baseline == std::vector<std::string>{"glibc"});
}

TEST_CASE("resolve: an old baseline version is locked, so a newer requirement is a problem") {
  Env env;
  env.baseline.packages.push_back({"glibc", "2.10-1", ""});
  std::string msg = error_of(env, {"needs-glibc"});
  CHECK(msg.rfind("cannot resolve: ", 0) == 0);
  CHECK(msg.find("needs-glibc") != std::string::npos);
  CHECK(msg.find('\n') == std::string::npos);
}

TEST_CASE("resolve: a soname dep is met by the runtime's file list") {
  Env env;
  std::string msg = error_of(env, {"needs-libz"});
  CHECK(msg.find("libz.so.1()(64bit)") != std::string::npos);
  env.baseline.files = {"/usr/lib64/libz.so.1", "/bin/sh"};
  auto r = env.resolve({"needs-libz"});
  CHECK(names(r) == std::vector<std::string>{"needs-libz"});
  // a path the runtime has is never installed
  r = env.resolve({"/bin/sh"});
  CHECK(r.install.empty());
  CHECK(r.from_baseline == std::vector<std::string>{"/bin/sh"});
  // only library dirs count for sonames
  env.baseline.files = {"/opt/other/libz.so.1"};
  CHECK(error_of(env, {"needs-libz"}).find("libz.so.1()(64bit)") != std::string::npos);
}

TEST_CASE("resolve: packages the layer holds are not installed again") {
  Env env;
  LayerPackage lp;
  lp.nevra = {"libfoo", "", "2.0", "1", "noarch"};
  env.layer.push_back(lp);
  auto r = env.resolve({"app"});
  CHECK(names(r) == std::vector<std::string>{"app"});
  r = env.resolve({"libfoo"});
  CHECK(r.install.empty());
  CHECK(r.already_installed == std::vector<std::string>{"libfoo"});
  // a layer package unknown to the repos still counts, with its own provides
  LayerPackage own;
  own.nevra = {"homemade", "", "1", "1", "x86_64"};
  own.provides = {"libfoo = 9.0-1"};
  env.layer = {own};
  CHECK(names(env.resolve({"app"})) == std::vector<std::string>{"app"});
}

TEST_CASE("resolve: unknown specs and unresolvable requests say what is wrong") {
  Env env;
  CHECK(error_of(env, {"app", "no-such-package"}) == "No match for argument: no-such-package");
  env.config.repos[0].enabled = false;
  CHECK(error_of(env, {"app"}).find("No match for argument: app (no repo is enabled") == 0);
  env.config.repos[0].enabled = true;
  std::string msg = error_of(env, {"broken"});
  CHECK(msg.rfind("cannot resolve: ", 0) == 0);
  CHECK(msg.find("does-not-exist") != std::string::npos);
  CHECK(msg.find("broken") != std::string::npos);
  msg = error_of(env, {"conf-a", "conf-b"});
  CHECK(msg.find("conf-a") != std::string::npos);
  CHECK(msg.find("conf-b") != std::string::npos);
  CHECK(msg.find('\n') == std::string::npos);
}

TEST_CASE("resolve: rich deps pick one alternative") {
  Env env;
  auto n = names(env.resolve({"rich-app"}));
  REQUIRE(n.size() == 2);
  CHECK((n[0] == "alt-a" || n[0] == "alt-b"));
  LayerPackage lp;
  lp.nevra = {"alt-b", "", "1.0", "1", "noarch"};
  env.layer.push_back(lp);
  CHECK(names(env.resolve({"rich-app"})) == std::vector<std::string>{"rich-app"});
}

TEST_CASE("resolve: weak deps only with install_weak_deps") {
  Env env;
  CHECK(names(env.resolve({"weak-app"})) == std::vector<std::string>{"weak-app"});
  CHECK(names(env.resolve({"weak-app"}, true)) == std::vector<std::string>{"weak-app", "weak-extra"});
}

TEST_CASE("resolve: file paths, as specs and as deps, use filelists") {
  Env env;
  auto r = env.resolve({"/opt/file-provider/file-provider.txt"});
  CHECK(names(r) == std::vector<std::string>{"file-provider"});
  CHECK(requested_names(r) == std::vector<std::string>{"file-provider"});  // a path asks for its owner
  r = env.resolve({"filedep-app"});
  CHECK(names(r) == std::vector<std::string>{"file-provider", "filedep-app"});
  CHECK(requested_names(r) == std::vector<std::string>{"filedep-app"});  // its file dep's owner is a dependency
  CHECK(error_of(env, {"/opt/nowhere"}) == "No match for argument: /opt/nowhere");
}

TEST_CASE("resolve: globs and provides") {
  Env env;
  CHECK(names(env.resolve({"glob-*"})) == std::vector<std::string>{"glob-one", "glob-two"});
  CHECK(names(env.resolve({"libcustom.so.4()(64bit)"})) == std::vector<std::string>{"provider-pkg"});
  CHECK(requested_names(env.resolve({"glob-*"})) == std::vector<std::string>{"glob-one", "glob-two"});
  CHECK(requested_names(env.resolve({"libcustom.so.4()(64bit)"})) == std::vector<std::string>{"provider-pkg"});
}

TEST_CASE("resolve: excludepkgs hides packages, from a repo and from [main]") {
  Env env;
  CHECK(names(env.resolve({"excluded-pkg"})) == std::vector<std::string>{"excluded-pkg"});
  env.config.repos[0].excludepkgs = {"excluded-*"};
  CHECK(error_of(env, {"excluded-pkg"}) == "No match for argument: excluded-pkg");
  env.config.repos[0].excludepkgs.clear();
  env.config.main.excludepkgs = {"libfoo"};
  CHECK(error_of(env, {"app"}).find("libfoo") != std::string::npos);
  env.config.main.excludepkgs.clear();
  env.config.repos[0].includepkgs = {"glob-*"};
  CHECK(error_of(env, {"app"}) == "No match for argument: app");
}

TEST_CASE("resolve: excludepkgs takes NEVRA globs, as dnf") {
  Env env;
  for (std::vector<std::string> ex : {std::vector<std::string>{"libfoo-2*"}, {"libfoo-2.0-*"}, {"libfoo-0:2.0-*"}}) {
    INFO(ex[0]);
    env.config.main.excludepkgs = ex;
    auto r = env.resolve({"app"});
    const PackageInfo* lib = find(r, "libfoo");
    REQUIRE(lib);
    CHECK(lib->nevra.version == "1.0");  // 2.0 is excluded, 1.0 is not
  }
  env.config.main.excludepkgs = {"libfoo.*"};  // name.arch: every libfoo
  CHECK(error_of(env, {"app"}).find("libfoo") != std::string::npos);
}

TEST_CASE("resolve: the lower priority number wins over a newer version") {
  ScratchDir dir;
  build_rpm(dir.path + "/w", dir.path + "/old", spec("prio-pkg", "1.0"));
  build_rpm(dir.path + "/w", dir.path + "/new", spec("prio-pkg", "2.0"));
  createrepo(dir.path + "/old");
  createrepo(dir.path + "/new");
  Env env;
  env.config.repos = {local_repo("new", dir.path + "/new", 50), local_repo("old", dir.path + "/old", 10)};
  auto r = env.resolve({"prio-pkg"});
  REQUIRE(r.install.size() == 1);
  CHECK(r.install[0].nevra.version == "1.0");
  CHECK(r.install[0].repo_id == "old");
  env.config.repos[1].priority = 99;
  r = env.resolve({"prio-pkg"});
  REQUIRE(r.install.size() == 1);
  CHECK(r.install[0].nevra.version == "2.0");
}


TEST_CASE("resolve: available lists packages newest first per name") {
  Env env;
  Sack r_sack(env.config, env.fetcher, false);
  Resolver r(env.config, env.baseline, env.layer, r_sack);
  auto all = r.available("libfoo");
  REQUIRE(all.size() == 2);
  CHECK(all[0].nevra.version == "2.0");
  CHECK(all[1].nevra.version == "1.0");
  CHECK(r.available("glob-*").size() == 2);
  CHECK(r.available().size() > 20);
}

TEST_CASE("resolve: a skip_if_unavailable repo that is missing is skipped with a warning") {
  struct Recorder : Reporter {
    std::vector<std::string> warnings;
    void warning(const std::string& m) override { warnings.push_back(m); }
  } rec;
  Env env;
  env.config.repos.push_back(local_repo("gone", env.cache.path + "/nothing-here"));
  {
    Sack r_sack(env.config, env.fetcher, false, rec);
    Resolver r(env.config, env.baseline, env.layer, r_sack, rec);
    ResolveRequest req{{"app"}, false};
    CHECK_THROWS_WITH(r.resolve(req), Catch::Contains("repo gone") && Catch::Contains("skip_if_unavailable=1"));
  }
  env.config.repos.back().skip_if_unavailable = true;
  Sack r_sack(env.config, env.fetcher, false, rec);
  Resolver r(env.config, env.baseline, env.layer, r_sack, rec);
  ResolveRequest req{{"app"}, false};
  CHECK(r.resolve(req).install.size() == 2);
  REQUIRE(rec.warnings.size() == 1);
  CHECK(rec.warnings[0].find("gone") != std::string::npos);
}

namespace {
// An rpm-md repo written by hand (rpmbuild here cannot build aarch64 RPMs):
// one <package> per (name, arch).
std::string handmade_repo(const std::string& dir, const std::vector<std::pair<std::string, std::string>>& pkgs) {
  std::string xml =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<metadata xmlns=\"http://linux.duke.edu/metadata/common\" "
      "xmlns:rpm=\"http://linux.duke.edu/metadata/rpm\" packages=\"" + std::to_string(pkgs.size()) + "\">\n";
  for (const auto& [name, arch] : pkgs) {
    std::string file = name + "-1.0-1." + arch + ".rpm";
    xml += "<package type=\"rpm\"><name>" + name + "</name><arch>" + arch +
           "</arch><version epoch=\"0\" ver=\"1.0\" rel=\"1\"/><checksum type=\"sha256\" pkgid=\"YES\">" +
           string_digest(file, "sha256") + "</checksum><summary>s</summary><description>d</description>"
           "<packager/><url/><time file=\"1\" build=\"1\"/><size package=\"10\" installed=\"20\" archive=\"30\"/>"
           "<location href=\"" + file + "\"/><format><rpm:license>MIT</rpm:license><rpm:provides>"
           "<rpm:entry name=\"" + name + "\" flags=\"EQ\" epoch=\"0\" ver=\"1.0\" rel=\"1\"/></rpm:provides>"
           "</format></package>\n";
  }
  xml += "</metadata>\n";
  write_text(dir + "/repodata/primary.xml", xml);
  write_text(dir + "/repodata/repomd.xml",
             "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<repomd xmlns=\"http://linux.duke.edu/metadata/repo\">"
             "<revision>1</revision><data type=\"primary\"><checksum type=\"sha256\">" +
                 string_digest(xml, "sha256") +
                 "</checksum><location href=\"repodata/primary.xml\"/><size>" + std::to_string(xml.size()) +
                 "</size></data></repomd>\n");
  return dir;
}
}  // namespace

TEST_CASE("resolve: the pool's arch picks the package of that arch") {
  ScratchDir dir;
  handmade_repo(dir.path, {{"archpkg", "x86_64"}, {"archpkg", "aarch64"}, {"archpkg", "i686"}, {"onlyx86", "x86_64"},
                           {"anyarch", "noarch"}});
  Env env;
  env.config.repos = {local_repo("arch", dir.path)};
  env.config.main.arch = "aarch64";
  auto r = env.resolve({"archpkg", "anyarch"});
  REQUIRE(r.install.size() == 2);
  CHECK(find(r, "archpkg")->nevra.arch == "aarch64");
  CHECK(find(r, "archpkg")->location == "archpkg-1.0-1.aarch64.rpm");
  CHECK(find(r, "anyarch")->nevra.arch == "noarch");
  CHECK(error_of(env, {"onlyx86"}) == "No match for argument: onlyx86");
  env.config.main.arch = "x86_64";
  r = env.resolve({"archpkg", "onlyx86"});
  REQUIRE(r.install.size() == 2);
  CHECK(find(r, "archpkg")->nevra.arch == "x86_64");
  CHECK(find(r, "archpkg")->download_size == 10);
  CHECK(find(r, "archpkg")->install_size == 20);
}

TEST_CASE("resolve: real rich-dependency repo from dnf's CI (dnf-ci-rich)") {
  YUMDA_REQUIRE_SHARED(shared);
  Env env;
  env.config.repos = {local_repo("dnf-ci-rich", dnf_ci_repo(shared, "dnf-ci-rich"))};
  // pancake: Requires (milk or soymilk), Recommends milk
  auto pancake = names(env.resolve({"pancake"}));
  REQUIRE(pancake.size() == 2);
  CHECK((pancake[0] == "milk" || pancake[1] == "soymilk"));
  // soup: Requires (water and (cream if dill)); milk conflicts with water,
  // so with soup the "or" must take soymilk
  CHECK(names(env.resolve({"soup"})) == std::vector<std::string>{"soup", "water"});
  CHECK(names(env.resolve({"soup", "pancake"})) ==
        std::vector<std::string>{"pancake", "soup", "soymilk", "water"});
  std::string msg = error_of(env, {"soup", "milk"});
  INFO(msg);
  CHECK(msg.rfind("cannot resolve: ", 0) == 0);
  CHECK(msg.find("milk") != std::string::npos);
  CHECK(msg.find("water") != std::string::npos);
  // sauce: Requires (flour and ((milk or cream) if dill)): no dill, no milk/cream
  CHECK(names(env.resolve({"sauce"})) == std::vector<std::string>{"flour", "sauce"});
  auto with_dill = names(env.resolve({"sauce", "dill"}));
  CHECK(with_dill.size() == 4);
  CHECK((std::count(with_dill.begin(), with_dill.end(), "milk") + std::count(with_dill.begin(), with_dill.end(), "cream")) == 1);
}

TEST_CASE("resolve: real distribution-like repo from dnf's CI (dnf-ci-fedora)") {
  YUMDA_REQUIRE_SHARED(shared);
  Env env;
  env.config.repos = {local_repo("dnf-ci-fedora", dnf_ci_repo(shared, "dnf-ci-fedora"))};
  auto r = env.resolve({"glibc"});
  auto n = names(r);
  CHECK(std::count(n.begin(), n.end(), "glibc") == 1);
  CHECK(n.size() > 1);  // glibc pulls in more of the distribution
  CHECK(std::adjacent_find(n.begin(), n.end()) == n.end());  // one of each
  for (const auto& p : r.install) {
    CHECK((p.nevra.arch == "x86_64" || p.nevra.arch == "noarch"));
    CHECK(!p.location.empty());
    CHECK(std::filesystem::exists(dnf_ci_repo(shared, "dnf-ci-fedora") + "/" + p.location));
    CHECK(!p.checksum.empty());
  }
  // with glibc in the runtime baseline, nothing of it is installed again
  env.baseline.packages.push_back({"glibc", "", ""});
  r = env.resolve({"glibc"});
  CHECK(r.install.empty());
  CHECK(r.from_baseline == std::vector<std::string>{"glibc"});
}

TEST_CASE("resolve: queries select by version glob and relation, answer whatprovides/whatrequires/files/search") {
  Env env;
  Sack r_sack(env.config, env.fetcher, false);
  Resolver r(env.config, env.baseline, env.layer, r_sack);
  auto nevras = [](const std::vector<PackageInfo>& v) {
    std::vector<std::string> out;
    for (const auto& p : v) out.push_back(p.nevra.str());
    return out;
  };
  CHECK(nevras(r.query("libfoo")) == std::vector<std::string>{"libfoo-2.0-1.noarch", "libfoo-1.0-1.noarch"});
  CHECK(nevras(r.query("libfoo-1*")) == std::vector<std::string>{"libfoo-1.0-1.noarch"});
  CHECK(nevras(r.query("libfoo >= 1.5")) == std::vector<std::string>{"libfoo-2.0-1.noarch"});
  CHECK(r.query("libfoo-3*").empty());
  CHECK(nevras(r.whatprovides("libcustom.so.4()(64bit)")) == std::vector<std::string>{"provider-pkg-1.0-1.noarch"});
  CHECK(nevras(r.whatprovides("/opt/file-provider/*")) == std::vector<std::string>{"file-provider-1.0-1.noarch"});
  CHECK(nevras(r.whatrequires("file-provider")) == std::vector<std::string>{"filedep-app-1.0-1.noarch"});
  auto glob = r.query("glob-one");
  REQUIRE(glob.size() == 1);
  CHECK(r.files(glob[0]) == std::vector<std::string>{"/opt/glob-one/glob-one.txt"});  // %files names only the file
  auto found = r.search({"GLOB"});
  CHECK(nevras(found) == std::vector<std::string>{"glob-one-1.0-1.noarch", "glob-two-1.0-1.noarch"});
  // search shows the newest of each name only
  CHECK(nevras(r.search({"libfoo"})) == std::vector<std::string>{"libfoo-2.0-1.noarch"});
}

TEST_CASE("resolve: upgrade replaces layer packages with newer ones and leaves the rest; reinstall takes the same NEVRA") {
  Env env;
  LayerPackage old;
  old.nevra = Nevra{"libfoo", "", "1.0", "1", "noarch"};
  old.provides = {"libfoo = 1.0-1"};
  env.layer.push_back(old);
  LayerPackage other;
  other.nevra = Nevra{"alt-a", "", "1.0", "1", "noarch"};
  env.layer.push_back(other);
  Sack r_sack(env.config, env.fetcher, false);
  Resolver r(env.config, env.baseline, env.layer, r_sack);
  auto up = r.upgrade({});
  REQUIRE(up.install.size() == 1);
  CHECK(up.install[0].nevra.str() == "libfoo-2.0-1.noarch");
  REQUIRE(up.replaced.size() == 1);
  CHECK(up.replaced[0].str() == "libfoo-1.0-1.noarch");
  CHECK(r.upgrade({"alt-a"}).install.empty());
  CHECK_THROWS_WITH(r.upgrade({"app"}), Catch::Contains("No match for argument: app"));
  CHECK_THROWS_WITH(r.upgrade({"app-1.0"}), Catch::Contains("No match for argument: app-1.0"));
  // name-version of a newer package: a targeted update, as dnf upgrade does
  auto to = r.upgrade({"libfoo-2.0"});
  REQUIRE(to.install.size() == 1);
  CHECK(to.install[0].nevra.str() == "libfoo-2.0-1.noarch");
  CHECK(to.replaced == std::vector<Nevra>{old.nevra});
  auto re = r.reinstall({"libfoo"});
  REQUIRE(re.install.size() == 1);
  CHECK(re.install[0].nevra.str() == "libfoo-1.0-1.noarch");
  CHECK(re.replaced == std::vector<Nevra>{old.nevra});
}
