// The built-in default and the runtime profiles: what each gives, what wins.
#include <stdlib.h>

#include <catch2/catch.hpp>
#include <algorithm>
#include <filesystem>
#include <set>
#include <sstream>

#include "test_support.hpp"
#include "config/config_test_util.hpp"
#include "yumda/config.hpp"
#include "yumda/error.hpp"
#include "yumda/fs.hpp"

using namespace yumda;
using namespace yumda::testing;
using yumda::testing::ScratchDir;
using yumda::testing::write_text;

TEST_CASE("built-in default: runtime al2023, its amazonlinux repo, signed with the shipped AL2023 key", "[config]") {
  ScopedEnv xdg("XDG_CACHE_HOME", "/tmp/xdg-cache");
  ConfigOptions o;
  o.system_config = "/nonexistent/yumda.conf";
  Loaded c = load_reporting(o);
  CHECK(c.main.config_file == kBuiltinConfig);
  CHECK(c.main.runtime == "al2023");
  CHECK(c.main.reposdir == std::vector<std::string>{"<built-in>/runtimes/al2023/repos.d"});
  CHECK(c.main.cachedir == "/tmp/xdg-cache/yumda");
  CHECK(c.main.baseline == "al2023");
  CHECK(c.main.arch == "x86_64");
  CHECK(c.main.releasever == "latest");
  CHECK(c.main.relocate == Relocate::kAuto);
  CHECK(c.main.gpgcheck);
  CHECK_FALSE(c.main.install_weak_deps);
  CHECK(c.main.metadata_expire == 6 * 3600);
  CHECK(c.warnings.empty());
  CHECK(enabled_ids(c) == std::set<std::string>{"amazonlinux"});

  const RepoConfig* al = c.find_repo("amazonlinux");
  REQUIRE(al);
  CHECK(al->baseurls.empty());
  CHECK(al->mirrorlist == "https://cdn.amazonlinux.com/al2023/core/mirrors/latest/x86_64/mirror.list");
  CHECK(al->gpgcheck);
  CHECK_FALSE(al->repo_gpgcheck);
  CHECK(al->skip_if_unavailable);
  CHECK(al->priority == 10);
  CHECK_THAT(al->origin, Catch::StartsWith("<built-in>/runtimes/al2023/repos.d/amazonlinux.repo:"));
  REQUIRE(al->gpgkeys == std::vector<std::string>{"file:///etc/yumda/RPM-GPG-KEY-amazon-linux-2023"});
  const std::string shipped = read_file(std::string(YUMDA_SOURCE_DIR) + "/repo-config/RPM-GPG-KEY-amazon-linux-2023");
  if (!path_exists("/etc/yumda/RPM-GPG-KEY-amazon-linux-2023")) {
    auto key = builtin_key_for_url(al->gpgkeys[0]);
    REQUIRE(key);
    CHECK(*key == shipped);
  }
  // The source and debuginfo repos are defined and off.
  for (const char* id : {"amazonlinux-source", "amazonlinux-debuginfo"}) {
    INFO(id);
    const RepoConfig* r = c.find_repo(id);
    REQUIRE(r);
    CHECK_FALSE(r->enabled);
    CHECK(r->mirrorlist.rfind("https://cdn.amazonlinux.com/al2023/core/mirrors/latest/", 0) == 0);
  }
  CHECK(c.find_repo("amazonlinux-debuginfo")->mirrorlist ==
        "https://cdn.amazonlinux.com/al2023/core/mirrors/latest/debuginfo/x86_64/mirror.list");
  CHECK(c.find_repo("amazonlinux-source")->mirrorlist ==
        "https://cdn.amazonlinux.com/al2023/core/mirrors/latest/SRPMS/mirror.list");
  CHECK_FALSE(c.find_repo("lambda2"));

  // arm64: the same repo for aarch64; a pinned release.
  o.arch = "arm64";
  o.releasever = "2023.12.20260831";
  Config arm = load_config(o);
  CHECK(arm.main.arch == "aarch64");
  CHECK(arm.find_repo("amazonlinux")->mirrorlist ==
        "https://cdn.amazonlinux.com/al2023/core/mirrors/2023.12.20260831/aarch64/mirror.list");
}

