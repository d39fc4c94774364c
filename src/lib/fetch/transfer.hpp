// One download's state inside Fetcher::fetch_all: the item (which URL, how
// many retries, DEST.part and its digest) and the running transfer of it
// (what libcurl's callbacks write, the stall and deadline checks). Internal
// to the fetch module.
#pragma once
#include <curl/curl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <exception>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "fetch/curl_handles.hpp"
#include "yumda/checksum.hpp"
#include "yumda/fetch.hpp"
#include "yumda/fs.hpp"

namespace yumda::fetch_engine {

using Clock = std::chrono::steady_clock;

inline bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

inline bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
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
  // Opens DEST.part and locks it (part_file.cpp); INDEX names a private
  // .part when another run holds DEST.part.
  void claim_part(size_t index);
  // Keeps the bytes of a DEST.part an earlier run left, to resume over HTTP.
  void resume_stale_part(bool http);
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
  bool restart_from_zero();
  // Decides, at the first body byte of a response, what to do with the body.
  bool begin_body();
  // Body bytes into DEST.part and the digest; 0 stops the transfer (curl's rule).
  size_t write(const char* data, size_t n);
  static size_t on_write(char* data, size_t size, size_t nmemb, void* self);
  // Our own low-speed check rather than CURLOPT_LOW_SPEED_*: curl's averages
  // over several seconds (a burst then silence goes unnoticed for a while) and
  // counts time the caller spent in on_done, when nobody was reading.
  static int on_xferinfo(void* self, curl_off_t, curl_off_t, curl_off_t, curl_off_t);
  // Header lines: a new response, Content-Range, S3's bucket region.
  static size_t on_header(char* data, size_t size, size_t nmemb, void* self);
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
};

}  // namespace yumda::fetch_engine
