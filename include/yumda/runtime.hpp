// Lambda runtime profiles: what yumda builds layers for. A profile is data in
// repo-config/runtimes/NAME/ (runtime.conf and repos.d/), compiled into the
// binary: the runtime's package set and per-architecture file lists (a
// baseline name), its architectures, releasever, whether packages are
// relocated, and which Lambda runtimes it serves. runtime= in [main] or
// --runtime picks one; its values are defaults that baseline=, releasever=
// and relocate= (in a file, --setopt or their flags) override.
#pragma once
#include <string>
#include <vector>

#include "yumda/config.hpp"


namespace yumda {

inline constexpr const char* kDefaultRuntime = "al2023";

struct RuntimeProfile {
  std::string id;    // "al2023"
  std::string name;  // "Amazon Linux 2023"
  std::vector<std::string> lambda_runtimes;  // "provided.al2023", "python3.12", ...
  std::vector<std::string> architectures;    // canonical: "x86_64", "aarch64"
  std::string baseline;                      // package set + file lists (baseline.hpp)
  std::string releasever;
  std::string relocate;  // relocate= default ("auto"); load_config checks it as [main]'s
  std::string support;  // "provided.al2023 supported until 2029-06-30", "deprecated: ..."
  std::string date;     // when the profile's data was taken, YYYY-MM-DD
  std::string source;    // "<built-in>/runtimes/NAME/runtime.conf", for messages
  std::string reposdir;  // its default repos: "<built-in>/runtimes/NAME/repos.d"

  bool has_arch(const std::string& arch) const;
};

// The profiles built into this binary, sorted ("al1", "al2", "al2023").
std::vector<std::string> builtin_runtimes();

// Profile ID; throws UsageError naming it and the choices when there is no
// such profile, and "FILE:LINE" for a bad runtime.conf.
RuntimeProfile load_runtime(const std::string& id);

// "x86_64"/"amd64" -> "x86_64", "aarch64"/"arm64" -> "aarch64"; anything else
// throws UsageError listing the valid names.
std::string canonical_arch(const std::string& arch);

}  // namespace yumda
