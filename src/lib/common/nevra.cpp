#include "yumda/nevra.hpp"

#include <rpm/rpmver.h>

#include <array>

namespace yumda {

namespace {

constexpr std::array<std::string_view, 16> kArches = {
    "x86_64", "noarch", "aarch64", "i686", "i586", "i386", "src", "nosrc",
    "ppc64le", "ppc64", "s390x", "armv7hl", "armhfp", "riscv64", "athlon", "ia32e"};

bool known_arch(std::string_view a) {
  for (auto k : kArches)
    if (k == a) return true;
  return false;
}

}  // namespace

std::string Nevra::evr() const {
  std::string out;
  if (!epoch.empty() && epoch != "0") out += epoch + ":";
  out += version;
  if (!release.empty()) out += "-" + release;
  return out;
}

std::string Nevra::str() const {
  std::string out = name + "-" + evr();
  if (!arch.empty()) out += "." + arch;
  return out;
}

bool parse_nevra(std::string_view text, Nevra& out) {
  Nevra n;
  std::string_view rest = text;
  if (auto dot = rest.rfind('.'); dot != std::string_view::npos && known_arch(rest.substr(dot + 1))) {
    n.arch = rest.substr(dot + 1);
    rest = rest.substr(0, dot);
  }
  auto dash2 = rest.rfind('-');
  if (dash2 == std::string_view::npos || dash2 == 0) return false;
  auto dash1 = rest.rfind('-', dash2 - 1);
  if (dash1 == std::string_view::npos || dash1 == 0) return false;
  n.name = rest.substr(0, dash1);
  std::string_view ev = rest.substr(dash1 + 1, dash2 - dash1 - 1);
  n.release = rest.substr(dash2 + 1);
  if (auto colon = ev.find(':'); colon != std::string_view::npos) {
    n.epoch = ev.substr(0, colon);
    ev = ev.substr(colon + 1);
  }
  n.version = ev;
  if (n.version.empty() || n.release.empty()) return false;
  out = std::move(n);
  return true;
}

int compare_evr(std::string_view a, std::string_view b) {
  rpmver va = rpmverParse(std::string(a).c_str());
  rpmver vb = rpmverParse(std::string(b).c_str());
  int r = (va && vb) ? rpmverCmp(va, vb) : std::string(a).compare(std::string(b));
  rpmverFree(va);
  rpmverFree(vb);
  return r;
}

}  // namespace yumda
