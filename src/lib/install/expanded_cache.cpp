#include "install/expanded_cache.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <memory>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "extract/payload.hpp"
#include "yumda/c_unique.hpp"
#include "yumda/checksum.hpp"
#include "yumda/error.hpp"
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

// Whether the cached cpio on FD holds what INFO's header says, file by file:
// every entry a file of the header, regular files of the header's size and
// digest, symlinks to the header's target. A cache is outside the signed
// package: flipped bytes or a cut-short file must not reach a layer.
bool replay_matches(int fd, const RpmHeaderInfo& info) {
  std::unordered_map<std::string_view, const RpmFileEntry*> by_path;
  for (const auto& f : info.files) by_path.emplace(f.path, &f);
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

}  // namespace

ExpandedCache::ExpandedCache(const std::string& cachedir, bool enabled)
    : dir_(cachedir + "/expanded"), enabled_(enabled) {}

std::string ExpandedCache::path_for(const PackageInfo& pkg, const ExtractOptions& options) const {
  // What was stored depends on which entries landed: docs or not, and only
  // /opt (relocate=never) or every entry the path map places.
  return dir_ + "/" + pkg.checksum_type + "-" + pkg.checksum + (options.nodocs ? ".nodocs" : "") +
         (options.path_map ? "" : ".optonly") + ".cpio";
}

ExtractResult ExpandedCache::extract(const PackageInfo& pkg, const std::string& rpm_path, const RpmHeaderInfo& info,
                                     const std::string& stage, const ExtractOptions& options) {
  if (!enabled_ || pkg.checksum.empty()) return extract_rpm(rpm_path, info, stage, options);
  std::string cached = path_for(pkg, options);
  UniqueFd fd(open(cached.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (fd && !replay_matches(fd.get(), info)) {
    unlink(cached.c_str());  // damaged: rebuilt from the RPM below
    fd.reset();
  }
  if (fd) {
    detail::PayloadSource source;
    source.package = info.nevra.str();
    source.info = &info;  // %ghost and %doc flags, as for the RPM itself
    return detail::extract_payload_fd(fd.get(), source, stage, options);
  }
  ExtractResult x = extract_rpm(rpm_path, info, stage, options);
  try {
    store(pkg, options, stage, x);
  } catch (const Error&) {
    // A cache that cannot be written costs speed next time, nothing else.
  }
  return x;
}

// Writes what PKG put in STAGE as an uncompressed newc cpio (the payload's
// names, as in the RPM), to a temp file renamed into place when complete.
void ExpandedCache::store(const PackageInfo& pkg, const ExtractOptions& options, const std::string& stage,
                          const ExtractResult& x) {
  make_dirs(dir_);
  std::string final_path = path_for(pkg, options);
  std::string tmp = final_path + ".tmpXXXXXX";
  UniqueFd out(mkostemp(tmp.data(), O_CLOEXEC));
  if (!out) throw Error("cannot write " + tmp + ": " + errno_text(errno));
  bool ok = false;
  struct Cleanup {
    const std::string& path;
    bool& ok;
    ~Cleanup() {
      if (!ok) unlink(path.c_str());
    }
  } cleanup{tmp, ok};

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
    check(a.get(), archive_write_header(a.get(), e), tmp);
    if (archive_entry_filetype(e) == AE_IFREG && archive_entry_size(e) > 0)
      write_data(a.get(), stage + "/" + staged_at.at(archive_entry_pathname(e)), tmp);
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
  if (rename(tmp.c_str(), final_path.c_str()) != 0) throw Error("cannot write " + final_path + ": " + errno_text(errno));
  ok = true;
}

}  // namespace yumda
