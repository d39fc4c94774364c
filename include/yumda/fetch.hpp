// Downloads with libcurl: file://, http(s):// and s3:// URLs; parallel
// transfers on one multi handle, retries with backoff, resume, failover to the
// next base URL, and size/checksum verification before a file is kept.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "yumda/reporter.hpp"

namespace yumda {

struct FetchOptions {
  int max_parallel = 8;
  long timeout = 30;         // seconds to connect; also the low-speed window
  long low_speed_limit = 1;  // bytes/s below which a transfer counts as stalled
  // The rate a whole attempt must average (dnf's minrate): an attempt at N
  // bytes has timeout + N / min_rate seconds, so a trickle cannot hold a run.
  long min_rate = 1000;
  int retries = 10;          // per URL, on resets, 5xx, stalls
  bool sslverify = true;
  std::string s3_endpoint;   // overrides AWS_ENDPOINT_URL_S3 for s3:// URLs
  std::string user_agent = "yumda";
  // Wait before retry n (0-based) on the same URL: retry_backoff * 2^n seconds,
  // at most retry_backoff_max. Tests set these small.
  double retry_backoff = 0.2;
  double retry_backoff_max = 2.0;
};

// One file to download. The file lands at DEST only when it is complete and
// its size and checksum (when given) match; meanwhile it is DEST.part.
struct FetchItem {
  std::vector<std::string> urls;  // full URLs, tried in order (mirror failover)
  std::string dest;
  // If set, a second name for the finished file, linked before DEST is
  // renamed into place: a run sharing the cache may replace or remove DEST
  // while this run still reads it. Left unset if hard links fail here.
  std::string private_link;
  uint64_t expected_size = 0;     // 0 = unknown
  uint64_t max_size = 0;          // with no expected_size: a body longer than this is refused (0 = no cap)
  std::string checksum_type;      // "" = not checked
  std::string checksum;           // hex
  std::string label;              // what the user calls it: NEVRA or "repomd.xml of lambda2"
  std::string s3_endpoint;        // for s3:// URLs: the repo's s3_endpoint= ("" = FetchOptions')
  // The item's repo's timeout=/retries=/sslverify=; unset: FetchOptions'.
  std::optional<long> timeout;
  std::optional<int> retries;
  std::optional<bool> sslverify;
};

struct FetchResult {
  bool ok = false;
  std::string error;  // one line, names the item and the URL, when !ok
  std::string url;    // the URL that served it
  bool private_link_failed = false;  // FetchItem::private_link was not made: read DEST
};

// Policy per item: each URL in turn. On the same URL, resets, stalls (fewer
// than low_speed_limit bytes/s over `timeout` seconds), truncated bodies, HTTP
// 5xx/408/429 are retried up to `retries` times with backoff, resuming
// DEST.part with a Range request (a 200 answer restarts it from byte 0). 4xx,
// unreachable hosts, TLS failures and size/checksum mismatches move on to the
// next URL at once. s3:// URLs are signed with SigV4 when AWS credentials are
// found (environment, then AWS_PROFILE in ~/.aws/credentials and ~/.aws/config).
class Fetcher {
 public:
  explicit Fetcher(FetchOptions options, Reporter& reporter = null_reporter());
  ~Fetcher();
  Fetcher(const Fetcher&) = delete;
  Fetcher& operator=(const Fetcher&) = delete;

  // Downloads every item, up to max_parallel at once, calling ON_DONE (from the
  // calling thread) as each finishes so the caller can start work on it.
  // Returns one result per item, in order. Never throws for a failed item;
  // throws Interrupted on Ctrl-C (partial files are removed).
  std::vector<FetchResult> fetch_all(const std::vector<FetchItem>& items,
                                     const std::function<void(size_t index, const FetchResult&)>& on_done = {});

  // Convenience: one item; throws Error with the result's message on failure.
  void fetch(const FetchItem& item);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Joins a base URL and a relative location ("repodata/repomd.xml").
std::string join_url(const std::string& base, const std::string& relative);

// The URL of a package's LOCATION (its location href) in the repo at BASE: a
// URL reference resolved with RFC 3986 dot-segment removal, BASE being a
// directory. AL2023's "../../../../blobstore/<sha256>/p.rpm" against
// https://cdn.amazonlinux.com/al2023/core/guids/<GUID>/x86_64/ is
// https://cdn.amazonlinux.com/al2023/blobstore/<sha256>/p.rpm. An absolute
// URL is returned as it is (a file:// one only from a file:// BASE, and inside
// it); a leading '/' or "./" is relative to BASE, as in
// join_url; "%2e" counts as '.'. Throws Error (naming LOCATION and BASE) when a
// ".." climbs above the root of BASE's host (or bucket), when in a file:// repo
// it leaves BASE's directory (judged on the decoded path, as file_url_path
// reads it), or when LOCATION ends in '/', "." or "..".
std::string resolve_location(const std::string& base, const std::string& location);

// file:///x/y -> /x/y (percent-escapes decoded); "" when URL is not a file:// URL.
std::string file_url_path(const std::string& url);

// s3://BUCKET/KEY -> the HTTP(S) URL to request: ENDPOINT/BUCKET/KEY (path
// style) when ENDPOINT is given, else https://BUCKET.s3.REGION.amazonaws.com/KEY.
// The key is percent-encoded as S3 expects. Throws Error for a URL without a bucket.
std::string s3_http_url(const std::string& s3_url, const std::string& endpoint, const std::string& region);

}  // namespace yumda
