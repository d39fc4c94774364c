// What every record of a package carries: its identity, its repo, its RPM's
// checksum and the header facts yumda keeps. PackageInfo (a repo's package,
// resolve.hpp) and InstalledPackage (a layer's, layer.hpp) are a PackageCore
// plus what their stage adds, so these fields are declared once and a record
// passes them on whole (install's to_installed, the CLI's --json).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "yumda/nevra.hpp"

namespace yumda {

struct PackageCore {
  Nevra nevra;
  std::string repo_id;
  std::string checksum_type;
  std::string checksum;
  uint64_t buildtime = 0;
  uint64_t install_size = 0;
  std::string license;
  std::string vendor;
  std::string summary;
  std::string url;
  std::string sourcerpm;
  std::vector<std::string> provides;      // "name op evr" as libsolv prints them
  std::vector<std::string> requirements;  // "requires" is a C++20 keyword
};

}  // namespace yumda
