// The JSON of a package record: the one field list behind installed.json,
// yumda.lock and --json (docs/json.md). The formats name a few fields
// differently (a style) and keep different groups of fields, but each field
// is listed once, in package_json.cpp.
#pragma once
#include <cstdint>
#include <nlohmann/json_fwd.hpp>

#include "yumda/nevra.hpp"
#include "yumda/package.hpp"

namespace yumda {

enum class JsonStyle {
  kStored,  // installed.json: the epoch as stored ("" for none), "repo_id"
  kShown,   // docs/json.md and yumda.lock: epoch "0" for none, "nevra" added, "repo"
};

// Groups of PackageCore's fields: a format takes the ones it keeps.
enum PackageFields : unsigned {
  kNevraFields = 1,     // name, epoch, version, release, arch (and nevra, shown)
  kRepoField = 2,       // repo_id (stored) or repo (shown)
  kChecksumFields = 4,  // checksum_type, checksum
  kHeaderFields = 8,    // buildtime, install_size, license, summary, url, sourcerpm
  kVendorField = 16,    // vendor
  kDepFields = 32,      // provides, requires
  kAllFields = 63,
};

// Adds FIELDS of P (or N) to the object J, named as STYLE names them. Json is
// nlohmann::json or nlohmann::ordered_json (the lock keeps its key order).
template <class Json>
void nevra_to_json(Json& j, const Nevra& n, JsonStyle style);
template <class Json>
void package_to_json(Json& j, const PackageCore& p, JsonStyle style, unsigned fields);

// Reads them back. name, version and release are required (and arch when
// shown: a shown record always has one); any other field may be absent (a
// field added later leaves older files readable) and is then empty, 0, or
// epoch "0" when shown. Throws nlohmann's exceptions for a missing or
// mistyped field, and Error for a number that is not a whole one >= 0.
void nevra_from_json(const nlohmann::json& j, Nevra& n, JsonStyle style);
void package_from_json(const nlohmann::json& j, PackageCore& p, JsonStyle style, unsigned fields);

// J's KEY as a size or time: absent is 0; anything but a whole number >= 0 is
// an Error (nlohmann's get<uint64_t> of 1e300 or -1.5 is undefined behaviour).
uint64_t unsigned_value(const nlohmann::json& j, const char* key);

// nlohmann's ADL hooks: installed.json's form, every field (`json j = core;`).
void to_json(nlohmann::json& j, const Nevra& n);
void from_json(const nlohmann::json& j, Nevra& n);
void to_json(nlohmann::json& j, const PackageCore& p);
void from_json(const nlohmann::json& j, PackageCore& p);

}  // namespace yumda
