// Software bill of materials for a layer: SPDX 2.3 or CycloneDX 1.5 JSON,
// every package with NEVRA, license, supplier, checksum, purl, and the
// dependency relationships between the layer's packages.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "yumda/layer.hpp"

namespace yumda {

enum class SbomFormat { kSpdx, kCycloneDx };

struct SbomOptions {
  SbomFormat format = SbomFormat::kSpdx;
  std::string layer_name = "layer";
  int64_t created = 0;  // document timestamp (SOURCE_DATE_EPOCH or newest buildtime): reproducible
  std::string tool_version;
};

// pkg:rpm/REPO/NAME@VERSION-RELEASE?arch=ARCH[&epoch=E]
std::string package_purl(const InstalledPackage& p);

// The JSON document (pretty-printed, stable order).
std::string make_sbom(const std::vector<InstalledPackage>& packages, const SbomOptions& options);

// Parses "spdx" / "cyclonedx"; throws UsageError naming the choices.
SbomFormat parse_sbom_format(const std::string& text);

}  // namespace yumda
