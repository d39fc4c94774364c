// Internal to extract/: the payload extractor, one object per package.
// extract.cpp reads the payload (libarchive, or rpm's reader for stripped
// cpio), place.cpp puts each entry where it belongs in the stage (paths,
// directories, symlinks, hardlink sets, conflicts), file_data.cpp writes a
// regular file's content (from the payload, or the expanded cache's files in
// the link modes).
#pragma once
#include <archive.h>
#include <fcntl.h>
#include <sys/types.h>
#include <unistd.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "extract/payload.hpp"
#include "yumda/error.hpp"
#include "yumda/extract.hpp"
#include "yumda/fs.hpp"

namespace yumda::detail {

// An uncompressed payload in a regular file (the expanded-package cache):
// file data can be copied inside the kernel, from where the entry's data lies.
struct DirectSource {
  int fd = -1;
  off_t base = 0;  // file offset of the payload's first byte
  archive* a = nullptr;
};

inline std::string join(const std::vector<std::string>& parts, size_t begin, size_t end) {
  std::string out;
  for (size_t i = begin; i < end; ++i) {
    if (!out.empty()) out += '/';
    out += parts[i];
  }
  return out;
}

struct Timestamp {
  time_t sec = 0;
  long nsec = 0;
};

// One payload entry, whichever reader produced it.
struct Entry {
  std::string name;  // "./opt/bin/git" (cpio) or "/opt/bin/git" (rpm's reader)
  mode_t type = 0;   // S_IFREG, S_IFDIR, S_IFLNK, ...
  uint32_t perm = 0;
  unsigned nlink = 1;
  int64_t size = 0;  // bytes of data that follow in the payload
  Timestamp mtime;
  std::string symlink;   // target, for symlinks
  std::string hardlink;  // name of the first entry of the hardlink set this one joins
};
// Reads the current entry's data: bytes read, 0 at its end; throws on errors.
using ReadData = std::function<size_t(char* buf, size_t len)>;

// One place a regular file's content ends up (several for a hardlink set).
struct FileTarget {
  std::shared_ptr<const UniqueFd> parent;  // shared with the directory cache
  std::string name;                        // last component
  std::string rel;                         // relative to STAGE_DIR
  std::string from;                        // the payload path, when relocated
};

// A regular file's content before it has a name: an O_TMPFILE inode where the
// filesystem has them (nothing to unlink afterwards, and no lock taken on a
// shared directory while parallel extractors write), else a named temporary
// file in STAGE_DIR, unlinked when the owner goes away. Only a complete file is
// linked to its name(s), so another package meeting it sees whole content, and
// hardlink sets in cpio carry their data with the last link, so a set can only
// be placed once the whole archive has been read.
struct PendingFile {
  UniqueFd fd;
  int tmp_dir = -1;      // with tmp_name: the named fallback
  std::string tmp_name;  // empty for an O_TMPFILE inode
  uint32_t mode = 0;
  uint64_t size = 0;
  bool elf = false;
  Timestamp mtime;
  std::vector<FileTarget> targets;
  unsigned links_seen = 1;  // of a hardlink set: placed (and its fd closed) once all nlink have come
  unsigned nlink = 1;
  bool borrowed = false;  // fd is the expanded cache's own file (link_mode=hardlink): never written
  std::shared_ptr<const ScannedFile> scan;  // what relocation's scan saw of the content written

  PendingFile() = default;
  PendingFile(PendingFile&& o) noexcept
      : fd(std::move(o.fd)), tmp_dir(std::exchange(o.tmp_dir, -1)), tmp_name(std::move(o.tmp_name)), mode(o.mode),
        size(o.size), elf(o.elf), mtime(o.mtime), targets(std::move(o.targets)), links_seen(o.links_seen),
        nlink(o.nlink), borrowed(o.borrowed), scan(std::move(o.scan)) {}
  PendingFile& operator=(PendingFile&& o) noexcept {
    if (this != &o) {
      remove_name();
      fd = std::move(o.fd);
      tmp_dir = std::exchange(o.tmp_dir, -1);
      tmp_name = std::move(o.tmp_name);
      mode = o.mode;
      size = o.size;
      elf = o.elf;
      mtime = o.mtime;
      targets = std::move(o.targets);
      links_seen = o.links_seen;
      nlink = o.nlink;
      borrowed = o.borrowed;
      scan = std::move(o.scan);
    }
    return *this;
  }
  ~PendingFile() { remove_name(); }
  void remove_name() {
    if (tmp_dir >= 0 && !tmp_name.empty()) unlinkat(tmp_dir, tmp_name.c_str(), 0);
    tmp_dir = -1;
  }

