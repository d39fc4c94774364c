// search: packages whose name or summary contains every word.
#include <iostream>

#include "repo_verb.hpp"
#include "yumda/error.hpp"

namespace yumda::cli {

namespace {

void run_search(GlobalOptions& g, const std::vector<std::string>& words) {
  if (words.empty()) throw UsageError("search needs a word (e.g. yumda search curl)");
  RepoVerb repos(g, "");
  auto found = repos.resolver().search(words);
  if (g.json) {
    repos.resolver().describe(found);
    json j = {{"packages", json::array()}};
    for (const auto& p : found) j["packages"].push_back(package_json(p));
    return set_document(g, j);
  }
  if (found.empty()) {  // dnf: a message, exit 0
    if (!g.quiet) std::cerr << "No matches found.\n";
    return;
  }
  std::string keys;
  for (const auto& w : words) keys += (keys.empty() ? "" : ", ") + w;
  std::cout << "========== Name & Summary Matched: " << keys << " ==========\n";
  for (const auto& p : found) std::cout << p.nevra.name << "." << p.nevra.arch << " : " << p.summary << "\n";
}

}  // namespace

void add_search(CLI::App& app, GlobalOptions& g) {
  auto [search, words] = add_verb<std::vector<std::string>>(
      app, g, "search", "Find packages whose name or summary contains every word", run_search);
  search->add_option("words", words, "Words")->required();
}

}  // namespace yumda::cli
