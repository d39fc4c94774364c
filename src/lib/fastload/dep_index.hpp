// The dependency index of one repo: a file beside the solv cache that holds
// each package as one self-contained record (its deps, files and the
// attributes yumda reads) plus the packages of the same repo it can bring in,
// and a table from names to packages. A resolve loads only the packages its
// request can reach (a few hundred of a 65k-package repo) into the libsolv
// pool instead of the whole repo, reading only their records: a warm load
// stops growing with the repo's size, in time and in memory. The format:
// docs/dep-index.md. Other modules see yumda/fastload.hpp alone.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fastload/dep_index_format.hpp"
#include "yumda/fastload.hpp"

struct s_Repo;

namespace yumda {

class CacheFileReader;

// What a package's record holds besides its solvable's name, evr, arch,
// vendor and deps: the attributes yumda reads, as libsolv's lookups give
// them (the checksum in lower-case hex; nullopt where a lookup gives null).
struct IndexAttrs {
  uint32_t checksum_type = 0;
  std::optional<std::string> checksum, location, mediabase, summary, url, license, sourcerpm;
  uint64_t download_size = 0, install_size = 0, build_time = 0;
  void clear();
};

// Writes a dep index to PATH as a stream: each package's record when it is
// added, the rest at finish(). The packages are solvables of REPO, added in
// its order; their deps must be final when added. Nothing is left at PATH
// unless finish() succeeds.
class DepIndexWriter {
 public:
  DepIndexWriter(s_Repo* repo, const std::string& path);
  ~DepIndexWriter();
  DepIndexWriter(const DepIndexWriter&) = delete;
  DepIndexWriter& operator=(const DepIndexWriter&) = delete;
  // Solvable P with ATTRS and its NFILES files (pool string Ids of full paths).
  void add(int p, const IndexAttrs& attrs, const int* files, size_t nfiles);
  // Writes the rest with TAG (what the index was made from) in the trailer.
  // False (errno set) on failure.
  bool finish(const std::string& tag);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

class DepIndex {
 public:
  // The index at PATH, or nullptr when it is missing, made from other
  // metadata (TAG differs) or damaged (such a file is removed).
  static std::unique_ptr<DepIndex> open(const std::string& path, const std::string& tag);
  ~DepIndex();
  DepIndex(const DepIndex&) = delete;
  DepIndex& operator=(const DepIndex&) = delete;

  uint32_t size() const { return h_.npkgs; }

  // What the index knows of NAME: packages offering it (by name, provides or a
  // file in primary), obsoleting it, or naming it in their supplements.
  struct Postings {
    std::vector<uint32_t> provides, obsoletes, supplements;
    bool empty() const { return provides.empty() && obsoletes.empty() && supplements.empty(); }
  };
  Postings lookup(std::string_view name) const;

  // One package's record, decoded; the views point into its own buffer.
  struct Dep {  // prefix order: a rel is followed by its two operands
    bool rel;
    uint32_t flags;        // rels only (libsolv's REL_*; may be 0)
    std::string_view str;  // names only
  };
  struct Package {
    std::vector<char> record;
    std::vector<uint32_t> reaches;  // packages of this index it may bring in
    std::string_view name, evr, arch, vendor;
    bool has_vendor = false;
    std::vector<Dep> deps[8];  // provides requires conflicts obsoletes recommends suggests supplements enhances
    std::vector<std::string_view> files;
    uint32_t checksum_type = 0;
    std::string_view checksum, location, mediabase, summary, url, license, sourcerpm;
    uint64_t download_size = 0, install_size = 0, build_time = 0;
  };
  // Throws Error when the record is damaged.
  Package package(uint32_t pkg) const;

  // Adds packages PKGS (ascending) to REPO as solvables, with their deps and
  // attributes, in the order of the repo they were indexed from.
  void add_to(s_Repo* repo, const std::vector<uint32_t>& pkgs) const;

 private:
  DepIndex() = default;
  [[noreturn]] void damaged(const std::string& what) const;  // removes the file, throws Error
  Package decode(uint32_t pkg, const uint64_t span[2], const uint64_t reach[2]) const;
  uint32_t word(uint64_t off) const;

  std::string path_;
  std::unique_ptr<CacheFileReader> file_;
  // The file's header, checked by open(): the package count, the table's
  // size and the byte offsets of the sections in the body: record offsets
  // (npkgs + 1 64-bit words), records, reach list offsets (npkgs + 1), reach
  // lists, table (2 words a bucket: key offset + 1, postings), postings
  // (words), keys.
  depidx::Header h_{};
};

}  // namespace yumda
