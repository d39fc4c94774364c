// The download engine: every item of a fetch_all() call is a small state
// machine (which URL, how many retries, how much of DEST.part is written and
// hashed) driven from one libcurl multi loop on the calling thread.
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>
#include <string_view>

#include "fetch/aws_credentials.hpp"
#include "fetch/curl_handles.hpp"
#include "yumda/checksum.hpp"
#include "yumda/error.hpp"
#include "yumda/fetch.hpp"
#include "yumda/fs.hpp"

namespace yumda {

namespace {

using Clock = std::chrono::steady_clock;

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

// scheme://host[:port] of URL, as libcurl parses it (no user:password); URL itself when it does not parse.
std::string url_origin(const std::string& url) {
  c_unique<CURLU, curl_url_cleanup> u(curl_url());
  if (!u || curl_url_set(u.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) return url;
  auto part = [&](CURLUPart which) {
    char* v = nullptr;
    std::string out;
    if (curl_url_get(u.get(), which, &v, 0) == CURLUE_OK && v) out = v;
    curl_free(v);
    return out;
  };
  std::string port = part(CURLUPART_PORT);
  return part(CURLUPART_SCHEME) + "://" + part(CURLUPART_HOST) + (port.empty() ? "" : ":" + port);
}

struct ItemState {
  const FetchItem* item = nullptr;
  std::string part;          // DEST.part
  size_t url_index = 0;
  int retries = 0;           // used on the current URL
  bool started = false;      // DEST.part may exist because of us
  bool running = false;
  bool done = false;
  bool stale_part = false;   // DEST.part was left by an earlier run and resumed
  uint64_t part_size = 0;    // bytes in DEST.part, every one of them fed to digest
  std::unique_ptr<Digest> digest;
  Clock::time_point not_before{};
  FetchResult result;

  std::string label() const {
    return item->label.empty() ? std::filesystem::path(item->dest).filename().string() : item->label;
  }
  const std::string& url() const { return item->urls[url_index]; }
  void reset_digest() {
    digest.reset();
    if (!item->checksum_type.empty()) digest = std::make_unique<Digest>(item->checksum_type);
  }
  // DEST.part (or, while another run holds that, DEST.part.PID.N), opened
  // once for the whole item with a flock on it: the cache is shared by runs
  // on other layers, and it may hold planted links (issue #14).
  UniqueFd part_fd;

  // Forgets DEST.part's bytes: the next attempt starts from byte 0. The name
  // and its lock stay ours (unlinking would let another run take the name).
  void drop_part() {
    if (part_fd) (void)!::ftruncate(part_fd.get(), 0);
    part_size = 0;
    stale_part = false;
    digest.reset();
  }
  // Gives DEST.part up: removed, and the lock with it.
  void discard_part() {
    if (part_fd) ::unlink(part.c_str());
    part_fd.reset();
    part_size = 0;
    stale_part = false;
    digest.reset();
  }
};

// One running transfer of one item. Removing the easy handle from the multi
// handle is the destructor's job, so an exception anywhere unwinds cleanly.
struct Transfer {
  ItemState* st = nullptr;
  size_t index = 0;
  bool http = false;
  bool s3 = false;
  bool https = false;  // requested over https: redirects may only stay on https
  bool signed_s3 = false;  // carries AWS credentials: redirects are not followed
  std::string request_url;
  CurlEasy easy;
  CURLM* multi = nullptr;  // set while added
  UniqueFd fd;
  CurlSlist headers;
  uint64_t start_offset = 0;
  bool new_response = true;  // the next body byte is the first of a response
  bool skip_body = false;    // error page: not written to DEST.part
  bool too_big = false;
  bool bad_range = false;
  bool stalled = false;
  bool overdue = false;  // past the deadline
  Clock::time_point deadline = Clock::time_point::max();
  std::string deadline_text;  // "N s (T s + B bytes at R bytes/s)", for the retry message
  int write_errno = 0;
  // Stall check: fewer than speed_limit bytes/s over a window of stall_seconds.
  long stall_seconds = 30;
  long speed_limit = 1;
  Clock::time_point window_start = Clock::now();
  uint64_t window_bytes = 0;  // header and body bytes since window_start
  Clock::time_point last_data = window_start;  // silence is caught without waiting for the window
  std::string content_range;
  std::string bucket_region;  // S3's x-amz-bucket-region, names the right region on a 301/400
  std::exception_ptr callback_error;  // thrown by the reporter inside a curl callback
  Reporter* reporter = nullptr;
  Clock::time_point last_report{};
  char errbuf[CURL_ERROR_SIZE] = {};

  Transfer() = default;
  Transfer(const Transfer&) = delete;
  Transfer& operator=(const Transfer&) = delete;
  ~Transfer() { detach(); }
  void detach() {
    if (multi) curl_multi_remove_handle(multi, easy.get());
    multi = nullptr;
  }

  uint64_t total() const {
    if (st->item->expected_size) return st->item->expected_size;
    curl_off_t len = -1;
    curl_easy_getinfo(easy.get(), CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &len);
    return len > 0 ? static_cast<uint64_t>(len) + start_offset : 0;
  }

  // The server ignored our Range and sent the whole file: start over in place.
  bool restart_from_zero() {
    if (::ftruncate(fd.get(), 0) != 0 || ::lseek(fd.get(), 0, SEEK_SET) != 0) {
      write_errno = errno;
      return false;
    }
    st->part_size = 0;
    st->stale_part = false;
    start_offset = 0;
    st->reset_digest();
    return true;
  }

  // Decides, at the first body byte of a response, what to do with the body.
  bool begin_body() {
    new_response = false;
    skip_body = false;
    if (!http) return true;
    long code = 0;
    curl_easy_getinfo(easy.get(), CURLINFO_RESPONSE_CODE, &code);
    if (code != 200 && code != 206) {
      skip_body = true;
      return true;
    }
    if (code == 200 && st->part_size > 0) return restart_from_zero();
    if (code == 206) {
      // "bytes START-END/TOTAL": START must be where our .part ends.
      unsigned long long begin = 0;
      if (std::sscanf(content_range.c_str(), "bytes %llu-", &begin) != 1 || begin != st->part_size) {
        bad_range = true;
        return false;
      }
    }
    return true;
  }

  size_t write(const char* data, size_t n) {
    if (new_response && !begin_body()) return 0;
    if (skip_body) return n;
    uint64_t expected = st->item->expected_size ? st->item->expected_size : st->item->max_size;
    if (expected && st->part_size + n > expected) {
      too_big = true;
      return 0;
    }
    for (size_t off = 0; off < n;) {
      ssize_t w = ::write(fd.get(), data + off, n - off);
      if (w < 0) {
        if (errno == EINTR) continue;
        write_errno = errno;
        return 0;
      }
      off += static_cast<size_t>(w);
    }
    if (st->digest) st->digest->update(data, n);
    st->part_size += n;
    auto now = Clock::now();
    window_bytes += n;
    last_data = now;
    if (now - last_report >= std::chrono::milliseconds(100)) {
      last_report = now;
      try {  // no exception may cross libcurl's C frames
        reporter->download_progress(st->label(), st->part_size, total());
      } catch (...) {
        callback_error = std::current_exception();
        return 0;
      }
    }
    return n;
  }

  static size_t on_write(char* data, size_t size, size_t nmemb, void* self) {
    return static_cast<Transfer*>(self)->write(data, size * nmemb);
  }

  // Our own low-speed check rather than CURLOPT_LOW_SPEED_*: curl's averages
  // over several seconds (a burst then silence goes unnoticed for a while) and
  // counts time the caller spent in on_done, when nobody was reading.
  static int on_xferinfo(void* self, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
    auto* t = static_cast<Transfer*>(self);
    auto now = Clock::now();
    if (now >= t->deadline) {
      t->overdue = true;
      return 1;
    }
    if (now - t->last_data >= std::chrono::seconds(t->stall_seconds)) {
      t->stalled = true;
      return 1;
    }
    double elapsed = std::chrono::duration<double>(now - t->window_start).count();
    if (elapsed < static_cast<double>(t->stall_seconds)) return 0;
    if (static_cast<double>(t->window_bytes) < static_cast<double>(t->speed_limit) * elapsed) {
      t->stalled = true;
      return 1;
    }
    t->restart_stall_window(now);
    return 0;
  }
  void restart_stall_window(Clock::time_point now) {
    window_start = now;
    window_bytes = 0;
  }
  // After on_done: the caller, not the server, was slow for PAUSED.
  void forgive_pause(Clock::time_point now, Clock::duration paused) {
    restart_stall_window(now);
    last_data = now;
    if (deadline != Clock::time_point::max()) deadline += paused;
  }

  static size_t on_header(char* data, size_t size, size_t nmemb, void* self) {
    auto* t = static_cast<Transfer*>(self);
    t->window_bytes += size * nmemb;
    t->last_data = Clock::now();
    std::string_view line(data, size * nmemb);
    if (starts_with(line, "HTTP/")) {
      t->new_response = true;
      t->content_range.clear();
    } else if (line.size() > 14 && iequals(line.substr(0, 14), "content-range:")) {
      std::string_view v = line.substr(14);
      while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
      while (!v.empty() && (v.back() == '\r' || v.back() == '\n' || v.back() == ' ')) v.remove_suffix(1);
      t->content_range = v;
    } else if (line.size() > 21 && iequals(line.substr(0, 21), "x-amz-bucket-region: ")) {
      std::string_view v = line.substr(21);
      while (!v.empty() && (v.back() == '\r' || v.back() == '\n' || v.back() == ' ')) v.remove_suffix(1);
      t->bucket_region = v;
    }
    return size * nmemb;
  }
};

// Failures worth another try on the same URL: the network, not the content.
bool transient(CURLcode res) {
  switch (res) {
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_PARTIAL_FILE:
    case CURLE_GOT_NOTHING:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
      return true;
    default:
      return false;
  }
}

// The server's certificate was not trusted (not: the handshake failed).
bool untrusted_certificate(CURLcode res) {
  return res == CURLE_PEER_FAILED_VERIFICATION || res == CURLE_SSL_CACERT_BADFILE || res == CURLE_SSL_ISSUER_ERROR;
}

}  // namespace

struct Fetcher::Impl {
  FetchOptions opt;
  Reporter& reporter;
  CurlMulti multi;
  std::vector<CurlEasy> idle;  // finished easy handles, kept for reuse
  bool aws_loaded = false;
  AwsCredentials aws;
  std::string region;

