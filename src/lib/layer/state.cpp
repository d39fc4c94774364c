// ROOT/.yumda/installed.json: what the layer holds, read and written with
// nlohmann-json. The file is versioned so a newer yumda's layout is refused
// rather than silently misread.
#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <set>

#include "layer/layer_dirs.hpp"
#include "yumda/error.hpp"
#include "yumda/fs.hpp"
#include "yumda/layer.hpp"
#include "yumda/package_json.hpp"

namespace yumda {

namespace {

constexpr int kFormatVersion = 1;

using nlohmann::json;

json rewritten_to_json(const RewrittenFile& r) {
  json j{{"path", r.path}, {"paths", r.paths}};
  if (!r.target.empty()) {
    j["target_shipped"] = r.target_shipped;
    j["target"] = r.target;
  } else {
    j["sha256_shipped"] = r.sha256_shipped;
    j["sha256"] = r.sha256;
  }
  return j;
}

RewrittenFile rewritten_from_json(const json& j) {
  RewrittenFile r;
  r.path = j.at("path").get<std::string>();
  r.paths = static_cast<size_t>(unsigned_value(j, "paths"));
  r.sha256_shipped = j.value("sha256_shipped", std::string());
  r.sha256 = j.value("sha256", std::string());
  r.target_shipped = j.value("target_shipped", std::string());
  r.target = j.value("target", std::string());
  return r;
}

json package_to_json(const InstalledPackage& p) {
  json j = static_cast<const PackageCore&>(p);
  j["user_installed"] = p.user_installed;
  j["files"] = p.files;
  if (!p.moved_from.empty()) {
    json rewritten = json::array();
    for (const auto& r : p.rewritten) rewritten.push_back(rewritten_to_json(r));
    j["relocated"] = {{"moved_from", p.moved_from}, {"rewritten", rewritten}, {"unrewritable", p.unrewritable}};
  }
  return j;
}

// Identity fields are required; the rest default, so a field added later does
// not make older files unreadable.
InstalledPackage package_from_json(const json& j) {
  InstalledPackage p;
  static_cast<PackageCore&>(p) = j.get<PackageCore>();
  p.user_installed = j.value("user_installed", true);
  p.files = j.value("files", std::vector<std::string>());
  if (auto it = j.find("relocated"); it != j.end()) {
    p.moved_from = it->value("moved_from", std::map<std::string, std::string>());
    for (const auto& r : it->value("rewritten", json::array())) p.rewritten.push_back(rewritten_from_json(r));
    p.unrewritable = it->value("unrewritable", std::vector<std::string>());
  }
  if (p.nevra.name.empty()) throw Error("a package has an empty name");
  return p;
}

const std::set<std::string> kActions = {"Install",    "Upgrade",   "Upgraded", "Downgrade",
                                        "Downgraded", "Reinstall", "Removed",  "Obsoleted"};

json history_to_json(const HistoryEntry& e) {
  json items = json::array();
  for (const auto& i : e.items) {
    json item = i.nevra;
    item["action"] = i.action;
    item["reason"] = i.user_installed ? "user" : "dependency";
    items.push_back(std::move(item));
  }
  return json{{"id", e.id}, {"time", e.time}, {"command", e.command}, {"packages", std::move(items)}};
}

HistoryEntry history_from_json(const json& j) {
  HistoryEntry e;
  e.id = unsigned_value(j, "id");
  e.time = unsigned_value(j, "time");
  e.command = j.value("command", std::string());
  for (const auto& i : j.at("packages")) {
    HistoryItem item;
    item.action = i.at("action").get<std::string>();
    if (!kActions.count(item.action)) throw Error("history entry " + std::to_string(e.id) + " has an unknown action");
    item.nevra = i.get<Nevra>();
    std::string reason = i.value("reason", std::string("dependency"));
    if (reason != "user" && reason != "dependency")
      throw Error("history entry " + std::to_string(e.id) + " has an unknown reason");
    item.user_installed = reason == "user";
    if (item.nevra.name.empty()) throw Error("history entry " + std::to_string(e.id) + " names an empty package");
    e.items.push_back(std::move(item));
  }
  return e;
}

}  // namespace

std::string LayerState::path(const std::string& root) { return root + "/.yumda/installed.json"; }

// Read beneath ROOT, never through a symlink: installed.json is input too.
LayerState LayerState::load(const std::string& root) {
  auto dirs = detail::open_layer_dirs(root, /*create=*/false);
  std::string text;
  if (!dirs.meta ||
      !detail::read_beneath(dirs.meta.get(), "installed.json", detail::kMaxLayerMetaFile, "layer state " + path(root), text))
    return LayerState();
  return parse(text, path(root));
}

LayerState LayerState::load_file(const std::string& file) {
  if (!path_exists(file)) return LayerState();
  return parse(read_file(file), file);
}

LayerState LayerState::parse(const std::string& text, const std::string& file) {
  LayerState state;
  const std::string fix = " (restore it from a backup, or delete it and reinstall the layer's packages)";
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::exception& e) {
    throw Error("layer state " + file + " is not valid JSON: " + e.what() + fix);
  }
  if (!doc.is_object() || !doc.contains("format_version") || !doc["format_version"].is_number_integer())
    throw Error("layer state " + file + " has no format_version" + fix);
  int version = doc["format_version"].get<int>();
  if (version > kFormatVersion)
    throw Error("layer state " + file + " was written by a newer yumda (format " + std::to_string(version) +
                ", this one reads " + std::to_string(kFormatVersion) + "); upgrade yumda or use another --root");
  if (version < 1) throw Error("layer state " + file + " has an invalid format_version " + std::to_string(version) + fix);
  try {
    for (const auto& j : doc.at("packages")) state.packages_.push_back(package_from_json(j));
    // Ids only grow, so `history info N` names one transaction.
    for (const auto& j : doc.value("history", json::array())) {
      state.history_.push_back(history_from_json(j));
      if (state.history_.size() > 1 && state.history_.back().id <= state.history_[state.history_.size() - 2].id)
        throw Error("history ids are not increasing");
    }
  } catch (const json::exception& e) {
    throw Error("layer state " + file + " is corrupt: " + e.what() + fix);
  } catch (const Error& e) {
    throw Error("layer state " + file + " is corrupt: " + e.what() + fix);
  }
  return state;
}

