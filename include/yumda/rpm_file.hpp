// Reading an RPM file: its header with librpm, its payload with libarchive.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "yumda/nevra.hpp"

namespace yumda {

// What the header says about one file (RPMTAG_FILE* arrays).
struct RpmFileEntry {
  std::string path;  // absolute, as in the package ("/opt/bin/git")
  uint32_t mode = 0;
  uint64_t size = 0;
  std::string link_target;  // for symlinks
  bool ghost = false;       // %ghost: never created
  bool doc = false;         // %doc (and man/info pages, by path)
  bool config = false;
  std::string digest;       // hex RPMTAG_FILEDIGESTS of a regular file ("" when none)
};

struct RpmHeaderInfo {
  Nevra nevra;
  bool is_source = false;
  uint64_t buildtime = 0;
  std::string license;
  std::string payload_compressor;  // "xz", "gzip", "zstd", "bzip2", "" (none)
  std::string payload_format;      // "cpio"
  std::vector<RpmFileEntry> files;
  std::string file_digest_type;  // of RpmFileEntry::digest: "md5", "sha256", ... ("" when unknown)
  std::vector<std::string> post_scripts;  // %post / %posttrans bodies (shell)
  std::vector<std::string> lua_scripts;   // "%post", "%posttrans": Lua (<lua>) scriptlets, which are not run
  uint64_t payload_offset = 0;  // where the compressed payload starts in the file
};

// Reads the lead, signature and header of PATH. Signatures are not checked
// here (see verify.hpp). Throws Error naming the file when it is not an RPM.
RpmHeaderInfo read_rpm_header(const std::string& path);

}  // namespace yumda
