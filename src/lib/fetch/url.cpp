// URL helpers: joining a base URL with an rpm-md location, file:// paths and
// the s3:// -> HTTP(S) mapping.
#include <cctype>
#include <filesystem>
#include <string>
#include <vector>

#include "yumda/error.hpp"
#include "yumda/fetch.hpp"

namespace yumda {

std::string join_url(const std::string& base, const std::string& relative) {
  if (relative.find("://") != std::string::npos) return relative;  // already absolute
  std::string rel = relative;
  while (rel.rfind("./", 0) == 0) rel.erase(0, 2);
  while (!rel.empty() && rel[0] == '/') rel.erase(0, 1);
  if (rel.empty()) return base;
  if (base.empty()) return rel;
  return base.back() == '/' ? base + rel : base + "/" + rel;
}

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string percent_decode(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    int hi = 0, lo = 0;
    if (s[i] == '%' && i + 2 < s.size() && (hi = hex_value(s[i + 1])) >= 0 && (lo = hex_value(s[i + 2])) >= 0) {
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// S3 wants every byte of the key except unreserved characters and '/' encoded
// (a raw '+' would otherwise be read as a space).
std::string s3_encode_key(const std::string& key) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : key) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == '/') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

// "%2e" / "%2E" as '.', so an encoded dot segment counts as one (RFC 3986 6.2.2.2).
std::string decode_dots(const std::string& segment) {
  std::string out;
  for (size_t i = 0; i < segment.size(); ++i) {
    if (segment[i] == '%' && i + 2 < segment.size() && segment[i + 1] == '2' &&
        (segment[i + 2] == 'e' || segment[i + 2] == 'E')) {
      out += '.';
      i += 2;
    } else {
      out += segment[i];
    }
  }
  return out;
}

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i <= path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string::npos) j = path.size();
    out.push_back(path.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

}  // namespace

std::string resolve_location(const std::string& base, const std::string& location) {
  const size_t sep = base.find("://");
  if (location.find("://") != std::string::npos) {  // absolute (xml:base style)
    // A local file only from a file:// repo, and inside it.
    if (file_url_path(location).empty() && location.rfind("file:", 0) != 0) return location;
    const std::string dir = std::filesystem::path(file_url_path(base)).lexically_normal().string();
    const std::string path = std::filesystem::path(file_url_path(location)).lexically_normal().string();
    if (dir.empty() || path.empty() || path.rfind(dir.back() == '/' ? dir : dir + "/", 0) != 0)
      throw Error("location '" + location + "' names a local file outside the repo " + base);
    return location;
  }
  if (sep == std::string::npos) return join_url(base, location);  // not a URL
  const std::string scheme = base.substr(0, sep);
  const bool is_file = scheme == "file";
  const size_t path_at = base.find('/', sep + 3);
  const std::string origin = base.substr(0, path_at);  // scheme://authority
  std::string base_path = path_at == std::string::npos ? "/" : base.substr(path_at);
  // The repo's own directory: its segments, without the empty ones a '/' leaves.
  std::vector<std::string> segments;
  for (auto& s : split_path(is_file ? percent_decode(base_path) : base_path))
    if (!s.empty() && s != ".") segments.push_back(s);
  const size_t repo_depth = segments.size();
  // A leading '/' or "./" is relative to the repo, as join_url has it.
  std::string rel = location;
  while (rel.rfind("./", 0) == 0 || rel.rfind("/", 0) == 0) rel.erase(0, rel[0] == '/' ? 1 : 2);
  // A file:// URL's path is percent-decoded when read (file_url_path), so its
  // dot segments are judged decoded: "..%2f" is "../" there.
  const std::vector<std::string> parts = split_path(is_file ? percent_decode(rel) : rel);
  const std::string last = decode_dots(parts.back());
  if (rel.empty() || last.empty() || last == "." || last == "..")
    throw Error("location '" + location + "' does not name a file");
  for (const auto& part : parts) {
    const std::string seg = decode_dots(part);
    if (seg == ".") continue;
    if (seg != "..") {
      segments.push_back(part);
      continue;
    }
    if (segments.empty())
      throw Error("location '" + location + "' climbs above the root of " + origin + "/ (resolved against " + base +
                  ")");
    segments.pop_back();
    if (is_file && segments.size() < repo_depth)
      throw Error("location '" + location + "' leaves the repo's directory " + file_url_path(base) +
                  " (a file:// repo's packages must lie inside it)");
  }
  std::string out = origin;
  for (const auto& s : segments) {
    out += "/";
    // file:// segments are decoded here; file_url_path decodes them once more.
    for (char c : s) out += is_file && c == '%' ? std::string("%25") : std::string(1, c);
  }
  return out;
}

std::string file_url_path(const std::string& url) {
  if (url.size() < 6 || url.compare(0, 5, "file:") != 0) return "";
  std::string rest = url.substr(5);
  if (rest.rfind("//", 0) == 0) {
    rest.erase(0, 2);
    // file://HOST/path: only an empty host or localhost means this machine.
    auto slash = rest.find('/');
    if (slash == std::string::npos) return "";
    std::string host = rest.substr(0, slash);
    if (!host.empty() && host != "localhost") return "";
    rest.erase(0, slash);
  }
  if (rest.empty() || rest[0] != '/') return "";
  return percent_decode(rest);
}

std::string s3_http_url(const std::string& s3_url, const std::string& endpoint, const std::string& region) {
  if (s3_url.rfind("s3://", 0) != 0) throw Error("not an s3:// URL: " + s3_url);
  std::string rest = s3_url.substr(5);
  auto slash = rest.find('/');
  std::string bucket = rest.substr(0, slash);
  std::string key = slash == std::string::npos ? "" : rest.substr(slash + 1);
  if (bucket.empty()) throw Error("s3 URL " + s3_url + " names no bucket (expected s3://BUCKET/KEY)");
  if (!endpoint.empty()) {
    std::string ep = endpoint;
    while (!ep.empty() && ep.back() == '/') ep.pop_back();
    return ep + "/" + bucket + "/" + s3_encode_key(key);
  }
  return "https://" + bucket + ".s3." + region + ".amazonaws.com/" + s3_encode_key(key);
}

}  // namespace yumda
