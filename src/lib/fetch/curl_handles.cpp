#include "fetch/curl_handles.hpp"

#include <mutex>
#include <new>

namespace yumda {

void curl_global_init_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

void CurlSlist::append(const std::string& line) {
  curl_slist* next = curl_slist_append(list_, line.c_str());
  if (!next) throw std::bad_alloc();
  list_ = next;
}

}  // namespace yumda