TEST_CASE("--runtime al2: today's default exactly (lambda2, baseline al2, releasever 2)", "[config]") {
  ScopedEnv xdg("XDG_CACHE_HOME", "/tmp/xdg-cache");
  ConfigOptions o;
  o.system_config = "/nonexistent/yumda.conf";
  o.runtime = "al2";
  Loaded c = load_reporting(o);
  CHECK(c.main.runtime == "al2");
  CHECK(c.main.reposdir == std::vector<std::string>{"<built-in>/runtimes/al2/repos.d"});
  CHECK(c.main.baseline == "al2");
  CHECK(c.main.arch == "x86_64");
  CHECK(c.main.releasever == "2");
  CHECK(c.main.gpgcheck);
  CHECK(c.warnings.empty());
  CHECK(enabled_ids(c) == std::set<std::string>{"lambda2"});

  const RepoConfig* l2 = c.find_repo("lambda2");
  REQUIRE(l2);
  CHECK(l2->baseurls == std::vector<std::string>{"https://rpm.lambci.org/lambda2/RPMS"});
  CHECK(l2->gpgcheck);
  CHECK_THAT(l2->origin, Catch::StartsWith("<built-in>/runtimes/al2/repos.d/lambda2.repo:"));
  CHECK(l2->metadata_expire == 6 * 3600);  // inherited from [main]
  REQUIRE(l2->gpgkeys.size() == 1);
  // The key URL resolves: the installed file, or else the built-in copy.
  const std::string key_url = l2->gpgkeys[0];
  CHECK(key_url == "file:///etc/yumda/RPM-GPG-KEY-lambci");
  const std::string shipped = read_file(std::string(YUMDA_SOURCE_DIR) + "/repo-config/RPM-GPG-KEY-lambci");
  if (path_exists("/etc/yumda/RPM-GPG-KEY-lambci")) {
    CHECK_FALSE(builtin_key_for_url(key_url));
  } else {
    auto key = builtin_key_for_url(key_url);
    REQUIRE(key);
    CHECK(*key == shipped);
    CHECK(key->find("-----BEGIN PGP PUBLIC KEY BLOCK-----") == 0);
  }
  CHECK_FALSE(builtin_key_for_url("file:///etc/yumda/yumda.conf"));  // not a key
  CHECK_FALSE(builtin_key_for_url("file:///etc/yumda/../yumda/RPM-GPG-KEY-lambci"));
  CHECK_FALSE(builtin_key_for_url("https://example.com/RPM-GPG-KEY-lambci"));

  const RepoConfig* core = c.find_repo("amzn2-core");
  REQUIRE(core);
  CHECK_FALSE(core->enabled);
  CHECK(core->priority == 10);
  CHECK(core->mirrorlist == "http://amazonlinux.us-east-1.amazonaws.com/2/core/latest/x86_64/mirror.list");

  // The stock repos can be turned on, and their region changed, without a file.
  ScopedEnv region("YUMDA_VAR_awsregion", "eu-west-1");
  o.repo_toggles = {{true, "amzn2-core"}};
  Config c2 = load_config(o);
  CHECK(enabled_ids(c2) == std::set<std::string>{"lambda2", "amzn2-core"});
  CHECK(c2.find_repo("amzn2-core")->mirrorlist ==
        "http://amazonlinux.eu-west-1.amazonaws.com/2/core/latest/x86_64/mirror.list");

  // al1: the lambda1 repo, its own package set; x86_64 only.
  o.repo_toggles.clear();
  o.runtime = "al1";
  Config c1 = load_config(o);
  CHECK(enabled_ids(c1) == std::set<std::string>{"lambda1"});
  CHECK(c1.main.baseline == "al1");
  CHECK(c1.main.releasever == "1");
  o.arch = "aarch64";
  CHECK(load_error(o) == "runtime al1 has no aarch64 Lambda runtime (its architectures: x86_64); choose another "
                         "--arch or --runtime");
}

