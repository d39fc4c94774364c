// Where each payload entry lands in the stage, and making it there:
// directories, symlinks, regular files linked to their names (hardlink sets
// included), and the conflicts with what another package staged first.
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <optional>

#include "extract/extractor.hpp"

namespace yumda::detail {

// "./opt/bin/git" -> {"opt","bin","git"}; ".." anywhere is hostile.
std::vector<std::string> Extractor::split_name(const std::string& raw) const {
  std::vector<std::string> parts = path_components(raw);
  for (const auto& part : parts)
    if (part == "..") fail("entry " + raw + " has a '..' component; refusing to extract it");
  return parts;
}

// Opens (creating as needed) the directory made of PARTS[0..n) under the
// stage root, never following a symlink. DISPLAY names the entry in errors.
UniqueFd Extractor::open_dir(const std::vector<std::string>& parts, size_t n, const std::string& display) {
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

const RpmFileEntry* Extractor::header_entry(const std::vector<std::string>& parts) const {
  auto it = header_files_.find("/" + join(parts, 0, parts.size()));
  return it == header_files_.end() ? nullptr : it->second;
}

void Extractor::handle_entry(const Entry& entry, const ReadData& read) {
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
void Extractor::check_against_header(const Entry& entry, const std::vector<std::string>& parts, const std::string& display) {
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
bool Extractor::place(const std::vector<std::string>& parts, const std::string& display, std::vector<std::string>& rel_parts) {
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

void Extractor::skipped(const std::string& display) {
  if (++result_.skipped_outside_opt <= 3) result_.skipped_paths.push_back(display);
}

// A symlink the path map makes point at itself: it joined two directories
// the map merges (Debian's /lib64/ld-linux-x86-64.so.2 ->
// /lib/x86_64-linux-gnu/ld-linux-x86-64.so.2, both lib/...), so the file it
// named is already at its place.
bool Extractor::aliases_itself(const Entry& entry, const std::string& display, const std::string& rel) const {
  if (!options_.path_map || entry.symlink.empty()) return false;
  const std::string abs = entry.symlink[0] == '/' ? entry.symlink : display.substr(0, display.rfind('/') + 1) + entry.symlink;
  std::optional<std::string> target = options_.path_map->map(std::filesystem::path(abs).lexically_normal().string());
  return target && *target == rel;
}

// Two payload paths of this package that land on one place (/usr/lib/x and
// /usr/lib64/x) would overwrite each other: an error naming both.
void Extractor::claim(const std::string& rel, const std::string& display) {
  auto [it, fresh] = claimed_.emplace(rel, display);
  if (!fresh && it->second != display)
    fail("files " + it->second + " and " + display + " would both be relocated to /opt/" + rel +
         " (add a --relocate rule for one of them)");
}

FileTarget Extractor::target(const std::vector<std::string>& rel_parts, const std::string& rel, const std::string& display) {
  return FileTarget{parent_dir(rel_parts, display), rel_parts.back(), rel, from_};
}

// The directory holding REL_PARTS' last component. Payloads list a
// directory's entries together, so the last one opened is kept.
std::shared_ptr<const UniqueFd> Extractor::parent_dir(const std::vector<std::string>& rel_parts, const std::string& display) {
  std::string dir = join(rel_parts, 0, rel_parts.size() - 1);
  if (!last_dir_ || dir != last_dir_rel_) {
    last_dir_ = std::make_shared<const UniqueFd>(open_dir(rel_parts, rel_parts.size() - 1, display));
    last_dir_rel_ = std::move(dir);
  }
  return last_dir_;
}

void Extractor::add_link(const Entry& entry, const ReadData& read, const std::vector<std::string>& rel_parts,
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

// Same bytes? Used when another package already put a file at the path.
bool Extractor::same_content(int a_fd, int b_fd) {
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

void Extractor::place_file(PendingFile& p) {
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
    result_.files.push_back({t.rel, S_IFREG | p.mode, p.size, p.elf, t.from, {}, {}, p.scan});
  }
  if (p.borrowed && !p.targets.empty()) ++result_.hardlinked;
}

// Whether the cache's file still has the mode and mtime P needs: they are
// shared with every layer linked to it, so they are never changed here.
bool Extractor::as_stored(const PendingFile& p) {
  struct stat st;
  return fstat(p.fd.get(), &st) == 0 && (st.st_mode & 07777) == p.mode && st.st_mtim.tv_sec == p.mtime.sec &&
         st.st_mtim.tv_nsec == p.mtime.nsec;
}

void Extractor::make_directory(const Entry& entry, const std::vector<std::string>& rel_parts, const std::string& rel,
                    const std::string& display) {
  std::shared_ptr<const UniqueFd> parent = parent_dir(rel_parts, display);
  const char* name = rel_parts.back().c_str();
  const uint32_t mode = (entry.perm & 0777) | 0700;  // we must be able to write into it
  if (mkdirat(parent->get(), name, mode) != 0 && errno != EEXIST)
    fail("cannot create /opt/" + rel + ": " + errno_text(errno));
  UniqueFd dir(openat(parent->get(), name, O_DIRECTORY | O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!dir) conflict(rel, "directory");  // a file or symlink from another package is there
  fchmod(dir.get(), mode);
  result_.files.push_back({rel, S_IFDIR | mode, 0, false, from_, {}, {}, {}});
}

void Extractor::make_symlink(const Entry& entry, const std::vector<std::string>& rel_parts, const std::string& rel,
                  const std::string& display) {
  const char* target = entry.symlink.c_str();
  if (!*target) fail("symlink " + display + " has no target");
  const timespec mtime{entry.mtime.sec, entry.mtime.nsec};
  if (options_.defer_symlinks) {
    result_.files.push_back({rel, S_IFLNK | 0777, strlen(target), false, from_, entry.symlink, mtime, {}});
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
  result_.files.push_back({rel, S_IFLNK | 0777, strlen(target), false, from_, entry.symlink, mtime, {}});
}

}  // namespace yumda::detail
