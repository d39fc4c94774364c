#include "layer/owned_links.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>

#include "layer/layer_dirs.hpp"
#include "yumda/error.hpp"

namespace yumda::detail {

namespace {

constexpr int kMaxHops = 40;  // the kernel's own limit for symlink chains

std::string join(const std::string& dir, const std::string& name) { return dir.empty() ? name : dir + "/" + name; }
std::vector<std::string> split(const std::string& rel) {
  std::vector<std::string> out;
  for (size_t pos = 0; pos <= rel.size();) {
    size_t end = rel.find('/', pos);
    if (end == std::string::npos) end = rel.size();
    if (end > pos) out.push_back(rel.substr(pos, end - pos));
    pos = end + 1;
  }
  return out;
}

// The directory REL beneath DIR_FD (itself for ""), never through a symlink.
UniqueFd open_dir_beneath(int dir_fd, const std::string& rel) {
  if (rel.empty()) return UniqueFd(fcntl(dir_fd, F_DUPFD_CLOEXEC, 0));
  return open_beneath(dir_fd, rel, O_RDONLY | O_DIRECTORY);
}

bool lstat_beneath(int dir_fd, const std::string& rel, struct stat& st, UniqueFd* parent_out = nullptr) {
  if (dir_fd < 0) return false;
  UniqueFd parent = open_dir_beneath(dir_fd, dir_of(rel));
  if (!parent || fstatat(parent.get(), base_of(rel).c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return false;
  if (parent_out) *parent_out = std::move(parent);
  return true;
}

std::string read_link_at(int parent, const std::string& name) {
  std::string target(4096, '\0');
  ssize_t n = readlinkat(parent, name.c_str(), target.data(), target.size());
  if (n < 0) return {};
  target.resize(static_cast<size_t>(n));
  return target;
}

}  // namespace

std::optional<std::string> link_beneath(const std::string& link, const std::string& target) {
  if (target.empty()) return std::nullopt;
  bool named = false;
  for (const auto& c : split(target)) {
    if (c == "..") {
      if (named) return std::nullopt;
    } else if (c != ".") {
      named = true;
    }
  }
  const std::string abs = target[0] == '/' ? target : "/opt/" + join(dir_of(link), target);
  std::string n = std::filesystem::path(abs).lexically_normal().string();
  while (n.size() > 1 && n.back() == '/') n.pop_back();
  if (n.rfind("/opt/", 0) != 0 || n.size() <= 5) return std::nullopt;
  return n.substr(5);
}

OwnedLinks::Kind OwnedLinks::look(const std::string& rel, std::string& target) const {
  struct stat st;
  UniqueFd parent;
  const bool in_stage = lstat_beneath(stage_fd_, rel, st, &parent);
  if (!in_stage && !lstat_beneath(root_fd_, rel, st, &parent)) return Kind::kMissing;
  if (S_ISDIR(st.st_mode)) return Kind::kDir;
  if (!S_ISLNK(st.st_mode)) return Kind::kOther;
  if (!in_stage && !owned_.count(rel)) return Kind::kForeignLink;
  target = read_link_at(parent.get(), base_of(rel));
  return Kind::kLink;
}

std::string OwnedLinks::resolve_dir(const std::string& dir, std::string* why) {
  auto cached = cache_.find(dir);
  if (cached == cache_.end()) {
    std::vector<std::string> todo = split(dir);
    std::string done, refused;
    int hops = 0;
    for (size_t i = 0; i < todo.size(); ++i) {
      const std::string cand = join(done, todo[i]);
      std::string target;
      const Kind kind = refused.empty() ? look(cand, target) : Kind::kOther;
      if (kind == Kind::kForeignLink) refused = "/opt/" + cand + " is a symlink no package in the layer owns";
      if (kind == Kind::kLink) {
        std::optional<std::string> next = link_beneath(cand, target);
        if (!next)
          refused = "the symlink /opt/" + cand + " leads to " + target + ", outside the layer";
        else if (++hops > kMaxHops)
          refused = "the symlink /opt/" + cand + " is one of too many symlinks in a row";
        if (next && refused.empty()) {
          std::vector<std::string> rest = split(*next);
          rest.insert(rest.end(), todo.begin() + static_cast<long>(i) + 1, todo.end());
          todo = std::move(rest);
          done.clear();
          i = static_cast<size_t>(-1);  // again from ROOT, through the target
          continue;
        }
      }
      done = cand;
    }
    cached = cache_.emplace(dir, std::make_pair(done, refused)).first;
  }
  if (why) *why = cached->second.second;
  return cached->second.first;
}

std::string OwnedLinks::place(const std::string& rel) {
  const std::string dir = dir_of(rel);
  return dir.empty() ? rel : join(resolve_dir(dir), base_of(rel));
}

namespace {

class Placer {
 public:
  Placer(int stage_fd, int root_fd, const std::map<std::string, std::string>& owned,
         const std::function<std::string(const std::string&)>& owner_of)
      : stage_fd_(stage_fd), root_fd_(root_fd), owned_(owned), owner_of_(owner_of) {}

  void place(const StagedSymlink& link) {
    const std::string dir = OwnedLinks(stage_fd_, root_fd_, owned_).resolve_dir(dir_of(link.path));
    const std::string at = join(dir, base_of(link.path));
    UniqueFd parent = make_stage_dirs(dir, link.path);
    const std::string name = base_of(link.path);
    struct stat st;
    if (fstatat(parent.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) {
      if (S_ISLNK(st.st_mode)) {
        if (read_link_at(parent.get(), name) != link.target) conflict("symlink", at, owner(at), "package " + link.package);
        return;  // another package's identical symlink
      }
      if (!S_ISDIR(st.st_mode)) conflict("symlink", at, owner(at), "package " + link.package);
      // Packages of this transaction put entries where this symlink goes:
      // they belong where it leads.
      fold(parent.get(), at, link.target, link.package);
    }
    if (symlinkat(link.target.c_str(), parent.get(), name.c_str()) != 0)
      throw Error("cannot create /opt/" + at + " in the staging directory: " + errno_text(errno));
    const timespec times[2] = {link.mtime, link.mtime};
    utimensat(parent.get(), name.c_str(), times, AT_SYMLINK_NOFOLLOW);
  }

  // Staged directories where ROOT has an owned symlink: folded into its
  // target. Again from the top after a fold, since the target's own
  // subdirectories may sit on another one.
  void fold_at_root_links() {
    for (int round = 0; round <= kMaxHops && fold_below(stage_fd_, root_fd_, ""); ++round) {
    }
  }

 private:
  bool fold_below(int stage_dir, int root_dir, const std::string& rel) {
    for (const auto& e : list_dir(stage_dir, "staged " + (rel.empty() ? std::string(".") : rel))) {
      if (!S_ISDIR(e.mode)) continue;
      const std::string path = join(rel, e.name);
      struct stat st;
      if (fstatat(root_dir, e.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
      if (S_ISLNK(st.st_mode)) {
        auto it = owned_.find(path);
        if (it == owned_.end()) continue;  // commit() refuses it, as before
        fold(stage_dir, path, read_link_at(root_dir, e.name), it->second);
        return true;
      }
      if (!S_ISDIR(st.st_mode)) continue;
      UniqueFd child_stage(openat(stage_dir, e.name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      UniqueFd child_root(openat(root_dir, e.name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (child_stage && child_root && fold_below(child_stage.get(), child_root.get(), path)) return true;
    }
    return false;
  }

  // The staged directory AT (in PARENT) holds what packages install through
  // the symlink AT -> TARGET of LINK_OWNER: moved into where it leads, then
  // removed (the symlink takes its place).
  void fold(int parent, const std::string& at, const std::string& target, const std::string& link_owner) {
    std::optional<std::string> beneath = link_beneath(at, target);
    std::string why;
    std::string dest = beneath ? OwnedLinks(stage_fd_, root_fd_, owned_).resolve_dir(*beneath, &why) : std::string();
    auto refuse = [&](const std::string& reason) {
      throw Error(first_owner(parent, at) + " installs into the symlink /opt/" + at + " of package " +
                  link_owner + ", which " + reason +
                  "; yumda writes through a package's directory symlink only within the layer");
    };
    if (!beneath) refuse("leads to " + target + ", outside the layer");
    if (!why.empty()) refuse("leads on where yumda does not follow (" + why + ")");
    if (dest == at || dest.rfind(at + "/", 0) == 0) refuse("leads into itself");
    struct stat st;
    const bool staged = lstat_beneath(stage_fd_, dest, st);
    if (!(staged ? S_ISDIR(st.st_mode) : lstat_beneath(root_fd_, dest, st) && S_ISDIR(st.st_mode)))
      refuse("leads to /opt/" + dest + ", which is not a directory in the layer");
    UniqueFd src(openat(parent, base_of(at).c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!src) throw Error("cannot open staged directory " + at + ": " + errno_text(errno));
    UniqueFd dst = make_stage_dirs(dest, at);
    merge(src.get(), dst.get(), at, dest);
    src.reset();
    if (unlinkat(parent, base_of(at).c_str(), AT_REMOVEDIR) != 0)
      throw Error("cannot remove staged directory " + at + ": " + errno_text(errno));
  }

  // Moves SRC's entries into DST; what both have must agree (two directories,
  // the same file content, the same symlink target), as between packages.
  void merge(int src, int dst, const std::string& src_rel, const std::string& dst_rel) {
    for (const auto& e : list_dir(src, "staged " + src_rel)) {
      const char* name = e.name.c_str();
      const std::string from = join(src_rel, e.name), to = join(dst_rel, e.name);
      struct stat st;
      if (fstatat(dst, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
        if (renameat(src, name, dst, name) != 0) throw Error("cannot move staged " + from + ": " + errno_text(errno));
        continue;
      }
      if (S_ISDIR(e.mode) && S_ISDIR(st.st_mode)) {
        UniqueFd s(openat(src, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        UniqueFd d(openat(dst, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (!s || !d) throw Error("cannot open staged directory " + to + ": " + errno_text(errno));
        merge(s.get(), d.get(), from, to);
        s.reset();
        if (unlinkat(src, name, AT_REMOVEDIR) != 0) throw Error("cannot remove staged " + from + ": " + errno_text(errno));
        continue;
      }
      if (!same_entry(src, dst, name, e.mode, st)) conflict(S_ISDIR(e.mode) ? "directory" : "file", to, owner(to), owner(from));
      if (unlinkat(src, name, 0) != 0) throw Error("cannot remove staged " + from + ": " + errno_text(errno));
    }
  }

  static bool same_entry(int src, int dst, const char* name, mode_t mode, const struct stat& other) {
    if ((mode & S_IFMT) != (other.st_mode & S_IFMT)) return false;
    if (S_ISLNK(mode)) return read_link_at(src, name) == read_link_at(dst, name);
    if (!S_ISREG(mode)) return false;
    UniqueFd a(openat(src, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)), b(openat(dst, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
    struct stat sa;
    if (!a || !b || fstat(a.get(), &sa) != 0 || sa.st_size != other.st_size) return false;
    std::vector<char> ba(1 << 16), bb(1 << 16);
    for (;;) {
      ssize_t na = read(a.get(), ba.data(), ba.size()), nb = read(b.get(), bb.data(), bb.size());
      if (na != nb || na < 0) return false;
      if (na == 0) return true;
      if (!std::equal(ba.begin(), ba.begin() + na, bb.begin())) return false;
    }
  }

  // Opens (creating as needed) the staged directory DIR, giving a directory
  // ROOT already has its mode there, so the commit leaves that mode alone.
  UniqueFd make_stage_dirs(const std::string& dir, const std::string& for_what) {
    UniqueFd cur(fcntl(stage_fd_, F_DUPFD_CLOEXEC, 0));
    UniqueFd root_cur(fcntl(root_fd_, F_DUPFD_CLOEXEC, 0));
    for (const auto& c : split(dir)) {
      struct stat st;
      mode_t mode = 0755;
      if (root_cur && fstatat(root_cur.get(), c.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode))
        mode = st.st_mode & 07777;
      if (mkdirat(cur.get(), c.c_str(), mode | 0700) != 0 && errno != EEXIST)
        throw Error("cannot create a staged directory for /opt/" + for_what + ": " + errno_text(errno));
      cur.reset(openat(cur.get(), c.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (!cur) throw Error("cannot install /opt/" + for_what + ": /opt/" + dir + " is not a directory in the stage");
      if (root_cur) root_cur.reset(openat(root_cur.get(), c.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    }
    return cur;
  }

  // The package of some entry staged below AT, for messages.
  std::string first_owner(int parent, const std::string& at) {
    UniqueFd dir(openat(parent, base_of(at).c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    std::string rel = at;
    while (dir) {
      auto entries = list_dir(dir.get(), "staged " + rel);
      if (entries.empty()) break;
      rel = join(rel, entries.front().name);
      if (std::string o = owner_of_ ? owner_of_(rel) : ""; !o.empty()) return "package " + o;
      dir.reset(openat(dir.get(), entries.front().name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    }
    return "a package of this transaction";
  }

  // "package NEVRA" of a staged path, as the extractor says it.
  std::string owner(const std::string& rel) const {
    std::string o = owner_of_ ? owner_of_(rel) : "";
    return o.empty() ? "an earlier package" : "package " + o;
  }

  [[noreturn]] static void conflict(const std::string& what, const std::string& rel, const std::string& a,
                                    const std::string& b) {
    throw Error(what + " /opt/" + rel + " conflicts between " + a + " and " + b);
  }

  int stage_fd_;
  int root_fd_;
  const std::map<std::string, std::string>& owned_;
  const std::function<std::string(const std::string&)>& owner_of_;
};

}  // namespace

void place_staged_links(int stage_fd, int root_fd, std::vector<StagedSymlink> links,
                        const std::map<std::string, std::string>& owned,
                        const std::function<std::string(const std::string&)>& owner_of) {
  // Parents before children: a symlink placed first is then followed by the
  // symlinks named through it.
  std::sort(links.begin(), links.end(), [](const auto& a, const auto& b) { return a.path < b.path; });
  Placer placer(stage_fd, root_fd, owned, owner_of);
  for (const auto& l : links) placer.place(l);
  placer.fold_at_root_links();
}

}  // namespace yumda::detail