std::string LayerState::to_json() const {
  std::vector<const InstalledPackage*> sorted;
  for (const auto& p : packages_) sorted.push_back(&p);
  // Sorted so the same layer always gives the same file (diffable, stable).
  std::stable_sort(sorted.begin(), sorted.end(), [](const InstalledPackage* a, const InstalledPackage* b) {
    if (a->nevra.name != b->nevra.name) return a->nevra.name < b->nevra.name;
    return a->nevra.str() < b->nevra.str();
  });
  json list = json::array();
  for (const auto* p : sorted) {
    json j = package_to_json(*p);
    auto& files = j["files"].get_ref<json::array_t&>();
    std::sort(files.begin(), files.end());
    list.push_back(std::move(j));
  }
  json doc{{"format_version", kFormatVersion}, {"packages", std::move(list)}};
  if (!history_.empty()) {
    json history = json::array();
    for (const auto& e : history_) history.push_back(history_to_json(e));
    doc["history"] = std::move(history);
  }
  return doc.dump(2) + "\n";
}

void LayerState::save(const std::string& root) const {
  make_dirs(root + "/.yumda");
  write_file_atomic(path(root), to_json());
}

std::map<std::string, std::string> LayerState::owners() const {
  std::map<std::string, std::string> out;
  for (const auto& p : packages_)
    for (const auto& f : p.files) out.emplace(f, p.nevra.str());
  return out;
}

const InstalledPackage* LayerState::find(const std::string& name) const {
  for (const auto& p : packages_)
    if (p.nevra.name == name) return &p;
  return nullptr;
}

const HistoryEntry* LayerState::find_transaction(uint64_t id) const {
  for (const auto& e : history_)
    if (e.id == id) return &e;
  return nullptr;
}

