// Finding and rewriting compiled-in paths. A binary keeps its size and
// layout: a path is only ever replaced inside its own NUL-terminated string,
// which is shortened and padded with NULs (as conda rewrites binary
// prefixes), never lengthened. Text can take any length.
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <memory>
#include <unordered_map>

#include "yumda/fs.hpp"
#include "yumda/relocate.hpp"

namespace yumda {

namespace {

// Whether a cut-back candidate is still deeper than its rule's directory.
bool deeper_than_rule(const std::string& cand, const PathMap::Rule& rule) { return cand.size() > rule.from.size(); }

}  // namespace

std::vector<PathHit> hits_of(const std::vector<PathCandidate>& candidates, const PathMap& map,
                             const PathOracle& oracle) {
  std::vector<PathHit> hits;
  for (const PathCandidate& c : candidates) {
    const PathMap::Rule* rule = map.rule_for(c.path);
    if (!rule || rule->from == "/opt") continue;  // /opt paths are already right
    // A binary's whole string "/usr" is an install prefix that code joins
    // with relative paths ("share/git-core/templates"): those moved under
    // /opt the same way, so the prefix becomes /opt.
    if (c.whole_string && c.path == rule->from && rule->to.empty()) {
      hits.push_back({static_cast<size_t>(c.offset), c.path, "/opt"});
      continue;
    }
    for (std::string cand = c.path; deeper_than_rule(cand, *rule); cand.erase(cand.rfind('/'))) {
      if (oracle.in_runtime && oracle.in_runtime(cand)) break;
      std::optional<std::string> rel = map.map(cand);
      if (rel && oracle.in_layer && oracle.in_layer(*rel)) {
        hits.push_back({static_cast<size_t>(c.offset), cand, "/opt/" + *rel});
        break;
      }
    }
  }
  return hits;
}

std::vector<PathHit> find_path_hits(std::string_view data, const PathMap& map, const PathOracle& oracle) {
  PathScanner scan(map);
  scan.feed(data);
  return hits_of(scan.finish().candidates, map, oracle);
}

RewriteOutcome rewrite_paths(std::string& data, bool binary, const std::vector<PathHit>& hits) {
  RewriteOutcome out;
  if (hits.empty()) return out;
  if (!binary) {
    std::string next;
    next.reserve(data.size());
    size_t at = 0;
    for (const PathHit& h : hits) {
      next.append(data, at, h.offset - at);
      next += h.to;
      at = h.offset + h.from.size();
      ++out.rewritten;
    }
    next.append(data, at, std::string::npos);
    data = std::move(next);
    return out;
  }
  // Binary: hits grouped by the NUL-terminated string they sit in. In each,
  // every hit that does not lengthen the string is applied, then the longer
  // ones, in order, while the room others freed lasts ("/etc/magic:/usr/share/
  // misc/magic" gets its second path; the first would grow and stays).
  size_t i = 0;
  while (i < hits.size()) {
    const size_t str_begin = [&] {
      size_t nul = data.rfind('\0', hits[i].offset);
      return nul == std::string::npos ? 0 : nul + 1;
    }();
    size_t str_end = data.find('\0', hits[i].offset);
    if (str_end == std::string::npos) str_end = data.size();
    size_t j = i;
    while (j < hits.size() && hits[j].offset < str_end) ++j;
    std::vector<bool> apply(j - i);
    long room = 0;
    for (size_t k = i; k < j; ++k)
      if (hits[k].to.size() <= hits[k].from.size()) {
        apply[k - i] = true;
        room += static_cast<long>(hits[k].from.size() - hits[k].to.size());
      }
    for (size_t k = i; k < j; ++k) {
      const long grow = static_cast<long>(hits[k].to.size()) - static_cast<long>(hits[k].from.size());
      if (apply[k - i]) continue;
      if (grow <= room) {
        apply[k - i] = true;
        room -= grow;
      } else {
        out.would_grow.push_back(hits[k]);
      }
    }
    std::string next;
    size_t at = str_begin;
    const size_t applied = out.rewritten;
    for (size_t k = i; k < j; ++k) {
      if (!apply[k - i]) continue;
      next.append(data, at, hits[k].offset - at);
      next += hits[k].to;
      at = hits[k].offset + hits[k].from.size();
      ++out.rewritten;
    }
    next.append(data, at, str_end - at);
    std::copy(next.begin(), next.end(), data.begin() + static_cast<std::ptrdiff_t>(str_begin));
    std::fill(data.begin() + static_cast<std::ptrdiff_t>(str_begin + next.size()),
              data.begin() + static_cast<std::ptrdiff_t>(str_end), '\0');
    if (out.rewritten > applied) out.changed.emplace_back(str_begin, str_end);
    i = j;
  }
  return out;
}

namespace {

bool safe_rel(const std::string& rel) {
  if (rel.empty() || rel[0] == '/') return false;
  size_t pos = 0;
  while (pos <= rel.size()) {
    size_t end = rel.find('/', pos);
    if (end == std::string::npos) end = rel.size();
    if (rel.compare(pos, end - pos, "..") == 0) return false;
    pos = end + 1;
  }
  return true;
}

// Whether REL exists beneath DIR, following only symlinks that stay beneath it.
bool exists_beneath(int dir, const std::string& rel) {
  open_how how{};
  how.flags = O_PATH | O_CLOEXEC;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  long fd = syscall(SYS_openat2, dir, rel.c_str(), &how, sizeof how);
  if (fd >= 0) {
    close(static_cast<int>(fd));
    return true;
  }
  if (errno != ENOSYS && errno != EPERM) return false;
  struct stat st;  // no openat2 (old kernel, seccomp): the name itself, not followed
  return fstatat(dir, rel.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0;
}

struct OracleState {
  std::vector<UniqueFd> dirs;
  const Baseline* runtime = nullptr;
  std::unordered_map<std::string, bool> known;
};

}  // namespace

PathOracle layer_oracle(std::vector<std::string> dirs, const Baseline& runtime) {
  auto st = std::make_shared<OracleState>();
  st->runtime = &runtime;
  for (const auto& d : dirs)
    if (!d.empty())
      if (UniqueFd fd(open(d.c_str(), O_DIRECTORY | O_RDONLY | O_CLOEXEC)); fd) st->dirs.push_back(std::move(fd));
  PathOracle o;
  o.in_layer = [st](const std::string& rel) {
    auto [it, fresh] = st->known.emplace(rel, false);
    if (fresh && safe_rel(rel))
      for (const auto& d : st->dirs)
        if (exists_beneath(d.get(), rel)) {
          it->second = true;
          break;
        }
    return it->second;
  };
  o.in_runtime = [st](const std::string& abs) { return st->runtime->has_file(abs); };
  return o;
}

}  // namespace yumda
