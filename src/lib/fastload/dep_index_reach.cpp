// What a resolve can reach, from the dep indexes' postings and reach lists
// (docs/dep-index.md).
#include <algorithm>
#include <unordered_set>

#include "fastload/dep_index.hpp"
#include "fastload/dep_index_format.hpp"
#include "yumda/error.hpp"

namespace yumda {
using namespace depidx;

namespace {

// Index I of DEPS and its operands (prefix order): calls F for the names of
// the dep (dep_names' rule) when EMIT, and returns the index after it.
template <class F>
size_t dep_leaves(const std::vector<DepIndex::Dep>& deps, size_t i, bool emit, F&& f) {
  if (i >= deps.size()) throw Error("a dependency of the dependency index is cut short");
  const DepIndex::Dep& d = deps[i];
  if (!d.rel) {
    if (emit) f(d.str);
    return i + 1;
  }
  size_t right = dep_leaves(deps, i + 1, emit, f);
  return dep_leaves(deps, right, emit && d.flags >= kVersionRelBelow, f);
}

template <class F>
void wanted_names(const DepIndex::Package& pk, F&& f) {
  for (int kind : {kRequires, kRecommends})
    for (size_t i = 0; i < pk.deps[kind].size();) i = dep_leaves(pk.deps[kind], i, true, f);
}

template <class F>
void offered_names(const DepIndex::Package& pk, F&& f) {
  f(pk.name);
  for (size_t i = 0; i < pk.deps[0].size();) i = dep_leaves(pk.deps[0], i, true, f);
  for (auto file : pk.files) f(file);
}

}  // namespace

std::vector<std::vector<uint32_t>> reachable_packages(const std::vector<const DepIndex*>& indexes,
                                                      const std::vector<std::string>& roots) {
  std::vector<std::vector<uint32_t>> out(indexes.size());
  std::vector<std::vector<char>> taken;
  for (const DepIndex* idx : indexes) taken.emplace_back(idx->size(), 0);
  std::vector<std::pair<size_t, uint32_t>> todo;
  auto take = [&](size_t k, uint32_t pkg) {
    if (pkg >= indexes[k]->size() || taken[k][pkg]) return;
    taken[k][pkg] = 1;
    out[k].push_back(pkg);
    todo.emplace_back(k, pkg);
  };
  // NAME looked up in every index: a wanted name brings its providers; any
  // name reached brings what obsoletes or supplements it.
  auto look = [&](std::string_view name, bool wanted) {
    for (size_t k = 0; k < indexes.size(); ++k) {
      DepIndex::Postings post = indexes[k]->lookup(name);
      if (wanted)
        for (uint32_t p : post.provides) take(k, p);
      for (uint32_t p : post.obsoletes) take(k, p);
      for (uint32_t p : post.supplements) take(k, p);
    }
  };
  for (const auto& r : roots) look(r, true);
  // Within one index the record lists what a package reaches; with more
  // indexes, all are asked by name too. Each name is asked once.
  std::unordered_set<std::string> asked_wanted, asked_offered;
  while (!todo.empty()) {
    auto [k, pkg] = todo.back();
    todo.pop_back();
    DepIndex::Package pk = indexes[k]->package(pkg);
    for (uint32_t q : pk.reaches) take(k, q);
    if (indexes.size() == 1) continue;
    wanted_names(pk, [&](std::string_view n) {
      if (asked_wanted.emplace(n).second) look(n, true);
    });
    offered_names(pk, [&](std::string_view n) {
      if (asked_offered.emplace(n).second) look(n, false);
    });
  }
  for (auto& v : out) std::sort(v.begin(), v.end());
  return out;
}

}  // namespace yumda
