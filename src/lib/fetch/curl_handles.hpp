// RAII owners for libcurl handles, and the once-per-process global init.
#pragma once
#include <curl/curl.h>

#include <memory>
#include <string>

#include "yumda/c_unique.hpp"

namespace yumda {

// curl_global_init is not thread-safe and must run once; every Fetcher calls this.
void curl_global_init_once();

using CurlEasy = c_unique<CURL, curl_easy_cleanup>;
using CurlMulti = c_unique<CURLM, curl_multi_cleanup>;

// A header list; curl keeps only the pointer, so it must outlive the transfer.
class CurlSlist {
 public:
  CurlSlist() = default;
  ~CurlSlist() { curl_slist_free_all(list_); }
  CurlSlist(const CurlSlist&) = delete;
  CurlSlist& operator=(const CurlSlist&) = delete;
  void append(const std::string& line);  // throws std::bad_alloc when curl cannot
  curl_slist* get() const { return list_; }

 private:
  curl_slist* list_ = nullptr;
};

}  // namespace yumda
