#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "install/run_mark.hpp"
#include "yumda/error.hpp"
#include "yumda/fs.hpp"

using namespace yumda;

namespace {

void touch(const std::string& path) { std::ofstream(path) << "x"; }

}  // namespace

TEST_CASE("a dead run's borrowed names are pruned, a live run's kept", "[run_mark]") {
  TempDir tmp("/tmp", "yumda-runmark-");
  const std::string cache = tmp.path(), pkgs = cache + "/packages";
  make_dirs(pkgs + "/.runs");
  make_dirs(pkgs + "/base");
  make_dirs(pkgs + "/other");
  // A run killed with -9: its mark is there, unlocked.
  const std::string dead = "4242-0123456789abcdef";
  touch(pkgs + "/.runs/" + dead);
  touch(pkgs + "/base/a.rpm");
  link((pkgs + "/base/a.rpm").c_str(), (pkgs + "/base/a.rpm.in-use." + dead + ".0").c_str());
  touch(pkgs + "/other/b.rpm.in-use." + dead + ".17");
  touch(pkgs + "/base/c.rpm.in-use." + dead + ".x");  // not a name a run makes
  touch(pkgs + "/.runs/new-4243-00000000000000ff");    // killed before its mark was in place

  RunMark live(cache);
  const std::string token = live.token();
  touch(pkgs + "/base/a.rpm.in-use." + token + ".0");

  prune_dead_runs(cache);
  CHECK(path_exists(pkgs + "/base/a.rpm"));
  CHECK_FALSE(path_exists(pkgs + "/base/a.rpm.in-use." + dead + ".0"));
  CHECK_FALSE(path_exists(pkgs + "/other/b.rpm.in-use." + dead + ".17"));
  CHECK_FALSE(path_exists(pkgs + "/.runs/" + dead));
  CHECK_FALSE(path_exists(pkgs + "/.runs/new-4243-00000000000000ff"));
  CHECK(path_exists(pkgs + "/base/c.rpm.in-use." + dead + ".x"));
  CHECK(path_exists(pkgs + "/base/a.rpm.in-use." + token + ".0"));  // its run holds the lock
  CHECK(path_exists(pkgs + "/.runs/" + token));
}

TEST_CASE("a run's mark goes with it, and a later prune takes its leftovers", "[run_mark]") {
  TempDir tmp("/tmp", "yumda-runmark-");
  const std::string cache = tmp.path(), pkgs = cache + "/packages";
  make_dirs(pkgs + "/base");
  std::string token;
  {
    RunMark m(cache);
    token = m.token();
    CHECK(m.token() == token);  // one mark a run
    CHECK(token.find(std::to_string(getpid()) + "-") == 0);
  }
  CHECK_FALSE(path_exists(pkgs + "/.runs/" + token));
  prune_dead_runs(cache);  // nothing to do: no error
}

TEST_CASE("pruning follows no link planted in the cache", "[run_mark][hostile]") {
  TempDir tmp("/tmp", "yumda-runmark-");
  const std::string outside = tmp.path() + "/outside", cache = tmp.path() + "/cache";
  const std::string dead = "4242-0123456789abcdef";
  make_dirs(outside + "/.runs");
  make_dirs(outside + "/repo");
  touch(outside + "/.runs/" + dead);
  touch(outside + "/repo/x.in-use." + dead + ".0");
  make_dirs(cache + "/packages/base");

  SECTION("packages/.runs is a link out") {
    REQUIRE(symlink((outside + "/.runs").c_str(), (cache + "/packages/.runs").c_str()) == 0);
    REQUIRE(symlink((outside + "/repo").c_str(), (cache + "/packages/repo").c_str()) == 0);
  }
  SECTION("packages itself is a link out") {
    remove_tree(cache + "/packages");
    REQUIRE(symlink(outside.c_str(), (cache + "/packages").c_str()) == 0);
  }
  SECTION("a repo dir is a link out") {
    make_dirs(cache + "/packages/.runs");
    touch(cache + "/packages/.runs/" + dead);
    REQUIRE(symlink((outside + "/repo").c_str(), (cache + "/packages/repo").c_str()) == 0);
  }
  prune_dead_runs(cache);
  CHECK(path_exists(outside + "/.runs/" + dead));
  CHECK(path_exists(outside + "/repo/x.in-use." + dead + ".0"));
}

TEST_CASE("a run's mark is never made through a link planted in the cache", "[run_mark][hostile]") {
  TempDir tmp("/tmp", "yumda-runmark-");
  const std::string outside = tmp.path() + "/outside", cache = tmp.path() + "/cache";
  make_dirs(outside);
  make_dirs(cache + "/packages");
  SECTION("packages/.runs is a link out") {
    REQUIRE(symlink(outside.c_str(), (cache + "/packages/.runs").c_str()) == 0);
  }
  SECTION("packages is a link out") {
    remove_tree(cache + "/packages");
    REQUIRE(symlink(outside.c_str(), (cache + "/packages").c_str()) == 0);
  }
  RunMark m(cache);
  CHECK_THROWS_AS(m.token(), Error);
  CHECK(std::filesystem::is_empty(outside));
}

// Two installs sharing a cache: each prunes while the other may be making its
// mark. A pruner that caught a mark between its creation and its lock took
// it, and the maker failed with ENOENT (seen in CI: "cannot mark this run").
TEST_CASE("a mark being made while another run prunes is never taken from it", "[run_mark]") {
  TempDir tmp("/tmp", "yumda-runmark-");
  const std::string cache = tmp.path();
  std::atomic<bool> done{false};
  std::thread pruner([&] {
    while (!done) prune_dead_runs(cache);
  });
  int failures = 0;
  std::string first;
  for (int i = 0; i < 3000; ++i) {
    try {
      RunMark m(cache);
      m.token();
    } catch (const Error& e) {
      if (failures++ == 0) first = e.what();
    }
  }
  done = true;
  pruner.join();
  INFO(first);
  CHECK(failures == 0);
}