  // Gives the content the name NAME in PARENT; errno is set on failure.
  bool link_to(int parent, const char* name) const {
    if (!tmp_name.empty()) return linkat(tmp_dir, tmp_name.c_str(), parent, name, 0) == 0;
    // An unnamed inode is linked through its /proc magic link (AT_EMPTY_PATH
    // would need CAP_DAC_READ_SEARCH, which user namespaces lack).
    const std::string self = "/proc/self/fd/" + std::to_string(fd.get());
    return linkat(AT_FDCWD, self.c_str(), parent, name, AT_SYMLINK_FOLLOW) == 0;
  }
};

class Extractor {
 public:
  Extractor(const PayloadSource& source, const std::string& stage_dir, const ExtractOptions& options);
  bool run_libarchive(int fd, off_t start);
  void run_rpm_reader(int fd);
  ExtractResult run(int fd);

 private:
  [[noreturn]] void fail(const std::string& what) const { throw Error("package " + source_.package + ": " + what); }
  [[noreturn]] void fail_tmp() const {
    fail("cannot create a file in the staging directory: " + errno_text(errno));
  }
  [[noreturn]] void fail_archive(archive* a, const std::string& what) const {
    const char* msg = archive_error_string(a);
    fail(what + " (" + (msg ? msg : "libarchive error") + ")");
  }
  std::string owner(const std::string& rel) const {
    std::string o = options_.owner_of ? options_.owner_of(rel) : "";
    return o.empty() ? "an earlier package" : "package " + o;
  }
  [[noreturn]] void conflict(const std::string& rel, const std::string& what) const {
    throw StagedConflict(what + " /opt/" + rel + " conflicts between " + owner(rel) + " and package " + source_.package,
                         what, rel, source_.package);
  }

  // place.cpp
  std::vector<std::string> split_name(const std::string& raw) const;
  UniqueFd open_dir(const std::vector<std::string>& parts, size_t n, const std::string& display);
  const RpmFileEntry* header_entry(const std::vector<std::string>& parts) const;
  void handle_entry(const Entry& entry, const ReadData& read);
  void check_against_header(const Entry& entry, const std::vector<std::string>& parts, const std::string& display);
  bool place(const std::vector<std::string>& parts, const std::string& display, std::vector<std::string>& rel_parts);
  void skipped(const std::string& display);
  bool aliases_itself(const Entry& entry, const std::string& display, const std::string& rel) const;
  void claim(const std::string& rel, const std::string& display);
  FileTarget target(const std::vector<std::string>& rel_parts, const std::string& rel, const std::string& display);
  std::shared_ptr<const UniqueFd> parent_dir(const std::vector<std::string>& rel_parts, const std::string& display);
  void add_link(const Entry& entry, const ReadData& read, const std::vector<std::string>& rel_parts,
                const std::string& rel, const std::string& display, bool keep);
  static bool same_content(int a_fd, int b_fd);
  void place_file(PendingFile& p);
  static bool as_stored(const PendingFile& p);
  void make_directory(const Entry& entry, const std::vector<std::string>& rel_parts, const std::string& rel,
                      const std::string& display);
  void make_symlink(const Entry& entry, const std::vector<std::string>& rel_parts, const std::string& rel,
                    const std::string& display);

  // file_data.cpp
  PendingFile start_file(const Entry& entry, const ReadData& read, const std::string& display);
  void open_tmp(PendingFile& p);
  bool start_from_blob(const Entry& entry, const std::string& display, PendingFile& p);
  void copy_whole(int from, PendingFile& p, const std::string& display);
  void detach(PendingFile& p, const std::string& display);
  void write_data(const Entry& entry, const ReadData& read, PendingFile& p);
  void write_loop(const ReadData& read, PendingFile& p, uint64_t declared, const std::string& display,
                  PathScanner* scanner = nullptr);
  bool copy_direct(const std::string& display, PendingFile& p, uint64_t len);
  void copy_scanned(const std::string& display, PendingFile& p, uint64_t len, PathScanner& scanner);
  ReadData pread_data(int fd, off_t& at, std::string what) const;
  off_t direct_data_offset() const;
  bool copy_range(int from, off_t src, int to, uint64_t len, const std::string& display) const;

  const PayloadSource& source_;
  const ExtractOptions& options_;
  UniqueFd root_;  // declared before sets_: their temp files are unlinked through it
  DirectSource* direct_ = nullptr;  // set while an uncompressed payload is read
  std::string reading_;             // the entry whose data is being read
  const bool have_proc_ = access("/proc/self/fd", X_OK) == 0;
  bool use_tmpfile_ = source_.use_tmpfile && have_proc_;  // linked through /proc
  bool can_clone_ = true;  // until FICLONE fails on this file system
  std::shared_ptr<const UniqueFd> last_dir_;
  std::string last_dir_rel_;
  std::unordered_map<std::string, const RpmFileEntry*> header_files_;
  std::map<std::string, PendingFile> sets_;  // hardlink sets by the first link's archive name
  std::unordered_map<std::string, std::string> claimed_;  // non-directory places -> payload path
  std::string from_;  // the current entry's payload path, when relocated
  unsigned long tmp_counter_ = 0;
  ExtractResult result_;
};

}  // namespace yumda::detail
