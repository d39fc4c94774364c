// The expanded-package cache (keepcache=1): each package's /opt payload kept
// *uncompressed* as a cpio file under CACHEDIR/expanded/, keyed by the RPM's
// checksum. A warm install replays it through the same safe extractor instead
// of decoding xz again: decompression is most of an install's cost. A
// cached file that passed the replay check is trusted, without reading it
// again, while its stat is unchanged (CACHEDIR/expanded/verified-files).
#pragma once
#include <atomic>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "yumda/extract.hpp"
#include "yumda/link_mode.hpp"
#include "yumda/resolve.hpp"
#include "install/verified_files.hpp"

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
  // How the cached files were checked, for -v ("" when nothing was replayed).
  std::string check_summary() const;

  // After the layer's commit point: records the files that passed the check
  // (their stat taken again in link_mode=hardlink, where linking a file
  // changes its ctime), so the next replay reads none of them.
  void finish();

 private:
  void store(const PackageInfo& pkg, const ExtractOptions& options, const RpmHeaderInfo& info,
             const std::string& stage, const ExtractResult& x);
  std::string cachedir_;
  std::string dir_;
  bool enabled_;
  LinkMode link_mode_;
  std::atomic<size_t> hardlinked_{0}, cloned_{0}, link_copied_{0};  // workers replay in parallel
  std::atomic<size_t> trusted_{0}, read_{0};  // cached files trusted by stat, read to check them
  VerifiedFiles verified_;
  std::mutex linked_mu_;
  std::vector<std::pair<std::string, std::string>> linked_;  // (file, what) of blobs this run hard-linked
};

}  // namespace yumda
