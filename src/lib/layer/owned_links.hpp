// The one case where yumda writes through a symlink in a layer (issue #14):
// a directory symlink a package owns (`lib -> lib64`) that leads to a
// directory beneath the layer. rpm follows such a link (after CVE-2021-35939
// only one owned as its target is); a planted link, one leading out of the
// layer, or a chain that does, is never followed. Resolution is done here,
// component by component beneath the layer's fd, never on the host path.
#pragma once
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "yumda/layer.hpp"

namespace yumda::detail {

// Where a symlink at LINK (relative to ROOT, which Lambda mounts at /opt)
// with TARGET leads, relative to ROOT, when that is strictly beneath ROOT:
// "lib64" for lib -> lib64, -> /opt/lib64 or -> ./lib64. nullopt for /etc,
// ../../etc, /opt itself, or a '..' after a name in TARGET (what it means
// depends on whether that name is itself a symlink).
std::optional<std::string> link_beneath(const std::string& link, const std::string& target);

// Resolves paths of ROOT (and of the transaction's stage, looked at first)
// through the symlinks that may be followed: any in the stage (a package of
// this transaction made it) and, in ROOT, those at a path OWNED names.
class OwnedLinks {
 public:
  OwnedLinks(int stage_fd, int root_fd, const std::map<std::string, std::string>& owned)
      : stage_fd_(stage_fd), root_fd_(root_fd), owned_(owned) {}
  // DIR with the followable symlinks on its way followed ("lib/x" -> "lib64/x").
  // At a symlink that may not be followed the rest is kept as it is (the
  // strict code after it refuses or skips); WHY (when given) then says why.
  std::string resolve_dir(const std::string& dir, std::string* why = nullptr);
  // A file REL as a package names it: its directory resolved, its name kept
  // (removing "lib" removes the symlink, never what it points to).
  std::string place(const std::string& rel);

 private:
  enum class Kind { kMissing, kDir, kOther, kLink, kForeignLink };
  Kind look(const std::string& rel, std::string& target) const;

  int stage_fd_;
  int root_fd_;
  const std::map<std::string, std::string>& owned_;
  std::map<std::string, std::pair<std::string, std::string>> cache_;  // dir -> (resolved, why)
};

// Creates the transaction's symlinks (LINKS, deferred by the extractor) in
// the stage at STAGE_FD, then folds every staged directory that sits where a
// followable symlink is (this transaction's or, in ROOT, an owned one) into
// the directory it leads to: what packages install through lib/ lands in
// lib64/. Throws Error (ROOT untouched) for a symlink leading out of the
// layer with entries staged through it, a conflict between two packages'
// entries that meet in the target, or a symlink over a file.
// OWNER_OF names the package of a staged path, for messages.
void place_staged_links(int stage_fd, int root_fd, std::vector<StagedSymlink> links,
                        const std::map<std::string, std::string>& owned,
                        const std::function<std::string(const std::string&)>& owner_of);

}  // namespace yumda::detail
