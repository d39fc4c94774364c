#include <catch2/catch.hpp>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>

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

// What the published schemas (tests/schemas/, checked end to end by
// tests/integration/test_sbom_schema.sh) demand of fields built from RPM data.
namespace {

json spdx_of(const std::vector<InstalledPackage>& pkgs, const std::string& layer_name = "layer") {
  SbomOptions o;
  o.layer_name = layer_name;
  return json::parse(make_sbom(pkgs, o));
}

json cdx_of(const std::vector<InstalledPackage>& pkgs) {
  SbomOptions o;
  o.format = SbomFormat::kCycloneDx;
  return json::parse(make_sbom(pkgs, o));
}

}  // namespace

TEST_CASE("SPDX ids match the SPDXID pattern and stay unique", "[sbom]") {
  // '_' and '+' are not allowed in an SPDXID; "a_b" and "a-b" both become "a-b".
  auto d = spdx_of({pkg("a_b", "1.0", {}, {"libstdc++"}), pkg("a-b", "1.0", {}, {}),
                    pkg("libstdc++", "8.5", {"libstdc++"}, {})});
  const std::regex pattern("^SPDXRef-[a-zA-Z0-9.-]+$");
  std::set<std::string> ids;
  for (const auto& p : d["packages"]) {
    std::string id = p["SPDXID"];
    CHECK(std::regex_match(id, pattern));
    ids.insert(id);
  }
  CHECK(ids.size() == 3);
  // The DEPENDS_ON edge names a_b's own id, not a-b's.
  std::map<std::string, std::string> id_of;
  for (const auto& p : d["packages"]) id_of[p["name"]] = p["SPDXID"];
  bool found = false;
  for (const auto& r : d["relationships"])
    if (r["relationshipType"] == "DEPENDS_ON") {
      CHECK(r["spdxElementId"] == id_of["a_b"]);
      CHECK(r["relatedSpdxElement"] == id_of["libstdc++"]);
      found = true;
    }
  CHECK(found);
}

TEST_CASE("SPDX namespace is a URI even for odd layer names", "[sbom]") {
  std::string ns = spdx_of(layer(), "my layer#1")["documentNamespace"];
  CHECK(ns.rfind("https://yumda.invalid/spdx/my%20layer%231-", 0) == 0);
  CHECK(ns.find_first_of(" #") == std::string::npos);
}

TEST_CASE("checksums use each format's algorithm names and only well-formed values", "[sbom]") {
  auto p = pkg("git", "2.39.2", {}, {});
  p.checksum_type = "sha";  // old createrepo's name for sha1
  p.checksum = std::string(40, 'A');
  auto s = spdx_of({p});
  CHECK(s["packages"][0]["checksums"][0]["algorithm"] == "SHA1");
  CHECK(s["packages"][0]["checksums"][0]["checksumValue"] == std::string(40, 'a'));
  CHECK(cdx_of({p})["components"][0]["hashes"][0]["alg"] == "SHA-1");

  // SPDX knows SHA224, CycloneDX 1.5 does not: the component goes without.
  p.checksum_type = "sha224";
  p.checksum = std::string(56, 'b');
  CHECK(spdx_of({p})["packages"][0]["checksums"][0]["algorithm"] == "SHA224");
  CHECK_FALSE(cdx_of({p})["components"][0].contains("hashes"));

  // Not hex, the wrong length, an unknown type: no checksum rather than an invalid one.
  for (auto [type, value] : {std::pair<std::string, std::string>{"sha256", std::string(64, 'z')},
                             {"sha256", std::string(40, 'a')},
                             {"blake3", std::string(64, 'a')}}) {
    p.checksum_type = type;
    p.checksum = value;
    CHECK_FALSE(spdx_of({p})["packages"][0].contains("checksums"));
    CHECK_FALSE(cdx_of({p})["components"][0].contains("hashes"));
  }
}

TEST_CASE("RPM URL tags become IRIs or are left out", "[sbom]") {
  auto homepage = [](const std::string& url) {
    auto p = pkg("git", "2.39.2", {}, {});
    p.url = url;
    auto s = spdx_of({p})["packages"][0];
    auto c = cdx_of({p})["components"][0];
    std::string spdx = s.contains("homepage") ? std::string(s["homepage"]) : "";
    std::string cdx = c.contains("externalReferences") ? std::string(c["externalReferences"][0]["url"]) : "";
    CHECK(spdx == cdx);
    return spdx;
  };
  CHECK(homepage("https://git-scm.com/") == "https://git-scm.com/");
  CHECK(homepage("  http://example.com/a b\n") == "http://example.com/a%20b");
  CHECK(homepage("https://example.com/{x}|\"y\"") == "https://example.com/%7Bx%7D%7C%22y%22");
  CHECK(homepage("https://example.com/p#a#b") == "https://example.com/p#a%23b");
  CHECK(homepage("https://example.com/50%25/%zz") == "https://example.com/50%25/%25zz");
  CHECK(homepage("https://example.com/caf\xc3\xa9") == "https://example.com/caf%C3%A9");
  CHECK(homepage("https://example.com:8080/x") == "https://example.com:8080/x");
  CHECK(homepage("(none)").empty());
  CHECK(homepage("www.example.com").empty());
  CHECK(homepage("http://host:port/").empty());
  CHECK(homepage("http://a@b@c/").empty());
  CHECK(homepage("http:///path").empty());
}

TEST_CASE("licenses are NOASSERTION in SPDX and a name in CycloneDX", "[sbom]") {
  // "GPLv2+" is not an SPDX license id: it must not land where one is expected.
  auto s = spdx_of(layer())["packages"][0];
  CHECK(s["licenseConcluded"] == "NOASSERTION");
  CHECK(s["licenseDeclared"] == "NOASSERTION");
  CHECK(s["licenseComments"] == "RPM License tag: GPLv2+");
  auto l = cdx_of(layer())["components"][0]["licenses"][0]["license"];
  CHECK(l["name"] == "GPLv2+");
  CHECK_FALSE(l.contains("id"));
}

TEST_CASE("timestamps outside the four-digit years are refused", "[sbom]") {
  SbomOptions o;
  o.created = 253402300799;  // 9999-12-31T23:59:59Z
  CHECK(json::parse(make_sbom(layer(), o))["creationInfo"]["created"] == "9999-12-31T23:59:59Z");
  o.created = 253402300800;
  CHECK_THROWS_WITH(make_sbom(layer(), o), Catch::Contains("SOURCE_DATE_EPOCH"));
  o.format = SbomFormat::kCycloneDx;
  o.created = -1;
  CHECK_THROWS_AS(make_sbom(layer(), o), Error);
}
