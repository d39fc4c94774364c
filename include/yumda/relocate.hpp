// Relocation: stock packages (files under /usr, /etc, /lib64...) made to work
// from a layer mounted at /opt. Two steps: extraction places each payload path
// where PathMap says ("/usr/bin/git" -> "bin/git"), then relocate_files()
// rewrites the absolute paths compiled into the placed files (ELF strings,
// RPATH/RUNPATH, scripts, configs) and symlink targets to point into /opt,
// where the layer itself provides the target. docs/relocation.md says how and
// where it stops.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "yumda/baseline.hpp"

namespace yumda {

// Where each absolute payload path goes in the layer (relative to its root).
class PathMap {
 public:
  struct Rule {
    std::string from;  // absolute, no trailing slash ("/usr/lib64")
    std::string to;    // relative to the layer root, "" for the root itself ("lib")
  };

  // The standard map: /usr/bin, /usr/sbin, /bin, /sbin -> bin; /usr/lib64,
  // /lib64, /usr/lib/<triplet>, /lib/<triplet>, /usr/lib, /lib -> lib;
  // /usr/libexec -> libexec; /usr/share -> share; /usr/include -> include;
  // /etc -> etc; any other /usr/X -> X; /opt/X -> X. EXTRA rules (--relocate)
  // come first and win over a standard rule for the same prefix.
  static PathMap standard(const std::vector<std::pair<std::string, std::string>>& extra = {});
  // Only /opt/X -> X: what relocate=never installs (the rest is left out).
  static PathMap opt_only();

  // "/usr/bin/git" -> "bin/git", "/opt/share/x" -> "share/x"; nullopt for a
  // path no rule covers (/var, /run, /boot, /tmp...). "/usr" alone -> "".
  std::optional<std::string> map(std::string_view abs) const;
  // The rule covering ABS (the longest matching prefix), or nullptr.
  const Rule* rule_for(std::string_view abs) const;
  const std::vector<Rule>& rules() const { return rules_; }

 private:
  std::vector<Rule> rules_;  // longest `from` first; ties: the earlier added
};

// One absolute path found in a file's bytes that relocation points into /opt.
struct PathHit {
  size_t offset = 0;  // of the path's first byte in the data
  std::string from;   // the part rewritten ("/usr/lib/git-core")
  std::string to;     // what it becomes ("/opt/lib/git-core")
};

// What decides which paths are rewritten: IN_LAYER(rel) says whether the
// layer provides "rel" ("lib/git-core"); IN_RUNTIME(abs) whether the runtime
// does (such paths are never touched).
struct PathOracle {
  std::function<bool(const std::string& rel)> in_layer;
  std::function<bool(const std::string& abs)> in_runtime;
};

// The paths in DATA to rewrite: each absolute path string (starting at a
// token boundary) under a rule of MAP, cut back to its longest leading part
// whose new place the layer provides (deeper than the rule's own directory,
// so "/usr/lib" alone or "/usr/share" alone are never rewritten), and that
// the runtime does not provide. /opt paths are never hits.
std::vector<PathHit> find_path_hits(std::string_view data, const PathMap& map, const PathOracle& oracle);

// An absolute path under a rule of the map (not /opt) at a token boundary of
// a file's bytes: what find_path_hits() decides on, found without the layer.
struct PathCandidate {
  uint64_t offset = 0;        // of its leading '/'
  std::string path;           // trailing slashes dropped ("/usr/lib/git-core")
  bool whole_string = false;  // a NUL right before and right after it
};

// What a scan saw of one file's bytes.
struct ScannedFile {
  uint64_t size = 0;
  bool elf = false;     // starts with the ELF magic
  bool has_nul = false; // some byte is NUL (not text)
  std::vector<PathCandidate> candidates;  // in offset order
};

// Finds the candidates in a file's bytes fed in pieces of any size, as
// extraction writes them, so relocation needs no second pass over the file:
// a path split between two pieces is found as if they were one.
class PathScanner {
 public:
  explicit PathScanner(const PathMap& map);
  void feed(std::string_view piece);
  ScannedFile finish();

