#include <stdlib.h>

#include <catch2/catch.hpp>
#include <algorithm>
#include <filesystem>
#include <set>
#include <sstream>

#include "test_support.hpp"
#include "yumda/config.hpp"
#include "yumda/error.hpp"
#include "yumda/fs.hpp"

using namespace yumda;
using yumda::testing::ScratchDir;
using yumda::testing::write_text;

namespace {

// A config directory on disk: DIR/yumda.conf plus DIR/repos.d/*.repo.
struct ConfDir {
  ScratchDir scratch;
  std::string dir = scratch.path;
  std::string conf = dir + "/yumda.conf";

  void main(const std::string& text) { write_text(conf, "[main]\n" + text); }
  void repo(const std::string& file, const std::string& text) { write_text(dir + "/repos.d/" + file, text); }
  ConfigOptions options() const {
    ConfigOptions o;
    o.config_file = conf;
    o.system_config = dir + "/no-such-system.conf";
    return o;
  }
};

std::set<std::string> enabled_ids(const Config& c) {
  std::set<std::string> out;
  for (const auto* r : c.enabled_repos()) out.insert(r->id);
  return out;
}

std::string load_error(const ConfigOptions& o) {
  try {
    load_config(o);
  } catch (const UsageError& e) {
    return e.what();
  }
  return "";
}

// Sets an environment variable for one scope.
struct ScopedEnv {
  std::string name;
  std::optional<std::string> old;
  ScopedEnv(const std::string& n, const char* value) : name(n) {
    if (const char* o = getenv(n.c_str())) old = o;
    if (value) setenv(n.c_str(), value, 1);
    else unsetenv(n.c_str());
  }
  ~ScopedEnv() {
    if (old) setenv(name.c_str(), old->c_str(), 1);
    else unsetenv(name.c_str());
  }
};

const std::string kRepoA = "[a]\nname=A\nbaseurl=file:///srv/a\n";

}  // namespace

TEST_CASE("parse_duration", "[config]") {
  CHECK(parse_duration("30") == 30);
  CHECK(parse_duration("45s") == 45);
  CHECK(parse_duration("10m") == 600);
  CHECK(parse_duration("6h") == 6 * 3600);
  CHECK(parse_duration("2D") == 2 * 86400);
  CHECK(parse_duration("1.5h") == 5400);
  CHECK(parse_duration("never") == kNever);
  CHECK(parse_duration("-1") == kNever);
  for (const char* bad : {"", "h", "10x", "-5", "1.2.3", "ten", "5 m"}) {
    INFO(bad);
    CHECK_THROWS_AS(parse_duration(bad), UsageError);
  }
}

