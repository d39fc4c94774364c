// Internal: extracting a cpio payload stream (any compression libarchive
// detects) into a staging directory. extract_rpm() is a thin wrapper; tests
// feed raw cpio files through here too.
#pragma once
#include <functional>
#include <string>

#include "yumda/extract.hpp"
#include "yumda/fs.hpp"
#include "yumda/link_mode.hpp"

namespace yumda::detail {

struct PayloadSource {
  std::string package;       // names the package in messages ("hello-2.0-1.x86_64")
  std::string keep_top = "opt";  // only entries under this top directory land, with it stripped
  const RpmHeaderInfo* info = nullptr;  // %ghost / %doc flags by path; may be null
  // The RPM the payload comes from: with INFO, lets rpm's own reader take
  // "stripped" cpio payloads (RPM v6, files over 4 GB) that libarchive cannot read.
  std::string rpm_path;
  // false forces the component-by-component O_NOFOLLOW walk that kernels
  // without openat2 (before 5.6, or seccomp-filtered) get; tests use it.
  bool use_openat2 = true;
  // false forces named temporary files, what filesystems without O_TMPFILE
  // (or machines without /proc) get; tests use it.
  bool use_tmpfile = true;
  // false makes uncompressed payloads go through read()/write() like the
  // rest instead of copy_file_range; tests compare the two.
  bool use_copy_range = true;
  // false skips the check of each entry against INFO's file list, so tests
  // reach the extractor's own defences with payloads no header describes.
  bool check_header = true;
  // The expanded cache's link modes: the payload's regular files carry no
  // data; each one's content is its own file, which open_blob opens (by
  // payload path, "/usr/bin/git"), hard-linked (kHardlink) or cloned
  // (kReflink) into place, and copied where that cannot be done.
  LinkMode link_mode = LinkMode::kCopy;
  std::function<UniqueFd(const std::string& path)> open_blob = nullptr;
};

// Reads the payload from FD's current position to its end.
ExtractResult extract_payload_fd(int fd, const PayloadSource& source, const std::string& stage_dir,
                                 const ExtractOptions& options);

}  // namespace yumda::detail
