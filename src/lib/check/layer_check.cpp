// The layer check: each file is looked at the way Lambda will use it, with
// the layer at /opt and the runtime's file list (the baseline) as the rest of
// the filesystem.
#include <elf.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <tuple>
#include <filesystem>
#include <set>
#include <unordered_set>

#include "yumda/check.hpp"
#include "yumda/checksum.hpp"
#include "yumda/fs.hpp"
#include "yumda/zip.hpp"

namespace yumda {

namespace fs = std::filesystem;

namespace {

// Lexically normalised absolute path ("/opt/bin/../lib" -> "/opt/lib").
std::string normalize(const std::string& abs) {
  std::vector<std::string> parts;
  for (auto& p : path_components(abs)) {
    if (p != "..") parts.push_back(std::move(p));
    else if (!parts.empty()) parts.pop_back();
  }
  std::string out;
  for (const auto& p : parts) out += "/" + p;
  return out.empty() ? "/" : out;
}

// The runtime's files, with /bin, /sbin, /lib, /lib64 also under /usr and back
// (Amazon Linux 2 merged them into /usr; packages name either).
class RuntimeFiles {
 public:
  explicit RuntimeFiles(const Baseline& b) : known_(!b.files.empty()) {
    for (const auto& f : b.files) {
      files_.insert(f);
      for (const char* d : {"/bin/", "/sbin/", "/lib/", "/lib64/"}) {
        std::string dir = d;
        if (f.rfind("/usr" + dir, 0) == 0) files_.insert(f.substr(4));
        if (f.rfind(dir, 0) == 0) files_.insert("/usr" + f);
      }
    }
  }
  bool known() const { return known_; }
  bool has(const std::string& abs) const { return files_.count(abs) > 0; }

 private:
  bool known_;
  std::unordered_set<std::string> files_;
};

// "libz.so.1" of "libz.so.1()(64bit)", "libc.so.6(GLIBC_2.17)(64bit)" or a
// 32-bit "libz.so.1"; "" for a capability that is no library.
std::string soname_of(const std::string& cap) {
  std::string name = cap.substr(0, cap.find_first_of(" ("));
  return name.find(".so") != std::string::npos && name.find('/') == std::string::npos ? name : "";
}

void add_sonames(const std::vector<std::string>& caps, std::unordered_set<std::string>& out) {
  for (const auto& c : caps)
    if (auto s = soname_of(c); !s.empty()) out.insert(s);
}

class Checker {
 public:
  Checker(const std::string& root, const Baseline& baseline, const CheckOptions& options)
      : root_(root), baseline_(baseline), runtime_(baseline), options_(options), baseline_name_(baseline.source) {
    add_sonames(options.runtime_provides, runtime_sonames_);
    add_sonames(options.layer_provides, layer_sonames_);
    std::unordered_set<std::string> required;
    add_sonames(options.layer_requires, required);
    for (const auto& s : required)
      if (!layer_sonames_.count(s)) runtime_sonames_.insert(s);  // met by the runtime at install
  }

  std::vector<CheckFinding> run() {
    if (!options_.paths.empty()) {
      for (const auto& rel : options_.paths) check_path(rel, root_ + "/" + rel, nullptr);
      return sorted_findings();
    }
    uint64_t total = 0;
    std::error_code ec;
    std::string base = root_;
    while (base.size() > 1 && base.back() == '/') base.pop_back();
    if (base.empty()) base = ".";
    const size_t prefix = base.size() + (base.back() == '/' ? 0 : 1);
    for (auto it = fs::recursive_directory_iterator(base, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec)) {
      // The iterator's paths all start with ROOT/ (fs::relative would
      // canonicalize both, a readlink per component per file).
      std::string rel = it->path().string().substr(prefix);
      if (rel == ".yumda") {
        it.disable_recursion_pending();
        continue;
      }
      check_path(rel, it->path().string(), &total);
    }
    if (!options_.elf_only && total > kLambdaMaxUnzipped)
      add(CheckFinding::Kind::kTooBig, true, ".", human_size(total) + " (" + std::to_string(total) + " bytes)");
    check_relocated();
    return sorted_findings();
  }

 private:
  // REL as found at LOCAL; TOTAL (when given) adds up regular files' sizes.
  void check_path(const std::string& rel, const std::string& local, uint64_t* total) {
    struct stat st;
    if (lstat(local.c_str(), &st) != 0) return;
    if (S_ISLNK(st.st_mode)) {
      if (!options_.elf_only) check_symlink(rel);
    } else if (S_ISREG(st.st_mode)) {
      if (total) *total += static_cast<uint64_t>(st.st_size);
      check_file(rel, st);
    }
  }

  std::vector<CheckFinding> sorted_findings() {
    std::sort(findings_.begin(), findings_.end(),
              [](const auto& a, const auto& b) { return std::tie(a.path, a.detail) < std::tie(b.path, b.detail); });
    return std::move(findings_);
  }

