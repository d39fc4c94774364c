// The Lambda runtime's own packages: installed already, never downloaded,
// never written into a layer. A baseline is data (repo-config/baseline/*.txt):
// one package name or NEVRA per line, '#' comments; an optional runtime file
// list (NAME.files.txt) says which library and interpreter paths exist.
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "yumda/nevra.hpp"

namespace yumda {

struct BaselinePackage {
  std::string name;
  std::string evr;   // "" when the line gave only a name
  std::string arch;  // "" when not given
};

struct Baseline {
  std::string source;  // "al2", "none" or the file path, for messages
  std::vector<BaselinePackage> packages;
  // Absolute paths present in the runtime's filesystem, sorted, no
  // directories ("/usr/lib64/libc.so.6", "/usr/bin/sh"); empty when no file
  // list ships with the baseline.
  std::vector<std::string> files;
  // Directory symlinks of the runtime, absolute (AL2's usr-merge:
  // {"/lib64", "/usr/lib64"}, {"/bin", "/usr/bin"}, ...).
  std::vector<std::pair<std::string, std::string>> symlinks;

  bool empty() const { return packages.empty() && files.empty(); }
  // Whether PATH exists in the runtime, following the directory symlinks:
  // on al2, has_file("/lib64/libc.so.6") is true because /lib64 -> usr/lib64.
  bool has_file(const std::string& path) const;
  // Whether a package called NAME is in the baseline (any version/arch).
  bool has_package(const std::string& name) const;
};

// NAME_OR_FILE: "none", a built-in name ("al2023", "al2", "al1":
// repo-config/baseline/NAME.txt and its file list, built into the binary; a
// bare built-in name wins over a file of that name in the current directory,
// write ./al2 for the file), or a path to a file. The file list is the one for
// ARCH (x86_64 or aarch64), NAME.files.ARCH.txt, else NAME.files.txt (one list
// for every architecture); for PATH.txt, PATH.files.ARCH.txt or PATH.files.txt
// beside it. With no ARCH: NAME.files.txt, else the per-architecture lists
// merged (what some architecture has; pass the arch to be exact). Throws
// UsageError naming the baseline and the choices when it is not found, and
// "FILE:LINE" for a malformed line.
Baseline load_baseline(const std::string& name_or_file, const std::string& arch = "");

// Parses baseline text (exposed for tests). A line is a NEVRA when it parses as
// name-[epoch:]version-release[.arch] with a version starting with a digit;
// otherwise the whole line is a package name ("glibc-all-langpacks").
Baseline parse_baseline(const std::string& text, const std::string& source);

// Parses a runtime file list into BASELINE.files/symlinks: one absolute path a
// line, "LINK -> TARGET" for a directory symlink, '#' comment lines; a line
// ending in '/' is a directory and adds nothing.
void parse_baseline_files(const std::string& text, const std::string& source, Baseline& baseline);

// The baselines built into this binary ("al1", "al2", "al2023"), sorted.
std::vector<std::string> builtin_baselines();

}  // namespace yumda
