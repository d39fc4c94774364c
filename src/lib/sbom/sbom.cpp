#include "yumda/sbom.hpp"

#include <algorithm>
#include <ctime>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "yumda/checksum.hpp"
#include "yumda/error.hpp"

namespace yumda {

namespace {

using nlohmann::ordered_json;

std::string iso_time(int64_t t) {
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string percent_encode(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (isalnum(c) || c == '.' || c == '-' || c == '_' || c == '~' || c == '+') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// The name part of a dependency string ("libc.so.6()(64bit)", "git >= 2.0").
std::string dep_name(const std::string& dep) { return dep.substr(0, dep.find(' ')); }

// Which packages of the layer each package needs: its requirements matched
// against the others' provides (and names).
std::vector<std::vector<size_t>> dependency_edges(const std::vector<InstalledPackage>& pkgs) {
  std::map<std::string, size_t> provider;
  for (size_t i = 0; i < pkgs.size(); ++i) {
    provider.emplace(pkgs[i].nevra.name, i);
    for (const auto& p : pkgs[i].provides) provider.emplace(dep_name(p), i);
  }
  std::vector<std::vector<size_t>> edges(pkgs.size());
  for (size_t i = 0; i < pkgs.size(); ++i) {
    std::set<size_t> deps;
    for (const auto& r : pkgs[i].requirements) {
      auto it = provider.find(dep_name(r));
      if (it != provider.end() && it->second != i) deps.insert(it->second);
    }
    edges[i].assign(deps.begin(), deps.end());
  }
  return edges;
}

std::string spdx_id(const InstalledPackage& p) {
  std::string id = "SPDXRef-Package-" + p.nevra.name + "-" + p.nevra.evr() + "-" + p.nevra.arch;
  for (auto& c : id)
    if (!isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-') c = '-';
  return id;
}

std::string spdx_checksum_algorithm(const std::string& type) {
  if (type == "sha" || type == "sha1") return "SHA1";
  std::string up = type;
  std::transform(up.begin(), up.end(), up.begin(), [](unsigned char c) { return std::toupper(c); });
  return up;  // SHA256, SHA512, MD5
}

std::string cdx_hash_algorithm(const std::string& type) {
  if (type == "sha" || type == "sha1") return "SHA-1";
  if (type == "sha256") return "SHA-256";
  if (type == "sha384") return "SHA-384";
  if (type == "sha512") return "SHA-512";
  if (type == "md5") return "MD5";
  return "";
}

std::string fingerprint(const std::vector<InstalledPackage>& pkgs) {
  std::string all;
  for (const auto& p : pkgs) all += p.nevra.str() + " " + p.checksum + "\n";
  return string_digest(all, "sha256");
}

std::string make_spdx(const std::vector<InstalledPackage>& pkgs, const SbomOptions& o) {
  ordered_json doc;
  doc["spdxVersion"] = "SPDX-2.3";
  doc["dataLicense"] = "CC0-1.0";
  doc["SPDXID"] = "SPDXRef-DOCUMENT";
  doc["name"] = o.layer_name;
  doc["documentNamespace"] = "https://yumda.invalid/spdx/" + o.layer_name + "-" + fingerprint(pkgs);
  doc["creationInfo"] = {{"created", iso_time(o.created)}, {"creators", {"Tool: yumda-" + o.tool_version}}};
  ordered_json packages = ordered_json::array();
  ordered_json rels = ordered_json::array();
  for (const auto& p : pkgs) {
    ordered_json j;
    j["SPDXID"] = spdx_id(p);
    j["name"] = p.nevra.name;
    j["versionInfo"] = p.nevra.evr();
    j["supplier"] = p.vendor.empty() ? "NOASSERTION" : "Organization: " + p.vendor;
    j["downloadLocation"] = "NOASSERTION";
    j["filesAnalyzed"] = false;
    if (!p.checksum.empty())
      j["checksums"] = {{{"algorithm", spdx_checksum_algorithm(p.checksum_type)}, {"checksumValue", p.checksum}}};
    if (!p.url.empty()) j["homepage"] = p.url;
    if (!p.sourcerpm.empty()) j["sourceInfo"] = "built from source package " + p.sourcerpm;
    // RPM License tags are often not SPDX expressions ("GPLv2+"): keep the
    // text as a comment and assert nothing the tag does not say.
    j["licenseConcluded"] = "NOASSERTION";
    j["licenseDeclared"] = "NOASSERTION";
    if (!p.license.empty()) j["licenseComments"] = "RPM License tag: " + p.license;
    j["copyrightText"] = "NOASSERTION";
    if (!p.summary.empty()) j["summary"] = p.summary;
    j["externalRefs"] = {{{"referenceCategory", "PACKAGE-MANAGER"}, {"referenceType", "purl"},
                          {"referenceLocator", package_purl(p)}}};
    j["primaryPackagePurpose"] = "LIBRARY";
    packages.push_back(j);
    rels.push_back({{"spdxElementId", "SPDXRef-DOCUMENT"}, {"relationshipType", "DESCRIBES"},
                    {"relatedSpdxElement", spdx_id(p)}});
  }
  auto edges = dependency_edges(pkgs);
  for (size_t i = 0; i < pkgs.size(); ++i)
    for (size_t d : edges[i])
      rels.push_back({{"spdxElementId", spdx_id(pkgs[i])}, {"relationshipType", "DEPENDS_ON"},
                      {"relatedSpdxElement", spdx_id(pkgs[d])}});
  doc["packages"] = packages;
  doc["relationships"] = rels;
  return doc.dump(2) + "\n";
}

std::string make_cyclonedx(const std::vector<InstalledPackage>& pkgs, const SbomOptions& o) {
  std::string h = fingerprint(pkgs);
  // A UUID derived from the content, so the same layer gives the same document.
  std::string uuid = h.substr(0, 8) + "-" + h.substr(8, 4) + "-5" + h.substr(13, 3) + "-8" + h.substr(17, 3) + "-" +
                     h.substr(20, 12);
  ordered_json doc;
  doc["bomFormat"] = "CycloneDX";
  doc["specVersion"] = "1.5";
  doc["serialNumber"] = "urn:uuid:" + uuid;
  doc["version"] = 1;
  doc["metadata"] = {
      {"timestamp", iso_time(o.created)},
      {"tools", {{"components", {{{"type", "application"}, {"name", "yumda"}, {"version", o.tool_version}}}}}},
      {"component", {{"type", "application"}, {"bom-ref", "layer:" + o.layer_name}, {"name", o.layer_name}}}};
  ordered_json comps = ordered_json::array();
  for (const auto& p : pkgs) {
    ordered_json c;
    c["type"] = "library";
    c["bom-ref"] = package_purl(p);
    if (!p.vendor.empty()) c["supplier"] = {{"name", p.vendor}};
    c["name"] = p.nevra.name;
    c["version"] = p.nevra.evr();
    if (!p.summary.empty()) c["description"] = p.summary;
    std::string alg = cdx_hash_algorithm(p.checksum_type);
    if (!alg.empty() && !p.checksum.empty()) c["hashes"] = {{{"alg", alg}, {"content", p.checksum}}};
    if (!p.license.empty()) c["licenses"] = {{{"license", {{"name", p.license}}}}};
    c["purl"] = package_purl(p);
    if (!p.url.empty()) c["externalReferences"] = {{{"type", "website"}, {"url", p.url}}};
    comps.push_back(c);
  }
  doc["components"] = comps;
  ordered_json deps = ordered_json::array();
  ordered_json top = ordered_json::array();
  auto edges = dependency_edges(pkgs);
  for (size_t i = 0; i < pkgs.size(); ++i) {
    ordered_json on = ordered_json::array();
    for (size_t d : edges[i]) on.push_back(package_purl(pkgs[d]));
    deps.push_back({{"ref", package_purl(pkgs[i])}, {"dependsOn", on}});
    top.push_back(package_purl(pkgs[i]));
  }
  deps.push_back({{"ref", "layer:" + o.layer_name}, {"dependsOn", top}});
  doc["dependencies"] = deps;
  return doc.dump(2) + "\n";
}

}  // namespace

std::string package_purl(const InstalledPackage& p) {
  std::string ns = p.repo_id.empty() ? "rpm" : lower(p.repo_id);
  std::string purl = "pkg:rpm/" + percent_encode(ns) + "/" + percent_encode(p.nevra.name) + "@" +
                     percent_encode(p.nevra.version + "-" + p.nevra.release) + "?arch=" + percent_encode(p.nevra.arch);
  if (!p.nevra.epoch.empty() && p.nevra.epoch != "0") purl += "&epoch=" + p.nevra.epoch;
  return purl;
}

std::string make_sbom(const std::vector<InstalledPackage>& packages, const SbomOptions& options) {
  std::vector<InstalledPackage> sorted = packages;
  std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.nevra.str() < b.nevra.str(); });
  return options.format == SbomFormat::kSpdx ? make_spdx(sorted, options) : make_cyclonedx(sorted, options);
}

SbomFormat parse_sbom_format(const std::string& text) {
  std::string t = lower(text);
  if (t == "spdx" || t == "spdx-json") return SbomFormat::kSpdx;
  if (t == "cyclonedx" || t == "cdx") return SbomFormat::kCycloneDx;
  throw UsageError("unknown SBOM format '" + text + "' (choose spdx or cyclonedx)");
}

}  // namespace yumda
