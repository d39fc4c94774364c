// The layer directory: what is installed (ROOT/.yumda/installed.json), the lock
// that keeps two runs apart, and the transaction that changes ROOT all or nothing.
#pragma once
#include <cstdint>
#include <ctime>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "yumda/fs.hpp"
#include "yumda/nevra.hpp"
#include "yumda/package.hpp"
#include "yumda/relocate.hpp"

namespace yumda {

struct InstalledPackage : PackageCore {
  bool user_installed = true;
  std::vector<std::string> files;  // relative to ROOT, sorted (save() sorts them)
  // Relocation: where each moved file was in the payload ("bin/git" ->
  // "/usr/bin/git"), the files whose content or target was rewritten (with
  // both digests, so `check` tells a relocated file from a tampered one), and
  // the paths that could not be rewritten. Empty for /opt-built packages.
  std::map<std::string, std::string> moved_from;
  std::vector<RewrittenFile> rewritten;
  std::vector<std::string> unrewritable;
};

// One package a transaction changed, as `dnf history info` lists it.
struct HistoryItem {
  // Install, Upgrade, Upgraded (the version it replaced), Downgrade,
  // Downgraded, Reinstall, Removed, Obsoleted.
  std::string action;
  Nevra nevra;
  bool user_installed = false;  // the reason: asked for by the user, or a dependency
};

// One committed transaction of the layer.
struct HistoryEntry {
  uint64_t id = 0;      // 1, 2, ...: never reused, even once old entries are dropped
  uint64_t time = 0;    // seconds since the epoch
  std::string command;  // "install git", "remove jq", "history undo 2"
  std::vector<HistoryItem> items;  // sorted by name
};

// ROOT/.yumda/installed.json. A missing file is an empty layer. The history
// lives in the same file, so one rename commits both: they never disagree.
class LayerState {
 public:
  static LayerState load(const std::string& root);  // throws Error on a corrupt file
  void save(const std::string& root) const;          // atomic
  // ROOT/.yumda/installed.json
  static std::string path(const std::string& root);
  // Reads one state file; a missing file is an empty state. Throws Error
  // naming FILE when it is corrupt or from a newer format.
  static LayerState load_file(const std::string& file);
  // TEXT read from FILE (named in errors).
  static LayerState parse(const std::string& text, const std::string& file);
  // The file's text: {"format_version": 1, "packages": [...]} sorted by name.
  std::string to_json() const;
  std::vector<InstalledPackage>& packages() { return packages_; }
  const std::vector<InstalledPackage>& packages() const { return packages_; }
  const InstalledPackage* find(const std::string& name) const;
  // Every recorded path -> the NEVRA of a package that records it.
  std::map<std::string, std::string> owners() const;
  // The layer's transactions, oldest first (at most kMaxHistory of them).
  static constexpr size_t kMaxHistory = 100;
  const std::vector<HistoryEntry>& history() const { return history_; }
  const HistoryEntry* find_transaction(uint64_t id) const;
  // Takes BEFORE's history and appends the entry that turns BEFORE into this
  // state (at time NOW, for COMMAND); REPLACES maps each new package (NEVRA
  // string) to the packages the plan took out for it (reinstalled, or
  // obsoleted when their name is gone). As dnf lists them, the rows of what
  // a package took out follow its own (Upgrade, Upgraded, Obsoleted).
  // Appends nothing when no package changed (a `mark`).
  void record(const LayerState& before, const std::string& command,
              const std::map<std::string, std::vector<Nevra>>& replaces, uint64_t now);

 private:
  std::vector<InstalledPackage> packages_;
  std::vector<HistoryEntry> history_;
};

// The one timestamp of every zip entry and of the SBOM, the same for the
// same layer: SOURCE_DATE_EPOCH when set, else the newest buildtime of
// PACKAGES, else 1980-01-01 (zip's epoch). Throws UsageError when
// SOURCE_DATE_EPOCH is not a number of seconds.
int64_t reproducible_mtime(const std::vector<InstalledPackage>& packages);

// flock() on ROOT/.yumda/lock (created, with ROOT/.yumda, if missing). With
// WAIT, blocks until the other run is done (Ctrl-C still interrupts); else
// throws Error "layer ROOT is in use by another yumda run (pid N); wait for it
// or drop --nowait". Released when the object goes away.
class LayerLock {
 public:
  LayerLock(const std::string& root, bool wait);
  ~LayerLock();
  LayerLock(const LayerLock&) = delete;
  LayerLock& operator=(const LayerLock&) = delete;

