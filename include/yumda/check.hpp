// `yumda check`: will this layer work on Lambda? Looks at the files the way the
// runtime will: ELF libraries each binary needs, script interpreters, symlinks,
// hard-coded /usr paths and size limits, against the layer and the runtime
// baseline's file list.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "yumda/baseline.hpp"
#include "yumda/relocate.hpp"

namespace yumda {

struct CheckFinding {
  enum class Kind {
    kMissingLibrary,      // DT_NEEDED found neither in the layer nor in the runtime
    kWrongArchitecture,   // ELF for another machine than the layer's arch
    kMissingInterpreter,  // #! interpreter neither in the layer nor in the runtime
    kBrokenSymlink,       // target does not exist (inside the layer)
    kSymlinkOutside,      // absolute target outside /opt that the runtime lacks
    kUsrPath,             // hard-codes a /usr path the runtime lacks (warning)
    kUnrelocatedPath,     // a relocated file still names a path the layer moved under /opt (warning)
    kModified,            // a file yumda rewrote has other content than it wrote, nor the shipped one (warning)
    kTooBig,              // over Lambda's 250 MB unzipped
  };
  Kind kind;
  bool error;          // false: a warning only
  std::string path;    // relative to the layer root ("bin/git")
  std::string detail;  // the library, interpreter, target or path in question
  std::string message() const;  // one line for the user
};

struct CheckOptions {
  std::string arch = "x86_64";
  bool elf_only = false;  // what `install` runs at its end
  // Only these paths (relative to ROOT); empty: the whole layer. The size
  // limit is checked only on a whole-layer walk.
  std::vector<std::string> paths;
  // Files of relocated packages (relative to ROOT) and the map they were
  // relocated by: each is read for paths still pointing where the package
  // had its files though the layer has them under /opt (kUnrelocatedPath).
  std::vector<std::string> relocated_files;
  const PathMap* path_map = nullptr;
  // Files relocation rewrote: path -> (sha256 it wrote, sha256 the package
  // shipped). Other content is reported (kModified): not yumda's doing.
  std::map<std::string, std::pair<std::string, std::string>> rewritten_digests;
  // For a baseline without a file list, what the packages say, as rpm writes
  // capabilities ("libz.so.1()(64bit)"): what the baseline's packages provide
  // (repo metadata), and what the layer's packages provide and require (the
  // layer record). A library the runtime's packages provide, or one the layer's
  // packages require without providing it (the runtime met it when they were
  // installed), counts as present; one the layer's packages provide must be in
  // the layer (an error when it is not); any other is a warning.
  std::vector<std::string> runtime_provides;
  std::vector<std::string> layer_provides;
  std::vector<std::string> layer_requires;
};

// Walks ROOT (skipping .yumda/) and returns every finding, sorted by path.
std::vector<CheckFinding> check_layer(const std::string& root, const Baseline& baseline, const CheckOptions& options);

// ELF facts used by the check (exposed for tests).
struct ElfInfo {
  bool is_elf = false;
  uint16_t machine = 0;  // EM_X86_64, EM_AARCH64, ...
  bool is_64 = false;
  std::vector<std::string> needed;
  std::vector<std::string> runpath;  // DT_RUNPATH or DT_RPATH entries, unexpanded
  std::string interpreter;           // PT_INTERP
};
// Reads PATH's ELF headers; is_elf=false for anything else (or a malformed ELF).
ElfInfo read_elf(const std::string& path);

}  // namespace yumda
