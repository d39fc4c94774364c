// All-or-nothing changes to ROOT by journal. Everything is prepared under
// ROOT/.yumda/txn/ (stage tree, removal list, new state), conflicts are checked,
// then txn/COMMIT is written: before it ROOT is untouched, after it apply() is
// re-runnable, so recover() can always finish a killed run. Every move into ROOT
// goes through directory fds opened with O_NOFOLLOW, so a symlink in ROOT can
// never redirect a write outside it.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <stdio.h>  // renameat2

#include <algorithm>
#include <cerrno>
#include <nlohmann/json.hpp>
#include <set>

#include "layer/layer_dirs.hpp"
#include "layer/owned_links.hpp"
#include "layer/txn_hook.hpp"
#include "yumda/error.hpp"
#include "yumda/layer.hpp"

namespace yumda {

namespace detail {
namespace {
TxnStepHook g_hook = nullptr;
}  // namespace
void set_txn_step_hook(TxnStepHook hook) { g_hook = hook; }
}  // namespace detail

namespace {

using detail::list_dir;

constexpr const char* kCommitName = "COMMIT";
constexpr const char* kStateName = "installed.json";
constexpr const char* kRemovalsName = "removals.json";

struct StepCounter {
  int n = 0;
  void operator()() {
    ++n;
    if (detail::g_hook) detail::g_hook(n);
  }
};

std::string join(const std::string& rel, const std::string& name) { return rel.empty() ? name : rel + "/" + name; }

UniqueFd open_dir_at(int dirfd, const char* name) {
  return UniqueFd(openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
}

UniqueFd open_dir(const std::string& path, const std::string& what) {
  UniqueFd fd(open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd) throw Error("cannot open " + what + " " + path + ": " + errno_text(errno));
  return fd;
}

const char* kind(mode_t m) {
  if (S_ISDIR(m)) return "a directory";
  if (S_ISLNK(m)) return "a symlink";
  if (S_ISREG(m)) return "a file";
  return "a special file";
}

// What an upgrade may change the type of: paths the outgoing packages own
// (rpm -U turns a file into a directory and back), and what the commit removes.
struct TypeChanges {
  const std::set<std::string>& replaceable;
  const std::set<std::string>& removals;
};

// Whether everything beneath the directory REL (DIR_FD) is being removed, so
// that it is empty when the staged entry takes its place.
bool all_removed(int dir_fd, const std::string& rel, const TypeChanges& tc) {
  for (const auto& e : list_dir(dir_fd, rel)) {
    std::string path = join(rel, e.name);
    if (!tc.removals.count(path)) return false;
    if (S_ISDIR(e.mode)) {
      UniqueFd child = open_dir_at(dir_fd, e.name.c_str());
      if (!child || !all_removed(child.get(), path, tc)) return false;
    }
  }
  return true;
}

// Walks the stage beside ROOT and refuses anything apply() could not do
// cleanly. ROOT_FD is -1 below a directory ROOT does not have yet.
void check_conflicts(int stage_fd, int root_fd, const std::string& rel, const std::string& root,
                     const TypeChanges& tc) {
  for (const auto& e : list_dir(stage_fd, "staged " + (rel.empty() ? std::string(".") : rel))) {
    std::string path = join(rel, e.name);
    if (!S_ISDIR(e.mode) && !S_ISREG(e.mode) && !S_ISLNK(e.mode))
      throw Error("cannot install " + path + ": staged entry is " + kind(e.mode) + " (only files, directories and symlinks go in a layer)");
    struct stat st;
    bool in_root = root_fd >= 0 && fstatat(root_fd, e.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0;
    if (S_ISDIR(e.mode)) {
      if (in_root && !S_ISDIR(st.st_mode) && !tc.replaceable.count(path))
        throw Error("cannot install directory " + path + ": " + root + "/" + path + " is " + kind(st.st_mode) +
                    " in the layer (remove it, or the package that owns it, first)");
      UniqueFd child_stage = open_dir_at(stage_fd, e.name.c_str());
      if (!child_stage) throw Error("cannot open staged directory " + path + ": " + errno_text(errno));
      UniqueFd child_root;
      if (in_root && S_ISDIR(st.st_mode)) {
        child_root = open_dir_at(root_fd, e.name.c_str());
        if (!child_root) throw Error("cannot open " + root + "/" + path + ": " + errno_text(errno));
      }
      check_conflicts(child_stage.get(), child_root.get(), path, root, tc);
    } else if (in_root && S_ISDIR(st.st_mode)) {
      // An upgrade turning a directory into a file or symlink: only when the
      // outgoing package owned it and all it holds goes in this commit.
      UniqueFd old_dir = open_dir_at(root_fd, e.name.c_str());
      if (!tc.replaceable.count(path) || !old_dir || !all_removed(old_dir.get(), path, tc))
        throw Error("cannot install " + path + ": " + root + "/" + path +
                    " is a directory in the layer (remove it, or the package that owns it, first)");
    }
  }
}

// Moves the stage into ROOT. Re-runnable: whatever was moved already is gone
// from the stage, and a stage directory is removed only once it is empty.
void apply_tree(int stage_fd, int root_fd, const std::string& rel, const std::string& root, StepCounter& step) {
  for (const auto& e : list_dir(stage_fd, "staged " + (rel.empty() ? std::string(".") : rel))) {
    std::string path = join(rel, e.name);
    const char* name = e.name.c_str();
    // A path an upgrade changes between directory and not (commit() checked
    // it may): the old entry goes first, a directory only once emptied.
    struct stat st;
    if (fstatat(root_fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode) != S_ISDIR(e.mode)) {
      if (unlinkat(root_fd, name, S_ISDIR(st.st_mode) ? AT_REMOVEDIR : 0) != 0)
        throw Error("cannot replace " + root + "/" + path + ": " + errno_text(errno));
      step();
    }
    if (S_ISDIR(e.mode)) {
      // A directory ROOT lacks moves whole, with its final mode already set.
      if (renameat2(stage_fd, name, root_fd, name, RENAME_NOREPLACE) == 0) {
        step();
        continue;
      }
      if (errno != EEXIST && errno != EINVAL && errno != ENOSYS)
        throw Error("cannot move " + path + " into " + root + ": " + errno_text(errno));
      // 0700 while filling it, so a read-only directory can still receive entries.
      if (mkdirat(root_fd, name, 0700) == 0)
        step();
      else if (errno != EEXIST)
        throw Error("cannot create " + root + "/" + path + ": " + errno_text(errno));
      UniqueFd child_root = open_dir_at(root_fd, name);
      if (!child_root) throw Error("cannot open " + root + "/" + path + ": " + errno_text(errno) + " (not following a symlink)");
      UniqueFd child_stage = open_dir_at(stage_fd, name);
      if (!child_stage) throw Error("cannot open staged directory " + path + ": " + errno_text(errno));
      fchmod(child_stage.get(), (e.mode & 07777) | 0700);
      apply_tree(child_stage.get(), child_root.get(), path, root, step);
      if (fchmod(child_root.get(), e.mode & 07777) != 0)
        throw Error("cannot set the mode of " + root + "/" + path + ": " + errno_text(errno));
      child_stage.reset();
      if (unlinkat(stage_fd, name, AT_REMOVEDIR) != 0)
        throw Error("cannot remove staged directory " + path + ": " + errno_text(errno));
      step();
    } else {
      if (renameat(stage_fd, name, root_fd, name) != 0)
        throw Error("cannot move " + path + " into " + root + ": " + errno_text(errno));
      // Two links of one inode (link_mode=hardlink reinstalling a file the
      // layer has from the same cache entry): rename() does nothing, so the
      // staged name is dropped here.
      if (fstatat(stage_fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && unlinkat(stage_fd, name, 0) != 0)
        throw Error("cannot move " + path + " into " + root + ": " + errno_text(errno));
      step();
    }
  }
}

// Opens the directory holding REL inside ROOT_FD, never through a symlink
// and never out of ROOT (openat2 RESOLVE_BENEATH). Returns an empty fd when a
// component is missing or is not a real directory.
UniqueFd open_parent(int root_fd, const std::string& rel, std::string& leaf) {
  size_t slash = rel.rfind('/');
  if (slash == std::string::npos) {
    leaf = rel;
    return UniqueFd(fcntl(root_fd, F_DUPFD_CLOEXEC, 0));
  }
  leaf = rel.substr(slash + 1);
  return open_beneath(root_fd, rel.substr(0, slash), O_RDONLY | O_DIRECTORY);
}

void apply_removals(int root_fd, const std::vector<std::string>& removals, const std::string& root, StepCounter& step) {
  // Deepest first (reverse byte order puts "a/b" before "a"), so a directory
  // emptied by its own removals can go too.
  std::vector<std::string> sorted = removals;
  std::sort(sorted.rbegin(), sorted.rend());
  for (const auto& rel : sorted) {
    std::string leaf;
    UniqueFd parent = open_parent(root_fd, rel, leaf);
    if (!parent) continue;
    struct stat st;
    if (fstatat(parent.get(), leaf.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
    if (S_ISDIR(st.st_mode)) {
      if (unlinkat(parent.get(), leaf.c_str(), AT_REMOVEDIR) == 0)
        step();
      else if (errno != ENOTEMPTY && errno != EEXIST && errno != ENOENT)
        throw Error("cannot remove " + root + "/" + rel + ": " + errno_text(errno));
    } else if (unlinkat(parent.get(), leaf.c_str(), 0) == 0) {
      step();
    } else if (errno != ENOENT) {
      throw Error("cannot remove " + root + "/" + rel + ": " + errno_text(errno));
    }
  }
}

void sync_dir(int fd, const std::string& path) {
  if (fsync(fd) != 0) throw Error("cannot sync " + path + ": " + errno_text(errno));
}

void check_relative(const std::string& rel) {
  bool bad = rel.empty() || rel.front() == '/' || rel.back() == '/' || rel.find('\0') != std::string::npos;
  size_t start = 0;
  while (!bad && start <= rel.size()) {
    size_t slash = rel.find('/', start);
    if (slash == std::string::npos) slash = rel.size();
    std::string comp = rel.substr(start, slash - start);
    if (comp.empty() || comp == "." || comp == "..") bad = true;
    start = slash + 1;
  }
  if (bad) throw Error("refusing to remove '" + rel + "': not a plain path inside the layer");
  if (rel == ".yumda" || rel.rfind(".yumda/", 0) == 0)
    throw Error("refusing to remove '" + rel + "': it is yumda's own state");
}

// Everything after the commit point; safe to run any number of times.
void apply_journal(const std::string& root, StepCounter& step) {
  std::string meta = root + "/.yumda";
  std::string txn = meta + "/txn";
  // The journal is input like any file in the layer: a forged one must not
  // reach outside ROOT (issue #14), so every name in it is checked and
  // everything is opened beneath ROOT's fd.
  auto dirs = detail::open_layer_dirs(root, /*create=*/false);
  if (!dirs.root || !dirs.meta) throw Error("cannot open layer state directory " + meta + ": " + errno_text(ENOENT));
  UniqueFd& root_fd = dirs.root;
  UniqueFd& meta_fd = dirs.meta;
  UniqueFd txn_fd = open_dir_at(meta_fd.get(), "txn");
  if (!txn_fd) throw Error("cannot open transaction directory " + txn + ": " + errno_text(errno));

  std::vector<std::string> removals;
  std::string removals_path = txn + "/" + kRemovalsName;
  std::string text;
  if (detail::read_beneath(txn_fd.get(), kRemovalsName, detail::kMaxLayerMetaFile, "transaction journal " + removals_path,
                           text)) {
    try {
      removals = nlohmann::json::parse(text).get<std::vector<std::string>>();
    } catch (const nlohmann::json::exception& e) {
      throw Error("transaction journal " + removals_path + " is corrupt: " + e.what() +
                  " (restore the layer from a backup or rebuild it)");
    }
    for (const auto& rel : removals) {
      try {
        check_relative(rel);
      } catch (const Error&) {
        std::string shown = rel.substr(0, 200);
        for (auto& c : shown)
          if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
        throw Error("transaction journal " + removals_path + " names '" + shown +
                    "', which is not a path inside the layer; refusing to apply it (restore the layer from a "
                    "backup or rebuild it)");
      }
    }
  }
  apply_removals(root_fd.get(), removals, root, step);

  UniqueFd stage_fd = open_dir_at(txn_fd.get(), "stage");
  if (stage_fd) {
    apply_tree(stage_fd.get(), root_fd.get(), "", root, step);
    stage_fd.reset();
  }

  // The state goes last: once it is in place, ROOT is the "after" layer.
  if (renameat(txn_fd.get(), kStateName, meta_fd.get(), kStateName) == 0)
    step();
  else if (errno != ENOENT)
    throw Error("cannot move the new layer state into " + meta + ": " + errno_text(errno));
  // Make the moves durable before the journal that could replay them goes.
  syncfs(root_fd.get());
  if (unlinkat(txn_fd.get(), kCommitName, 0) == 0) {
    step();
    sync_dir(txn_fd.get(), txn);
  }
  txn_fd.reset();
  remove_tree(txn);
  step();
}

}  // namespace

LayerTransaction::LayerTransaction(const std::string& root)
    : root_(root), txn_(root + "/.yumda/txn"), stage_(txn_ + "/stage") {
  recover(root_);
  make_dirs(stage_);
}

LayerTransaction::~LayerTransaction() {
  if (committed_) return;  // past the commit point recover() must finish it
  try {
    remove_tree(txn_);
  } catch (...) {
    // Left for the next run's recover(), which deletes an uncommitted txn/.
  }
}

void LayerTransaction::remove_paths(const std::vector<std::string>& paths) {
  for (const auto& p : paths) {
    check_relative(p);
    removals_.push_back(p);
  }
}

void LayerTransaction::replace_paths(const std::vector<std::string>& paths) {
  replaceable_.insert(paths.begin(), paths.end());
}

void LayerTransaction::own_paths(std::map<std::string, std::string> owners) { owned_ = std::move(owners); }

void LayerTransaction::place_symlinks(std::vector<StagedSymlink> links,
                                      const std::function<std::string(const std::string&)>& owner_of) {
  UniqueFd root_fd = open_dir(root_, "layer directory");
  UniqueFd stage_fd = open_dir(stage_, "staging directory");
  // A symlink only the outgoing packages own may turn into a directory
  // (replace_paths): what is staged there is not folded away.
  std::map<std::string, std::string> followable = owned_;
  for (const auto& p : replaceable_) followable.erase(p);
  detail::place_staged_links(stage_fd.get(), root_fd.get(), std::move(links), followable, owner_of);
}

std::vector<std::string> LayerTransaction::placed(const std::vector<std::string>& paths) const {
  UniqueFd root_fd = open_dir(root_, "layer directory");
  UniqueFd stage_fd = open_dir(stage_, "staging directory");
  detail::OwnedLinks links(stage_fd.get(), root_fd.get(), owned_);
  std::vector<std::string> out;
  out.reserve(paths.size());
  for (const auto& p : paths) out.push_back(links.place(p));
  return out;
}

void LayerTransaction::commit(const LayerState& new_state) {
  if (committed_) throw Error("transaction on " + root_ + " was already committed");
  UniqueFd root_fd = open_dir(root_, "layer directory");
  UniqueFd txn_fd = open_dir(txn_, "transaction directory");
  UniqueFd stage_fd = open_dir(stage_, "staging directory");
  struct stat st;
  if (fstatat(stage_fd.get(), ".yumda", &st, AT_SYMLINK_NOFOLLOW) == 0)
    throw Error("a package ships /opt/.yumda, which would overwrite yumda's state in " + root_ +
                " (remove that package from the request)");
  // A removal goes where the path is (through the owned symlinks on its
  // way), resolved now, so the journal names only plain paths of ROOT.
  detail::OwnedLinks in_root(-1, root_fd.get(), owned_);
  // A path both removed and staged is an upgrade keeping the file: drop it
  // from the removals, or a replay after a crash would delete the new copy.
  std::set<std::string> removals;
  for (const auto& p : removals_) {
    const std::string at = in_root.place(p);
    if (fstatat(stage_fd.get(), at.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) removals.insert(at);
  }
  check_conflicts(stage_fd.get(), root_fd.get(), "", root_, TypeChanges{replaceable_, removals});
  stage_fd.reset();

  write_file_atomic(txn_ + "/" + kRemovalsName,
                    nlohmann::json(std::vector<std::string>(removals.begin(), removals.end())).dump() + "\n");
  write_file_atomic(txn_ + "/" + kStateName, new_state.to_json());
  // The staged file data must be on disk before the journal says "apply".
  if (syncfs(txn_fd.get()) != 0) throw Error("cannot sync " + txn_ + ": " + errno_text(errno));

  StepCounter step;
  write_file_atomic(txn_ + "/" + kCommitName, "commit\n");
  sync_dir(txn_fd.get(), txn_);
  committed_ = true;  // the point of no return
  step();
  txn_fd.reset();
  try {
    apply_journal(root_, step);
  } catch (const Error& e) {
    throw Error(std::string(e.what()) + "; the change is committed: fix that and rerun yumda on " + root_ +
                " to finish it");
  }
}

bool LayerTransaction::pending(const std::string& root) {
  auto dirs = detail::open_layer_dirs(root, /*create=*/false);
  struct stat st;
  return dirs.meta && fstatat(dirs.meta.get(), "txn", &st, AT_SYMLINK_NOFOLLOW) == 0;
}

void LayerTransaction::recover(const std::string& root) {
  auto dirs = detail::open_layer_dirs(root, /*create=*/false);
  if (!dirs.meta) return;
  std::string txn = root + "/.yumda/txn";
  UniqueFd txn_fd = open_dir_at(dirs.meta.get(), "txn");
  if (!txn_fd) {
    if (errno == ENOENT) return;
    // A symlink or file planted as txn: ours to drop, never to follow.
    if ((errno == ELOOP || errno == ENOTDIR) && unlinkat(dirs.meta.get(), "txn", 0) == 0) return;
    throw Error("cannot open " + txn + ": " + errno_text(errno));
  }
  struct stat st;
  if (fstatat(txn_fd.get(), kCommitName, &st, AT_SYMLINK_NOFOLLOW) == 0) {
    txn_fd.reset();
    StepCounter step;
    try {
      apply_journal(root, step);
    } catch (const Error& e) {
      throw Error("cannot finish the interrupted change to layer " + root + ": " + e.what());
    }
  } else {
    txn_fd.reset();
    remove_tree(txn);
  }
}

}  // namespace yumda
