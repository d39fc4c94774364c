// Repo files: several, reposdir, --repofrompath, the stock AL2 files, and dnf's
// repolist on the same files.
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

TEST_CASE("several repo files: order, priorities, [main] defaults, setopt, enable/disable", "[config]") {
  ConfDir d;
  d.repo("b.repo", "[b1]\nbaseurl=file:///srv/b1\npriority=5\ngpgcheck=1\n\n[b2]\nbaseurl=file:///srv/b2\nenabled=0\n");
  d.repo("a.repo", "[a]\nbaseurl=https://a.example/r, https://mirror.example/r\ncost=500\nexclude=foo*, bar\n");
  d.repo("ignored.txt", "not a repo file [\n");
  write_text(d.conf, "[main]\ngpgcheck=0\nmetadata_expire=1h\ntimeout=5\n\n[inmain]\nbaseurl=file:///srv/m\n");

  ConfigOptions o = d.options();
  Loaded c = load_reporting(o);
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
  c = load_reporting(o);
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
  CHECK(load_reporting(o).warnings == std::vector<std::string>{"--disablerepo nosuch: no repo matches"});
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
  Loaded c = load_reporting(d.options());
  CHECK(c.main.reposdir == std::vector<std::string>{d.dir + "/one", d.dir + "/two", d.dir + "/missing"});
  CHECK(enabled_ids(c) == std::set<std::string>{"x", "y"});
  CHECK(c.warnings == std::vector<std::string>{"reposdir " + d.dir + "/missing does not exist"});

  // A file config may use the built-in repos plus its own.
  d.main("reposdir=<built-in>/runtimes/$runtime/repos.d one\n");
  c = load_reporting(d.options());
  CHECK(enabled_ids(c) == std::set<std::string>{"amazonlinux", "x"});
  d.main("runtime=al2\nreposdir=<built-in>/runtimes/$runtime/repos.d one\n");
  c = load_reporting(d.options());
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
  Loaded c = load_reporting(d.options());
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
  c = load_reporting(o);
  CHECK(c.main.timeout == 5);
  CHECK(c.main.retries == 7);
  CHECK_FALSE(c.main.gpgcheck);
  CHECK(c.main.cachedir == "/var/cache/yum/x86_64/2");
  CHECK(c.main.installonly_limit == 3);  // read now, as dnf
  CHECK(c.warnings.size() == 6);  // debuglevel logfile exactarch obsoletes plugins distroverpkg
}


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
