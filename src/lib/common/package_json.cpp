#include "yumda/package_json.hpp"

#include <nlohmann/json.hpp>
#include <type_traits>

#include "yumda/error.hpp"

namespace yumda {

namespace {

// The field list: every PackageCore field but the NEVRA, with its group and
// its key. VISIT(group, key, member) is called in the lock's key order.
template <class Core, class Visit>
void for_each_field(Core& p, JsonStyle style, Visit&& visit) {
  visit(kRepoField, style == JsonStyle::kStored ? "repo_id" : "repo", p.repo_id);
  visit(kChecksumFields, "checksum_type", p.checksum_type);
  visit(kChecksumFields, "checksum", p.checksum);
  visit(kHeaderFields, "buildtime", p.buildtime);
  visit(kHeaderFields, "install_size", p.install_size);
  visit(kHeaderFields, "license", p.license);
  visit(kVendorField, "vendor", p.vendor);
  visit(kHeaderFields, "summary", p.summary);
  visit(kHeaderFields, "url", p.url);
  visit(kHeaderFields, "sourcerpm", p.sourcerpm);
  visit(kDepFields, "provides", p.provides);
  visit(kDepFields, "requires", p.requirements);
}

}  // namespace

template <class Json>
void nevra_to_json(Json& j, const Nevra& n, JsonStyle style) {
  const bool shown = style == JsonStyle::kShown;
  if (shown) j["nevra"] = n.str();
  j["name"] = n.name;
  j["epoch"] = shown && n.epoch.empty() ? "0" : n.epoch;
  j["version"] = n.version;
  j["release"] = n.release;
  j["arch"] = n.arch;
}

template <class Json>
void package_to_json(Json& j, const PackageCore& p, JsonStyle style, unsigned fields) {
  if (fields & kNevraFields) nevra_to_json(j, p.nevra, style);
  for_each_field(p, style, [&](unsigned group, const char* key, const auto& value) {
    if (fields & group) j[key] = value;
  });
}

template void nevra_to_json(nlohmann::json&, const Nevra&, JsonStyle);
template void nevra_to_json(nlohmann::ordered_json&, const Nevra&, JsonStyle);
template void package_to_json(nlohmann::json&, const PackageCore&, JsonStyle, unsigned);
template void package_to_json(nlohmann::ordered_json&, const PackageCore&, JsonStyle, unsigned);

void nevra_from_json(const nlohmann::json& j, Nevra& n, JsonStyle style) {
  const bool shown = style == JsonStyle::kShown;
  n.name = j.at("name").get<std::string>();
  n.epoch = j.value("epoch", std::string(shown ? "0" : ""));
  n.version = j.at("version").get<std::string>();
  n.release = j.at("release").get<std::string>();
  n.arch = shown ? j.at("arch").get<std::string>() : j.value("arch", std::string());
}

void package_from_json(const nlohmann::json& j, PackageCore& p, JsonStyle style, unsigned fields) {
  if (fields & kNevraFields) nevra_from_json(j, p.nevra, style);
  for_each_field(p, style, [&](unsigned group, const char* key, auto& value) {
    using T = std::decay_t<decltype(value)>;
    if (!(fields & group)) return;
    if constexpr (std::is_same_v<T, uint64_t>) value = unsigned_value(j, key);
    else value = j.value(key, T());
  });
}

uint64_t unsigned_value(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end()) return 0;
  if (!it->is_number_unsigned()) throw Error(std::string("\"") + key + "\" is not a whole number >= 0");
  return it->get<uint64_t>();
}

void to_json(nlohmann::json& j, const Nevra& n) { nevra_to_json(j, n, JsonStyle::kStored); }
void from_json(const nlohmann::json& j, Nevra& n) { nevra_from_json(j, n, JsonStyle::kStored); }
void to_json(nlohmann::json& j, const PackageCore& p) { package_to_json(j, p, JsonStyle::kStored, kAllFields); }
void from_json(const nlohmann::json& j, PackageCore& p) { package_from_json(j, p, JsonStyle::kStored, kAllFields); }

}  // namespace yumda
