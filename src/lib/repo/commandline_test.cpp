// Package files named on the command line (dnf's rule).
#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <thread>

#include "repo/commandline.hpp"
#include "solv/pool.hpp"
#include "server/http_server.hpp"
#include "test_support.hpp"
#include "repo/repo_test_util.hpp"
#include "yumda/checksum.hpp"
#include "yumda/error.hpp"
#include "yumda/fs.hpp"
#include "yumda/repo.hpp"
#include "yumda/sack.hpp"

using namespace yumda;
using namespace yumda::testing;
namespace fs = std::filesystem;

TEST_CASE("install arguments that name package files are local packages, as dnf's", "[repo][commandline]") {
  ScratchDir tmp;
  fs::create_directories(tmp.path + "/dir");
  write_text(tmp.path + "/dir/b-1.rpm", "x");
  write_text(tmp.path + "/dir/a-1.rpm", "x");
  write_text(tmp.path + "/dir/notes", "x");
  const auto cwd = fs::current_path();
  fs::current_path(tmp.path);
  std::vector<std::string> specs = {"git", "dir/*.rpm", "/opt/bin/git", "file://" + tmp.path + "/dir/a-1.rpm",
                                    "./dir/notes", "jq >= 1.6"};
  std::vector<LocalPackage> local;
  std::string missing = error_of([&] {
    std::vector<std::string> s = {"git", "./nope.rpm"};
    take_local_packages(s);
  });
  std::string no_match = error_of([&] {
    std::vector<std::string> s = {"dir/*-2.rpm"};
    take_local_packages(s);
  });
  local = take_local_packages(specs);
  fs::current_path(cwd);
  CHECK(specs == std::vector<std::string>{"git", "/opt/bin/git", "jq >= 1.6"});
  REQUIRE(local.size() == 4);
  CHECK(local[0].arg == "dir/a-1.rpm");  // a glob's matches, sorted
  const std::string real = fs::canonical(tmp.path).string();  // what the cwd reads as
  CHECK(local[0].path == real + "/dir/a-1.rpm");
  CHECK(local[1].arg == "dir/b-1.rpm");
  CHECK(local[2].path == tmp.path + "/dir/a-1.rpm");  // a file:// URL's own path
  CHECK(local[3].path == real + "/dir/notes");
  CHECK(missing == "local package ./nope.rpm does not exist (give the path of an .rpm file)");
  CHECK(no_match == "no file matches dir/*-2.rpm (check the directory and the pattern)");
}

TEST_CASE("a local package file that is not an RPM is named", "[repo][commandline]") {
  ScratchDir tmp;
  write_text(tmp.path + "/junk.rpm", "not an rpm");
  yumda::Pool pool("x86_64");
  std::string err = error_of([&] { add_commandline_repo(pool, {{"./junk.rpm", tmp.path + "/junk.rpm"}}); });
  CHECK(err.starts_with("local package ./junk.rpm cannot be read as an RPM ("));
  CHECK(err.ends_with("): give the path of a binary .rpm file"));
}
