#include "version.hpp"

#include <archive.h>
#include <curl/curl.h>
#include <solv/solvversion.h>

#include <string_view>

#include "yumda/rpm_version.hpp"

#ifndef YUMDA_VERSION
#error "YUMDA_VERSION is defined by CMakeLists.txt"
#endif
#ifndef YUMDA_GIT_COMMIT
#define YUMDA_GIT_COMMIT "unknown"
#endif

namespace yumda::cli {

std::string version_text() {
  // The versions of the libraries loaded now, not of the headers yumda was
  // compiled with: a distribution upgrade of libcurl shows here.
  std::string out = "yumda " YUMDA_VERSION " (commit " YUMDA_GIT_COMMIT ")\n";
  out += std::string("libsolv ") + solv_version + "\n";
  out += "librpm " + rpm_library_version() + "\n";
  const curl_version_info_data* curl = curl_version_info(CURLVERSION_NOW);
  out += std::string("libcurl ") + (curl && curl->version ? curl->version : "unknown") + "\n";
  // archive_version_string() is "libarchive 3.6.2".
  std::string_view archive = archive_version_string();
  if (archive.starts_with("libarchive ")) archive.remove_prefix(11);
  out += "libarchive " + std::string(archive);
  return out;
}

}  // namespace yumda::cli
