#include "yumda/suggest.hpp"

#include <algorithm>
#include <utility>

namespace yumda {

size_t edit_distance(std::string_view a, std::string_view b) {
  // Optimal string alignment: three rows of the Damerau-Levenshtein table.
  std::vector<size_t> prev2(b.size() + 1), prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) cur[j] = std::min(cur[j], prev2[j - 2] + 1);
    }
    std::swap(prev2, prev);
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::vector<std::string> closest_words(std::string_view word, const std::vector<std::string>& candidates, size_t limit) {
  const size_t reach = word.size() <= 5 ? 1 : word.size() <= 8 ? 2 : 3;
  std::vector<std::pair<size_t, std::string>> hits;
  for (const auto& c : candidates) {
    // Lengths further apart than REACH cannot be within it.
    if (c == word || (c.size() > word.size() ? c.size() - word.size() : word.size() - c.size()) > reach) continue;
    if (size_t d = edit_distance(word, c); d <= reach) hits.emplace_back(d, c);
  }
  std::sort(hits.begin(), hits.end());
  hits.erase(std::unique(hits.begin(), hits.end()), hits.end());
  std::vector<std::string> out;
  for (const auto& [d, c] : hits) {
    if (out.size() == limit) break;
    if (std::find(out.begin(), out.end(), c) == out.end()) out.push_back(c);
  }
  return out;
}

}  // namespace yumda
