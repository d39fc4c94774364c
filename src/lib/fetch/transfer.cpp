// libcurl's callbacks for one transfer: body bytes into DEST.part (a Range
// answer checked against what is there), headers, and the stall/deadline check.
#include "fetch/transfer.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

namespace yumda::fetch_engine {

bool Transfer::restart_from_zero() {
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

bool Transfer::begin_body() {
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

size_t Transfer::write(const char* data, size_t n) {
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

size_t Transfer::on_write(char* data, size_t size, size_t nmemb, void* self) {
  return static_cast<Transfer*>(self)->write(data, size * nmemb);
}

int Transfer::on_xferinfo(void* self, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
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

size_t Transfer::on_header(char* data, size_t size, size_t nmemb, void* self) {
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

}  // namespace yumda::fetch_engine
