// URL helpers: joining a base URL with an rpm-md location, file:// paths and
// the s3:// -> HTTP(S) mapping.
#include <cctype>
#include <string>

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

}  // namespace

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
