// The expanded-package cache (keepcache=1): each package's /opt payload kept
// *uncompressed* as a cpio file under CACHEDIR/expanded/, keyed by the RPM's
// checksum. A warm install replays it through the same safe extractor instead
// of decoding xz again: decompression is most of an install's cost.
#pragma once
#include <atomic>
#include <optional>
#include <string>

#include "yumda/extract.hpp"
#include "yumda/link_mode.hpp"
#include "yumda/resolve.hpp"

namespace yumda {

class ExpandedCache {
 public:
  // LINK_MODE: how a replay places regular files (config key link_mode).
  ExpandedCache(const std::string& cachedir, bool enabled, LinkMode link_mode = LinkMode::kCopy);

  // Extracts PKG (the RPM at RPM_PATH, header INFO) into STAGE: from the
  // cache when it holds the package, else from the RPM, then stores it.
  ExtractResult extract(const PackageInfo& pkg, const std::string& rpm_path, const RpmHeaderInfo& info,
                        const std::string& stage, const ExtractOptions& options);

  // The cache file of PKG (a directory in the link modes; exposed for tests).
  std::string path_for(const PackageInfo& pkg, const ExtractOptions& options) const;

  // What the link mode did in the replays so far, for -v ("" in copy mode).
  std::string summary() const;

 private:
  void store(const PackageInfo& pkg, const ExtractOptions& options, const RpmHeaderInfo& info,
             const std::string& stage, const ExtractResult& x);
  std::string dir_;
  bool enabled_;
  LinkMode link_mode_;
  std::atomic<size_t> hardlinked_{0}, cloned_{0}, link_copied_{0};  // workers replay in parallel
};

}  // namespace yumda
