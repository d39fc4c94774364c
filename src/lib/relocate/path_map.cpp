// The path map: which directory of a stock package lands where in the layer.
// It follows what Lambda puts on PATH (/opt/bin) and LD_LIBRARY_PATH
// (/opt/lib), so a moved tool and its libraries are found without wrappers.
#include <algorithm>

#include "yumda/relocate.hpp"

namespace yumda {

namespace {

// Debian's and Ubuntu's multiarch directories (stock packages of those
// layouts keep libraries there); Fedora-derived distributions use lib64.
const char* const kTriplets[] = {"x86_64-linux-gnu", "aarch64-linux-gnu"};

bool covers(std::string_view prefix, std::string_view abs) {
  return abs.size() >= prefix.size() && abs.compare(0, prefix.size(), prefix) == 0 &&
         (abs.size() == prefix.size() || abs[prefix.size()] == '/');
}

PathMap::Rule rule(std::string from, std::string to) { return {std::move(from), std::move(to)}; }

}  // namespace

PathMap PathMap::standard(const std::vector<std::pair<std::string, std::string>>& extra) {
  PathMap m;
  for (const auto& [from, to] : extra) m.rules_.push_back(rule(from, to));
  for (const char* dir : {"/usr/bin", "/usr/sbin", "/bin", "/sbin"}) m.rules_.push_back(rule(dir, "bin"));
  for (const char* t : kTriplets) {
    m.rules_.push_back(rule(std::string("/usr/lib/") + t, "lib"));
    m.rules_.push_back(rule(std::string("/lib/") + t, "lib"));
  }
  for (const char* dir : {"/usr/lib64", "/lib64", "/usr/lib", "/lib"}) m.rules_.push_back(rule(dir, "lib"));
  m.rules_.push_back(rule("/usr/libexec", "libexec"));
  m.rules_.push_back(rule("/usr/share", "share"));
  m.rules_.push_back(rule("/usr/include", "include"));
  m.rules_.push_back(rule("/etc", "etc"));
  m.rules_.push_back(rule("/usr", ""));
  m.rules_.push_back(rule("/opt", ""));
  // Longest prefix first; stable, so a user's rule beats a standard one of
  // the same prefix.
  std::stable_sort(m.rules_.begin(), m.rules_.end(),
                   [](const Rule& a, const Rule& b) { return a.from.size() > b.from.size(); });
  return m;
}

PathMap PathMap::opt_only() {
  PathMap m;
  m.rules_.push_back(rule("/opt", ""));
  return m;
}

const PathMap::Rule* PathMap::rule_for(std::string_view abs) const {
  for (const Rule& r : rules_)
    if (covers(r.from, abs)) return &r;
  return nullptr;
}

std::optional<std::string> PathMap::map(std::string_view abs) const {
  const Rule* r = rule_for(abs);
  if (!r) return std::nullopt;
  std::string_view rest = abs.substr(r->from.size());  // "" or "/..."
  if (r->to.empty()) return std::string(rest.empty() ? rest : rest.substr(1));
  return r->to + std::string(rest);
}

}  // namespace yumda
