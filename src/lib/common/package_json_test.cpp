#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "yumda/package_json.hpp"

using namespace yumda;
using nlohmann::json;

namespace {

PackageCore sample() {
  PackageCore p;
  p.nevra = {"git", "", "2.40.1", "1.amzn2023", "x86_64"};
  p.repo_id = "amazonlinux";
  p.checksum_type = "sha256";
  p.checksum = "ab12";
  p.buildtime = 1700000000;
  p.install_size = 4096;
  p.license = "GPLv2";
  p.vendor = "Amazon";
  p.summary = "Fast version control";
  p.url = "https://git-scm.com/";
  p.sourcerpm = "git-2.40.1-1.amzn2023.src.rpm";
  p.provides = {"git = 2.40.1-1.amzn2023"};
  p.requirements = {"libc.so.6()(64bit)"};
  return p;
}

}  // namespace

TEST_CASE("a package record as installed.json keeps it: every field, the stored epoch, repo_id", "[package_json]") {
  json j = sample();
  CHECK(j.dump() ==
        R"j({"arch":"x86_64","buildtime":1700000000,"checksum":"ab12","checksum_type":"sha256","epoch":"",)j"
        R"j("install_size":4096,"license":"GPLv2","name":"git","provides":["git = 2.40.1-1.amzn2023"],)j"
        R"j("release":"1.amzn2023","repo_id":"amazonlinux","requires":["libc.so.6()(64bit)"],)j"
        R"j("sourcerpm":"git-2.40.1-1.amzn2023.src.rpm","summary":"Fast version control",)j"
        R"j("url":"https://git-scm.com/","vendor":"Amazon","version":"2.40.1"})j");
  PackageCore back = j.get<PackageCore>();
  CHECK(json(back) == j);
  CHECK(back.requirements == sample().requirements);
}

TEST_CASE("a shown record (docs/json.md, the lock): epoch 0, nevra, repo, only the groups asked for", "[package_json]") {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  package_to_json(j, sample(), JsonStyle::kShown, kNevraFields | kRepoField | kChecksumFields);
  CHECK(j.dump() ==
        R"j({"nevra":"git-2.40.1-1.amzn2023.x86_64","name":"git","epoch":"0","version":"2.40.1",)j"
        R"j("release":"1.amzn2023","arch":"x86_64","repo":"amazonlinux","checksum_type":"sha256","checksum":"ab12"})j");
  PackageCore back;
  package_from_json(json::parse(j.dump()), back, JsonStyle::kShown, kNevraFields | kRepoField | kChecksumFields);
  CHECK(back.nevra == Nevra{"git", "0", "2.40.1", "1.amzn2023", "x86_64"});
  CHECK(back.checksum == "ab12");
  CHECK(back.summary.empty());  // not a group it read
}

TEST_CASE("a record an older yumda wrote reads: absent fields are empty, arch only shown records need",
          "[package_json]") {
  json old = json::parse(R"j({"name": "jq", "version": "1.6", "release": "1"})j");
  PackageCore p = old.get<PackageCore>();
  CHECK(p.nevra == Nevra{"jq", "", "1.6", "1", ""});
  CHECK(p.buildtime == 0);
  CHECK(p.provides.empty());
  PackageCore shown;
  CHECK_THROWS_AS(package_from_json(old, shown, JsonStyle::kShown, kNevraFields), json::exception);
  old["arch"] = "noarch";
  package_from_json(old, shown, JsonStyle::kShown, kNevraFields);
  CHECK(shown.nevra.epoch == "0");
  old["buildtime"] = -1;
  CHECK_THROWS_WITH(old.get<PackageCore>(), "\"buildtime\" is not a whole number >= 0");
}
