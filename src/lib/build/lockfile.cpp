#include "yumda/lockfile.hpp"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "yumda/error.hpp"
#include "yumda/fs.hpp"
#include "yumda/package_json.hpp"

namespace yumda {

namespace {

using nlohmann::ordered_json;

// What the lock keeps of a package's record, beside its location and size.
constexpr unsigned kLockedFields = kNevraFields | kRepoField | kChecksumFields;

std::string spec_of(const Nevra& n) {
  return n.name + "-" + (n.epoch.empty() ? "0" : n.epoch) + ":" + n.version + "-" + n.release + "." + n.arch;
}

}  // namespace

std::vector<std::string> Lockfile::specs() const {
  std::vector<std::string> out;
  for (const auto& p : packages) out.push_back(spec_of(p.nevra));
  return out;
}

Lockfile read_lockfile(const std::string& path) {
  std::string text = read_file(path);
  Lockfile lock;
  try {
    auto j = nlohmann::json::parse(text);
    // A number that is not a whole one is refused before any get<>: nlohmann
    // casts a double to an integer type unchecked (fuzz_lockfile).
    auto whole = [&](const nlohmann::json& v, const char* key) {
      if (!v.is_number_unsigned())
        throw Error("lockfile " + path + " has a \"" + key +
                    "\" that is not a whole number >= 0; regenerate it with install --lockfile");
      return v.get<uint64_t>();
    };
    lock.version = static_cast<int>(std::min<uint64_t>(whole(j.at("lockfile_version"), "lockfile_version"), 1u << 30));
    if (lock.version != 1)
      throw Error("lockfile " + path + " has version " + std::to_string(lock.version) +
                  ", which this yumda does not know (upgrade yumda or regenerate it with --lockfile)");
    lock.arch = j.value("arch", "");
    lock.baseline = j.value("baseline", "");
    for (const auto& r : j.value("repos", nlohmann::json::array())) {
      const std::string id = r.at("id").get<std::string>();
      lock.repos.emplace_back(id, r.value("baseurls", std::vector<std::string>{}));
      if (r.contains("resolved_baseurl"))
        lock.mirrored[id] = {r.value("mirrorlist", ""), r.at("resolved_baseurl").get<std::string>()};
    }
    if (auto in = j.find("inputs"); in != j.end()) {
      if (!in->is_object()) throw Error("lockfile " + path + " has \"inputs\" that are not an object; run `yumda lock`");
      for (const auto& [key, value] : in->items()) lock.inputs[key] = value.dump();
    }
    for (const auto& p : j.at("packages")) {
      LockedPackage lp;
      package_from_json(p, lp, JsonStyle::kShown, kLockedFields);
      lp.location = p.value("location", "");
      if (p.contains("download_size")) lp.download_size = whole(p.at("download_size"), "download_size");
      lock.packages.push_back(std::move(lp));
    }
  } catch (const nlohmann::json::exception& e) {
    throw Error("lockfile " + path + " is not a yumda lockfile (" + std::string(e.what()) +
                "); regenerate it with install --lockfile");
  }
  return lock;
}

void write_lockfile(const std::string& path, const Lockfile& lock) {
  ordered_json j;
  j["lockfile_version"] = lock.version;
  j["arch"] = lock.arch;
  j["baseline"] = lock.baseline;
  j["repos"] = ordered_json::array();
  for (const auto& [id, urls] : lock.repos) {
    ordered_json r = {{"id", id}, {"baseurls", urls}};
    if (auto it = lock.mirrored.find(id); it != lock.mirrored.end()) {
      r["mirrorlist"] = it->second.first;
      r["resolved_baseurl"] = it->second.second;
    }
    j["repos"].push_back(r);
  }
  if (!lock.inputs.empty()) {
    ordered_json in = ordered_json::object();
    for (const auto& [key, text] : lock.inputs) in[key] = ordered_json::parse(text);
    j["inputs"] = in;
  }
  j["packages"] = ordered_json::array();
  for (const auto& p : lock.packages) {
    // location sits between the repo and the checksum: the key order of older locks.
    ordered_json pj = ordered_json::object();
    package_to_json(pj, p, JsonStyle::kShown, kNevraFields | kRepoField);
    pj["location"] = p.location;
    package_to_json(pj, p, JsonStyle::kShown, kChecksumFields);
    pj["download_size"] = p.download_size;
    j["packages"].push_back(std::move(pj));
  }
  write_file_atomic(path, j.dump(2) + "\n");
}

Lockfile make_lockfile(const Config& config, const std::vector<PackageInfo>& packages) {
  Lockfile lock;
  lock.arch = config.main.arch;
  lock.baseline = config.main.baseline;
  for (const auto* r : config.enabled_repos()) lock.repos.emplace_back(r->id, r->baseurls);
  for (const auto& p : packages) {
    lock.packages.push_back({p, p.location, p.download_size});
    // The first base URL the mirror list gave (after any baseurl= ones): the
    // one its packages were fetched from first.
    const RepoConfig* r = config.find_repo(p.repo_id);
    if (!r || r->mirrorlist.empty() || lock.mirrored.count(r->id) || p.baseurls.size() <= r->baseurls.size()) continue;
    lock.mirrored[r->id] = {r->mirrorlist, p.baseurls[r->baseurls.size()]};
  }
  std::sort(lock.packages.begin(), lock.packages.end(),
            [](const auto& a, const auto& b) { return a.nevra.str() < b.nevra.str(); });
  return lock;
}

std::vector<std::string> pin_repos_to_lock(Config& config, const Lockfile& lock) {
  std::vector<std::string> pinned;
  for (auto& r : config.repos) {
    auto it = lock.mirrored.find(r.id);
    if (!r.enabled || r.mirrorlist.empty() || it == lock.mirrored.end() || it->second.second.empty()) continue;
    pinned.push_back("repo " + r.id + ": " + it->second.second + " as locked (not mirrorlist " + r.mirrorlist + ")");
    r.baseurls = {it->second.second};
    r.mirrorlist.clear();
  }
  return pinned;
}

void check_plan_against_lock(const ResolveResult& plan, const Lockfile& lock) {
  std::map<std::string, const LockedPackage*> locked;
  for (const auto& p : lock.packages) locked.emplace(spec_of(p.nevra), &p);
  std::vector<std::string> moved;
  std::map<std::string, bool> seen;
  for (const auto& p : plan.install) {
    auto it = locked.find(spec_of(p.nevra));
    if (it == locked.end()) {
      moved.push_back(p.nevra.str() + " would be installed but is not in the lock");
      continue;
    }
    seen[it->first] = true;
    const LockedPackage& l = *it->second;
    if (!l.checksum.empty() && (l.checksum_type != p.checksum_type || l.checksum != p.checksum))
      moved.push_back(p.nevra.str() + " changed in repo " + p.repo_id + " (" + p.checksum_type + " " +
                      p.checksum.substr(0, 12) + "… instead of " + l.checksum.substr(0, 12) + "…)");
  }
  if (!moved.empty()) {
    std::string msg = "the repos no longer match the lock: ";
    for (size_t i = 0; i < moved.size(); ++i) msg += (i ? "; " : "") + moved[i];
    throw Error(msg + " (if this is intended, update the lock: `yumda lock` for a yumda.toml, install --lockfile for a "
                      "layer directory)");
  }
}

}  // namespace yumda