 private:
  void end_token(int next);  // NEXT: the byte after the token, -1 at the end
  const PathMap& map_;
  bool second_[256] = {};  // the byte after the leading '/' of a rule
  ScannedFile out_;
  unsigned char magic_[4] = {};
  int prev_ = -1;          // the byte before the current piece, -1 at the start
  bool in_token_ = false;  // a candidate's bytes continue into the next piece
  bool token_after_nul_ = false;
  uint64_t token_at_ = 0;
  std::string token_;
};

// The hits among CANDIDATES (a ScannedFile's), as find_path_hits() decides
// them for the bytes they were found in.
std::vector<PathHit> hits_of(const std::vector<PathCandidate>& candidates, const PathMap& map,
                             const PathOracle& oracle);

struct RewriteOutcome {
  size_t rewritten = 0;               // hits applied
  std::vector<PathHit> would_grow;    // hits left alone: no room in a binary string
  // Binary: the [begin, end) byte ranges changed (the rest, and the size,
  // are as before), so only those need writing. Empty for text.
  std::vector<std::pair<size_t, size_t>> changed;
};

// Applies HITS to DATA. BINARY: each NUL-terminated string holding hits is
// rewritten in place, the rest of the string shifted and the freed bytes set
// to NUL (the file keeps its size and layout), as long as the new string is
// not longer; otherwise (text) each hit is replaced, whatever its length.
RewriteOutcome rewrite_paths(std::string& data, bool binary, const std::vector<PathHit>& hits);

// A file of a package as extraction placed it.
struct PlacedFile {
  PlacedFile() = default;
  PlacedFile(std::string path, std::string from, unsigned mode, bool elf = false,
             std::shared_ptr<const ScannedFile> scan = {}, std::string sha256 = {})
      : path(std::move(path)), from(std::move(from)), mode(mode), elf(elf), scan(std::move(scan)),
        sha256(std::move(sha256)) {}
  std::string path;  // relative to the layer root ("bin/git")
  std::string from;  // where the payload had it ("/usr/bin/git"); "" when it was /opt/PATH
  unsigned mode = 0; // type + permission bits
  bool elf = false;
  // What extraction's scan saw of a regular file's bytes; null where they
  // were not scanned (link modes, unmoved files): relocation reads those.
  std::shared_ptr<const ScannedFile> scan;
  // The package header's sha256 of the content it shipped ("" when its
  // digests are of another kind): the record's sha256_shipped, unhashed.
  std::string sha256;
};

// One file whose content or target relocation changed.
struct RewrittenFile {
  std::string path;            // relative to the layer root
  std::string sha256_shipped;  // of the content as the package shipped it (symlinks: "")
  std::string sha256;          // of the content now in the layer (symlinks: "")
  std::string target_shipped;  // symlinks: the target the package shipped
  std::string target;          // symlinks: the target now
  size_t paths = 0;            // paths rewritten in it
};

struct RelocationReport {
  size_t moved = 0;                  // files placed somewhere other than /opt/<same path>
  size_t files_read = 0;             // regular files read (once each)
  uint64_t bytes_read = 0;
  size_t files_scanned = 0;          // regular files decided on extraction's scan, unread
  uint64_t bytes_scanned = 0;
  std::vector<RewrittenFile> rewritten;
  // "FILE: PATH" for paths that point into the layer but could not be
  // rewritten (a binary string with no room for the longer /opt path).
  std::vector<std::string> unrewritable;
};

// Rewrites FILES (one package's, placed under STAGE_DIR) so their compiled-in
// paths and symlink targets point at where the layer puts things. The layer
// is STAGE_DIR plus ROOT (the committed layer, "" for none): a path counts as
// provided when either has it. Regular files are read once each (a hardlink
// set once); only ELF files and text files (no NUL byte) are rewritten.
// Throws Error naming PACKAGE when a file cannot be read or written.
RelocationReport relocate_files(const std::string& package, const std::string& stage_dir, const std::string& root,
                                const std::vector<PlacedFile>& files, const PathMap& map, const Baseline& runtime);

// The oracle for a layer made of DIRS (looked up in order: a stage dir, then
// the committed layer; "" entries are skipped) and RUNTIME's file list.
// Lookups never leave a dir: a path with ".." or through an absolute symlink
// counts as absent. Answers are cached, so keep it for one run.
PathOracle layer_oracle(std::vector<std::string> dirs, const Baseline& runtime);

}  // namespace yumda