  Impl(FetchOptions o, Reporter& r) : opt(std::move(o)), reporter(r) {
    if (opt.max_parallel < 1) opt.max_parallel = 1;
  }

  // libcurl is loaded on first use (curl_lazy.cpp): a run that downloads
  // nothing never pays for loading it.
  CURLM* multi_handle() {
    if (multi) return multi.get();
    curl_global_init_once();
    multi.reset(curl_multi_init());
    if (!multi) throw Error("cannot initialise libcurl (curl_multi_init failed)");
    curl_multi_setopt(multi.get(), CURLMOPT_MAXCONNECTS, static_cast<long>(std::max(16, opt.max_parallel * 2)));
    return multi.get();
  }

  CurlEasy take_easy() {
    if (!idle.empty()) {
      CurlEasy h = std::move(idle.back());
      idle.pop_back();
      curl_easy_reset(h.get());
      return h;
    }
    CurlEasy h(curl_easy_init());
    if (!h) throw Error("cannot initialise libcurl (curl_easy_init failed)");
    return h;
  }

  void load_aws() {
    if (aws_loaded) return;
    aws = load_aws_credentials();
    region = load_aws_region();
    aws_loaded = true;
  }

  std::string s3_endpoint(const FetchItem& item) const {
    if (!item.s3_endpoint.empty()) return item.s3_endpoint;
    if (!opt.s3_endpoint.empty()) return opt.s3_endpoint;
    for (const char* var : {"AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"})
      if (const char* v = std::getenv(var); v && *v) return v;
    return "";
  }

