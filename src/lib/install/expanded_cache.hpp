// The expanded-package cache (keepcache=1): each package's /opt payload kept
// *uncompressed* as a cpio file under CACHEDIR/expanded/, keyed by the RPM's
// checksum. A warm install replays it through the same safe extractor instead
// of decoding xz again: decompression is most of an install's cost.
#pragma once
#include <optional>
#include <string>

#include "yumda/extract.hpp"
#include "yumda/resolve.hpp"

namespace yumda {

class ExpandedCache {
 public:
  ExpandedCache(const std::string& cachedir, bool enabled);

  // Extracts PKG (the RPM at RPM_PATH, header INFO) into STAGE: from the
  // cache when it holds the package, else from the RPM, then stores it.
  ExtractResult extract(const PackageInfo& pkg, const std::string& rpm_path, const RpmHeaderInfo& info,
                        const std::string& stage, const ExtractOptions& options);

  // The cache file of PKG (exposed for tests).
  std::string path_for(const PackageInfo& pkg, const ExtractOptions& options) const;

 private:
  void store(const PackageInfo& pkg, const ExtractOptions& options, const std::string& stage, const ExtractResult& x);
  std::string dir_;
  bool enabled_;
};

}  // namespace yumda
