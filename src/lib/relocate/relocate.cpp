// The relocation stage: runs between extraction and the layer commit, over
// one package's placed files, with the whole staged layer to look at.
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <set>

#include "yumda/checksum.hpp"
#include "yumda/error.hpp"
#include "yumda/fs.hpp"
#include "yumda/relocate.hpp"

namespace yumda {

namespace {

namespace fs = std::filesystem;


// The directory REL (relative to STAGE) opened without following symlinks.
UniqueFd open_parent(int stage, const std::string& rel) {
  const std::string dir = dir_of(rel);
  open_how how{};
  how.flags = O_DIRECTORY | O_RDONLY | O_CLOEXEC;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
  long fd = syscall(SYS_openat2, stage, dir.empty() ? "." : dir.c_str(), &how, sizeof how);
  if (fd >= 0 || (errno != ENOSYS && errno != EPERM)) return UniqueFd(static_cast<int>(fd));
  UniqueFd cur(fcntl(stage, F_DUPFD_CLOEXEC, 0));  // the walk, for kernels without openat2
  size_t pos = 0;
  while (cur && pos < dir.size()) {
    size_t end = dir.find('/', pos);
    if (end == std::string::npos) end = dir.size();
    const std::string part = dir.substr(pos, end - pos);
    cur.reset(openat(cur.get(), part.c_str(), O_DIRECTORY | O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
    pos = end + 1;
  }
  return cur;
}

// The absolute path a symlink's target names, read where the package put it.
std::string absolute_target(const std::string& link_from, const std::string& target) {
  if (!target.empty() && target[0] == '/') return fs::path(target).lexically_normal().string();
  return (fs::path(dir_of(link_from)) / target).lexically_normal().string();
}

class Relocator {
 public:
  Relocator(const std::string& package, const std::string& stage_dir, const std::string& root, const PathMap& map,
            const Baseline& runtime)
      : package_(package), map_(map), runtime_(runtime), oracle_(layer_oracle({stage_dir, root}, runtime)) {
    stage_.reset(open(stage_dir.c_str(), O_DIRECTORY | O_RDONLY | O_CLOEXEC));
    if (!stage_) fail("cannot open the staging directory " + stage_dir + ": " + errno_text(errno));
  }

  RelocationReport run(const std::vector<PlacedFile>& files) {
    files_ = &files;
    for (const PlacedFile& f : files) {
      if (!f.from.empty() && !S_ISDIR(f.mode)) ++report_.moved;
      if (S_ISLNK(f.mode)) retarget(f);
      else if (S_ISREG(f.mode)) rewrite(f);
    }
    return std::move(report_);
  }

 private:
  [[noreturn]] void fail(const std::string& what) const { throw Error("package " + package_ + ": " + what); }

  // A symlink that pointed at a moved file points at its new place,
  // relatively, so the layer works wherever it is unpacked to /opt.
  void retarget(const PlacedFile& f) {
    UniqueFd parent = open_parent(stage_.get(), f.path);
    if (!parent) fail("cannot open the directory of /opt/" + f.path + ": " + errno_text(errno));
    const std::string name = base_of(f.path);
    std::string target(4096, '\0');
    ssize_t n = readlinkat(parent.get(), name.c_str(), target.data(), target.size());
    if (n < 0) fail("cannot read the symlink /opt/" + f.path + ": " + errno_text(errno));
    target.resize(static_cast<size_t>(n));
    const std::string link_from = f.from.empty() ? "/opt/" + f.path : f.from;
    const std::string abs = absolute_target(link_from, target);
    std::optional<std::string> rel = map_.map(abs);
    std::string next;
    if (!runtime_.has_file(abs) && rel && !rel->empty() && oracle_.in_layer(*rel)) {
      next = fs::path(*rel).lexically_relative(dir_of(f.path).empty() ? "." : dir_of(f.path)).string();
    } else if (target[0] != '/' && !f.from.empty() && abs.rfind("/opt/", 0) != 0) {
      // Not the layer's: a relative link of a moved file keeps naming what
      // it named where the package put it (/usr/share/common-licenses/...).
      next = abs;
    }
    if (next.empty() || next == target) return;
    if (unlinkat(parent.get(), name.c_str(), 0) != 0 || symlinkat(next.c_str(), parent.get(), name.c_str()) != 0)
      fail("cannot rewrite the symlink /opt/" + f.path + ": " + errno_text(errno));
    RewrittenFile r;
    r.path = f.path;
    r.target_shipped = target;
    r.target = next;
    r.paths = 1;
    report_.rewritten.push_back(std::move(r));
  }

  // Whether DATA still holds each of HITS where the scan found it (another
  // package sharing the file may have rewritten it since; then it is
  // scanned again from DATA).
  static bool still_there(const std::string& data, const std::vector<PathHit>& hits) {
    for (const PathHit& h : hits)
      if (h.offset > data.size() || data.compare(h.offset, h.from.size(), h.from) != 0) return false;
    return true;
  }

  void rewrite(const PlacedFile& f) {
    std::vector<PathHit> hits;
    if (f.scan) {
      // Extraction's scan saw the bytes: a file with nothing to rewrite is
      // decided without opening it (a hardlink set counted once).
      const ScannedFile& s = *f.scan;
      if (s.elf || !s.has_nul) hits = hits_of(s.candidates, map_, oracle_);  // other binary data: left alone
      if (hits.empty()) {
        if (scanned_.insert(&s).second) {
          ++report_.files_scanned;
          report_.bytes_scanned += s.size;
        }
        return;
      }
    }
    UniqueFd parent = open_parent(stage_.get(), f.path);
    if (!parent) fail("cannot open the directory of /opt/" + f.path + ": " + errno_text(errno));
    const std::string name = base_of(f.path);
    UniqueFd fd(openat(parent.get(), name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
    struct stat st;
    if (!fd || fstat(fd.get(), &st) != 0) fail("cannot read /opt/" + f.path + ": " + errno_text(errno));
    if (!seen_.insert({st.st_dev, st.st_ino}).second) return;  // a hardlink of a file already done
    std::string data = read_all(fd.get(), static_cast<size_t>(st.st_size), f.path);
    ++report_.files_read;
    report_.bytes_read += data.size();
    const bool elf = data.size() >= 4 && memcmp(data.data(), "\177ELF", 4) == 0;
    if (!elf && memchr(data.data(), '\0', data.size())) return;  // other binary data: left alone
    if (!f.scan || f.scan->size != data.size() || !still_there(data, hits))
      hits = find_path_hits(data, map_, oracle_);
    if (hits.empty()) return;
    RewrittenFile r;
    r.path = f.path;
    r.sha256_shipped = f.sha256.empty() ? string_digest(data, "sha256") : f.sha256;
    RewriteOutcome out = rewrite_paths(data, elf, hits);
    std::set<std::string> told;  // one line per path and file, however often it occurs
    for (const PathHit& h : out.would_grow)
      if (told.insert(h.from).second)
        report_.unrewritable.push_back("/opt/" + f.path + ": " + h.from + " (" + h.to + " is longer)");
    if (out.rewritten == 0) return;
    if (st.st_nlink > 1) {
      // Links beyond this package's own names: with link_mode=hardlink the
      // file is the expanded cache's, which must keep the package's bytes.
      std::vector<std::string> names = staged_names(st);
      if (st.st_nlink > names.size()) replace_all(names, st, data);
      else write_all(parent.get(), name, st, data, out.changed, f.path);
    } else {
      write_all(parent.get(), name, st, data, out.changed, f.path);
    }
    r.sha256 = string_digest(data, "sha256");
    r.paths = out.rewritten;
    report_.rewritten.push_back(std::move(r));
  }

  std::string read_all(int fd, size_t size, const std::string& rel) const {
    std::string data(size, '\0');
    for (size_t done = 0; done < size;) {
      ssize_t n = pread(fd, data.data() + done, size - done, static_cast<off_t>(done));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) fail("cannot read /opt/" + rel + ": " + (n < 0 ? errno_text(errno) : "it shrank"));
      done += static_cast<size_t>(n);
    }
    return data;
  }

  // DATA written at offset AT of FD.
  void write_data(int fd, std::string_view data, size_t at, const std::string& rel) const {
    for (size_t done = 0; done < data.size();) {
      ssize_t n = pwrite(fd, data.data() + done, data.size() - done, static_cast<off_t>(at + done));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) fail("cannot write /opt/" + rel + ": " + errno_text(errno));
      done += static_cast<size_t>(n);
    }
  }

  // Writes DATA over the file in place (its hardlinks see it too), keeping
  // its mode and mtime, so the zip stays the same for the same packages.
  // CHANGED (a binary rewrite's ranges; the size is kept): only those bytes
  // differ from the file, which was just read whole, so only they are written.
  void write_all(int parent, const std::string& name, const struct stat& st, const std::string& data,
                 const std::vector<std::pair<size_t, size_t>>& changed, const std::string& rel) const {
    const bool readonly = (st.st_mode & S_IWUSR) == 0;
    if (readonly && fchmodat(parent, name.c_str(), (st.st_mode & 07777) | S_IWUSR, 0) != 0)
      fail("cannot write /opt/" + rel + ": " + errno_text(errno));
    UniqueFd fd(openat(parent, name.c_str(), O_WRONLY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd) fail("cannot write /opt/" + rel + ": " + errno_text(errno));
    if (!changed.empty() && data.size() == static_cast<size_t>(st.st_size)) {
      for (const auto& [begin, end] : changed)
        write_data(fd.get(), std::string_view(data).substr(begin, end - begin), begin, rel);
    } else {
      write_data(fd.get(), data, 0, rel);
    }
    if (ftruncate(fd.get(), static_cast<off_t>(data.size())) != 0)
      fail("cannot write /opt/" + rel + ": " + errno_text(errno));
    const timespec times[2] = {st.st_mtim, st.st_mtim};
    futimens(fd.get(), times);
    if (readonly) fchmod(fd.get(), st.st_mode & 07777);
  }

  // The package's staged names of ST's inode (a hardlink set's).
  std::vector<std::string> staged_names(const struct stat& st) const {
    std::vector<std::string> names;
    for (const PlacedFile& g : *files_) {
      struct stat gs;
      UniqueFd dir = S_ISREG(g.mode) ? open_parent(stage_.get(), g.path) : UniqueFd();
      if (dir && fstatat(dir.get(), base_of(g.path).c_str(), &gs, AT_SYMLINK_NOFOLLOW) == 0 &&
          gs.st_dev == st.st_dev && gs.st_ino == st.st_ino)
        names.push_back(g.path);
    }
    return names;
  }

  // DATA as a new inode (ST's mode and mtime) under each of NAMES, leaving
  // the old inode to its other links.
  void replace_all(const std::vector<std::string>& names, const struct stat& st, const std::string& data) const {
    const std::string tmp = ".yumda-relocate-" + std::to_string(getpid());
    const std::string made = tmp + ".new";  // the new inode's name until every name has it
    UniqueFd made_dir;
    for (const std::string& rel : names) {
      UniqueFd dir = open_parent(stage_.get(), rel);
      if (!dir) fail("cannot open the directory of /opt/" + rel + ": " + errno_text(errno));
      if (!made_dir) {
        UniqueFd fd(openat(dir.get(), made.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0600));
        if (!fd) fail("cannot write /opt/" + rel + ": " + errno_text(errno));
        write_data(fd.get(), data, 0, rel);
        const timespec times[2] = {st.st_mtim, st.st_mtim};
        if (fchmod(fd.get(), st.st_mode & 07777) != 0 || futimens(fd.get(), times) != 0)
          fail("cannot write /opt/" + rel + ": " + errno_text(errno));
        made_dir.reset(fcntl(dir.get(), F_DUPFD_CLOEXEC, 0));
      }
      if (linkat(made_dir.get(), made.c_str(), dir.get(), tmp.c_str(), 0) != 0 ||
          renameat(dir.get(), tmp.c_str(), dir.get(), base_of(rel).c_str()) != 0)
        fail("cannot write /opt/" + rel + ": " + errno_text(errno));
    }
    if (made_dir) unlinkat(made_dir.get(), made.c_str(), 0);
  }

  const std::string& package_;
  const PathMap& map_;
  const Baseline& runtime_;
  PathOracle oracle_;
  UniqueFd stage_;
  std::set<std::pair<dev_t, ino_t>> seen_;
  std::set<const ScannedFile*> scanned_;  // decided unread: a hardlink set's names share one
  RelocationReport report_;
  const std::vector<PlacedFile>* files_ = nullptr;  // the package's, while run() goes through them
};

}  // namespace

RelocationReport relocate_files(const std::string& package, const std::string& stage_dir, const std::string& root,
                                const std::vector<PlacedFile>& files, const PathMap& map, const Baseline& runtime) {
  return Relocator(package, stage_dir, root, map, runtime).run(files);
}

}  // namespace yumda