  std::chrono::milliseconds backoff(int retry) const {
    double s = std::min(opt.retry_backoff * std::pow(2.0, retry), opt.retry_backoff_max);
    return std::chrono::milliseconds(static_cast<long>(std::max(0.0, s) * 1000));
  }

  // Opens DEST.part and sets up the easy handle for the item's current URL.
  std::unique_ptr<Transfer> start(ItemState& st, size_t index) {
    CURLM* m = multi_handle();  // before any easy handle: curl_global_init comes first
    const FetchItem& item = *st.item;
    const std::string& url = st.url();
    auto t = std::make_unique<Transfer>();
    t->st = &st;
    t->index = index;
    t->reporter = &reporter;
    t->s3 = starts_with(url, "s3://");
    t->http = t->s3 || starts_with(url, "http://") || starts_with(url, "https://");

    if (!st.started) {
      st.started = true;
      std::string parent = std::filesystem::path(item.dest).parent_path().string();
      if (!parent.empty()) make_dirs(parent);
      claim_part(st, index);
      resume_stale_part(st, t->http);
    }
    if (!t->http) st.part_size = 0;  // only HTTP can resume
    if (st.part_size == 0) st.reset_digest();

    t->fd.reset(::fcntl(st.part_fd.get(), F_DUPFD_CLOEXEC, 0));
    if (!t->fd || ::ftruncate(t->fd.get(), static_cast<off_t>(st.part_size)) != 0 ||
        ::lseek(t->fd.get(), static_cast<off_t>(st.part_size), SEEK_SET) < 0)
      throw Error("cannot write " + st.part + ": " + errno_text(errno));
    t->start_offset = st.part_size;

    t->easy = take_easy();
    CURL* h = t->easy.get();
    std::string request_url = url;
    if (t->s3) {
      load_aws();
      request_url = s3_http_url(url, s3_endpoint(item), region);
      // s3rver and S3 itself want the payload hash header; a GET has no payload.
      t->headers.append("x-amz-content-sha256: UNSIGNED-PAYLOAD");
      if (!aws.empty()) {
        std::string sigv4 = "aws:amz:" + region + ":s3";
        curl_easy_setopt(h, CURLOPT_AWS_SIGV4, sigv4.c_str());
        curl_easy_setopt(h, CURLOPT_USERNAME, aws.access_key_id.c_str());
        curl_easy_setopt(h, CURLOPT_PASSWORD, aws.secret_access_key.c_str());
        if (!aws.session_token.empty()) t->headers.append("x-amz-security-token: " + aws.session_token);
        t->signed_s3 = true;
      }
      curl_easy_setopt(h, CURLOPT_HTTPHEADER, t->headers.get());
    }
    curl_easy_setopt(h, CURLOPT_URL, request_url.c_str());
    curl_easy_setopt(h, CURLOPT_PRIVATE, t.get());
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &Transfer::on_write);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, t.get());
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, &Transfer::on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, t.get());
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, t->errbuf);
    const long timeout = item.timeout.value_or(opt.timeout);
    t->stall_seconds = std::max(1L, timeout);
    t->speed_limit = std::max(1L, opt.low_speed_limit);  // silence is always a stall
    // The bytes this attempt still needs: a resume needs fewer. Unknown size: its cap.
    const uint64_t need = item.expected_size ? item.expected_size - std::min(item.expected_size, st.part_size)
                                             : item.max_size;
    if (need > 0 && opt.min_rate > 0) {
      const uint64_t rate = static_cast<uint64_t>(opt.min_rate);
      const uint64_t seconds = static_cast<uint64_t>(t->stall_seconds) + (need + rate - 1) / rate;
      t->deadline = Clock::now() + std::chrono::seconds(seconds);
      t->deadline_text = std::to_string(seconds) + " s (" + std::to_string(t->stall_seconds) + " s + " +
                         std::to_string(need) + " bytes at " + std::to_string(rate) + " bytes/s)";
    }
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, &Transfer::on_xferinfo);
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, t.get());
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https,file");
    // What came over https must not be redirected to plain http, where anyone
    // on the path could change it (issue #14).
    t->https = starts_with(request_url, "https://");
    curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, t->https ? "https" : "http,https");
    // A signed S3 request follows no redirect: libcurl would send the session
    // token (a custom header) to wherever the Location points (issue #14).
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, t->signed_s3 ? 0L : 1L);
    t->request_url = request_url;
    curl_easy_setopt(h, CURLOPT_MAXREDIRS, 10L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, timeout);
    curl_easy_setopt(h, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_2TLS));
    const bool sslverify = item.sslverify.value_or(opt.sslverify);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, sslverify ? 1L : 0L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, sslverify ? 2L : 0L);
    curl_easy_setopt(h, CURLOPT_USERAGENT, opt.user_agent.c_str());
    curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
    // Wait for an HTTP/2 connection to multiplex on rather than opening more.
    if (starts_with(request_url, "https://")) curl_easy_setopt(h, CURLOPT_PIPEWAIT, 1L);
    if (st.part_size > 0) {
      std::string range = std::to_string(st.part_size) + "-";
      curl_easy_setopt(h, CURLOPT_RANGE, range.c_str());
    }
    if (curl_multi_add_handle(m, h) != CURLM_OK) throw Error("cannot start download of " + st.label());
    t->multi = m;
    st.running = true;
    return t;
  }

  // Opens DEST.part for ST and locks it. Never through a link: a symlink or a
  // hard link planted there (a shared or restored cache) is removed, not
  // written through. While another live run holds DEST.part, this run takes
  // a name of its own (no resume), so two runs never write one file.
  static void claim_part(ItemState& st, size_t index) {
    const std::string canonical = st.part;
    for (int attempt = 0; attempt < 8; ++attempt) {
      UniqueFd fd(::open(canonical.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644));
      struct stat sb;
      if (!fd || ::fstat(fd.get(), &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_nlink != 1) {
        if (!fd && errno != ELOOP && errno != ENXIO && errno != EISDIR)
          throw Error("cannot write " + canonical + ": " + errno_text(errno));
        // A symlink, fifo, device or hard link: never ours. (A directory: rmdir fails, open says so.)
        if (::unlink(canonical.c_str()) != 0 && errno != ENOENT && errno != EISDIR)
          throw Error("cannot remove " + canonical + " (not a plain file): " + errno_text(errno));
        continue;
      }
      if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
        if (errno != EWOULDBLOCK) throw Error("cannot lock " + canonical + ": " + errno_text(errno));
        break;  // another run's download in progress
      }
      // Still the file at that name (the other run may have renamed it into place meanwhile)?
      struct stat now;
      if (::lstat(canonical.c_str(), &now) == 0 && now.st_dev == sb.st_dev && now.st_ino == sb.st_ino) {
        st.part_fd = std::move(fd);
        return;
      }
    }
    static std::atomic<unsigned> counter{0};
    st.part = canonical + "." + std::to_string(::getpid()) + "." + std::to_string(index) + "." +
              std::to_string(counter++);
    st.part_fd.reset(::open(st.part.c_str(), O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644));
    if (!st.part_fd) throw Error("cannot write " + st.part + ": " + errno_text(errno));
  }

  // A DEST.part from an interrupted earlier run: resume it over HTTP unless it
  // is already as long as (or longer than) the whole file should be.
  static void resume_stale_part(ItemState& st, bool http) {
    struct stat sb;
    uint64_t expected = st.item->expected_size;
    if (!http || ::fstat(st.part_fd.get(), &sb) != 0 || sb.st_size <= 0 ||
        (expected && static_cast<uint64_t>(sb.st_size) >= expected)) {
      st.drop_part();
      return;
    }
    st.reset_digest();
    if (st.digest) {
      char buf[1 << 16];
      ssize_t n;
      off_t off = 0;
      while ((n = ::pread(st.part_fd.get(), buf, sizeof buf, off)) > 0) {
        st.digest->update(buf, static_cast<size_t>(n));
        off += n;
      }
      if (n < 0) {
        st.drop_part();
        return;
      }
    }
    st.part_size = static_cast<uint64_t>(sb.st_size);
    st.stale_part = true;
  }
};

