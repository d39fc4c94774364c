#include <catch2/catch.hpp>

#include "test_support.hpp"
#include "yumda/lockfile.hpp"

using namespace yumda;
using yumda::testing::ScratchDir;

namespace {

const std::string kMirrorlist = "https://cdn.amazonlinux.com/al2023/core/mirrors/latest/x86_64/mirror.list";
const std::string kGuid = "https://cdn.amazonlinux.com/al2023/core/guids/0123abcd/x86_64/";

Config two_repos() {
  Config c;
  RepoConfig al;
  al.id = "amazonlinux";
  al.mirrorlist = kMirrorlist;
  RepoConfig opt;
  opt.id = "lambda2";
  opt.baseurls = {"https://rpm.lambci.org/lambda2/RPMS"};
  c.repos = {al, opt};
  return c;
}

PackageInfo package(const std::string& name, const std::string& repo, std::vector<std::string> baseurls) {
  PackageInfo p;
  parse_nevra(name + "-1.0-1.amzn2023.x86_64", p.nevra);
  p.repo_id = repo;
  p.location = "../../../../blobstore/ab12/" + name + "-1.0-1.amzn2023.x86_64.rpm";
  p.baseurls = std::move(baseurls);
  p.checksum_type = "sha256";
  p.checksum = "ab12";
  return p;
}

}  // namespace

TEST_CASE("the lock records the base URL a mirrorlist repo's packages came from, and replays it", "[lockfile]") {
  Config config = two_repos();
  Lockfile lock = make_lockfile(config, {package("jq", "amazonlinux", {kGuid}),
                                         package("git", "lambda2", {"https://rpm.lambci.org/lambda2/RPMS"})});
  REQUIRE(lock.mirrored.size() == 1);
  CHECK(lock.mirrored.at("amazonlinux") == std::pair{kMirrorlist, kGuid});

  // Written and read back: the same record (and nothing for a baseurl= repo).
  ScratchDir d;
  write_lockfile(d.path + "/yumda.lock", lock);
  Lockfile again = read_lockfile(d.path + "/yumda.lock");
  CHECK(again.mirrored == lock.mirrored);
  CHECK(again.packages.front().location == "../../../../blobstore/ab12/git-1.0-1.amzn2023.x86_64.rpm");

  // Replay: the mirrorlist repo reads the locked GUID directory, the other is untouched.
  auto pinned = pin_repos_to_lock(config, again);
  REQUIRE(pinned.size() == 1);
  CHECK(pinned[0] == "repo amazonlinux: " + kGuid + " as locked (not mirrorlist " + kMirrorlist + ")");
  CHECK(config.repos[0].baseurls == std::vector<std::string>{kGuid});
  CHECK(config.repos[0].mirrorlist.empty());
  CHECK(config.repos[1].baseurls == std::vector<std::string>{"https://rpm.lambci.org/lambda2/RPMS"});

  // A disabled repo, or one without a mirrorlist, is left alone.
  Config off = two_repos();
  off.repos[0].enabled = false;
  CHECK(pin_repos_to_lock(off, again).empty());
  CHECK(off.repos[0].mirrorlist == kMirrorlist);

  // baseurl= URLs come first in a package's base URLs: the mirror's is after them.
  Config both = two_repos();
  both.repos[0].baseurls = {"https://mirror.example/al2023/"};
  Lockfile l2 = make_lockfile(both, {package("jq", "amazonlinux", {"https://mirror.example/al2023/", kGuid})});
  CHECK(l2.mirrored.at("amazonlinux").second == kGuid);
}

TEST_CASE("a lockfile number that is not a whole one is refused, naming the file and key", "[lockfile]") {
  // Found with fuzz_lockfile: 1e300 as a version or size was cast unchecked.
  ScratchDir dir;
  const std::string path = dir.path + "/yumda.lock";
  const std::string pkg = R"({"name": "a", "version": "1", "release": "1", "arch": "noarch")";
  const std::pair<std::string, std::string> cases[] = {
      {R"({"lockfile_version": 1e300, "packages": []})", "lockfile_version"},
      {R"({"lockfile_version": -1, "packages": []})", "lockfile_version"},
      {R"({"lockfile_version": 1, "packages": [)" + pkg + R"(, "download_size": -1e300}]})", "download_size"},
      {R"({"lockfile_version": 1, "packages": [)" + pkg + R"(, "download_size": 2.5}]})", "download_size"},
  };
  for (const auto& [text, key] : cases) {
    INFO(text);
    yumda::testing::write_text(path, text);
    CHECK(yumda::testing::error_of([&] { read_lockfile(path); }) ==
          "lockfile " + path + " has a \"" + key + "\" that is not a whole number >= 0; regenerate it with install --lockfile");
  }
  yumda::testing::write_text(path, R"({"lockfile_version": 1, "packages": [)" + pkg + R"(, "download_size": 7}]})");
  CHECK(read_lockfile(path).packages.at(0).download_size == 7);
}
