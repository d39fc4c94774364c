// Unpacks an RPM payload into a staging directory: entries under /opt/ land
// with /opt stripped, and with a PathMap (relocation) every path it covers
// lands where it says; nothing is ever written outside the directory.
#pragma once
#include <cstdint>
#include <ctime>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "yumda/error.hpp"
#include "yumda/fs.hpp"
#include "yumda/link_mode.hpp"
#include "yumda/relocate.hpp"
#include "yumda/reporter.hpp"
#include "yumda/rpm_file.hpp"

namespace yumda {

struct ExtractOptions {
  bool nodocs = false;  // skip %doc files and /opt/share/{man,info,doc}/ pages
  // Names the package that already owns a path in STAGE_DIR (relative path, "bin/git"),
  // for conflict messages; unset or "" gives "an earlier package".
  std::function<std::string(const std::string& path)> owner_of;
  // Where payload paths land (relocation); null: only /opt/X, as X.
  const PathMap* path_map = nullptr;
  // Symlinks are listed (ExtractedFile::link_target) and not created, for
  // LayerTransaction::place_symlinks() once every package is extracted.
  bool defer_symlinks = false;
  // Relocation's scan (PathScanner over path_map) of regular files' bytes as
  // they are written, so the relocation stage need not read them back: of
  // no file, of the files the map moved, or of every file (relocate=always).
  enum class Scan { kNone, kMoved, kAll } scan = Scan::kNone;
};

// A payload entry where another package staged one first. The message names
// that package when owner_of knows it; one still being extracted on another
// thread is not known yet, so the caller names it once every worker is done.
class StagedConflict : public Error {
 public:
  StagedConflict(const std::string& message, std::string kind, std::string path, std::string package)
      : Error(message), kind(std::move(kind)), path(std::move(path)), package(std::move(package)) {}
  std::string kind;     // "file", "directory"...
  std::string path;     // relative to the stage ("share/same")
  std::string package;  // NEVRA of the package that met it
};

struct ExtractedFile {
  std::string path;  // relative to the layer root ("bin/git", "lib/libz.so.1")
  uint32_t mode = 0; // type + permission bits as written
  uint64_t size = 0;
  bool elf = false;  // a regular file that starts with the ELF magic
  std::string from;  // the payload's path when it was not /opt/PATH ("/usr/bin/git")
  std::string link_target;  // of a symlink
  timespec mtime{};         // of a symlink
  std::shared_ptr<const ScannedFile> scan;  // of a regular file, as ExtractOptions::scan asks
};

struct ExtractResult {
  std::vector<ExtractedFile> files;  // every entry written, directories included
  size_t skipped_outside_opt = 0;    // payload entries that land nowhere (not under /opt/, no rule)
  std::vector<std::string> skipped_paths;  // the first few of them, for messages
  size_t dropped_setid = 0;          // files whose setuid/setgid bits were dropped
  size_t skipped_docs = 0;           // doc files left out because of nodocs
  size_t merged_aliases = 0;         // symlinks the path map made point at themselves, left out
  // Files placed from the expanded cache by link_mode: as hard links of its
  // files, as clones of them, or copied where that mode could not place them.
  size_t hardlinked = 0;
  size_t cloned = 0;
  size_t link_copied = 0;
};

// Extracts RPM_PATH (header already read into INFO) into STAGE_DIR. Existing
// content of STAGE_DIR is kept (several packages share it). Hostile entries
// (.., absolute escapes, symlinked parents, devices, fifos) are refused with an
// Error naming the package and the entry; nothing outside STAGE_DIR is touched,
// and nothing is written through a symlink. A path another package already put
// in STAGE_DIR is fine when both agree (same file content, same symlink target,
// both directories); otherwise it is an Error naming both packages. %ghost
// files are not created; setuid/setgid bits are dropped (Lambda runs
// unprivileged). Source packages are refused.
ExtractResult extract_rpm(const std::string& rpm_path, const RpmHeaderInfo& info, const std::string& stage_dir,
                          const ExtractOptions& options, Reporter& reporter = null_reporter());

// The expanded cache's replay: a plain cpio of INFO's package's payload (as
// install/'s cache stores it), read from FD's current position to its end
// and extracted as extract_rpm extracts the RPM's own (the same checks
// against INFO). With a LINK_MODE other than kCopy its regular entries carry
// no data: OPEN_BLOB opens each one's content (by payload path,
// "/usr/bin/git"), hard-linked (kHardlink) or cloned (kReflink) into place,
// and copied where that cannot be done.
struct CachedPayload {
  LinkMode link_mode = LinkMode::kCopy;
  std::function<UniqueFd(const std::string& path)> open_blob;
};
ExtractResult extract_cached_payload(int fd, const RpmHeaderInfo& info, const std::string& stage_dir,
                                     const ExtractOptions& options, const CachedPayload& cached = {});

}  // namespace yumda
