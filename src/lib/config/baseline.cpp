#include "yumda/baseline.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <optional>

#include "config/builtin_data.hpp"
#include "yumda/error.hpp"
#include "yumda/fs.hpp"

namespace yumda {

namespace {

const std::string kDir = "baseline/";

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r'; }

std::string trim(std::string s) {
  while (!s.empty() && is_space(s.back())) s.pop_back();
  size_t b = 0;
  while (b < s.size() && is_space(s[b])) ++b;
  return s.substr(b);
}

// Calls FN(line, "SOURCE:LINE") for each line of TEXT.
template <typename Fn>
void for_each_line(const std::string& text, const std::string& source, Fn&& fn) {
  size_t pos = 0;
  int lineno = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    std::string line = text.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    pos = nl == std::string::npos ? text.size() : nl + 1;
    fn(line, source + ":" + std::to_string(++lineno));
  }
}

bool valid_name_char(unsigned char c) { return std::isalnum(c) || std::string_view("._+-~^:").find(c) != std::string_view::npos; }

bool regular_file(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

// The file list of STEM (a built-in "baseline/NAME" or a path without .txt)
// for ARCH: STEM.files.ARCH.txt, else STEM.files.txt. With no ARCH,
// STEM.files.txt, else every architecture's list merged. READ(path) gives a
// file's text or nullopt; messages name WHERE + path.
template <typename Read>
void add_file_lists(const std::string& where, const std::string& stem, const std::string& arch, Baseline& b,
                    Read&& read) {
  std::vector<std::string> lists = {stem + ".files.txt"};
  if (!arch.empty()) lists.insert(lists.begin(), stem + ".files." + arch + ".txt");
  for (const auto& list : lists)
    if (auto text = read(list)) return parse_baseline_files(*text, where + list, b);
  if (!arch.empty()) return;
  for (const char* a : {"x86_64", "aarch64"})
    if (auto text = read(stem + ".files." + a + ".txt")) parse_baseline_files(*text, where + stem + ".files." + a + ".txt", b);
  std::sort(b.symlinks.begin(), b.symlinks.end());
  b.symlinks.erase(std::unique(b.symlinks.begin(), b.symlinks.end()), b.symlinks.end());
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Whether N, parsed from a line, is a NEVRA rather than a package name that
// has dashes and digits in it: a valid name, a numeric epoch if any, a
// version and a release that start with a digit, and a dot in one of them
// (or an epoch), as every distribution's version-release has. So
// "libpcre2-8-0" and "java-1.8.0-openjdk" are names; write a NEVRA whose
// version and release are both bare numbers with its epoch ("foo-0:1-1").
bool looks_like_nevra(const Nevra& n) {
  bool name_ok = !n.name.empty() && std::isalnum(static_cast<unsigned char>(n.name[0])) && n.name.back() != '-' &&
                 std::all_of(n.name.begin(), n.name.end(), [](unsigned char c) {
                   return std::isalnum(c) || std::string_view("._+-").find(c) != std::string_view::npos;
                 });
  bool epoch_ok = std::all_of(n.epoch.begin(), n.epoch.end(), is_digit);
  bool dotted = n.version.find('.') != std::string::npos || n.release.find('.') != std::string::npos;
  return name_ok && epoch_ok && is_digit(n.version[0]) && is_digit(n.release[0]) && (dotted || !n.epoch.empty());
}

std::string choices() {
  std::string out;
  for (const auto& n : builtin_baselines()) out += n + ", ";
  return out + "none, or a file path";
}

}  // namespace

Baseline parse_baseline(const std::string& text, const std::string& source) {
  Baseline b;
  b.source = source;
  for_each_line(text, source, [&](std::string line, const std::string& where) {
    line = trim(line.substr(0, line.find('#')));
    if (line.empty()) return;
    // The line itself is not quoted: given the wrong file (--baseline
    // /etc/shadow), it would print that file's contents (issue #14).
    auto bad = std::find_if(line.begin(), line.end(), [](unsigned char c) { return !valid_name_char(c); });
    if (bad != line.end())
      throw UsageError(where + ": not a package name or NEVRA (column " + std::to_string(bad - line.begin() + 1) +
                       "); a baseline file has one per line, e.g. glibc or glibc-2.26-38.amzn2.x86_64");
    Nevra n;
    if (!parse_nevra(line, n)) b.packages.push_back(BaselinePackage{line, "", ""});
    else if (looks_like_nevra(n)) b.packages.push_back(BaselinePackage{n.name, n.evr(), n.arch});
    else if (!n.arch.empty()) b.packages.push_back(BaselinePackage{line.substr(0, line.size() - n.arch.size() - 1), "", n.arch});
    else b.packages.push_back(BaselinePackage{line, "", ""});
  });
  return b;
}

void parse_baseline_files(const std::string& text, const std::string& source, Baseline& baseline) {
  for_each_line(text, source, [&](std::string line, const std::string& where) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (trim(line).empty() || trim(line)[0] == '#') return;
    if (line[0] != '/')
      throw UsageError(where + ": not an absolute path; a file list has one absolute path per line, e.g. /lib64/libc.so.6");
    if (size_t arrow = line.find(" -> "); arrow != std::string::npos) {
      std::string link = line.substr(0, arrow), target = trim(line.substr(arrow + 4));
      if (target.empty()) throw UsageError(where + ": symlink '" + link + "' has no target (write LINK -> TARGET)");
      // A relative target is relative to the link's directory, as on disk.
      std::filesystem::path t = target[0] == '/' ? std::filesystem::path(target)
                                                 : std::filesystem::path(link).parent_path() / target;
      baseline.symlinks.emplace_back(link, t.lexically_normal().string());
      return;
    }
    if (line.back() == '/') return;  // a directory: only files are listed
    baseline.files.push_back(line);
  });
  std::sort(baseline.files.begin(), baseline.files.end());
  baseline.files.erase(std::unique(baseline.files.begin(), baseline.files.end()), baseline.files.end());
}

bool Baseline::has_file(const std::string& path) const {
  std::string p = std::filesystem::path(path).lexically_normal().string();
  for (int depth = 0; depth < 8; ++depth) {  // bounded: a symlink loop in the data must not hang us
    if (std::binary_search(files.begin(), files.end(), p)) return true;
    bool moved = false;
    for (const auto& [link, target] : symlinks)
      if (p.size() > link.size() && p.compare(0, link.size(), link) == 0 && p[link.size()] == '/') {
        p = target + p.substr(link.size());
        moved = true;
        break;
      }
    if (!moved) return false;
  }
  return false;
}

bool Baseline::has_package(const std::string& name) const {
  return std::any_of(packages.begin(), packages.end(), [&](const BaselinePackage& p) { return p.name == name; });
}

std::vector<std::string> builtin_baselines() {
  std::vector<std::string> out;
  for (const auto& f : builtin::files()) {
    std::string_view p = f.path;
    if (p.substr(0, kDir.size()) != kDir || p.size() <= kDir.size() + 4 || p.substr(p.size() - 4) != ".txt") continue;
    std::string name(p.substr(kDir.size(), p.size() - kDir.size() - 4));
    if (name.find('/') == std::string::npos && name.find('.') == std::string::npos) out.push_back(name);
  }
  std::sort(out.begin(), out.end());
  return out;
}

Baseline load_baseline(const std::string& name_or_file, const std::string& arch) {
  if (name_or_file == "none") {
    Baseline b;
    b.source = "none";
    return b;
  }
  if (!name_or_file.empty() && name_or_file.find('/') == std::string::npos && name_or_file.find('.') == std::string::npos) {
    if (const auto* data = builtin::find(kDir + name_or_file + ".txt")) {
      const std::string where = "<built-in>/" + kDir + name_or_file;
      Baseline b = parse_baseline(std::string(*data), where + ".txt");
      add_file_lists("<built-in>/", kDir + name_or_file, arch, b, [](const std::string& path) -> std::optional<std::string> {
        const auto* files = builtin::find(path);
        return files ? std::optional<std::string>(*files) : std::nullopt;
      });
      b.source = name_or_file;
      return b;
    }
  }
  if (name_or_file.empty() || !regular_file(name_or_file))
    throw UsageError("baseline '" + name_or_file + "' is neither a built-in baseline nor a readable file (choose " +
                     choices() + ")");
  std::string text;
  try {
    text = read_file(name_or_file);
  } catch (const Error& e) {
    throw UsageError(std::string(e.what()) + " (choose " + choices() + ")");
  }
  Baseline b = parse_baseline(text, name_or_file);
  const std::string suffix = ".txt";
  if (name_or_file.size() > suffix.size() &&
      name_or_file.compare(name_or_file.size() - suffix.size(), suffix.size(), suffix) == 0) {
    add_file_lists("", name_or_file.substr(0, name_or_file.size() - suffix.size()), arch, b,
                   [&](const std::string& path) -> std::optional<std::string> {
                     if (path == name_or_file || !regular_file(path)) return std::nullopt;
                     return read_file(path);
                   });
  }
  return b;
}

}  // namespace yumda
