// libcurl, loaded on first use. libcurl.so.4 drags in ~25 more shared
// libraries (OpenSSL, GnuTLS, Kerberos, LDAP, libssh2, ...), and relocating
// them was most of a warm resolve's instructions, which never downloads. So
// yumda is not linked against libcurl: these definitions of the curl calls it
// makes dlopen() the library the first time one is called and forward to it.
// Adding a curl call elsewhere fails to link until it is forwarded here.
#include <curl/curl.h>

#include <cstdarg>

#include "common/lazy_library.hpp"
#include "yumda/error.hpp"

namespace {

YUMDA_LAZY_LIBRARY(curl, "libcurl.so.4", "libcurl4 (Debian) or libcurl (RPM)")

#define YUMDA_CURL_REAL(name) YUMDA_LAZY_REAL(curl(), name)

// The option types of curl_easy_setopt and curl_multi_setopt are coded in the
// option's number (CURLOPTTYPE_* / CURLMOPTTYPE_*: LONG 0, OBJECTPOINT 10000,
// FUNCTIONPOINT 20000, OFF_T 30000, BLOB 40000), so the variadic argument can
// be taken with its own type and passed on.
template <typename Setopt, typename Handle, typename Option>
auto forward_setopt(Setopt real, Handle* h, Option opt, va_list ap) {
  const int kind = static_cast<int>(opt) / 10000;
  switch (kind) {
    case 0:
      return real(h, opt, va_arg(ap, long));
    case 2:
      return real(h, opt, va_arg(ap, void (*)()));
    case 3:
      return real(h, opt, va_arg(ap, curl_off_t));
    default:  // object pointers, blobs
      return real(h, opt, va_arg(ap, void*));
  }
}

}  // namespace

extern "C" {

// Runs inside std::call_once (curl_handles.cpp): no exception may leave it
// through pthread_once's C frame. Without libcurl it fails quietly here and
// the next call (curl_multi_init) throws the error naming the fix.
CURLcode curl_global_init(long flags) {
  try {
    YUMDA_CURL_REAL(curl_global_init);
    return real(flags);
  } catch (const yumda::Error&) {
    return CURLE_FAILED_INIT;
  }
}

curl_version_info_data* curl_version_info(CURLversion v) {
  YUMDA_CURL_REAL(curl_version_info);
  return real(v);
}

CURL* curl_easy_init() {
  YUMDA_CURL_REAL(curl_easy_init);
  return real();
}

void curl_easy_cleanup(CURL* h) {
  YUMDA_CURL_REAL(curl_easy_cleanup);
  real(h);
}

void curl_easy_reset(CURL* h) {
  YUMDA_CURL_REAL(curl_easy_reset);
  real(h);
}

// These three must have curl.h's signatures, whose last named parameter is an
// enum. clang's -Wvarargs calls va_start after an enum undefined (an enum
// could be promoted); curl's enums are int-sized, which never is, and libcurl
// itself does the same. gcc has no such warning.
#if defined(__clang__)
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wvarargs"
#endif

// curl_easy_setopt and curl_multi_setopt: the same forwarding, one handle type each.
#define YUMDA_CURL_SETOPT(name, Handle, Option, Code) \
  Code name(Handle* h, Option opt, ...) {             \
    YUMDA_CURL_REAL(name);                            \
    va_list ap;                                       \
    va_start(ap, opt);                                \
    Code rc = forward_setopt(real, h, opt, ap);       \
    va_end(ap);                                       \
    return rc;                                        \
  }
YUMDA_CURL_SETOPT(curl_easy_setopt, CURL, CURLoption, CURLcode)
YUMDA_CURL_SETOPT(curl_multi_setopt, CURLM, CURLMoption, CURLMcode)

CURLcode curl_easy_getinfo(CURL* h, CURLINFO info, ...) {
  YUMDA_CURL_REAL(curl_easy_getinfo);
  va_list ap;
  va_start(ap, info);
  void* out = va_arg(ap, void*);  // every CURLINFO_* takes a pointer to its result
  va_end(ap);
  return real(h, info, out);
}

#if defined(__clang__)
#pragma clang diagnostic pop
#endif

const char* curl_easy_strerror(CURLcode code) {
  YUMDA_CURL_REAL(curl_easy_strerror);
  return real(code);
}

curl_slist* curl_slist_append(curl_slist* list, const char* s) {
  YUMDA_CURL_REAL(curl_slist_append);
  return real(list, s);
}

void curl_slist_free_all(curl_slist* list) {
  if (!list) return;  // an empty list never needs the library loaded
  YUMDA_CURL_REAL(curl_slist_free_all);
  real(list);
}

CURLU* curl_url() {
  YUMDA_CURL_REAL(curl_url);
  return real();
}

void curl_url_cleanup(CURLU* u) {
  YUMDA_CURL_REAL(curl_url_cleanup);
  real(u);
}

CURLUcode curl_url_set(CURLU* u, CURLUPart what, const char* part, unsigned int flags) {
  YUMDA_CURL_REAL(curl_url_set);
  return real(u, what, part, flags);
}

CURLUcode curl_url_get(CURLU* u, CURLUPart what, char** part, unsigned int flags) {
  YUMDA_CURL_REAL(curl_url_get);
  return real(u, what, part, flags);
}

void curl_free(void* p) {
  if (!p) return;  // nothing curl allocated: the library need not be loaded
  YUMDA_CURL_REAL(curl_free);
  real(p);
}

CURLM* curl_multi_init() {
  YUMDA_CURL_REAL(curl_multi_init);
  return real();
}

CURLMcode curl_multi_cleanup(CURLM* m) {
  YUMDA_CURL_REAL(curl_multi_cleanup);
  return real(m);
}

CURLMcode curl_multi_add_handle(CURLM* m, CURL* h) {
  YUMDA_CURL_REAL(curl_multi_add_handle);
  return real(m, h);
}

CURLMcode curl_multi_remove_handle(CURLM* m, CURL* h) {
  YUMDA_CURL_REAL(curl_multi_remove_handle);
  return real(m, h);
}

CURLMcode curl_multi_perform(CURLM* m, int* running) {
  YUMDA_CURL_REAL(curl_multi_perform);
  return real(m, running);
}

CURLMsg* curl_multi_info_read(CURLM* m, int* left) {
  YUMDA_CURL_REAL(curl_multi_info_read);
  return real(m, left);
}

CURLMcode curl_multi_poll(CURLM* m, curl_waitfd* fds, unsigned int nfds, int timeout_ms, int* numfds) {
  YUMDA_CURL_REAL(curl_multi_poll);
  return real(m, fds, nfds, timeout_ms, numfds);
}

}  // extern "C"
