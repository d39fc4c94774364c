// history [list] | history info [N] | history undo N: the layer's transactions, as dnf history.
#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <iostream>

#include "common.hpp"
#include "yumda/error.hpp"
#include "yumda/install.hpp"

namespace yumda::cli {

namespace {

struct HistoryArgs {
  std::vector<std::string> words;  // [list|info|undo] [N|last]
};

std::string date_text(uint64_t t, const char* format) {
  time_t tt = static_cast<time_t>(t);
  struct tm tm {};
  char buf[64];
  if (!gmtime_r(&tt, &tm) || !std::strftime(buf, sizeof buf, format, &tm)) return "?";
  return buf;
}

bool is_replaced_side(const HistoryItem& i) { return i.action == "Upgraded" || i.action == "Downgraded"; }

// dnf's Action(s) column: the one action's name, or the letters of several.
std::vector<std::string> actions(const HistoryEntry& e) {
  std::vector<std::string> out;
  for (const auto& i : e.items) {
    std::string a = i.action == "Obsoleted" ? "Obsoleting" : i.action;
    if (!is_replaced_side(i) && std::find(out.begin(), out.end(), a) == out.end()) out.push_back(a);
  }
  return out;
}

std::string actions_text(const HistoryEntry& e) {
  auto all = actions(e);
  if (all.size() == 1) return all.front();
  std::string out;
  for (const auto& a : all) out += (out.empty() ? "" : ", ") + std::string(a == "Removed" ? "E" : a.substr(0, 1));
  return out;
}

size_t altered(const HistoryEntry& e) {
  size_t n = 0;
  for (const auto& i : e.items) n += is_replaced_side(i) ? 0 : 1;
  return n;
}

json entry_json(const HistoryEntry& e) {
  json j = {{"id", e.id},
            {"time", e.time},
            {"date", date_text(e.time, "%Y-%m-%dT%H:%M:%SZ")},
            {"command", e.command},
            {"actions", actions(e)},
            {"altered", altered(e)},
            {"packages", json::array()}};
  for (const auto& i : e.items) {
    json p = nevra_json(i.nevra);
    p["action"] = i.action;
    p["reason"] = i.user_installed ? "user" : "dependency";
    j["packages"].push_back(std::move(p));
  }
  return j;
}

// "N" or "last" (0: the last one), as dnf takes them.
uint64_t transaction_id(const std::string& word) {
  if (word == "last") return 0;
  char* end = nullptr;
  errno = 0;
  unsigned long long v = std::strtoull(word.c_str(), &end, 10);
  if (word.empty() || !std::isdigit(static_cast<unsigned char>(word[0])) || *end || errno || v == 0)
    throw UsageError("history: '" + word + "' is not a transaction id (a number from `yumda history`, or last)");
  return v;
}

const HistoryEntry& find_entry(const LayerState& state, uint64_t id, const std::string& root) {
  if (state.history().empty()) throw Error("layer " + root + " has no history (no transaction committed yet)");
  const HistoryEntry* e = id ? state.find_transaction(id) : &state.history().back();
  if (!e) throw Error("no transaction " + std::to_string(id) + " in the history of layer " + root + " (see yumda history)");
  return *e;
}

void list(GlobalOptions& g, const LayerState& state, const std::string& root) {
  if (g.json) {
    json j = {{"schema_version", 1}, {"root", root}, {"transactions", json::array()}};
    for (auto it = state.history().rbegin(); it != state.history().rend(); ++it) j["transactions"].push_back(entry_json(*it));
    return set_document(g, j);
  }
  if (g.quiet) return;
  if (state.history().empty()) return void(std::printf("No transactions\n"));  // dnf's words
  std::printf("%-6s | %-24s | %-16s | %-14s | %s\n", "ID", "Command line", "Date and time", "Action(s)", "Altered");
  std::printf("%s\n", std::string(79, '-').c_str());
  for (auto it = state.history().rbegin(); it != state.history().rend(); ++it)
    // The command and NEVRAs come from .yumda/installed.json: escaped, never sent to the terminal raw.
    std::printf("%6llu | %-24.24s | %-16s | %-14s | %7zu\n", static_cast<unsigned long long>(it->id),
                printable(it->command).c_str(),
                date_text(it->time, "%Y-%m-%d %H:%M").c_str(), actions_text(*it).c_str(), altered(*it));
}

void info(GlobalOptions& g, const HistoryEntry& e) {
  if (g.json) return set_document(g, {{"schema_version", 1}, {"transaction", entry_json(e)}});
  if (g.quiet) return;
  std::cout << "Transaction ID : " << e.id << "\nBegin time     : " << date_text(e.time, "%Y-%m-%d %H:%M:%S UTC")
            << "\nCommand Line   : " << printable(e.command) << "\nPackages Altered:\n";
  // dnf's columns: the action and the NEVRA each as wide as the longest of the transaction
  int aw = 0, nw = 0;
  for (const auto& i : e.items)
    aw = std::max(aw, static_cast<int>(i.action.size())), nw = std::max(nw, static_cast<int>(printable(i.nevra.str()).size()));
  for (const auto& i : e.items)
    std::printf("    %-*s %-*s (%s)\n", aw, i.action.c_str(), nw, printable(i.nevra.str()).c_str(),
                i.user_installed ? "user" : "dependency");
}

void run_history(GlobalOptions& g, const HistoryArgs& a) {
  std::string verb = a.words.empty() ? "list" : a.words[0];
  if (verb != "list" && verb != "info" && verb != "undo")
    throw UsageError("history: unknown action '" + verb + "' (use list, info N or undo N)");
  if (a.words.size() > 2) throw UsageError("history " + verb + " takes at most one transaction id");
  if (verb == "undo") {
    if (a.words.size() < 2) throw UsageError("history undo needs a transaction id (see yumda history), or last");
    return run_undo(g, transaction_id(a.words[1]));
  }
  std::string root = layer_root(g);
  LayerState state = read_layer_state(root);
  if (verb == "list") {
    if (a.words.size() > 1) throw UsageError("history list takes no id (use history info N)");
    return list(g, state, root);
  }
  info(g, find_entry(state, a.words.size() > 1 ? transaction_id(a.words[1]) : 0, root));
}

}  // namespace

void add_history(CLI::App& app, GlobalOptions& g) {
  auto [history, a] = add_verb<HistoryArgs>(
      app, g, "history", "The layer's transactions: history [list], info [N], undo N", run_history);
  history->add_option("action", a.words, "list (default), info [N|last] or undo N|last");
}

}  // namespace yumda::cli