 private:
  UniqueFd fd_;
};

// A symlink a package of a transaction ships; the extractor leaves it to
// LayerTransaction::place_symlinks(), so that packages extracted in parallel
// never meet one another's symlinks.
struct StagedSymlink {
  std::string path;     // relative to ROOT, as the package names it
  std::string target;   // as the package ships it
  std::string package;  // NEVRA, for messages
  timespec mtime{};
};

// Stages files in ROOT/.yumda/txn/stage, then commits by journal:
//   1. stage everything (stage_dir()), write the new state;
//   2. commit(): write ROOT/.yumda/txn/COMMIT (the point of no return), then move
//      each staged entry into ROOT and the state into place, then drop txn/.
// recover() at the start of every run finishes a committed transaction or
// throws away an uncommitted one, so a kill -9 at any moment leaves ROOT as it
// was before or as it is after. Hold the LayerLock around all of it.
// commit() refuses, before the commit point (ROOT untouched), a staged file
// where ROOT has a directory, a staged directory where ROOT has a file or a
// symlink (unless replace_paths() allows it), and a staged .yumda. Staged directories get their staged mode in
// ROOT. A path both staged and in remove_paths() keeps the staged copy; a
// removed directory goes only once empty. Nothing in ROOT is followed through
// a symlink, except a directory symlink a package owns (own_paths()) that
// leads to a directory beneath ROOT, as rpm follows one (docs/robustness.md).
// An Error after the commit point says to rerun (recover finishes).
class LayerTransaction {
 public:
  explicit LayerTransaction(const std::string& root);  // recovers, then starts fresh
  ~LayerTransaction();  // rolls back unless committed
  LayerTransaction(const LayerTransaction&) = delete;
  LayerTransaction& operator=(const LayerTransaction&) = delete;

  const std::string& stage_dir() const { return stage_; }
  // Paths (relative to ROOT) to delete at commit, for remove/upgrade.
  void remove_paths(const std::vector<std::string>& paths);
  // Paths the outgoing packages of an upgrade own: one of them may change
  // between directory and file or symlink (as rpm -U allows); a directory only
  // when all it holds is removed in the same commit.
  void replace_paths(const std::vector<std::string>& paths);
  // What the layer's packages own before this change (path -> NEVRA): a
  // symlink in ROOT at one of these paths that leads to a directory beneath
  // ROOT is followed by the staged entries and removals named through it.
  void own_paths(std::map<std::string, std::string> owners);
  // Creates the packages' symlinks in the stage once all are extracted, and
  // moves what was staged through a followable symlink (this transaction's,
  // or an owned one in ROOT) to where it leads (lib/x -> lib64/x). Throws
  // Error naming both packages for a symlink leading out of the layer that
  // something is installed through, or entries that conflict where they meet.
  // OWNER_OF names the package of a staged path.
  void place_symlinks(std::vector<StagedSymlink> links, const std::function<std::string(const std::string&)>& owner_of);
  // Where each of PATHS (as packages name them) is in the stage and will be
  // in ROOT, the followable symlinks on the way followed.
  std::vector<std::string> placed(const std::vector<std::string>& paths) const;
  void commit(const LayerState& new_state);

  static void recover(const std::string& root);
  // Whether ROOT holds an unfinished change (.yumda/txn) for recover() to
  // finish or drop; looked at without following a symlink.
  static bool pending(const std::string& root);

 private:
  std::string root_;
  std::string txn_;
  std::string stage_;
  std::vector<std::string> removals_;
  std::set<std::string> replaceable_;
  std::map<std::string, std::string> owned_;
  bool committed_ = false;
};

// Checks ROOT before any work: creates it when missing (parent must exist),
// refuses a file or an unwritable directory with a message naming it.
void prepare_root(const std::string& root);

}  // namespace yumda