TEST_CASE("runtime=: profile values are defaults; set keys and flags win", "[config]") {
  ConfDir d;
  d.main("runtime=al2\nreposdir=\n");
  ConfigOptions o = d.options();
  Loaded c = load_reporting(o);
  CHECK(c.main.runtime == "al2");
  CHECK(c.main.baseline == "al2");
  CHECK(c.main.releasever == "2");
  // --baseline overrides the package set alone.
  o.baseline = "none";
  c = load_reporting(o);
  CHECK(c.main.baseline == "none");
  CHECK(c.main.releasever == "2");
  // A key in the file beats the profile, --runtime too (with a warning saying so).
  d.main("baseline=al2\nreleasever=7\nreposdir=\n");
  o = d.options();
  o.runtime = "al2023";
  c = load_reporting(o);
  CHECK(c.main.runtime == "al2023");
  CHECK(c.main.baseline == "al2");
  CHECK(c.main.releasever == "7");
  REQUIRE(c.warnings.size() == 2);
  CHECK_THAT(c.warnings[0], Catch::EndsWith("baseline is set here, so --runtime al2023 does not change it"));
  // --setopt=releasever and --releasever beat it quietly.
  d.main("reposdir=\n");
  o = d.options();
  o.setopts = {"releasever=2023.12.20260831"};
  c = load_reporting(o);
  CHECK(c.main.releasever == "2023.12.20260831");
  CHECK(c.main.baseline == "al2023");
  CHECK(c.warnings.empty());
  // $runtime in reposdir, and as a variable of repo files.
  d.main("runtime=al1\nreposdir=" + d.dir + "/r-$runtime\n");
  write_text(d.dir + "/r-al1/x.repo", "[x-$runtime]\nbaseurl=file:///srv/$runtime/$releasever\n");
  c = load_reporting(d.options());
  CHECK(c.main.reposdir == std::vector<std::string>{d.dir + "/r-al1"});
  REQUIRE(c.find_repo("x-al1"));
  CHECK(c.find_repo("x-al1")->baseurls == std::vector<std::string>{"file:///srv/al1/1"});
  write_text(d.dir + "/vars/runtime", "al2\n");
  CHECK_THAT(load_error(d.options()), Catch::Contains("set runtime in [main] or with --runtime instead"));
}

TEST_CASE("runtime and arch: unknown names are usage errors listing the choices", "[config]") {
  ConfDir d;
  d.main("reposdir=\n");
  ConfigOptions o = d.options();
  o.runtime = "al3";
  CHECK(load_error(o) == "--runtime: runtime: unknown runtime 'al3' (choose al1, al2, al2023)");
  o.runtime.reset();
  for (auto [given, want] : {std::pair{"arm64", "aarch64"}, std::pair{"aarch64", "aarch64"},
                             std::pair{"amd64", "x86_64"}, std::pair{"x86_64", "x86_64"}}) {
    INFO(given);
    o.arch = given;
    CHECK(load_config(o).main.arch == want);
  }
  o.arch = "sparc";
  CHECK(load_error(o) == "--arch: arch: unknown architecture 'sparc' (use x86_64 or aarch64; amd64 and arm64 mean "
                         "the same)");
  d.main("reposdir=\narch=i686\n");
  CHECK_THAT(load_error(d.options()), Catch::EndsWith("arch: unknown architecture 'i686' (use x86_64 or aarch64; "
                                                      "amd64 and arm64 mean the same)"));
  d.main("reposdir=\nruntime=lambda9\n");
  CHECK_THAT(load_error(d.options()), Catch::EndsWith("runtime: unknown runtime 'lambda9' (choose al1, al2, al2023)"));
}