TEST_CASE("built-in default: runtime al2023, its amazonlinux repo, signed with the shipped AL2023 key", "[config]") {
  ScopedEnv xdg("XDG_CACHE_HOME", "/tmp/xdg-cache");
  ConfigOptions o;
  o.system_config = "/nonexistent/yumda.conf";
  Config c = load_config(o);
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
  Config c = load_config(o);
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
  Config c = load_config(o);
  CHECK(c.main.runtime == "al2");
  CHECK(c.main.baseline == "al2");
  CHECK(c.main.releasever == "2");
  // --baseline overrides the package set alone.
  o.baseline = "none";
  c = load_config(o);
  CHECK(c.main.baseline == "none");
  CHECK(c.main.releasever == "2");
  // A key in the file beats the profile, --runtime too (with a warning saying so).
  d.main("baseline=al2\nreleasever=7\nreposdir=\n");
  o = d.options();
  o.runtime = "al2023";
  c = load_config(o);
  CHECK(c.main.runtime == "al2023");
  CHECK(c.main.baseline == "al2");
  CHECK(c.main.releasever == "7");
  REQUIRE(c.warnings.size() == 2);
  CHECK_THAT(c.warnings[0], Catch::EndsWith("baseline is set here, so --runtime al2023 does not change it"));
  // --setopt=releasever and --releasever beat it quietly.
  d.main("reposdir=\n");
  o = d.options();
  o.setopts = {"releasever=2023.12.20260831"};
  c = load_config(o);
  CHECK(c.main.releasever == "2023.12.20260831");
  CHECK(c.main.baseline == "al2023");
  CHECK(c.warnings.empty());
  // $runtime in reposdir, and as a variable of repo files.
  d.main("runtime=al1\nreposdir=" + d.dir + "/r-$runtime\n");
  write_text(d.dir + "/r-al1/x.repo", "[x-$runtime]\nbaseurl=file:///srv/$runtime/$releasever\n");
  c = load_config(d.options());
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

TEST_CASE("config file choice: -c, then the system file, then built-in", "[config]") {
  ConfDir d;
  d.main("baseline=none\nreposdir=\n");
  ConfigOptions o;
  o.system_config = d.conf;
  Config c = load_config(o);
  CHECK(c.main.config_file == d.conf);
  CHECK(c.main.baseline == "none");
  CHECK(c.main.reposdir.empty());
  CHECK(c.repos.empty());

  o.config_file = d.dir + "/missing.conf";
  CHECK_THAT(load_error(o), Catch::Contains("missing.conf does not exist (check -c)"));
  o.config_file = kBuiltinConfig + std::string("/yumda.conf");  // explicit built-in, system file ignored
  CHECK(load_config(o).main.config_file == kBuiltinConfig);
  o.config_file = kBuiltinConfig;
  CHECK(load_config(o).find_repo("amazonlinux"));
  o.config_file = kBuiltinConfig + std::string("/nosuch.conf");
  CHECK_THAT(load_error(o), Catch::StartsWith("config file <built-in>/nosuch.conf is not built into this yumda"));
}

TEST_CASE("default cachedir: $XDG_CACHE_HOME/yumda, else ~/.cache/yumda", "[config]") {
  ConfigOptions o;
  o.config_file = kBuiltinConfig;
  ScopedEnv home("HOME", "/home/someone");
  {
    ScopedEnv xdg("XDG_CACHE_HOME", nullptr);
    CHECK(load_config(o).main.cachedir == "/home/someone/.cache/yumda");
  }
  {
    ScopedEnv xdg("XDG_CACHE_HOME", "relative/ignored");  // the XDG spec says relative values are invalid
    CHECK(load_config(o).main.cachedir == "/home/someone/.cache/yumda");
  }
  ScopedEnv xdg("XDG_CACHE_HOME", "/xdg");
  CHECK(load_config(o).main.cachedir == "/xdg/yumda");
  o.cachedir = "/explicit/$basearch";
  CHECK(load_config(o).main.cachedir == "/explicit/x86_64");
}

TEST_CASE("bad lines, keys and values are errors naming FILE:LINE", "[config]") {
  ConfDir d;
  d.main("gpgcheck=1\n");
  auto err = [&](const std::string& repo_text) {
    d.repo("x.repo", repo_text);
    return load_error(d.options());
  };
  const std::string at = d.dir + "/repos.d/x.repo:";
  CHECK_THAT(err("[x]\nbaseurl=file:///a\nenabled=maybe\n"), Catch::StartsWith(at + "3: enabled: bad boolean 'maybe'"));
  CHECK_THAT(err("[x]\nbaseurl=file:///a\nbogus=1\n"), Catch::StartsWith(at + "3: bogus: unknown option in [x]"));
  CHECK_THAT(err("[x]\nbaseurl=file:///a\npriority=0\n"), Catch::StartsWith(at + "3: priority: 0 is out of range"));
  CHECK_THAT(err("[x]\nbaseurl=file:///a\nmetadata_expire=soon\n"),
             Catch::StartsWith(at + "3: metadata_expire: bad duration 'soon'"));
  CHECK_THAT(err("[x]\nbaseurl=/srv/repo\n"), Catch::StartsWith(at + "2: baseurl '/srv/repo' has no scheme") &&
                                                  Catch::Contains("file:///"));
  CHECK_THAT(err("[x]\nbaseurl=ftp://h/r\n"), Catch::Contains("unsupported scheme"));
  CHECK_THAT(err("[x]\nbaseurl=https://$nosuchvar/r\n"),
             Catch::StartsWith(at + "2: baseurl 'https://$nosuchvar/r' uses $nosuchvar, which is not defined") &&
                 Catch::Contains(d.dir + "/vars/nosuchvar"));
  CHECK_THAT(err("[x]\nname=x\n"), Catch::StartsWith(at + "1: repo 'x' has no baseurl or mirrorlist"));
  CHECK_THAT(err("[x]\nbaseurl=file:///a\ngpgcheck=1\ngpgcheck=0\n"),
             Catch::StartsWith(at + "4: 'gpgcheck' is already set at " + at + "3"));
  CHECK_THAT(err("[x y]\nbaseurl=file:///a\n"), Catch::StartsWith(at + "1: bad repo id 'x y'"));
  CHECK_THAT(err("[main]\ngpgcheck=0\n"), Catch::StartsWith(at + "1: [main] belongs in the config file"));
  // A disabled repo's URLs are not checked until it is enabled (as dnf).
  CHECK(err("[x]\nbaseurl=/srv/repo\nenabled=0\n").empty());

  d.repo("x.repo", "");
  CHECK_THAT(err("[x]\nbaseurl=file:///a\nrepo_gpgcheck=1\n"),
             Catch::StartsWith(at + "3: repo 'x' has repo_gpgcheck=1 but no gpgkey=") &&
                 Catch::Contains("or set repo_gpgcheck=0"));
  CHECK(err("[x]\nbaseurl=file:///a\nrepo_gpgcheck=1\ngpgkey=file:///k.asc\n").empty());
  CHECK(err("[x]\nbaseurl=file:///a\nrepo_gpgcheck=1\nenabled=0\n").empty());
  d.repo("x.repo", "");
  d.main("gpgcheck=perhaps\n");
  CHECK_THAT(load_error(d.options()), Catch::StartsWith(d.conf + ":2: gpgcheck: bad boolean"));
  d.main("max_parallel_downloads=99\n");
  CHECK_THAT(load_error(d.options()), Catch::StartsWith(d.conf + ":2: max_parallel_downloads: 99 is out of range"));
  d.main("tsflags=nosuchflag\n");
  CHECK_THAT(load_error(d.options()), Catch::StartsWith(d.conf + ":2: tsflags: unsupported flag 'nosuchflag'"));
  d.main("proxy=http://proxy:3128\n");
  CHECK_THAT(load_error(d.options()), Catch::StartsWith(d.conf + ":2: proxy: proxies are not read") &&
                                          Catch::Contains("https_proxy"));
  d.main("frobnicate=1\n");
  CHECK_THAT(load_error(d.options()), Catch::StartsWith(d.conf + ":2: frobnicate: unknown option in [main]"));

  // yum options that do not matter to yumda load, and are reported.
  d.main("debuglevel=2\ntsflags=nodocs\n");
  Config c = load_config(d.options());
  CHECK(c.main.nodocs);
  REQUIRE(c.warnings.size() == 1);
  CHECK_THAT(c.warnings[0], Catch::StartsWith(d.conf + ":2: 'debuglevel' is a yum/dnf option yumda does not use"));
}

TEST_CASE("duplicate repo ids name both places", "[config]") {
  ConfDir d;
  d.main("");
  d.repo("a.repo", kRepoA);
  d.repo("b.repo", "# again\n" + kRepoA);
  CHECK(load_error(d.options()) == d.dir + "/repos.d/b.repo:2: repo id 'a' is already defined at " + d.dir +
                                       "/repos.d/a.repo:1 (rename one or remove the copy)");
}

TEST_CASE("variables: built-in, vars/ dir, YUMDA_VAR_, --releasever", "[config]") {
  ConfDir d;
  d.main("arch=aarch64\nreleasever=7\ncachedir=" + d.dir + "/cache/$basearch\n");
  d.repo("v.repo",
         "[v-$releasever]\nname=V $releasever on $arch\n"
         "baseurl=https://h/${releasever}/$basearch/$mirror_path\n  https://fallback/$releasever/\n"
         "gpgkey=https://h/$flavour.key\n");
  write_text(d.dir + "/vars/mirror_path", "from-file\nsecond line ignored\n");
  write_text(d.dir + "/vars/flavour", "vanilla\n");
  ScopedEnv e("YUMDA_VAR_flavour", "chocolate");  // the environment beats vars/

  ConfigOptions o = d.options();
  Config c = load_config(o);
  REQUIRE(c.repos.size() == 1);
  const RepoConfig& r = c.repos[0];
  CHECK(r.id == "v-7");  // ids are expanded too (as dnf)
  CHECK(r.name == "V 7 on aarch64");
  CHECK(r.baseurls == std::vector<std::string>{"https://h/7/aarch64/from-file", "https://fallback/7/"});
  CHECK(r.gpgkeys == std::vector<std::string>{"https://h/chocolate.key"});
  CHECK(c.main.cachedir == d.dir + "/cache/aarch64");

  o.releasever = "8";
  o.arch = "x86_64";
  c = load_config(o);
  CHECK(c.repos[0].baseurls[0] == "https://h/8/x86_64/from-file");

  // $releasever comes only from [main]/--releasever, so it cannot disagree.
  write_text(d.dir + "/vars/releasever", "9\n");
  CHECK_THAT(load_error(o), Catch::Contains("set releasever in [main] or with --releasever"));
}

TEST_CASE("several repo files: order, priorities, [main] defaults, setopt, enable/disable", "[config]") {
  ConfDir d;
  d.repo("b.repo", "[b1]\nbaseurl=file:///srv/b1\npriority=5\ngpgcheck=1\n\n[b2]\nbaseurl=file:///srv/b2\nenabled=0\n");
  d.repo("a.repo", "[a]\nbaseurl=https://a.example/r, https://mirror.example/r\ncost=500\nexclude=foo*, bar\n");
  d.repo("ignored.txt", "not a repo file [\n");
  write_text(d.conf, "[main]\ngpgcheck=0\nmetadata_expire=1h\ntimeout=5\n\n[inmain]\nbaseurl=file:///srv/m\n");

  ConfigOptions o = d.options();
  Config c = load_config(o);
  std::vector<std::string> order;
  for (const auto& r : c.repos) order.push_back(r.id);
  // The config file's own repos first, then *.repo files sorted by name.
  CHECK(order == std::vector<std::string>{"inmain", "a", "b1", "b2"});
  CHECK(enabled_ids(c) == std::set<std::string>{"inmain", "a", "b1"});
  const RepoConfig* a = c.find_repo("a");
  CHECK(a->baseurls == std::vector<std::string>{"https://a.example/r", "https://mirror.example/r"});
  CHECK(a->priority == 99);
  CHECK(a->cost == 500);
  CHECK(a->excludepkgs == std::vector<std::string>{"foo*", "bar"});
  CHECK_FALSE(a->gpgcheck);             // from [main]
  CHECK(a->metadata_expire == 3600);    // from [main]
  CHECK(a->timeout == 5);               // from [main]
  CHECK(c.find_repo("b1")->priority == 5);
  CHECK(c.find_repo("b1")->gpgcheck);   // its own value beats [main]

  // Main-key --setopt applies before the repo files, so repos inherit it.
  o.setopts = {"gpgcheck=1", "b*.priority=3", "a.enabled=0"};
  c = load_config(o);
  CHECK(c.find_repo("a")->gpgcheck);
  CHECK_FALSE(c.find_repo("a")->enabled);
  CHECK(c.find_repo("b1")->priority == 3);
  CHECK(c.find_repo("b2")->priority == 3);
  CHECK(c.main.gpgcheck);

  // --enablerepo/--disablerepo apply in the order given.
  o.setopts.clear();
  o.repo_toggles = {{false, "*"}, {true, "b*"}, {false, "b1"}};
  CHECK(enabled_ids(load_config(o)) == std::set<std::string>{"b2"});
  o.repo_toggles = {{true, "b*"}, {false, "*"}, {true, "a"}};
  CHECK(enabled_ids(load_config(o)) == std::set<std::string>{"a"});

  // --repo: only those (then any --enablerepo adds to them).
  o.repo_toggles.clear();
  o.only_repos = {"b2"};
  CHECK(enabled_ids(load_config(o)) == std::set<std::string>{"b2"});
  o.repo_toggles = {{true, "a"}};
  CHECK(enabled_ids(load_config(o)) == std::set<std::string>{"a", "b2"});

  // Unknown ids: an error for enabling, a warning for disabling.
  o.only_repos.clear();
  o.repo_toggles = {{true, "nosuch"}};
  CHECK_THAT(load_error(o), Catch::StartsWith("unknown repo 'nosuch' (repos: inmain, a, b1, b2)"));
  o.repo_toggles = {{false, "nosuch"}};
  CHECK(load_config(o).warnings == std::vector<std::string>{"--disablerepo nosuch: no repo matches"});
  o.repo_toggles.clear();
  o.setopts = {"nosuch.gpgcheck=1"};
  CHECK_THAT(load_error(o), Catch::StartsWith("--setopt nosuch.gpgcheck=1: no repo matches 'nosuch'"));
  o.setopts = {"a.gpgcheck=sometimes"};
  CHECK_THAT(load_error(o), Catch::StartsWith("--setopt a.gpgcheck=sometimes: gpgcheck: bad boolean"));
  o.setopts = {"justakey"};
  CHECK_THAT(load_error(o), Catch::StartsWith("--setopt justakey: expected KEY=VALUE"));

  // --setopt reposdir= applies before repo files are read: none are read.
  o.setopts = {"reposdir="};
  CHECK(enabled_ids(load_config(o)) == std::set<std::string>{"inmain"});
}

TEST_CASE("reposdir: relative to the config file, several, and the built-in one", "[config]") {
  ConfDir d;
  write_text(d.dir + "/one/x.repo", "[x]\nbaseurl=file:///x\n");
  write_text(d.dir + "/two/y.repo", "[y]\nbaseurl=file:///y\n");
  d.main("reposdir=one, " + d.dir + "/two ./missing\n");
  Config c = load_config(d.options());
  CHECK(c.main.reposdir == std::vector<std::string>{d.dir + "/one", d.dir + "/two", d.dir + "/missing"});
  CHECK(enabled_ids(c) == std::set<std::string>{"x", "y"});
  CHECK(c.warnings == std::vector<std::string>{"reposdir " + d.dir + "/missing does not exist"});

  // A file config may use the built-in repos plus its own.
  d.main("reposdir=<built-in>/runtimes/$runtime/repos.d one\n");
  c = load_config(d.options());
  CHECK(enabled_ids(c) == std::set<std::string>{"amazonlinux", "x"});
  d.main("runtime=al2\nreposdir=<built-in>/runtimes/$runtime/repos.d one\n");
  c = load_config(d.options());
  CHECK(enabled_ids(c) == std::set<std::string>{"lambda2", "x"});
}

TEST_CASE("--repofrompath adds an enabled repo that takes [main]'s gpgcheck, as dnf", "[config]") {
  ConfDir d;
  d.main("gpgcheck=1\nreposdir=\n");
  ConfigOptions o = d.options();
  o.repofrompath = {{"local", "some/dir"}, {"web", "https://example.com/repo"}};
  Config c = load_config(o);
  const RepoConfig* local = c.find_repo("local");
  REQUIRE(local);
  CHECK(local->enabled);
  CHECK(local->gpgcheck);
  CHECK_FALSE(local->repo_gpgcheck);  // no gpgkey to check a repomd.xml with
  o.nogpgcheck = true;
  CHECK_FALSE(load_config(o).find_repo("local")->gpgcheck);
  o.nogpgcheck = false;
  d.main("gpgcheck=0\nreposdir=\n");
  CHECK_FALSE(load_config(o).find_repo("local")->gpgcheck);
  o.repofrompath[0].gpgcheck = true;  // yumda.toml's [[repo]] says it outright
  CHECK(load_config(o).find_repo("local")->gpgcheck);
  o.repofrompath[0].gpgcheck.reset();
  d.main("gpgcheck=1\nreposdir=\n");
  c = load_config(o);
  local = c.find_repo("local");
  REQUIRE(local);
  CHECK(local->baseurls ==
        std::vector<std::string>{"file://" + (std::filesystem::current_path() / "some/dir").lexically_normal().string()});
  CHECK(c.find_repo("web")->baseurls == std::vector<std::string>{"https://example.com/repo"});
  CHECK(c.main.gpgcheck);

  o.setopts = {"local.gpgcheck=0"};
  CHECK_FALSE(load_config(o).find_repo("local")->gpgcheck);

  o.setopts.clear();
  o.repofrompath = {{"x", "/a"}, {"x", "/b"}};
  CHECK_THAT(load_error(o), Catch::StartsWith("--repofrompath x,/b: repo id 'x' is already defined at --repofrompath x,/a"));
}

TEST_CASE("the stock Amazon Linux 2 files load (yum-only keys are reported)", "[config]") {
  YUMDA_REQUIRE_SHARED(shared);
  const std::string root = shared + "/fixtures/real/lc-eval-amzn2-rootfs/etc";
  ConfDir d;
  d.main("runtime=al2\nreposdir=" + root + "/yum.repos.d\n");  // AL2's files: its $releasever
  write_text(d.dir + "/vars/awsregion", "us-west-2\n");
  write_text(d.dir + "/vars/awsdomain", "amazonaws.com\n");
  write_text(d.dir + "/vars/product", "core\n");
  Config c = load_config(d.options());
  CHECK(enabled_ids(c) == std::set<std::string>{"amzn2-core", "amzn2extra-docker"});
  CHECK(c.find_repo("amzn2-core")->mirrorlist ==
        "http://amazonlinux.us-west-2.amazonaws.com/2/core/latest/x86_64/mirror.list");
  CHECK(c.find_repo("amzn2-core")->metadata_expire == 300);
  CHECK(c.find_repo("amzn2extra-docker")->priority == 10);
  CHECK_FALSE(c.warnings.empty());  // mirrorlist_expire, report_instanceid

  // AL2's yum.conf itself: yum-only keys load with warnings, the rest applies.
  ConfigOptions o;
  o.config_file = root + "/yum.conf";
  o.system_config = "/nonexistent";
  o.setopts = {"reposdir="};
  o.runtime = "al2";
  c = load_config(o);
  CHECK(c.main.timeout == 5);
  CHECK(c.main.retries == 7);
  CHECK_FALSE(c.main.gpgcheck);
  CHECK(c.main.cachedir == "/var/cache/yum/x86_64/2");
  CHECK(c.main.installonly_limit == 3);  // read now, as dnf
  CHECK(c.warnings.size() == 6);  // debuglevel logfile exactarch obsoletes plugins distroverpkg
}

TEST_CASE("installonlypkgs adds to dnf's list; installonly_limit is dnf's", "[config]") {
  ConfigOptions o;
  o.config_file = std::string(kBuiltinConfig);
  o.system_config = "/nonexistent";
  Config c = load_config(o);
  CHECK(c.main.installonly_limit == 3);
  CHECK(c.main.installonlypkgs == std::vector<std::string>{"kernel", "kernel-PAE", "installonlypkg(kernel)",
                                                           "installonlypkg(kernel-module)", "installonlypkg(vm)",
                                                           "multiversion(kernel)"});
  o.setopts = {"installonlypkgs=my-kmod, kernel", "installonly_limit=0"};
  c = load_config(o);
  CHECK(c.main.installonlypkgs.size() == 7);
  CHECK(c.main.installonlypkgs.back() == "my-kmod");
  CHECK(c.main.installonly_limit == 0);
  for (const char* bad : {"1", "-2", "three"}) {
    o.setopts = {std::string("installonly_limit=") + bad};
    std::string err = load_error(o);
    CAPTURE(bad, err);
    CHECK(err.find("installonly_limit") != std::string::npos);
    CHECK(err.find(bad) != std::string::npos);
  }
  o.setopts = {"installonly_limit=1"};
  CHECK_THAT(load_error(o), Catch::Contains("give 0 for no limit, or 2 or more"));
}

// Same files, same options: the enabled repo set must match what dnf says.
TEST_CASE("enabled repos agree with dnf repolist", "[config][dnf]") {
  if (yumda::testing::run("command -v dnf >/dev/null 2>&1") != 0) {
    WARN("skipped: dnf is not installed");
    return;
  }
  ConfDir d;
  d.main("gpgcheck=0\n");
  d.repo("a.repo", "[a]\nname=a\nbaseurl=file:///srv/a\n[a2]\nname=a2\nbaseurl=file:///srv/a2\nenabled=0\n");
  d.repo("b.repo", "[b]\nname=b\nbaseurl=file:///srv/b\nenabled=false\n[c]\nname=c\nbaseurl=file:///srv/c\n");
  struct Case {
    std::vector<std::pair<bool, std::string>> toggles;
    std::vector<std::string> setopts;
    std::vector<std::string> only;
  };
  std::vector<Case> cases = {{{}, {}, {}},
                             {{{true, "a2"}, {false, "c"}}, {}, {}},
                             {{{false, "*"}, {true, "b"}}, {}, {}},
                             {{}, {"a*.enabled=1", "c.enabled=0"}, {}},
                             {{{true, "*"}, {false, "a*"}}, {"b.enabled=0"}, {}},
                             {{{true, "c"}}, {}, {"a*"}}};
  for (const auto& cs : cases) {
    ConfigOptions o = d.options();
    o.repo_toggles = cs.toggles;
    o.setopts = cs.setopts;
    o.only_repos = cs.only;
    std::string cmd = "dnf -q -c " + d.conf + " --releasever=2 --setopt=reposdir=" + d.dir +
                      "/repos.d --setopt=cachedir=" + d.dir + "/dnfcache";
    for (const auto& id : cs.only) cmd += " " + yumda::testing::shell_quote("--repo=" + id);  // first, as load_config applies it
    for (const auto& [en, pat] : cs.toggles) cmd += " " + yumda::testing::shell_quote((en ? "--enablerepo=" : "--disablerepo=") + pat);
    for (const auto& s : cs.setopts) cmd += " " + yumda::testing::shell_quote("--setopt=" + s);
    cmd += " repolist --enabled 2>/dev/null > " + d.dir + "/dnf.out";
    REQUIRE(yumda::testing::run(cmd) == 0);
    std::istringstream out(read_file(d.dir + "/dnf.out"));
    std::set<std::string> dnf_ids;
    for (std::string line; std::getline(out, line);)
      if (!line.empty() && line.rfind("repo id", 0) != 0) dnf_ids.insert(line.substr(0, line.find(' ')));
    INFO(cmd);
    CHECK(enabled_ids(load_config(o)) == dnf_ids);
  }
}

TEST_CASE("repo files are read in name order, whatever the directory order", "[config]") {
  ConfDir d;
  d.main("");
  std::vector<std::string> names = {"m", "c", "x", "a", "q", "k", "b", "z", "f", "10", "2", "y"};
  for (const auto& n : names) d.repo(n + ".repo", "[r" + n + "]\nbaseurl=file:///srv/" + n + "\n");
  std::sort(names.begin(), names.end());
  std::vector<std::string> want, got;
  for (const auto& n : names) want.push_back("r" + n);
  for (const auto& r : load_config(d.options()).repos) got.push_back(r.id);
  CHECK(got == want);
}

TEST_CASE("clean_requirements_on_remove and protected_packages are read, not ignored", "[config]") {
  ConfDir d;
  d.main("reposdir=\n");
  Config c = load_config(d.options());
  CHECK(c.main.clean_requirements_on_remove);  // dnf's default
  CHECK(c.main.protected_packages.empty());
  d.main("reposdir=\nclean_requirements_on_remove=False\nprotected_packages=git, perl*\n");
  c = load_config(d.options());
  CHECK_FALSE(c.main.clean_requirements_on_remove);
  CHECK(c.main.protected_packages == std::vector<std::string>{"git", "perl*"});
  CHECK(std::none_of(c.warnings.begin(), c.warnings.end(),
                     [](const std::string& w) { return w.find("clean_requirements_on_remove") != std::string::npos; }));
  d.main("reposdir=\nclean_requirements_on_remove=maybe\n");
  CHECK_THROWS_AS(load_config(d.options()), UsageError);
}

TEST_CASE("--nogpgcheck, --refresh and -x beat the config files, as dnf's", "[config]") {
  ConfDir d;
  d.main("reposdir=" + d.dir + "/repos.d\ngpgcheck=1\nexcludepkgs=kernel*\n");
  d.repo("a.repo", "[a]\nbaseurl=file:///srv/a\ngpgcheck=1\nrepo_gpgcheck=1\ngpgkey=file:///k\nmetadata_expire=never\n");
  ConfigOptions o = d.options();
  o.setopts = {"a.gpgcheck=1"};
  Config before = load_config(o);
  REQUIRE(before.repos.size() == 1);
  CHECK(before.repos[0].gpgcheck);
  CHECK(before.repos[0].repo_gpgcheck);
  CHECK(before.repos[0].metadata_expire == kNever);
  CHECK(before.main.excludepkgs == std::vector<std::string>{"kernel*"});

  o.nogpgcheck = true;
  o.refresh = true;
  o.excludes = {"foo-1.*", "bar"};
  Config after = load_config(o);
  CHECK_FALSE(after.repos[0].gpgcheck);
  CHECK_FALSE(after.repos[0].repo_gpgcheck);
  CHECK(after.repos[0].metadata_expire == 0);
  CHECK(after.main.excludepkgs == std::vector<std::string>{"kernel*", "foo-1.*", "bar"});
}
