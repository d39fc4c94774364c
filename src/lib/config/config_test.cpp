// Configuration: the config file's choice and syntax, variables, [main] keys,
// command-line overrides.
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
  Loaded c = load_reporting(d.options());
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

TEST_CASE("clean_requirements_on_remove and protected_packages are read, not ignored", "[config]") {
  ConfDir d;
  d.main("reposdir=\n");
  Loaded c = load_reporting(d.options());
  CHECK(c.main.clean_requirements_on_remove);  // dnf's default
  CHECK(c.main.protected_packages.empty());
  d.main("reposdir=\nclean_requirements_on_remove=False\nprotected_packages=git, perl*\n");
  c = load_reporting(d.options());
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