void LayerState::record(const LayerState& before, const std::string& command,
                        const std::map<std::string, std::vector<Nevra>>& replaces, uint64_t now) {
  history_ = before.history_;
  std::map<std::string, std::string> replacer;  // old NEVRA -> the new one that took it out
  for (const auto& [by, olds] : replaces)
    for (const auto& o : olds) replacer.emplace(o.str(), by);
  auto was_replaced = [&](const Nevra& n) { return replacer.count(n.str()) > 0; };
  auto holds = [](const std::vector<InstalledPackage>& set, const Nevra& n) {
    return std::any_of(set.begin(), set.end(), [&](const InstalledPackage& p) { return p.nevra == n; });
  };
  // Rows in groups: a package's own, then those of what it took out.
  std::vector<std::vector<HistoryItem>> groups;
  std::map<std::string, size_t> group_of;  // new NEVRA -> its group
  std::set<std::string> paired;  // old NEVRAs an Upgrade or Downgrade row accounts for
  for (const auto& p : packages_) {
    if (holds(before.packages_, p.nevra)) {
      if (was_replaced(p.nevra)) groups.push_back({{"Reinstall", p.nevra, p.user_installed}});
      continue;
    }
    group_of[p.nevra.str()] = groups.size();
    groups.emplace_back();
    auto& rows = groups.back();
    // Another version of the same name going out: this is an up- or downgrade.
    const InstalledPackage* old = nullptr;
    for (const auto& q : before.packages_)
      if (q.nevra.name == p.nevra.name && !holds(packages_, q.nevra) && !paired.count(q.nevra.str())) old = &q;
    if (!old) {
      rows.push_back({"Install", p.nevra, p.user_installed});
      continue;
    }
    paired.insert(old->nevra.str());
    bool down = compare_evr(p.nevra.evr(), old->nevra.evr()) < 0;
    rows.push_back({down ? "Downgrade" : "Upgrade", p.nevra, p.user_installed});
    rows.push_back({down ? "Downgraded" : "Upgraded", old->nevra, old->user_installed});
  }
  for (const auto& q : before.packages_) {
    if (holds(packages_, q.nevra) || paired.count(q.nevra.str())) continue;
    auto by = replacer.find(q.nevra.str());
    auto g = by == replacer.end() ? group_of.end() : group_of.find(by->second);
    if (g != group_of.end()) groups[g->second].push_back({"Obsoleted", q.nevra, q.user_installed});
    else groups.push_back({{was_replaced(q.nevra) ? "Obsoleted" : "Removed", q.nevra, q.user_installed}});
  }
  std::stable_sort(groups.begin(), groups.end(), [](const auto& a, const auto& b) {
    return a.front().nevra.name < b.front().nevra.name;
  });
  HistoryEntry entry;
  for (auto& rows : groups) entry.items.insert(entry.items.end(), rows.begin(), rows.end());
  if (entry.items.empty()) return;
  if (!history_.empty() && history_.back().id == UINT64_MAX)
    throw Error("the layer's history has no transaction id left (edit the \"history\" of .yumda/installed.json)");
  entry.id = history_.empty() ? 1 : history_.back().id + 1;
  entry.time = now;
  entry.command = command;
  history_.push_back(std::move(entry));
  // Bounded: the state is read on every run.
  if (history_.size() > kMaxHistory) history_.erase(history_.begin(), history_.end() - kMaxHistory);
}

int64_t reproducible_mtime(const std::vector<InstalledPackage>& packages) {
  if (const char* sde = std::getenv("SOURCE_DATE_EPOCH"); sde && *sde) {
    char* end = nullptr;
    errno = 0;
    long long v = std::strtoll(sde, &end, 10);
    if (*end || v < 0 || errno == ERANGE)
      throw UsageError("SOURCE_DATE_EPOCH must be a number of seconds, not '" + std::string(sde) + "'");
    return v;
  }
  uint64_t newest = 0;
  for (const auto& p : packages) newest = std::max(newest, p.buildtime);
  return newest ? static_cast<int64_t>(newest) : 315532800;  // 1980-01-01, zip's epoch
}

}  // namespace yumda
