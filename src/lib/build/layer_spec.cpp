// yumda.toml, read with toml++ (Debian's libtomlplusplus: a real TOML parser
// is less code and fewer surprises than a hand-written one).
#include <toml++/toml.h>

#include <filesystem>

#include "yumda/build.hpp"
#include "yumda/error.hpp"

namespace yumda {

namespace {

std::string where(const std::string& path, const toml::node& n) {
  return path + ":" + std::to_string(n.source().begin.line);
}

std::vector<std::string> strings(const std::string& path, const toml::node& n, const std::string& key) {
  std::vector<std::string> out;
  if (auto s = n.value<std::string>()) return {*s};
  const toml::array* arr = n.as_array();
  if (!arr) throw UsageError(where(path, n) + ": " + key + " must be a string or a list of strings");
  for (const auto& e : *arr) {
    auto s = e.value<std::string>();
    if (!s) throw UsageError(where(path, e) + ": " + key + " must hold only strings");
    out.push_back(*s);
  }
  return out;
}

bool boolean(const std::string& path, const toml::node& n, const std::string& key) {
  auto b = n.value<bool>();
  if (!b) throw UsageError(where(path, n) + ": " + key + " must be true or false");
  return *b;
}

std::string string(const std::string& path, const toml::node& n, const std::string& key) {
  auto s = n.value<std::string>();
  if (!s) throw UsageError(where(path, n) + ": " + key + " must be a string");
  return *s;
}

}  // namespace

LayerSpec read_layer_spec(const std::string& path) {
  toml::table doc;
  try {
    doc = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    if (!std::filesystem::exists(path))
      throw UsageError("layer file " + path + " does not exist (write one, or pass -f FILE)");
    throw UsageError(path + ":" + std::to_string(e.source().begin.line) + ": " + std::string(e.description()));
  }
  LayerSpec spec;
  spec.path = path;
  for (const auto& [k, v] : doc) {
    std::string key(k.str());
    if (key == "packages") spec.packages = strings(path, v, key);
    else if (key == "config") spec.config = string(path, v, key);
    else if (key == "runtime") spec.runtime = string(path, v, key);
    else if (key == "baseline") spec.baseline = string(path, v, key);
    else if (key == "arch") spec.arch = string(path, v, key);
    else if (key == "nodocs") spec.nodocs = boolean(path, v, key);
    else if (key == "output") spec.output = string(path, v, key);
    else if (key == "lockfile") spec.lockfile = string(path, v, key);
    else if (key == "repo") {
      const toml::array* repos = v.as_array();
      if (!repos) throw UsageError(where(path, v) + ": repo must be an array of tables ([[repo]])");
      for (const auto& r : *repos) {
        const toml::table* t = r.as_table();
        if (!t) throw UsageError(where(path, r) + ": each [[repo]] must be a table");
        LayerSpecRepo repo;
        for (const auto& [rk, rv] : *t) {
          std::string k2(rk.str());
          if (k2 == "id") repo.id = string(path, rv, k2);
          else if (k2 == "baseurl") repo.baseurls = strings(path, rv, k2);
          else if (k2 == "gpgcheck") repo.gpgcheck = boolean(path, rv, k2);
          else if (k2 == "gpgkey") repo.gpgkeys = strings(path, rv, k2);
          else throw UsageError(where(path, rv) + ": unknown key '" + k2 + "' in [[repo]] (known: id, baseurl, gpgcheck, gpgkey)");
        }
        if (repo.id.empty() || repo.baseurls.empty())
          throw UsageError(where(path, r) + ": [[repo]] needs id and baseurl");
        spec.repos.push_back(std::move(repo));
      }
    } else {
      throw UsageError(where(path, v) + ": unknown key '" + key +
                       "' (known: packages, repo, config, runtime, baseline, arch, nodocs, output, lockfile)");
    }
  }
  if (spec.packages.empty()) throw UsageError(path + ": packages = [...] is required and must not be empty");
  return spec;
}

}  // namespace yumda
