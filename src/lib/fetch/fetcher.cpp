// The download engine: every item of a fetch_all() call is a small state
// machine (which URL, how many retries, how much of DEST.part is written and
// hashed: transfer.hpp) driven from one libcurl multi loop on the calling
// thread; here, how each transfer is set up and how its end is judged.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <exception>
#include <filesystem>
#include <string_view>

#include "fetch/aws_credentials.hpp"
#include "fetch/curl_handles.hpp"
#include "fetch/transfer.hpp"
#include "yumda/checksum.hpp"
#include "yumda/error.hpp"
#include "yumda/fetch.hpp"
#include "yumda/fs.hpp"

namespace yumda {

using fetch_engine::Clock;
using fetch_engine::ItemState;
using fetch_engine::Transfer;
using fetch_engine::iequals;
using fetch_engine::starts_with;

namespace {

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
      st.claim_part(index);
      st.resume_stale_part(t->http);
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
