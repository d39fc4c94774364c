// Package identities and RPM version comparison (librpm's rpmvercmp).
#pragma once
#include <string>
#include <string_view>

namespace yumda {

struct Nevra {
  std::string name;
  std::string epoch;  // "" when none (same as "0" for comparison)
  std::string version;
  std::string release;
  std::string arch;

  // name-[epoch:]version-release.arch, epoch left out when empty or "0".
  std::string str() const;
  // [epoch:]version-release
  std::string evr() const;
  bool operator==(const Nevra&) const = default;
};

// Parses "name-[epoch:]version-release.arch"; the arch is recognised only when
// it is a known RPM arch (x86_64, noarch, aarch64, i686, ...). Returns false
// when the text has no version-release part.
bool parse_nevra(std::string_view text, Nevra& out);

// rpmvercmp semantics over full EVRs: <0, 0, >0.
int compare_evr(std::string_view a, std::string_view b);

}  // namespace yumda
