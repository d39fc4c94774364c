#include "install/expanded_cache.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <linux/fs.h>  // FICLONE
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "yumda/c_unique.hpp"
#include "yumda/checksum.hpp"
#include "yumda/error.hpp"
#include "yumda/extract.hpp"
#include "yumda/fs.hpp"

namespace yumda {

namespace {

void check(archive* a, int rc, const std::string& what) {
  if (rc < ARCHIVE_OK) throw Error("cannot write " + what + ": " + archive_error_string(a));
}

void write_data(archive* a, const std::string& file, const std::string& what) {
  UniqueFd fd(open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (!fd) throw Error("cannot read " + file + ": " + errno_text(errno));
  char buf[1 << 16];
  for (ssize_t n; (n = read(fd.get(), buf, sizeof buf)) != 0;) {
    if (n < 0) {
      if (errno == EINTR) continue;
      throw Error("cannot read " + file + ": " + errno_text(errno));
    }
    if (archive_write_data(a, buf, static_cast<size_t>(n)) != n) throw Error("cannot write " + what);
  }
}

// A link-mode entry keeps each regular file's content as a file of its own,
// named by the file's index in the header's file list.
std::unordered_map<std::string_view, size_t> header_index(const RpmHeaderInfo& info) {
  std::unordered_map<std::string_view, size_t> index;
  for (size_t i = 0; i < info.files.size(); ++i) index.emplace(info.files[i].path, i);
  return index;
}

// What the replay check may skip: a cached file that passed it in an earlier
// run, while its stat is unchanged. DIR names the entry's files in the list;
// USED collects the (file, what) pairs the check passed; the counts, for -v.
struct Trust {
  VerifiedFiles& verified;
  const std::string& dir;
  std::vector<std::pair<std::string, std::string>>& used;
  size_t trusted = 0, read = 0;
};

// Records FILE (open on FD) as having passed WHAT, unless its stat changed
// from BEFORE while it was read.
void stamp(int fd, const struct stat& before, Trust& trust, const std::string& file, const std::string& what) {
  struct stat after;
  if (fstat(fd, &after) == 0 && file_identity(after) == file_identity(before)) trust.verified.add(file, what, before);
}

// Whether FD, read in full, has DIGEST (of TYPE); stamped as FILE if so.
bool hash_and_stamp(int fd, const struct stat& before, const std::string& type, const std::string& digest,
                    Trust& trust, const std::string& file, const std::string& what, std::vector<char>& buf) {
  Digest d(type);
  for (ssize_t n; (n = read(fd, buf.data(), buf.size())) != 0;) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    d.update(buf.data(), static_cast<size_t>(n));
  }
  if (d.hex() != digest) return false;
  stamp(fd, before, trust, file, what);
  return true;
}

// Whether the file NAME in DIR has H's size and digest. In link_mode=hardlink
// it is also a layer's file, which anyone may have edited since.
bool blob_matches(int dir, const std::string& name, const RpmFileEntry& h, const std::string& digest_type,
                  std::set<std::pair<dev_t, ino_t>>& checked, std::vector<char>& buf, Trust& trust) {
  UniqueFd fd = open_regular(dir, name);
  struct stat st;
  if (!fd || fstat(fd.get(), &st) != 0 || static_cast<uint64_t>(st.st_size) != h.size)
    return false;
  if (checked.count({st.st_dev, st.st_ino})) return true;  // another name of a hardlink set
  const std::string file = trust.dir + "/" + name, what = digest_type + ":" + h.digest;
  if (trust.verified.has(file, what, st))
    ++trust.trusted;
  else if (++trust.read; !hash_and_stamp(fd.get(), st, digest_type, h.digest, trust, file, what, buf))
    return false;
  trust.used.emplace_back(file, what);
  checked.insert({st.st_dev, st.st_ino});
  return true;
}

// Copies FROM into the new file TO: a clone where the file system can.
void clone_or_copy(int from, int to, uint64_t size, const std::string& what) {
  if (ioctl(to, FICLONE, from) == 0) return;
  off_t off = 0;
  copy_in_kernel(from, off, to, size);  // where it stops (EXDEV, EINVAL...), read and write the rest
  char buf[1 << 16];
  while (static_cast<uint64_t>(off) < size) {
    ssize_t n = pread(from, buf, sizeof buf, off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw Error("cannot read " + what + ": " + (n < 0 ? errno_text(errno) : "it shrank"));
    for (ssize_t done = 0; done < n;) {
      ssize_t w = write(to, buf + done, static_cast<size_t>(n - done));
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) throw Error("cannot write " + what + ": " + errno_text(errno));
      done += w;
    }
    off += n;
  }
}

// Whether the cached cpio on FD holds what INFO's header says, file by file:
// every entry a file of the header, regular files of the header's size and
// digest, symlinks to the header's target. A cache is outside the signed
// package: flipped bytes or a cut-short file must not reach a layer. With
// BLOBS (a link-mode entry's directory), regular entries carry no data and
// their content is checked in BLOBS' files instead (skipping those TRUST
// holds unchanged since they passed).
bool replay_matches(int fd, const RpmHeaderInfo& info, Trust& trust, int blobs = -1) {
  std::unordered_map<std::string_view, const RpmFileEntry*> by_path;
  for (const auto& f : info.files) by_path.emplace(f.path, &f);
  std::set<std::pair<dev_t, ino_t>> checked;
  c_unique<archive, archive_read_free> a(archive_read_new());
  archive_read_support_format_cpio(a.get());
  if (archive_read_open_fd(a.get(), fd, 1 << 16) != ARCHIVE_OK) return false;
  archive_entry* e = nullptr;
  std::vector<char> buf(1 << 16);
  for (int rc; (rc = archive_read_next_header(a.get(), &e)) != ARCHIVE_EOF;) {
    if (rc < ARCHIVE_WARN) return false;
    const char* name = archive_entry_pathname(e);
    if (!name || name[0] != '.') return false;
    auto it = by_path.find(std::string_view(name + 1));
    if (it == by_path.end()) return false;
    const RpmFileEntry& h = *it->second;
    if (archive_entry_filetype(e) == AE_IFLNK) {
      const char* target = archive_entry_symlink(e);
      if (!target || h.link_target != target) return false;
    } else if (blobs >= 0 && archive_entry_filetype(e) == AE_IFREG) {
      if (archive_entry_size(e) != 0) return false;
      if (h.size > 0 && (!Digest::known_type(info.file_digest_type) ||
                         !blob_matches(blobs, std::to_string(it->second - info.files.data()), h,
                                       info.file_digest_type, checked, buf, trust)))
        return false;
    } else if (archive_entry_filetype(e) == AE_IFREG && archive_entry_size(e) > 0) {
      if (static_cast<uint64_t>(archive_entry_size(e)) != h.size || !Digest::known_type(info.file_digest_type))
        return false;
      Digest d(info.file_digest_type);
      for (la_ssize_t n; (n = archive_read_data(a.get(), buf.data(), buf.size())) != 0;) {
        if (n < 0) return false;
        d.update(buf.data(), static_cast<size_t>(n));
      }
      if (d.hex() != h.digest) return false;
    }
  }
  return lseek(fd, 0, SEEK_SET) == 0;
}

// A copy-mode entry: the whole cpio, trusted while unchanged, else checked.
bool cpio_matches(int fd, const RpmHeaderInfo& info, Trust& trust) {
  struct stat st;
  if (fstat(fd, &st) != 0) return false;
  const std::string what = "replay:" + info.nevra.str();
  if (trust.verified.has(trust.dir, what, st)) {
    ++trust.trusted;
    return true;
  }
  ++trust.read;
  if (!replay_matches(fd, info, trust)) return false;
  stamp(fd, st, trust, trust.dir, what);
  return true;
}

}  // namespace

ExpandedCache::ExpandedCache(const std::string& cachedir, bool enabled, LinkMode link_mode)
    : cachedir_(cachedir),
      dir_(cachedir + "/expanded"),
      enabled_(enabled),
      link_mode_(link_mode),
      verified_(enabled ? dir_ + "/verified-files" : std::string()) {}

std::string ExpandedCache::path_for(const PackageInfo& pkg, const ExtractOptions& options) const {
  // What was stored depends on which entries landed: docs or not, and only
  // /opt (relocate=never) or every entry the path map places. The link modes
  // keep each file apart (a directory), to be linked or cloned.
  return dir_ + "/" + pkg.checksum_type + "-" + pkg.checksum + (options.nodocs ? ".nodocs" : "") +
         (options.path_map ? "" : ".optonly") + (link_mode_ == LinkMode::kCopy ? ".cpio" : ".files");
}

ExtractResult ExpandedCache::extract(const PackageInfo& pkg, const std::string& rpm_path, const RpmHeaderInfo& info,
                                     const std::string& stage, const ExtractOptions& options) {
  if (!enabled_ || pkg.checksum.empty()) return extract_rpm(rpm_path, info, stage, options);
  std::string cached = path_for(pkg, options);
  const bool linked = link_mode_ != LinkMode::kCopy;
  UniqueFd dir(linked ? open(cached.c_str(), O_DIRECTORY | O_RDONLY | O_CLOEXEC | O_NOFOLLOW) : -1);
  // The cache is input: a link or a fifo planted there is damage, rebuilt.
  UniqueFd fd = linked ? (dir ? open_regular(dir.get(), "payload.cpio") : UniqueFd()) : open_regular(AT_FDCWD, cached);
  std::vector<std::pair<std::string, std::string>> used;
  Trust trust{verified_, cached, used};
  if ((fd || dir || path_exists(cached)) && !(fd && (linked ? replay_matches(fd.get(), info, trust, dir.get())
                                                             : cpio_matches(fd.get(), info, trust)))) {
    std::error_code ec;
    std::filesystem::remove_all(cached, ec);  // damaged: rebuilt from the RPM below
    fd.reset();
  }
  trusted_ += trust.trusted;
  read_ += trust.read;
  if (fd && link_mode_ == LinkMode::kHardlink) {
    std::lock_guard l(linked_mu_);
    linked_.insert(linked_.end(), used.begin(), used.end());
  }
  if (fd) {
    CachedPayload replay;
    const auto index = header_index(info);
    if (linked) {
      replay.link_mode = link_mode_;
      replay.open_blob = [&](const std::string& path) {
        auto it = index.find(path);
        return it == index.end() ? UniqueFd() : open_regular(dir.get(), std::to_string(it->second));
      };
    }
    ExtractResult x = extract_cached_payload(fd.get(), info, stage, options, replay);
    hardlinked_ += x.hardlinked;
    cloned_ += x.cloned;
    link_copied_ += x.link_copied;
    return x;
  }
  ExtractResult x = extract_rpm(rpm_path, info, stage, options);
  try {
    store(pkg, options, info, stage, x);
  } catch (const Error&) {
    // A cache that cannot be written costs speed next time, nothing else.
  }
  return x;
}

void ExpandedCache::finish() {
  // Only yumda's own links changed these files' ctime since they passed;
  // renew() drops any whose size, mtime or inode changed too.
  for (const auto& [file, what] : linked_) verified_.renew(file, what);
  verified_.save();
}

std::string ExpandedCache::check_summary() const {
  if (trusted_ + read_ == 0) return "";
  return "expanded cache: " + std::to_string(trusted_) + " files trusted unchanged since they were checked, " +
         std::to_string(read_) + " read to check them";
}

std::string ExpandedCache::summary() const {
  const size_t copied = link_copied_;
  if (link_mode_ == LinkMode::kHardlink && hardlinked_ + copied > 0)
    return "link_mode=hardlink: " + std::to_string(hardlinked_) + " files hard-linked from the expanded cache" +
           (copied ? ", " + std::to_string(copied) +
                         " copied (the cache is on another file system, or a cached file's mode was changed)"
                   : "");
  if (link_mode_ == LinkMode::kReflink && cloned_ + copied > 0)
    return "link_mode=reflink: " + std::to_string(cloned_) + " files cloned from the expanded cache" +
           (copied ? ", " + std::to_string(copied) + " copied (this file system cannot clone files)" : "");
  return "";
}

// Writes what PKG put in STAGE as an uncompressed newc cpio (the payload's
// names, as in the RPM), to a temp file renamed into place when complete. In
// the link modes the entry is a directory: the cpio (payload.cpio) without
// the regular files' data, and each of them as a file named by its index in
// INFO's file list (a hardlink set's names are links of one file).
void ExpandedCache::store(const PackageInfo& pkg, const ExtractOptions& options, const RpmHeaderInfo& info,
                          const std::string& stage, const ExtractResult& x) {
  make_cache_dirs(cachedir_, "expanded");
  const bool linked = link_mode_ != LinkMode::kCopy;
  std::string final_path = path_for(pkg, options);
  std::string tmp = final_path + ".tmpXXXXXX";
  UniqueFd blobs(linked && mkdtemp(tmp.data()) ? open(tmp.c_str(), O_DIRECTORY | O_RDONLY | O_CLOEXEC) : -1);
  UniqueFd out(linked ? (blobs ? openat(blobs.get(), "payload.cpio", O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600) : -1)
                      : mkostemp(tmp.data(), O_CLOEXEC));
  if (!out) throw Error("cannot write " + tmp + ": " + errno_text(errno));
  bool ok = false;
  struct Cleanup {
    const std::string& path;
    bool& ok;
    ~Cleanup() {
      std::error_code ec;
      if (!ok) std::filesystem::remove_all(path, ec);  // a file, or a link mode's directory
    }
  } cleanup{tmp, ok};
  const auto index = header_index(info);
  std::map<std::pair<dev_t, ino_t>, std::string> blob_of;  // a staged inode -> its first blob's name
  auto put_blob = [&](const std::string& name, const std::string& staged) {
    auto it = index.find(std::string_view(name).substr(1));  // "./usr/bin/git" -> "/usr/bin/git"
    if (it == index.end()) throw Error("cannot store " + name + ": not in its header");
    const std::string blob = std::to_string(it->second);
    UniqueFd in(open(staged.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    struct stat st;
    if (!in || fstat(in.get(), &st) != 0) throw Error("cannot read " + staged + ": " + errno_text(errno));
    if (st.st_size == 0) return;  // an empty file needs no content
    auto [seen, fresh] = blob_of.emplace(std::pair(st.st_dev, st.st_ino), blob);
    if (!fresh) {
      if (linkat(blobs.get(), seen->second.c_str(), blobs.get(), blob.c_str(), 0) != 0)
        throw Error("cannot write " + tmp + "/" + blob + ": " + errno_text(errno));
      return;
    }
    UniqueFd to(openat(blobs.get(), blob.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (!to) throw Error("cannot write " + tmp + "/" + blob + ": " + errno_text(errno));
    clone_or_copy(in.get(), to.get(), static_cast<uint64_t>(st.st_size), tmp + "/" + blob);
    const timespec times[2] = {st.st_mtim, st.st_mtim};
    if (fchmod(to.get(), st.st_mode & 07777) != 0 || futimens(to.get(), times) != 0)
      throw Error("cannot write " + tmp + "/" + blob + ": " + errno_text(errno));
  };

  c_unique<archive, archive_write_free> a(archive_write_new());
  check(a.get(), archive_write_set_format_cpio_newc(a.get()), tmp);
  check(a.get(), archive_write_set_bytes_in_last_block(a.get(), 1), tmp);
  check(a.get(), archive_write_open_fd(a.get(), out.get()), tmp);
  c_unique<archive_entry_linkresolver, archive_entry_linkresolver_free> links(archive_entry_linkresolver_new());
  archive_entry_linkresolver_set_strategy(links.get(), ARCHIVE_FORMAT_CPIO_SVR4_NOCRC);

  // Entries keep the payload's own names ("./usr/bin/git" for a relocated
  // file), so a replay is placed, checked against the header and relocated
  // exactly as the RPM was; the data comes from where the stage has it.
  std::unordered_map<std::string, std::string> staged_at;  // entry name -> path in STAGE
  auto emit = [&](archive_entry* e) {
    const bool data = archive_entry_filetype(e) == AE_IFREG && archive_entry_size(e) > 0;
    if (linked && archive_entry_filetype(e) == AE_IFREG) {
      const std::string name = archive_entry_pathname(e);
      put_blob(name, stage + "/" + staged_at.at(name));  // a hardlink set's data is with one name: every name gets it
      archive_entry_set_size(e, 0);
    }
    check(a.get(), archive_write_header(a.get(), e), tmp);
    if (data && !linked) write_data(a.get(), stage + "/" + staged_at.at(archive_entry_pathname(e)), tmp);
  };
  for (const auto& f : x.files) {
    std::string local = stage + "/" + f.path;
    struct stat st {};
    const bool deferred = S_ISLNK(f.mode) && !f.link_target.empty();  // not in the stage yet
    if (deferred) {
      st.st_mode = f.mode;
      st.st_size = static_cast<off_t>(f.link_target.size());
      st.st_mtim = f.mtime;
      st.st_nlink = 1;
    } else if (lstat(local.c_str(), &st) != 0) {
      throw Error("cannot read " + local + ": " + errno_text(errno));
    }
    c_unique<archive_entry, archive_entry_free> e(archive_entry_new());
    archive_entry_copy_stat(e.get(), &st);
    archive_entry_set_uid(e.get(), 0);
    archive_entry_set_gid(e.get(), 0);
    const std::string name = "." + (f.from.empty() ? "/opt/" + f.path : f.from);
    staged_at.emplace(name, f.path);
    archive_entry_copy_pathname(e.get(), name.c_str());
    if (deferred) {
      archive_entry_copy_symlink(e.get(), f.link_target.c_str());
    } else if (S_ISLNK(st.st_mode)) {
      char target[4096];
      ssize_t n = readlink(local.c_str(), target, sizeof target - 1);
      if (n < 0) throw Error("cannot read " + local + ": " + errno_text(errno));
      target[n] = '\0';
      archive_entry_copy_symlink(e.get(), target);
    }
    // Hardlink sets: newc sends the data with the last link, as rpm does.
    archive_entry* entry = e.release();
    archive_entry* spare = nullptr;
    archive_entry_linkify(links.get(), &entry, &spare);
    if (entry) {
      emit(entry);
      archive_entry_free(entry);
    }
    if (spare) {
      emit(spare);
      archive_entry_free(spare);
    }
  }
  for (archive_entry *entry = nullptr, *spare = nullptr;;) {
    archive_entry_linkify(links.get(), &entry, &spare);
    if (!entry) break;
    emit(entry);
    archive_entry_free(entry);
  }
  check(a.get(), archive_write_close(a.get()), tmp);
  // A directory cannot replace another: a run that stored it first wins.
  if (rename(tmp.c_str(), final_path.c_str()) != 0) throw Error("cannot write " + final_path + ": " + errno_text(errno));
  ok = true;
}

}  // namespace yumda