 private:
  void add(CheckFinding::Kind k, bool error, const std::string& path, const std::string& detail) {
    findings_.push_back({k, error, path, detail});
  }

  // Whether the absolute path ABS (as Lambda sees it) exists: /opt/... in the
  // layer, following the layer's own symlinks, anything else in the runtime.
  bool exists(const std::string& abs, int depth = 0) const {
    if (depth > 32) return false;
    std::string p = normalize(abs);
    if (p != "/opt" && p.rfind("/opt/", 0) != 0) return runtime_.has(p);
    std::string rel = p == "/opt" ? "" : p.substr(5);
    // Walk component by component so symlinks inside the layer resolve as at runtime.
    std::string done = "/opt";
    size_t i = 0;
    while (i < rel.size()) {
      size_t j = rel.find('/', i);
      if (j == std::string::npos) j = rel.size();
      std::string next = done + "/" + rel.substr(i, j - i);
      std::string local = root_ + next.substr(4);
      struct stat st;
      if (lstat(local.c_str(), &st) != 0) return false;
      if (S_ISLNK(st.st_mode)) {
        char buf[4096];
        ssize_t n = readlink(local.c_str(), buf, sizeof buf - 1);
        if (n < 0) return false;
        std::string target(buf, static_cast<size_t>(n));
        std::string resolved = target[0] == '/' ? target : done + "/" + target;
        return exists(normalize(resolved) + rel.substr(j), depth + 1);
      }
      done = next;
      i = j + 1;
    }
    return true;
  }

  void check_symlink(const std::string& rel) {
    std::string local = root_ + "/" + rel;
    char buf[4096];
    ssize_t n = readlink(local.c_str(), buf, sizeof buf - 1);
    if (n <= 0) return;
    std::string target(buf, static_cast<size_t>(n));
    std::string dir = "/opt/" + fs::path(rel).parent_path().string();
    std::string abs = normalize(target[0] == '/' ? target : dir + "/" + target);
    if (exists(abs)) return;
    bool outside = abs != "/opt" && abs.rfind("/opt/", 0) != 0;
    if (outside && !runtime_.known()) return;  // cannot tell without the runtime's file list
    add(outside ? CheckFinding::Kind::kSymlinkOutside : CheckFinding::Kind::kBrokenSymlink, true, rel, target);
  }

  bool library_found(const std::string& lib, const std::string& rel, const ElfInfo& elf, bool& runtime_unknown) const {
    std::string origin = "/opt/" + fs::path(rel).parent_path().string();
    std::vector<std::string> dirs;
    for (auto d : elf.runpath) {
      for (const char* tok : {"$ORIGIN", "${ORIGIN}"})
        for (size_t at; (at = d.find(tok)) != std::string::npos;) d.replace(at, std::strlen(tok), origin);
      dirs.push_back(d);
    }
    dirs.push_back("/opt/lib");  // LD_LIBRARY_PATH on Lambda ends with /opt/lib
    if (lib.find('/') != std::string::npos) return exists(lib[0] == '/' ? lib : origin + "/" + lib);
    for (const auto& d : dirs)
      if (exists(d + "/" + lib)) return true;
    bool is64 = elf.is_64;
    for (const char* d : {"/lib64", "/usr/lib64", "/lib", "/usr/lib", "/var/runtime/lib", "/var/lang/lib"}) {
      if (!is64 && std::string(d).find("64") != std::string::npos) continue;
      if (runtime_.has(std::string(d) + "/" + lib)) return true;
    }
    if (runtime_.known()) return false;
    // No file list: the packages' word decides.
    if (runtime_sonames_.count(lib)) return true;
    runtime_unknown = !layer_sonames_.count(lib);
    return false;
  }

  uint16_t expected_machine() const {
    if (options_.arch == "aarch64") return EM_AARCH64;
    if (options_.arch == "x86_64") return EM_X86_64;
    return 0;
  }

  void check_file(const std::string& rel, const struct stat& st) {
    std::string local = root_ + "/" + rel;
    ElfInfo elf = read_elf(local);
    if (elf.is_elf) {
      uint16_t want = expected_machine();
      if (want && elf.machine != want && elf.machine != EM_NONE) {
        add(CheckFinding::Kind::kWrongArchitecture, true, rel, "ELF machine " + std::to_string(elf.machine));
        return;
      }
      for (const auto& lib : elf.needed) {
        bool unknown = false;
        if (!library_found(lib, rel, elf, unknown)) add(CheckFinding::Kind::kMissingLibrary, !unknown, rel, lib);
      }
      return;
    }
    if (options_.elf_only || !(st.st_mode & 0111)) return;
    check_script(rel, local);
  }

