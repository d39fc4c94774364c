// The Lambda runtime's own packages: installed already, never downloaded,
// never written into a layer. A baseline is data (repo-config/baseline/*.txt):
// one package name or NEVRA per line, '#' comments; an optional runtime file
// list (NAME.files.txt) says which library and interpreter paths exist.
#pragma once
#include <string>
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
  // Absolute paths present in the runtime's filesystem ("/lib64/libc.so.6",
  // "/bin/sh"); empty when no file list ships with the baseline.
  std::vector<std::string> files;

  bool empty() const { return packages.empty() && files.empty(); }
};

// NAME_OR_FILE: "none", a built-in name ("al2", "al1"), or a path to a file.
// Throws UsageError naming the baseline and the choices when it is not found,
// and "FILE:LINE" for a malformed line.
Baseline load_baseline(const std::string& name_or_file);

// Parses baseline text (exposed for tests).
Baseline parse_baseline(const std::string& text, const std::string& source);

}  // namespace yumda
