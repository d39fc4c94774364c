// Writes a layer directory as a Lambda layer zip: entries sorted, symlinks
// stored as symlinks, unix modes kept, .yumda/ left out, fixed timestamps, so
// the same directory always gives the same bytes.
#pragma once
#include <cstdint>
#include <string>

namespace yumda {

struct ZipOptions {
  int64_t mtime = 0;  // every entry's timestamp (SOURCE_DATE_EPOCH or newest buildtime)
  int level = 6;      // deflate level
  int threads = 0;    // compressing threads (libdeflate build); 0 = min(2, cores)
};

struct ZipResult {
  uint64_t entries = 0;
  uint64_t unzipped_bytes = 0;
  uint64_t zipped_bytes = 0;
};

// Lambda's limits, for the warnings: binary units, as AWS counts them
// (50 MiB zipped for a direct upload, 250 MiB = 262,144,000 bytes unzipped).
constexpr uint64_t kLambdaMaxZipped = 50ull * 1024 * 1024;
constexpr uint64_t kLambdaMaxUnzipped = 250ull * 1024 * 1024;

// Writes OUT atomically (OUT.tmp then rename). Throws Error naming the path.
ZipResult write_layer_zip(const std::string& root, const std::string& out, const ZipOptions& options);

}  // namespace yumda
