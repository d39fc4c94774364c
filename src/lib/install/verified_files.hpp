// Files that passed a check in an earlier run, trusted while their stat is
// unchanged (as git's index trusts stat data). Used for the package cache
// (CACHEDIR/verified-packages) and the expanded cache's files
// (CACHEDIR/expanded/verified-files).
#pragma once
#include <sys/stat.h>

#include <map>
#include <mutex>
#include <string>

namespace yumda {

// Kept in a list by file identity: device, inode, size, mtime and ctime. Any
// write to a file, even one that sets its mtime back, changes its ctime, and a
// file replaced by another has another inode, so a changed file is checked
// again. The list is a cache file, untrusted: it only ever says "skip a
// check" for a file whose stat it matches, and yumda writes nothing but the
// list itself.
class VerifiedFiles {
 public:
  explicit VerifiedFiles(std::string path);
  // FILE, unchanged since it passed the checks named by WHAT. The overloads
  // with ST take the stat of a file the caller holds open.
  bool has(const std::string& file, const std::string& what) const;
  bool has(const std::string& file, const std::string& what, const struct stat& st) const;
  void add(const std::string& file, const std::string& what);
  void add(const std::string& file, const std::string& what, const struct stat& st);
  // After yumda itself changed FILE's ctime (a hard link made or dropped):
  // takes its stat again, kept only if device, inode, size and mtime are still
  // those recorded.
  void renew(const std::string& file, const std::string& what);
  // Rewrites the list with what still matches its file (best effort).
  void save() const;

 private:
  static std::string identity(const std::string& file);  // "" when it is not a regular file
  std::string path_;
  mutable std::mutex mu_;
  std::map<std::pair<std::string, std::string>, std::string> entries_;  // (file, what) -> identity
  bool changed_ = false;
};

}  // namespace yumda
