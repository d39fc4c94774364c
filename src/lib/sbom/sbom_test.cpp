#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "yumda/error.hpp"
#include "yumda/sbom.hpp"

using namespace yumda;
using nlohmann::json;

namespace {

InstalledPackage pkg(const std::string& name, const std::string& ver, std::vector<std::string> provides,
                     std::vector<std::string> requirements) {
  InstalledPackage p;
  p.nevra = {name, "", ver, "1.lambda2", "x86_64"};
  p.repo_id = "lambda2";
  p.checksum_type = "sha256";
  p.checksum = std::string(64, 'a');
  p.license = "GPLv2+";
  p.vendor = "LambCI";
  p.provides = std::move(provides);
  p.requirements = std::move(requirements);
  return p;
}

std::vector<InstalledPackage> layer() {
  return {pkg("git", "2.39.2", {"git = 2.39.2-1.lambda2"}, {"libcurl.so.4()(64bit)", "perl-Git = 2.39.2"}),
          pkg("libcurl", "7.61.1", {"libcurl.so.4()(64bit)"}, {"libc.so.6()(64bit)"})};
}

}  // namespace

TEST_CASE("purls follow the rpm purl type", "[sbom]") {
  auto p = pkg("git", "2.39.2", {}, {});
  CHECK(package_purl(p) == "pkg:rpm/lambda2/git@2.39.2-1.lambda2?arch=x86_64");
  p.nevra.epoch = "1";
  CHECK(package_purl(p) == "pkg:rpm/lambda2/git@2.39.2-1.lambda2?arch=x86_64&epoch=1");
}

TEST_CASE("SPDX 2.3 document lists packages and dependencies", "[sbom]") {
  SbomOptions o;
  o.created = 1700000000;
  o.tool_version = "0.1.0";
  json d = json::parse(make_sbom(layer(), o));
  CHECK(d["spdxVersion"] == "SPDX-2.3");
  CHECK(d["creationInfo"]["created"] == "2023-11-14T22:13:20Z");
  REQUIRE(d["packages"].size() == 2);
  CHECK(d["packages"][0]["name"] == "git");
  CHECK(d["packages"][0]["checksums"][0]["algorithm"] == "SHA256");
  CHECK(d["packages"][0]["supplier"] == "Organization: LambCI");
  CHECK(d["packages"][0]["externalRefs"][0]["referenceLocator"] == "pkg:rpm/lambda2/git@2.39.2-1.lambda2?arch=x86_64");
  bool git_needs_curl = false;
  for (const auto& r : d["relationships"])
    if (r["relationshipType"] == "DEPENDS_ON" && r["spdxElementId"] == d["packages"][0]["SPDXID"] &&
        r["relatedSpdxElement"] == d["packages"][1]["SPDXID"])
      git_needs_curl = true;
  CHECK(git_needs_curl);
  // The same layer gives the same bytes.
  CHECK(make_sbom(layer(), o) == make_sbom(layer(), o));
}

TEST_CASE("CycloneDX 1.5 document lists components and dependencies", "[sbom]") {
  SbomOptions o;
  o.format = SbomFormat::kCycloneDx;
  json d = json::parse(make_sbom(layer(), o));
  CHECK(d["bomFormat"] == "CycloneDX");
  CHECK(d["specVersion"] == "1.5");
  REQUIRE(d["components"].size() == 2);
  CHECK(d["components"][1]["purl"] == "pkg:rpm/lambda2/libcurl@7.61.1-1.lambda2?arch=x86_64");
  CHECK(d["components"][0]["hashes"][0]["alg"] == "SHA-256");
  CHECK(d["dependencies"][0]["dependsOn"][0] == d["components"][1]["bom-ref"]);
  CHECK(std::string(d["serialNumber"]).rfind("urn:uuid:", 0) == 0);
  CHECK_THROWS_AS(parse_sbom_format("swid"), UsageError);
}
