#include "yumda/sbom.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <ctime>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "yumda/checksum.hpp"
#include "yumda/error.hpp"

namespace yumda {

namespace {

using nlohmann::ordered_json;

// SPDX wants exactly YYYY-MM-DDThh:mm:ssZ (and CycloneDX an RFC 3339
// date-time): four-digit years only.
std::string iso_time(int64_t t) {
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  if (t < 0 || !gmtime_r(&tt, &tm) || tm.tm_year + 1900 > 9999)
    throw Error("SBOM creation time " + std::to_string(t) +
                " is not between 1970 and 9999 (check SOURCE_DATE_EPOCH)");
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// Appends C as is when KEEP, else as %XX.
void append_escaped(std::string& out, unsigned char c, bool keep) {
  static const char* hex = "0123456789ABCDEF";
  if (keep) {
    out += static_cast<char>(c);
  } else {
    out += '%';
    out += hex[c >> 4];
    out += hex[c & 15];
  }
}

std::string percent_encode(const std::string& s) {
  std::string out;
  for (unsigned char c : s)
    append_escaped(out, c, isalnum(c) || c == '.' || c == '-' || c == '_' || c == '~' || c == '+');
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

// SPDXRef-Package-NAME-EVR-ARCH with what the SPDXID pattern
// ^SPDXRef-[a-zA-Z0-9.-]+$ does not allow turned into '-'. That can make two
// ids equal ("a_b" and "a-b"), so later ones get "-2", "-3", ...: the ids
// stay unique, as the relationships need.
std::vector<std::string> spdx_ids(const std::vector<InstalledPackage>& pkgs) {
  std::vector<std::string> ids;
  std::set<std::string> taken;
  for (const auto& p : pkgs) {
    std::string id = "SPDXRef-Package-" + p.nevra.name + "-" + p.nevra.evr() + "-" + p.nevra.arch;
    for (auto& c : id)
      if (!isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-') c = '-';
    std::string unique = id;
    for (int n = 2; !taken.insert(unique).second; ++n) unique = id + "-" + std::to_string(n);
    ids.push_back(unique);
  }
  return ids;
}

// A package checksum by the names each format's schema allows.
struct Hash {
  const char* spdx;  // SPDX 2.3 checksum algorithm enum
  const char* cdx;   // CycloneDX 1.5 hash-alg enum ("" = none there)
  std::string value;  // lower-case hex
};

// The package's checksum, or nothing when its type is unknown or its value is
// not hex of that type's length (both schemas check the value's form).
std::optional<Hash> package_hash(const InstalledPackage& p) {
  struct Algo {
    const char* rpm;
    const char* spdx;
    const char* cdx;
    size_t hex_len;
  };
  static const Algo algos[] = {{"sha", "SHA1", "SHA-1", 40},      {"sha1", "SHA1", "SHA-1", 40},
                               {"sha224", "SHA224", "", 56},      {"sha256", "SHA256", "SHA-256", 64},
                               {"sha384", "SHA384", "SHA-384", 96}, {"sha512", "SHA512", "SHA-512", 128},
                               {"md5", "MD5", "MD5", 32}};
  std::string type = lower(p.checksum_type), value = lower(p.checksum);
  bool hex = std::all_of(value.begin(), value.end(), [](unsigned char c) { return std::isxdigit(c); });
  for (const auto& a : algos)
    if (type == a.rpm && hex && value.size() == a.hex_len) return Hash{a.spdx, a.cdx, value};
  return std::nullopt;
}

// The RPM URL tag as an absolute IRI both formats accept (CycloneDX checks
// iri-reference), or "" when it is not a URL: characters an IRI cannot hold
// are percent-encoded, and an authority that no encoding can fix (a second
// '@', a port that is not a number) drops the URL.
std::string homepage_iri(const std::string& url) {
  size_t b = url.find_first_not_of(" \t\r\n"), e = url.find_last_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  std::string u = url.substr(b, e - b + 1);
  size_t colon = u.find("://");
  if (colon == std::string::npos || !std::isalpha(static_cast<unsigned char>(u[0])) ||
      !std::all_of(u.begin(), u.begin() + colon,
                   [](unsigned char c) { return std::isalnum(c) || c == '+' || c == '-' || c == '.'; }))
    return "";
  // Authority: [userinfo@]host[:port], host of unreserved / sub-delims / %XX.
  size_t auth_end = u.find_first_of("/?#", colon + 3);
  std::string auth = u.substr(colon + 3, auth_end == std::string::npos ? std::string::npos : auth_end - colon - 3);
  size_t at = auth.find('@');
  if (at != std::string::npos && auth.find('@', at + 1) != std::string::npos) return "";
  std::string hostport = at == std::string::npos ? auth : auth.substr(at + 1);
  size_t pc = hostport.find(':');
  std::string host = hostport.substr(0, pc);
  if (host.empty() || (pc != std::string::npos && !std::all_of(hostport.begin() + pc + 1, hostport.end(),
                                                             [](unsigned char c) { return std::isdigit(c); })))
    return "";
  auto reg_name_char = [](unsigned char c) {
    return c >= 0x80 || std::isalnum(c) || std::strchr("-._~!$&'()*+,;=%", c);
  };
  if (!std::all_of(host.begin(), host.end(), reg_name_char)) return "";

  std::string out;
  bool fragment = false;
  for (size_t i = 0; i < u.size(); ++i) {
    unsigned char c = u[i];
    bool keep = c < 0x80 && (std::isalnum(c) || std::strchr("-._~:/?@!$&'()*+,;=", c));
    if (c == '#' && !fragment) keep = fragment = true;
    if (c == '%' && i + 2 < u.size() && std::isxdigit(static_cast<unsigned char>(u[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(u[i + 2])))
      keep = true;
    append_escaped(out, c, keep);
  }
  return out;
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
  // A URI without '#': the layer name (a directory name) is percent-encoded.
  doc["documentNamespace"] = "https://yumda.invalid/spdx/" + percent_encode(o.layer_name) + "-" + fingerprint(pkgs);
  doc["creationInfo"] = {{"created", iso_time(o.created)}, {"creators", {"Tool: yumda-" + o.tool_version}}};
  ordered_json packages = ordered_json::array();
  ordered_json rels = ordered_json::array();
  auto ids = spdx_ids(pkgs);
  for (size_t i = 0; i < pkgs.size(); ++i) {
    const auto& p = pkgs[i];
    ordered_json j;
    j["SPDXID"] = ids[i];
    j["name"] = p.nevra.name;
    j["versionInfo"] = p.nevra.evr();
    j["supplier"] = p.vendor.empty() ? "NOASSERTION" : "Organization: " + p.vendor;
    j["downloadLocation"] = "NOASSERTION";
    j["filesAnalyzed"] = false;
    if (auto h = package_hash(p)) j["checksums"] = {{{"algorithm", h->spdx}, {"checksumValue", h->value}}};
    if (auto url = homepage_iri(p.url); !url.empty()) j["homepage"] = url;
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
                    {"relatedSpdxElement", ids[i]}});
  }
  auto edges = dependency_edges(pkgs);
  for (size_t i = 0; i < pkgs.size(); ++i)
    for (size_t d : edges[i])
      rels.push_back({{"spdxElementId", ids[i]}, {"relationshipType", "DEPENDS_ON"}, {"relatedSpdxElement", ids[d]}});
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
    if (auto h = package_hash(p); h && *h->cdx) c["hashes"] = {{{"alg", h->cdx}, {"content", h->value}}};
    if (!p.license.empty()) c["licenses"] = {{{"license", {{"name", p.license}}}}};
    c["purl"] = package_purl(p);
    if (auto url = homepage_iri(p.url); !url.empty()) c["externalReferences"] = {{{"type", "website"}, {"url", url}}};
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
  // "@commandline" (a local file) names no distribution: its bare word does.
  std::string ns = p.repo_id.empty() ? "rpm" : lower(p.repo_id.starts_with("@") ? p.repo_id.substr(1) : p.repo_id);
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