Fetcher::Fetcher(FetchOptions options, Reporter& reporter)
    : impl_(std::make_unique<Impl>(std::move(options), reporter)) {}

Fetcher::~Fetcher() = default;

std::vector<FetchResult> Fetcher::fetch_all(const std::vector<FetchItem>& items,
                                            const std::function<void(size_t, const FetchResult&)>& on_done) {
  Impl& im = *impl_;
  std::vector<ItemState> states(items.size());
  std::vector<size_t> waiting;  // indexes to start, in order; retries go to the back
  std::vector<std::unique_ptr<Transfer>> active;
  std::vector<size_t> finished;  // done since on_done was last called
  size_t remaining = items.size();

  auto finish_item = [&](ItemState& st, size_t index, bool ok, const std::string& why) {
    st.done = true;
    st.running = false;
    st.result.ok = ok;
    st.result.url = st.url();
    if (!ok) {
      st.discard_part();
      st.result.error = "cannot download " + st.label() + " from " + st.url() + ": " + why;
      if (st.url_index > 0) st.result.error += " (tried " + std::to_string(st.url_index + 1) + " mirrors)";
    }
    --remaining;
    finished.push_back(index);
  };

  auto fail_over = [&](ItemState& st, size_t index, const std::string& why) {
    if (st.url_index + 1 >= st.item->urls.size()) return finish_item(st, index, false, why);
    im.reporter.info(st.label() + ": " + st.url() + ": " + why + "; trying the next mirror");
    st.drop_part();  // another mirror: do not splice two servers' bytes
    ++st.url_index;
    st.retries = 0;
    st.not_before = Clock::now();
    waiting.push_back(index);
  };

  auto retry = [&](ItemState& st, size_t index, const std::string& why) {
    const int retries = st.item->retries.value_or(im.opt.retries);
    if (st.retries >= retries)
      return fail_over(st, index, why + " (gave up after " + std::to_string(st.retries) + (st.retries == 1 ? " retry)" : " retries)"));
    st.not_before = Clock::now() + im.backoff(st.retries);
    ++st.retries;
    im.reporter.info(st.label() + ": " + st.url() + ": " + why + "; retry " + std::to_string(st.retries) + " of " +
                     std::to_string(retries));
    waiting.push_back(index);
  };

  for (size_t i = 0; i < items.size(); ++i) {
    states[i].item = &items[i];
    states[i].part = items[i].dest + ".part";
    if (items[i].urls.empty()) {
      states[i].url_index = 0;
      states[i].done = true;
      states[i].result.error = "cannot download " + states[i].label() + ": no URL to download it from";
      --remaining;
      finished.push_back(i);
    } else if (!items[i].checksum_type.empty() && !Digest::known_type(items[i].checksum_type)) {
      finish_item(states[i], i, false, "unknown checksum type '" + items[i].checksum_type + "'");
    } else {
      waiting.push_back(i);
    }
  }

  // Judges a transfer that curl says is over.
  auto complete = [&](Transfer& t, CURLcode res) {
    ItemState& st = *t.st;
    size_t index = t.index;
    long code = 0;
    curl_easy_getinfo(t.easy.get(), CURLINFO_RESPONSE_CODE, &code);
    t.fd.reset();
    st.running = false;
    std::string err = t.errbuf[0] ? t.errbuf : curl_easy_strerror(res);

    if (t.callback_error) std::rethrow_exception(t.callback_error);
    if (res == CURLE_WRITE_ERROR && t.write_errno) {
      return finish_item(st, index, false, "cannot write " + st.part + ": " + errno_text(t.write_errno));
    }
    if (res == CURLE_WRITE_ERROR && t.too_big) {
      if (!st.item->expected_size)  // an endless or huge body where a small file belongs
        return fail_over(st, index, "larger than " + cap_text(st.item->max_size) + ", the most yumda accepts for it");
      return fail_over(st, index, "size mismatch: expected " + std::to_string(st.item->expected_size) +
                                       " bytes, got more");
    }
    if (res == CURLE_WRITE_ERROR && t.bad_range) {
      st.drop_part();
      return retry(st, index, "server answered a resume with the wrong range (" + t.content_range + ")");
    }
    if (res == CURLE_ABORTED_BY_CALLBACK && t.overdue)
      return retry(st, index, "too slow: not done within " + t.deadline_text);
    if (res == CURLE_ABORTED_BY_CALLBACK && t.stalled)
      return retry(st, index, "stalled: less than " + std::to_string(t.speed_limit) + " bytes/s for " +
                                  std::to_string(t.stall_seconds) + " s");
    if (res != CURLE_OK) {
      if (res == CURLE_UNSUPPORTED_PROTOCOL && t.https)
        err += " (an https URL redirected to another scheme, which yumda refuses: the file would lose TLS)";
      if (untrusted_certificate(res))
        err += " (install the CA that signed it, or set sslverify=0 for this repo if you trust the network)";
      return transient(res) ? retry(st, index, err) : fail_over(st, index, err);
    }
    if (t.http && code != 200 && code != 206) {
      std::string why = "HTTP " + std::to_string(code);
      if (code == 416) {
        st.drop_part();
        return retry(st, index, why);
      }
      if (code >= 500 || code == 408 || code == 429) return retry(st, index, why);
      if (t.s3 && (code == 401 || code == 403))
        why += im.aws.empty()
                   ? ": access denied and no AWS credentials were found (set AWS_PROFILE or AWS_ACCESS_KEY_ID)"
                   : ": credentials from " + im.aws.source + " were refused";
      if (t.s3 && !t.bucket_region.empty() && t.bucket_region != im.region)
        why += ": the bucket is in region " + t.bucket_region + " (set AWS_REGION=" + t.bucket_region + ")";
      else if (const char* to = nullptr; t.signed_s3 && code >= 300 && code < 400 &&
               curl_easy_getinfo(t.easy.get(), CURLINFO_REDIRECT_URL, &to) == CURLE_OK && to && *to)
        why += ": S3 redirected the signed request to " + url_origin(to) + " (the endpoint is " +
               url_origin(t.request_url) + "); yumda sends AWS credentials only to the endpoint they are signed " +
               "for (set AWS_REGION or AWS_ENDPOINT_URL_S3 to the bucket's own endpoint)";
      return fail_over(st, index, why);
    }
    std::string mismatch;
    uint64_t expected = st.item->expected_size;
    if (expected && st.part_size != expected) {
      mismatch = "size mismatch: expected " + std::to_string(expected) + " bytes, got " + std::to_string(st.part_size);
    } else if (st.digest) {
      std::string got = st.digest->hex();
      st.digest.reset();
      if (!iequals(got, st.item->checksum))
        mismatch = "checksum mismatch: expected " + st.item->checksum_type + " " + st.item->checksum + ", got " + got;
    }
    if (!mismatch.empty()) {
      if (st.stale_part) {  // the old .part may be what is wrong: once more from scratch
        st.drop_part();
        st.not_before = Clock::now();
        waiting.push_back(index);
        return;
      }
      return fail_over(st, index, mismatch);
    }
    // Linked and renamed while still locked, so no other run can have claimed the name.
    if (!st.item->private_link.empty() && ::link(st.part.c_str(), st.item->private_link.c_str()) != 0)
      st.result.private_link_failed = true;
    if (::rename(st.part.c_str(), st.item->dest.c_str()) != 0) {
      const int err = errno;
      if (!st.item->private_link.empty() && !st.result.private_link_failed) ::unlink(st.item->private_link.c_str());
      return finish_item(st, index, false, "cannot rename " + st.part + ": " + errno_text(err));
    }
    st.part_fd.reset();
    im.reporter.download_progress(st.label(), st.part_size, st.part_size);
    finish_item(st, index, true, "");
  };

  try {
    while (remaining > 0 || !finished.empty()) {
      if (!finished.empty()) {
        const auto paused_at = Clock::now();
        for (size_t i : finished)
          if (on_done) on_done(i, states[i].result);
        finished.clear();
        // Time spent in ON_DONE (extracting a package) is not the servers' stall.
        auto now = Clock::now();
        for (auto& t : active) t->forgive_pause(now, now - paused_at);
      }
      if (remaining == 0) break;
      if (interrupt_requested()) throw Interrupted();

      auto now = Clock::now();
      auto next_wake = now + std::chrono::milliseconds(100);  // interrupt poll
      for (auto it = waiting.begin(); it != waiting.end() && active.size() < static_cast<size_t>(im.opt.max_parallel);) {
        ItemState& st = states[*it];
        if (st.not_before > now) {
          next_wake = std::min(next_wake, st.not_before);
          ++it;
          continue;
        }
        size_t index = *it;
        it = waiting.erase(it);
        try {
          active.push_back(im.start(st, index));
        } catch (const Interrupted&) {
          throw;
        } catch (const Error& e) {
          finish_item(st, index, false, e.what());
        }
      }
      if (!finished.empty()) continue;

      int still_running = 0;
      curl_multi_perform(im.multi_handle(), &still_running);
      int left = 0;
      while (CURLMsg* msg = curl_multi_info_read(im.multi_handle(), &left)) {
        if (msg->msg != CURLMSG_DONE) continue;
        CURL* easy = msg->easy_handle;
        CURLcode res = msg->data.result;
        auto it = std::find_if(active.begin(), active.end(), [&](auto& t) { return t->easy.get() == easy; });
        if (it == active.end()) continue;
        std::unique_ptr<Transfer> t = std::move(*it);
        active.erase(it);
        t->detach();  // msg is invalid from here on
        complete(*t, res);
        im.idle.push_back(std::move(t->easy));
      }
      if (!finished.empty()) continue;
      auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(next_wake - Clock::now()).count();
      curl_multi_poll(im.multi_handle(), nullptr, 0, static_cast<int>(std::clamp<long>(wait, 0, 100)), nullptr);
    }
  } catch (...) {
    // Interrupted (or ON_DONE threw): no half-written files stay behind.
    active.clear();
    for (auto& st : states)
      if (st.started && !st.done) st.discard_part();
    throw;
  }

  std::vector<FetchResult> results;
  results.reserve(states.size());
  for (auto& st : states) results.push_back(std::move(st.result));
  return results;
}

void Fetcher::fetch(const FetchItem& item) {
  auto results = fetch_all({item});
  if (!results[0].ok) throw Error(results[0].error);
}

}  // namespace yumda
