// Unpacks an RPM's cpio payload into the staging directory with libarchive.
//
// Safety model: every write is made relative to a directory fd that was
// opened inside STAGE_DIR without following any symlink (openat2 with
// RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS, or an O_NOFOLLOW walk), and the final
// component is created with linkat/symlinkat/mkdirat, which never follow it.
// Names with ".." are refused outright. So whatever the payload holds, nothing
// lands outside STAGE_DIR.
#include "yumda/extract.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <linux/fs.h>  // FICLONE
#include <linux/openat2.h>
#include <rpm/rpmfi.h>  // rpmarchive.h needs it first
#include <rpm/rpmtag.h>
#include <rpm/rpmarchive.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <elf.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <unordered_map>
#include <utility>

#include "extract/payload.hpp"
#include "extract/rpm_handles.hpp"
#include "yumda/error.hpp"
#include "yumda/fs.hpp"

namespace yumda {

namespace detail {
namespace {

using ArchiveOwner = c_unique<archive, archive_read_free>;

// libarchive pulls the payload through this, from the fd's current position.
struct ReadState {
  int fd;
  std::vector<char> buf = std::vector<char>(1 << 16);
};

la_ssize_t read_payload(archive* a, void* data, const void** out) {
  auto* st = static_cast<ReadState*>(data);
  for (;;) {
    ssize_t n = read(st->fd, st->buf.data(), st->buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      archive_set_error(a, errno, "%s", errno_text(errno).c_str());
      return -1;
    }
    *out = st->buf.data();
    return n;
  }
}

// Lets libarchive skip data it does not need by seeking; 0 makes it read instead.
la_int64_t skip_payload(archive*, void* data, la_int64_t request) {
  auto* st = static_cast<ReadState*>(data);
  return lseek(st->fd, static_cast<off_t>(request), SEEK_CUR) < 0 ? 0 : request;
}

// An uncompressed payload in a regular file (the expanded-package cache):
// file data can be copied inside the kernel, from where the entry's data lies.
struct DirectSource {
  int fd = -1;
  off_t base = 0;  // file offset of the payload's first byte
  archive* a = nullptr;
};

std::string join(const std::vector<std::string>& parts, size_t begin, size_t end) {
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

  PendingFile() = default;
  PendingFile(PendingFile&& o) noexcept
      : fd(std::move(o.fd)), tmp_dir(std::exchange(o.tmp_dir, -1)), tmp_name(std::move(o.tmp_name)), mode(o.mode),
        size(o.size), elf(o.elf), mtime(o.mtime), targets(std::move(o.targets)), links_seen(o.links_seen),
        nlink(o.nlink), borrowed(o.borrowed) {}
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
  Extractor(const PayloadSource& source, const std::string& stage_dir, const ExtractOptions& options)
      : source_(source), options_(options) {
    root_.reset(open(stage_dir.c_str(), O_DIRECTORY | O_RDONLY | O_CLOEXEC));
    if (!root_) throw Error("cannot open the staging directory " + stage_dir + ": " + errno_text(errno));
    if (source.info)
      for (const RpmFileEntry& f : source.info->files) header_files_.emplace(f.path, &f);
  }

  // Reads a newc cpio payload with libarchive; false when the payload is not
  // a format libarchive knows (rpm's "stripped" cpio), before anything is written.
  bool run_libarchive(int fd, off_t start) {
    ArchiveOwner a(archive_read_new());
    if (!a) throw Error("out of memory starting libarchive");
    // Only the compressors rpm writes: filter_all would also accept lrzip/lzop
    // etc. by running external programs on untrusted data.
    archive_read_support_filter_gzip(a.get());
    archive_read_support_filter_bzip2(a.get());
    archive_read_support_filter_xz(a.get());
    archive_read_support_filter_lzma(a.get());
    archive_read_support_filter_zstd(a.get());
    archive_read_support_format_cpio(a.get());
    ReadState state{fd};
    archive_read_set_read_callback(a.get(), read_payload);
    archive_read_set_skip_callback(a.get(), skip_payload);
    archive_read_set_callback_data(a.get(), &state);
    if (archive_read_open1(a.get()) != ARCHIVE_OK) {
      if (archive_errno(a.get()) == EILSEQ) return false;  // libarchive: "Unrecognized archive format"
      fail_archive(a.get(), "its payload cannot be read");
    }
    DirectSource direct{fd, start, a.get()};
    if (source_.use_copy_range && start >= 0 && archive_filter_code(a.get(), 0) == ARCHIVE_FILTER_NONE)
      direct_ = &direct;
    ReadData read = [&](char* buf, size_t len) {
      la_ssize_t n = archive_read_data(a.get(), buf, len);
      if (n < 0) fail_archive(a.get(), "its payload cannot be read inside " + reading_);
      return static_cast<size_t>(n);
    };
    for (;;) {
      check_interrupt();
      archive_entry* ae = nullptr;
      int r = archive_read_next_header(a.get(), &ae);
      if (r == ARCHIVE_EOF) break;
      if (r != ARCHIVE_OK && r != ARCHIVE_WARN) fail_archive(a.get(), "its payload cannot be read");
      Entry e;
      e.name = archive_entry_pathname(ae) ? archive_entry_pathname(ae) : "";
      e.type = archive_entry_filetype(ae);
      e.perm = archive_entry_perm(ae) & 07777;
      e.nlink = archive_entry_nlink(ae);
      e.size = archive_entry_size(ae);
      e.mtime = {archive_entry_mtime(ae), archive_entry_mtime_nsec(ae)};
      if (const char* t = archive_entry_symlink(ae)) e.symlink = t;
      if (const char* h = archive_entry_hardlink(ae)) e.hardlink = h;
      handle_entry(e, read);
    }
    direct_ = nullptr;
    return true;
  }

  // rpm's own payload reader, for what libarchive cannot read: the "stripped"
  // cpio of RPM v6 packages and of packages with files over 4 GB, whose
  // entries carry only an index into the header's file list.
  void run_rpm_reader(int fd) {
    if (source_.rpm_path.empty() || !source_.info) fail("its payload is not a cpio archive");
    uint64_t offset = 0;
    HeaderPtr h = read_main_header(source_.rpm_path, offset);
    FilesPtr files(rpmfilesNew(nullptr, h.get(), RPMTAG_BASENAMES, RPMFI_FLAGS_QUERY));
    if (!files) fail("its header has no usable file list");
    if (lseek(fd, static_cast<off_t>(offset), SEEK_SET) < 0) fail("cannot read its payload: " + errno_text(errno));
    const std::string compressor = source_.info->payload_compressor.empty() ? "fdio" : source_.info->payload_compressor;
    FdPtr raw(fdDup(fd));
    FdPtr payload(raw ? Fdopen(raw.get(), ("r." + compressor).c_str()) : nullptr);
    if (!payload || Ferror(payload.get())) fail("cannot decompress its " + compressor + " payload");
    raw.release();  // Fdopen took it over
    FiPtr fi(rpmfiNewArchiveReader(payload.get(), files.get(), RPMFI_ITER_READ_ARCHIVE));
    if (!fi) fail("cannot read its payload");
    std::map<int, std::string> first_link;  // hardlink set (its first file index) -> first name seen
    ReadData read = [&](char* buf, size_t len) {
      ssize_t n = rpmfiArchiveRead(fi.get(), buf, len);
      if (n < 0) fail("its payload cannot be read inside " + reading_);
      return static_cast<size_t>(n);
    };
    int rc;
    while ((rc = rpmfiNext(fi.get())) >= 0) {
      check_interrupt();
      Entry e;
      e.name = rpmfiFN(fi.get());
      const rpm_mode_t mode = rpmfiFMode(fi.get());
      e.type = mode & S_IFMT;
      e.perm = mode & 07777;
      e.nlink = rpmfiFNlink(fi.get());
      e.size = rpmfiArchiveHasContent(fi.get()) ? static_cast<int64_t>(rpmfiFSize(fi.get())) : 0;
      e.mtime = {static_cast<time_t>(rpmfiFMtime(fi.get())), 0};
      if (S_ISLNK(mode)) e.symlink = rpmfiFLink(fi.get()) ? rpmfiFLink(fi.get()) : "";
      const int* links = nullptr;
      if (S_ISREG(mode) && e.nlink > 1 && rpmfiFLinks(fi.get(), &links) > 1) {
        auto [it, inserted] = first_link.emplace(links[0], e.name);
        if (!inserted) e.hardlink = it->second;
      }
      handle_entry(e, read);
    }
    if (rc != RPMERR_ITER_END) {
      MallocPtr<char> why(rpmfileStrerror(rc));
      fail(std::string("its payload cannot be read (") + (why ? why.get() : "rpm error") + ")");
    }
  }

  ExtractResult run(int fd) {
    const off_t start = lseek(fd, 0, SEEK_CUR);
    if (!run_libarchive(fd, start)) {
      if (start < 0) fail("its payload is not a cpio archive");
      run_rpm_reader(fd);
    }
    for (auto& [name, pending] : sets_) place_file(pending);
    sets_.clear();
    return std::move(result_);
  }

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

  // "./opt/bin/git" -> {"opt","bin","git"}; ".." anywhere is hostile.
  std::vector<std::string> split_name(const std::string& raw) const {
    std::vector<std::string> parts;
    size_t pos = 0;
    while (pos <= raw.size()) {
      size_t end = raw.find('/', pos);
      if (end == std::string::npos) end = raw.size();
      std::string part = raw.substr(pos, end - pos);
      if (part == "..") fail("entry " + raw + " has a '..' component; refusing to extract it");
      if (!part.empty() && part != ".") parts.push_back(std::move(part));
      pos = end + 1;
    }
    return parts;
  }

  // Opens (creating as needed) the directory made of PARTS[0..n) under the
  // stage root, never following a symlink. DISPLAY names the entry in errors.
  UniqueFd open_dir(const std::vector<std::string>& parts, size_t n, const std::string& display) {
    if (n == 0) return UniqueFd(fcntl(root_.get(), F_DUPFD_CLOEXEC, 0));
    std::string rel = join(parts, 0, n);
    open_how how{};
    how.flags = O_DIRECTORY | O_RDONLY | O_CLOEXEC;
    how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS;
    long fd = source_.use_openat2 ? syscall(SYS_openat2, root_.get(), rel.c_str(), &how, sizeof how) : -1;
    if (fd >= 0) return UniqueFd(static_cast<int>(fd));
    // Missing directories, old kernels (ENOSYS) and seccomp filters (EPERM)
    // all take the walk, which also says precisely what is in the way.
    UniqueFd cur(fcntl(root_.get(), F_DUPFD_CLOEXEC, 0));
    for (size_t i = 0; i < n; ++i) {
      const char* comp = parts[i].c_str();
      int next = openat(cur.get(), comp, O_DIRECTORY | O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
      if (next < 0 && errno == ENOENT) {
        if (mkdirat(cur.get(), comp, 0755) != 0 && errno != EEXIST)
          fail("cannot create /opt/" + join(parts, 0, i + 1) + ": " + errno_text(errno));
        next = openat(cur.get(), comp, O_DIRECTORY | O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
      }
      if (next < 0) {
        int err = errno;
        std::string sub = join(parts, 0, i + 1);
        struct stat st;
        if ((err == ELOOP || err == ENOTDIR) && fstatat(cur.get(), comp, &st, AT_SYMLINK_NOFOLLOW) == 0) {
          if (S_ISLNK(st.st_mode))
            fail("entry " + display + " goes through the symlink /opt/" + sub +
                 "; refusing to write through symlinks");
          conflict(sub, "directory");
        }
        fail("cannot open /opt/" + sub + ": " + errno_text(err));
      }
      cur.reset(next);
    }
    return cur;
  }

  const RpmFileEntry* header_entry(const std::vector<std::string>& parts) const {
    auto it = header_files_.find("/" + join(parts, 0, parts.size()));
    return it == header_files_.end() ? nullptr : it->second;
  }

  void handle_entry(const Entry& entry, const ReadData& read) {
    if (entry.name.empty()) fail("an entry of its payload has no name");
    const std::string& raw = entry.name;
    std::vector<std::string> parts = split_name(raw);
    const std::string display = "/" + join(parts, 0, parts.size());
    check_against_header(entry, parts, display);
    std::vector<std::string> rel_parts;
    if (!place(parts, display, rel_parts)) return;
    if (rel_parts.empty()) return;  // /opt itself (or /usr...): that is STAGE_DIR

    const bool hardlink = !entry.hardlink.empty();
    const mode_t type = entry.type;
    if (!hardlink && type != S_IFREG && type != S_IFDIR && type != S_IFLNK) {
      const char* kind = type == S_IFIFO ? "a fifo" : type == S_IFSOCK ? "a socket" : "a device node";
      fail("entry " + display + " is " + kind + ", which a Lambda layer cannot hold");
    }

    bool keep = true;
    if (const RpmFileEntry* h = header_entry(parts)) {
      if (h->ghost) keep = false;
      if (options_.nodocs && h->doc) {
        keep = false;
        ++result_.skipped_docs;
      }
    }
    const std::string rel = join(rel_parts, 0, rel_parts.size());
    from_ = rel == join(parts, 1, parts.size()) && parts[0] == "opt" ? std::string() : display;
    if (type == S_IFLNK && !hardlink && aliases_itself(entry, display, rel)) {
      ++result_.merged_aliases;  // /lib64/ld.so -> /lib/<triplet>/ld.so: both are lib/ld.so now
      return;
    }
    if (type != S_IFDIR && keep) claim(rel, display);
    if (hardlink) {
      add_link(entry, read, rel_parts, rel, display, keep);
      return;
    }
    if (type == S_IFREG && entry.nlink > 1) {
      // First link of a set: its data may only come with a later link.
      PendingFile pending = start_file(entry, read, display);
      if (keep) pending.targets.push_back(target(rel_parts, rel, display));
      pending.nlink = entry.nlink;
      sets_.insert_or_assign(raw, std::move(pending));
      return;
    }
    if (!keep) return;
    if (type == S_IFDIR) return make_directory(entry, rel_parts, rel, display);
    if (type == S_IFLNK) return make_symlink(entry, rel_parts, rel, display);
    PendingFile pending = start_file(entry, read, display);
    pending.targets.push_back(target(rel_parts, rel, display));
    place_file(pending);
  }

  // As rpm: a payload entry its header does not list ("Archive file not in
  // header"), of another type, or with more data than the header's size is
  // refused, so what lands is what the signed header describes.
  void check_against_header(const Entry& entry, const std::vector<std::string>& parts, const std::string& display) {
    if (!source_.info || !source_.check_header || parts.empty()) return;
    const RpmFileEntry* h = header_entry(parts);
    if (!h) fail("entry " + display + " of its payload is not in its header's file list; refusing it");
    if (entry.hardlink.empty() && (h->mode & S_IFMT) != 0 && (h->mode & S_IFMT) != entry.type)
      fail("entry " + display + " is not of the type its header gives; refusing it");
    if (entry.type == S_IFREG && entry.size > 0 && static_cast<uint64_t>(entry.size) != h->size)
      fail("entry " + display + " has " + std::to_string(entry.size) + " bytes of data where its header says " +
           std::to_string(h->size) + "; refusing it");
  }

  // Where the entry PARTS lands, relative to STAGE_DIR, in REL_PARTS; false
  // (counted as left out) when it lands nowhere.
  bool place(const std::vector<std::string>& parts, const std::string& display, std::vector<std::string>& rel_parts) {
    if (!options_.path_map) {
      const bool lands = source_.keep_top.empty() || (!parts.empty() && parts[0] == source_.keep_top);
      if (lands) rel_parts.assign(parts.begin() + (source_.keep_top.empty() ? 0 : 1), parts.end());
      else if (!parts.empty()) skipped(display);
      return lands;
    }
    std::optional<std::string> rel = options_.path_map->map(display);
    if (!rel) {
      if (!parts.empty()) skipped(display);
      return false;
    }
    rel_parts = split_name(*rel);
    return true;
  }

  void skipped(const std::string& display) {
    if (++result_.skipped_outside_opt <= 3) result_.skipped_paths.push_back(display);
  }

  // A symlink the path map makes point at itself: it joined two directories
  // the map merges (Debian's /lib64/ld-linux-x86-64.so.2 ->
  // /lib/x86_64-linux-gnu/ld-linux-x86-64.so.2, both lib/...), so the file it
  // named is already at its place.
  bool aliases_itself(const Entry& entry, const std::string& display, const std::string& rel) const {
    if (!options_.path_map || entry.symlink.empty()) return false;
    const std::string abs = entry.symlink[0] == '/' ? entry.symlink : display.substr(0, display.rfind('/') + 1) + entry.symlink;
    std::optional<std::string> target = options_.path_map->map(std::filesystem::path(abs).lexically_normal().string());
    return target && *target == rel;
  }

  // Two payload paths of this package that land on one place (/usr/lib/x and
  // /usr/lib64/x) would overwrite each other: an error naming both.
  void claim(const std::string& rel, const std::string& display) {
    auto [it, fresh] = claimed_.emplace(rel, display);
    if (!fresh && it->second != display)
      fail("files " + it->second + " and " + display + " would both be relocated to /opt/" + rel +
           " (add a --relocate rule for one of them)");
  }

  FileTarget target(const std::vector<std::string>& rel_parts, const std::string& rel, const std::string& display) {
    return FileTarget{parent_dir(rel_parts, display), rel_parts.back(), rel, from_};
  }

  // The directory holding REL_PARTS' last component. Payloads list a
  // directory's entries together, so the last one opened is kept.
  std::shared_ptr<const UniqueFd> parent_dir(const std::vector<std::string>& rel_parts, const std::string& display) {
    std::string dir = join(rel_parts, 0, rel_parts.size() - 1);
    if (!last_dir_ || dir != last_dir_rel_) {
      last_dir_ = std::make_shared<const UniqueFd>(open_dir(rel_parts, rel_parts.size() - 1, display));
      last_dir_rel_ = std::move(dir);
    }
    return last_dir_;
  }

  void add_link(const Entry& entry, const ReadData& read, const std::vector<std::string>& rel_parts,
                const std::string& rel, const std::string& display, bool keep) {
    split_name(entry.hardlink);  // refuses ".." in the link target too
    auto it = sets_.find(entry.hardlink);
    if (it == sets_.end()) {
      // The first link did not land (outside /opt): this one stands alone.
      if (!keep) return;
      PendingFile pending = start_file(entry, read, display);
      pending.targets.push_back(target(rel_parts, rel, display));
      place_file(pending);
      return;
    }
    PendingFile& pending = it->second;
    if (entry.size > 0) write_data(entry, read, pending);
    if (keep) pending.targets.push_back(target(rel_parts, rel, display));
    // The set's last link (which carries its data) has come: place it now, so
    // a package of many sets never holds an fd per set (ulimit -n).
    if (++pending.links_seen >= pending.nlink) {
      place_file(pending);
      sets_.erase(it);
    }
  }

  PendingFile start_file(const Entry& entry, const ReadData& read, const std::string& display) {
    PendingFile p;
    if (entry.perm & (S_ISUID | S_ISGID)) ++result_.dropped_setid;
    p.mode = entry.perm & 01777;
    p.mtime = entry.mtime;
    if (source_.open_blob && start_from_blob(entry, display, p)) return p;
    open_tmp(p);
    write_data(entry, read, p);
    return p;
  }

  // A new file in STAGE_DIR for P's content, not yet named.
  void open_tmp(PendingFile& p) {
    if (use_tmpfile_) {
      p.fd.reset(openat(root_.get(), ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600));
      // No O_TMPFILE on this filesystem (or kernel): named files from now on.
      if (!p.fd && errno != EISDIR && errno != EOPNOTSUPP && errno != EINVAL) fail_tmp();
      if (!p.fd) use_tmpfile_ = false;
    }
    for (int attempt = 0; !p.fd; ++attempt) {
      std::string name = ".yumda-extract-" + std::to_string(getpid()) + "-" + std::to_string(tmp_counter_++);
      p.fd.reset(openat(root_.get(), name.c_str(), O_CREAT | O_EXCL | O_RDWR | O_NOFOLLOW | O_CLOEXEC, 0600));
      if (p.fd) {
        p.tmp_dir = root_.get();
        p.tmp_name = std::move(name);
      } else if (errno != EEXIST || attempt > 100) {
        fail_tmp();
      }
    }
  }

  // Link modes: P's content is the expanded cache's file for DISPLAY, that
  // file itself (hardlink) or a clone of it (reflink), else a copy. False for
  // a file the header gives no data, made as any other.
  bool start_from_blob(const Entry& entry, const std::string& display, PendingFile& p) {
    auto it = header_files_.find(display);
    if (it == header_files_.end() || it->second->size == 0) return false;
    if (entry.size != 0) fail("entry " + display + " of the expanded cache carries data of its own; refusing it");
    UniqueFd blob = source_.open_blob(display);
    if (!blob) fail("cannot open the expanded cache's copy of " + display + ": " + errno_text(errno));
    p.size = it->second->size;
    unsigned char magic[SELFMAG];
    p.elf = p.size >= SELFMAG && pread(blob.get(), magic, SELFMAG, 0) == SELFMAG &&
            memcmp(magic, ELFMAG, SELFMAG) == 0;
    if (source_.link_mode == LinkMode::kHardlink && have_proc_) {  // linked through /proc, as O_TMPFILE files
      p.fd = std::move(blob);
      p.borrowed = true;
      return true;
    }
    open_tmp(p);
    if (source_.link_mode == LinkMode::kReflink && can_clone_) {
      if (ioctl(p.fd.get(), FICLONE, blob.get()) == 0) {
        ++result_.cloned;
        return true;
      }
      can_clone_ = false;  // not on this file system (ext4, tmpfs, across mounts): copies from now on
    }
    copy_whole(blob.get(), p, display);
    ++result_.link_copied;
    return true;
  }

  // Copies the whole of FROM (P.size bytes) into P's new file.
  void copy_whole(int from, PendingFile& p, const std::string& display) {
    if (copy_range(from, 0, p.fd.get(), p.size, display)) return;
    off_t off = 0;
    ReadData read = [&](char* buf, size_t len) {
      ssize_t n;
      while ((n = pread(from, buf, len, off)) < 0 && errno == EINTR) {
      }
      if (n < 0) fail("cannot read the expanded cache's copy of " + display + ": " + errno_text(errno));
      off += n;
      return static_cast<size_t>(n);
    };
    reading_ = display;
    write_loop(read, p, p.size, display);
  }

  // P's content as a new file of its own: where the cache's file cannot be
  // linked (another file system, its link limit) or is no longer as the
  // package says (someone changed its mode), which is not ours to change back.
  void detach(PendingFile& p, const std::string& display) {
    UniqueFd blob = std::move(p.fd);
    p.borrowed = false;
    open_tmp(p);
    copy_whole(blob.get(), p, display);
    ++result_.link_copied;
  }

  void write_data(const Entry& entry, const ReadData& read, PendingFile& p) {
    const std::string& display = entry.name;
    if (p.borrowed) fail("entry " + display + " of the expanded cache carries data of its own; refusing it");
    // A later link of a hardlink set may carry the data again: it replaces.
    if (p.size > 0 && (ftruncate(p.fd.get(), 0) != 0 || lseek(p.fd.get(), 0, SEEK_SET) != 0))
      fail("cannot write " + display + ": " + errno_text(errno));
    const uint64_t declared = entry.size > 0 ? static_cast<uint64_t>(entry.size) : 0;
    reading_ = display;  // names the entry if the payload fails under READ
    if (declared > 0 && direct_ && copy_direct(display, p, declared)) return;
    write_loop(read, p, declared, display);
  }

  // Writes DECLARED bytes from READ into P's file.
  void write_loop(const ReadData& read, PendingFile& p, uint64_t declared, const std::string& display) {
    std::vector<char> buf(1 << 16);
    uint64_t total = 0;
    while (total < declared) {
      size_t len = read(buf.data(), static_cast<size_t>(std::min<uint64_t>(buf.size(), declared - total)));
      if (len == 0) break;
      if (total == 0) p.elf = len >= SELFMAG && memcmp(buf.data(), ELFMAG, SELFMAG) == 0;
      size_t done = 0;
      while (done < len) {
        ssize_t n = write(p.fd.get(), buf.data() + done, len - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) fail("cannot write " + display + " into the staging directory: " + errno_text(errno));
        done += static_cast<size_t>(n);
      }
      total += len;
    }
    if (total != declared) fail("its payload ends inside " + display + " (the file is truncated)");
    p.size = total;
  }

  // Copies the current entry's LEN bytes of data straight from the payload
  // file (no trip through user space), then has libarchive skip past them.
  // False, with nothing consumed, where the filesystem cannot do it.
  bool copy_direct(const std::string& display, PendingFile& p, uint64_t len) {
    const off_t src = direct_->base + archive_filter_bytes(direct_->a, 0);  // the format has consumed up to the data
    unsigned char magic[SELFMAG];
    const bool elf = len >= SELFMAG && pread(direct_->fd, magic, SELFMAG, src) == SELFMAG &&
                     memcmp(magic, ELFMAG, SELFMAG) == 0;
    if (!copy_range(direct_->fd, src, p.fd.get(), len, display)) {
      direct_ = nullptr;  // not here: read and write for the rest of the payload
      return false;
    }
    if (archive_read_data_skip(direct_->a) != ARCHIVE_OK) fail_archive(direct_->a, "its payload cannot be read");
    p.elf = elf;
    p.size = len;
    return true;
  }

  // Copies LEN bytes of FROM at SRC to TO inside the kernel; false, with
  // nothing copied, where the file systems cannot.
  bool copy_range(int from, off_t src, int to, uint64_t len, const std::string& display) const {
    for (uint64_t done = 0; done < len;) {
      ssize_t n = copy_file_range(from, &src, to, nullptr, len - done, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && done == 0 && (errno == EXDEV || errno == EINVAL || errno == ENOSYS || errno == EOPNOTSUPP))
        return false;
      if (n < 0) fail("cannot write " + display + " into the staging directory: " + errno_text(errno));
      if (n == 0) fail("its payload ends inside " + display + " (the file is truncated)");
      done += static_cast<uint64_t>(n);
    }
    return true;
  }

  // Same bytes? Used when another package already put a file at the path.
  static bool same_content(int a_fd, int b_fd) {
    struct stat sa, sb;
    if (fstat(a_fd, &sa) != 0 || fstat(b_fd, &sb) != 0 || sa.st_size != sb.st_size) return false;
    std::vector<char> ba(1 << 16), bb(1 << 16);
    for (off_t off = 0; off < sa.st_size;) {
      ssize_t na = pread(a_fd, ba.data(), ba.size(), off);
      ssize_t nb = pread(b_fd, bb.data(), bb.size(), off);
      if (na <= 0 || na != nb || memcmp(ba.data(), bb.data(), static_cast<size_t>(na)) != 0) return false;
      off += na;
    }
    return true;
  }

  void place_file(PendingFile& p) {
    const timespec times[2] = {{p.mtime.sec, p.mtime.nsec}, {p.mtime.sec, p.mtime.nsec}};
    if (p.borrowed && !as_stored(p) && !p.targets.empty()) detach(p, "/opt/" + p.targets.front().rel);
    if (!p.borrowed) {
      if (fchmod(p.fd.get(), p.mode) != 0) fail("cannot set the mode of a file: " + errno_text(errno));
      futimens(p.fd.get(), times);
    }
    for (FileTarget& t : p.targets) {
      const int parent = t.parent->get();
      bool linked = p.link_to(parent, t.name.c_str());
      if (!linked && p.borrowed && errno != EEXIST) {  // another file system, or the cache file's link limit
        detach(p, "/opt/" + t.rel);
        if (fchmod(p.fd.get(), p.mode) != 0) fail("cannot set the mode of a file: " + errno_text(errno));
        futimens(p.fd.get(), times);
        linked = p.link_to(parent, t.name.c_str());
      }
      if (!linked) {
        if (errno != EEXIST) fail("cannot create /opt/" + t.rel + ": " + errno_text(errno));
        struct stat st;
        if (fstatat(parent, t.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0)
          fail("cannot inspect /opt/" + t.rel + ": " + errno_text(errno));
        if (!S_ISREG(st.st_mode)) conflict(t.rel, "file");
        UniqueFd existing(openat(parent, t.name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
        if (!existing || !same_content(p.fd.get(), existing.get())) conflict(t.rel, "file");
      }
      result_.files.push_back({t.rel, S_IFREG | p.mode, p.size, p.elf, t.from, {}, {}});
    }
    if (p.borrowed && !p.targets.empty()) ++result_.hardlinked;
  }

  // Whether the cache's file still has the mode and mtime P needs: they are
  // shared with every layer linked to it, so they are never changed here.
  static bool as_stored(const PendingFile& p) {
    struct stat st;
    return fstat(p.fd.get(), &st) == 0 && (st.st_mode & 07777) == p.mode && st.st_mtim.tv_sec == p.mtime.sec &&
           st.st_mtim.tv_nsec == p.mtime.nsec;
  }

  void make_directory(const Entry& entry, const std::vector<std::string>& rel_parts, const std::string& rel,
                      const std::string& display) {
    std::shared_ptr<const UniqueFd> parent = parent_dir(rel_parts, display);
    const char* name = rel_parts.back().c_str();
    const uint32_t mode = (entry.perm & 0777) | 0700;  // we must be able to write into it
    if (mkdirat(parent->get(), name, mode) != 0 && errno != EEXIST)
      fail("cannot create /opt/" + rel + ": " + errno_text(errno));
    UniqueFd dir(openat(parent->get(), name, O_DIRECTORY | O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
    if (!dir) conflict(rel, "directory");  // a file or symlink from another package is there
    fchmod(dir.get(), mode);
    result_.files.push_back({rel, S_IFDIR | mode, 0, false, from_, {}, {}});
  }

  void make_symlink(const Entry& entry, const std::vector<std::string>& rel_parts, const std::string& rel,
                    const std::string& display) {
    const char* target = entry.symlink.c_str();
    if (!*target) fail("symlink " + display + " has no target");
    const timespec mtime{entry.mtime.sec, entry.mtime.nsec};
    if (options_.defer_symlinks) {
      result_.files.push_back({rel, S_IFLNK | 0777, strlen(target), false, from_, entry.symlink, mtime});
      return;
    }
    std::shared_ptr<const UniqueFd> parent = parent_dir(rel_parts, display);
    const char* name = rel_parts.back().c_str();
    if (symlinkat(target, parent->get(), name) != 0) {
      if (errno != EEXIST) fail("cannot create /opt/" + rel + ": " + errno_text(errno));
      std::string existing(4096, '\0');
      ssize_t n = readlinkat(parent->get(), name, existing.data(), existing.size());
      if (n < 0 || existing.compare(0, static_cast<size_t>(n), target) != 0 ||
          static_cast<size_t>(n) != strlen(target))
        conflict(rel, "symlink");
    }
    const timespec times[2] = {mtime, mtime};
    utimensat(parent->get(), name, times, AT_SYMLINK_NOFOLLOW);
    result_.files.push_back({rel, S_IFLNK | 0777, strlen(target), false, from_, entry.symlink, mtime});
  }

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

}  // namespace

ExtractResult extract_payload_fd(int fd, const PayloadSource& source, const std::string& stage_dir,
                                 const ExtractOptions& options) {
  Extractor extractor(source, stage_dir, options);
  return extractor.run(fd);
}

}  // namespace detail

ExtractResult extract_rpm(const std::string& rpm_path, const RpmHeaderInfo& info, const std::string& stage_dir,
                          const ExtractOptions& options, Reporter& reporter) {
  (void)reporter;  // the caller reports skipped_outside_opt once per package
  const std::string label = info.nevra.str();
  if (info.is_source)
    throw Error("package " + label + " (" + rpm_path + ") is a source package; only binary RPMs can go in a layer");
  if (!info.payload_format.empty() && info.payload_format != "cpio")
    throw Error("package " + label + " has a " + info.payload_format + " payload; only cpio payloads are supported");
  UniqueFd fd(open(rpm_path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) throw Error("cannot open " + rpm_path + ": " + errno_text(errno));
  if (lseek(fd.get(), static_cast<off_t>(info.payload_offset), SEEK_SET) < 0)
    throw Error("cannot read " + rpm_path + ": " + errno_text(errno));
  make_dirs(stage_dir);
  detail::PayloadSource source;
  source.package = label;
  source.info = &info;
  source.rpm_path = rpm_path;
  return detail::extract_payload_fd(fd.get(), source, stage_dir, options);
}

}  // namespace yumda
