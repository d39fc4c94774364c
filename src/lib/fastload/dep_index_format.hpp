// What the writer, the reader and the reach of the dependency index share:
// the header, its magic and the key hash (docs/dep-index.md, "Layout").
#pragma once
#include <cstdint>
#include <string_view>

namespace yumda::depidx {

inline constexpr char kMagic[8] = {'Y', 'D', 'E', 'P', 'I', 'D', 'X', '4'};
inline constexpr uint32_t kVersionRelBelow = 8;  // rel flags below this compare versions: the right side is an EVR
inline constexpr int kRequires = 1, kObsoletes = 3, kRecommends = 4, kSupplements = 6;

struct Header {
  char magic[8];
  uint32_t npkgs, table_size;
  // Byte offsets from the start of the body, and sizes in bytes.
  uint64_t recidx, recs, recs_size, reachidx, reach, reach_size, table, post, post_size, keys, keys_size;
};

inline uint64_t name_hash(std::string_view s) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ULL;
  return h ^ (h >> 32);
}

}  // namespace yumda::depidx