  void check_script(const std::string& rel, const std::string& local) {
    UniqueFd fd(open(local.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    char buf[256];
    ssize_t n = fd ? read(fd.get(), buf, sizeof buf - 1) : -1;
    if (n < 3 || buf[0] != '#' || buf[1] != '!') return;
    std::string line(buf + 2, static_cast<size_t>(n - 2));
    line = line.substr(0, line.find('\n'));
    size_t b = line.find_first_not_of(" \t");
    if (b == std::string::npos) return;
    line = line.substr(b);
    std::string interp = line.substr(0, line.find_first_of(" \t\r"));
    std::string arg;
    if (interp.size() < line.size()) {
      arg = line.substr(interp.size());
      size_t s = arg.find_first_not_of(" \t");
      arg = s == std::string::npos ? "" : arg.substr(s, arg.find_first_of(" \t\r", s) - s);
    }
    if (!exists(interp)) {
      if (runtime_.known() || interp.rfind("/opt/", 0) == 0)
        add(CheckFinding::Kind::kMissingInterpreter, true, rel, interp);
      return;
    }
    if (fs::path(interp).filename() == "env" && !arg.empty() && arg[0] != '-') {
      for (const char* d : {"/opt/bin", "/usr/local/bin", "/usr/bin", "/bin"})
        if (exists(std::string(d) + "/" + arg)) return;
      if (runtime_.known()) add(CheckFinding::Kind::kMissingInterpreter, true, rel, interp + " " + arg);
    }
  }

  // Relocated files: every compiled-in path the relocation would rewrite now
  // is one it could not (no room) or one undone since (by hand, by a tool).
  void check_relocated() {
    if (!options_.path_map || options_.relocated_files.empty()) return;
    PathOracle oracle = layer_oracle({root_}, baseline_);
    for (const auto& rel : options_.relocated_files) {
      // The list comes from .yumda/installed.json, which is input: a path
      // leaving the layer is not read.
      if (rel.empty() || rel[0] == '/' || ("/" + rel + "/").find("/../") != std::string::npos) continue;
      UniqueFd fd(open((root_ + "/" + rel).c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
      struct stat st;
      if (!fd || fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
      std::string data(static_cast<size_t>(st.st_size), '\0');
      if (pread(fd.get(), data.data(), data.size(), 0) != static_cast<ssize_t>(data.size())) continue;
      const bool elf = data.size() >= SELFMAG && memcmp(data.data(), ELFMAG, SELFMAG) == 0;
      if (!elf && memchr(data.data(), '\0', data.size())) continue;
      if (auto it = options_.rewritten_digests.find(rel); it != options_.rewritten_digests.end()) {
        const std::string now = string_digest(data, "sha256");
        if (now != it->second.first && now != it->second.second)
          add(CheckFinding::Kind::kModified, false, rel, "sha256 " + now.substr(0, 12));
      }
      std::set<std::string> told;
      for (const PathHit& h : find_path_hits(data, *options_.path_map, oracle))
        if (told.insert(h.from).second) add(CheckFinding::Kind::kUnrelocatedPath, false, rel, h.from + " -> " + h.to);
    }
  }

  std::string root_;
  const Baseline& baseline_;
  RuntimeFiles runtime_;
  CheckOptions options_;
  std::string baseline_name_;
  std::vector<CheckFinding> findings_;
  std::unordered_set<std::string> runtime_sonames_;  // for a baseline without a file list
  std::unordered_set<std::string> layer_sonames_;
};

}  // namespace

std::string CheckFinding::message() const {
  std::string where = "/opt/" + path;
  switch (kind) {
    case Kind::kMissingLibrary:
      return where + " needs " + detail + ", which is neither in the layer nor in the runtime" +
             (error ? "" : " (the baseline has no file list, so the runtime could not be checked)");
    case Kind::kWrongArchitecture:
      return where + " is built for another architecture (" + detail + ")";
    case Kind::kMissingInterpreter:
      return where + " is a script for " + detail + ", which is neither in the layer nor in the runtime";
    case Kind::kBrokenSymlink:
      return where + " is a broken symlink (to " + detail + ")";
    case Kind::kSymlinkOutside:
      return where + " points outside /opt to " + detail + ", which the runtime does not have";
    case Kind::kUsrPath:
      return where + " hard-codes " + detail + ", which the runtime does not have";
    case Kind::kUnrelocatedPath: {
      const auto arrow = detail.find(" -> ");
      return where + " hard-codes " + detail.substr(0, arrow) + ", but the layer has that at " +
             detail.substr(arrow + 4) + ": on Lambda it looks in the wrong place (reinstall the package to rewrite it)";
    }
    case Kind::kModified:
      return where + " was changed after yumda relocated it (" + detail +
             " is neither what yumda wrote nor what the package shipped)";
    case Kind::kTooBig:
      return "the layer is " + detail + " unzipped, over Lambda's 250 MiB (262,144,000 bytes) limit";
  }
  return where;
}

std::vector<CheckFinding> check_layer(const std::string& root, const Baseline& baseline, const CheckOptions& options) {
  return Checker(root, baseline, options).run();
}

}  // namespace yumda
