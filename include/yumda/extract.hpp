// Unpacks an RPM payload into a staging directory: only entries under /opt/
// land, with /opt stripped; nothing is ever written outside the directory.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "yumda/reporter.hpp"
#include "yumda/rpm_file.hpp"

namespace yumda {

struct ExtractOptions {
  bool nodocs = false;  // skip %doc files and man/info pages
};

struct ExtractedFile {
  std::string path;  // relative to the layer root ("bin/git", "lib/libz.so.1")
  uint32_t mode = 0; // type + permission bits as written
  uint64_t size = 0;
};

struct ExtractResult {
  std::vector<ExtractedFile> files;  // every entry written, directories included
  size_t skipped_outside_opt = 0;    // payload entries not under /opt/
  size_t dropped_setid = 0;          // files whose setuid/setgid bits were dropped
};

// Extracts RPM_PATH (header already read into INFO) into STAGE_DIR. Existing
// content of STAGE_DIR is kept (several packages share it). Hostile entries
// (.., absolute escapes, symlinked parents, devices, fifos) are refused with an
// Error naming the package and the entry; nothing outside STAGE_DIR is touched.
ExtractResult extract_rpm(const std::string& rpm_path, const RpmHeaderInfo& info, const std::string& stage_dir,
                          const ExtractOptions& options, Reporter& reporter = null_reporter());

}  // namespace yumda
