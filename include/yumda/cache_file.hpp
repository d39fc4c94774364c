// Files of the metadata cache that yumda derives from a repo's metadata (the
// solv cache, the dep index): written whole (temp file + rename) and ending
// in a trailer, TAG (what they were made from) then a digest of the body, so
// stale and damaged files are told apart from good ones before use.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "yumda/fs.hpp"

namespace yumda {

// A read-only memory map of a whole file, every page read in (empty when it
// cannot be mapped): no copy and no zero-fill, which a warm load of a big
// solv cache notices.
class MappedFile {
 public:
  explicit MappedFile(const std::string& path);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  const char* data() const { return data_; }
  size_t size() const { return size_; }

 private:
  char* data_ = nullptr;
  size_t size_ = 0;
};

constexpr size_t kCacheTagSize = 64;  // hex sha256 of what the file was made from

// The body of FILE when its trailer holds TAG and the body's digest; an empty
// view otherwise (too short, stale or damaged).
std::string_view cache_file_body(const MappedFile& file, const std::string& tag);

// A cache file read in parts with pread (a memory map of a big file would
// count whole folios of it as the process's memory). Opening checks the tag,
// and the digest only when the file's identity (device, inode, size, mtime,
// ctime) differs from what STAMP_PATH recorded when the digest last matched;
// the check then reads the file in chunks and renews the stamp.
class CacheFileReader {
 public:
  // Not ok() when missing, stale or damaged.
  CacheFileReader(const std::string& path, const std::string& tag, const std::string& stamp_path);
  bool ok() const { return ok_; }
  uint64_t body_size() const { return body_size_; }
  // Reads LEN bytes of the body at OFF into DST; false when out of range or
  // the read fails.
  bool read(uint64_t off, void* dst, size_t len) const;

 private:
  UniqueFd fd_;
  uint64_t body_size_ = 0;
  bool ok_ = false;
};

// Records PATH's identity in STAMP_PATH as known good (after writing PATH).
void stamp_cache_file(const std::string& path, const std::string& tag, const std::string& stamp_path);

// Writes a cache file as a stream of pieces (no copy of the whole body in
// memory) to a temp file, digesting as it goes; commit() adds the trailer
// for TAG and renames it to PATH. Destroyed uncommitted, it leaves nothing.
// A file bigger than one 512 KiB buffer is digested and written by a thread of
// its own while the caller makes the next piece.
class CacheFileWriter {
 public:
  explicit CacheFileWriter(std::string path);
  ~CacheFileWriter();
  CacheFileWriter(const CacheFileWriter&) = delete;
  CacheFileWriter& operator=(const CacheFileWriter&) = delete;
  void append(std::string_view piece);
  uint64_t size() const { return size_; }  // of the body so far
  // False (errno set) when any write failed.
  bool commit(const std::string& tag);

 private:
  std::string path_, tmp_;
  UniqueFd fd_;
  std::string buffer_;  // pieces not yet handed to the sink
  uint64_t size_ = 0;
  struct Sink;  // digests and writes; after fd_: stopped before it closes
  std::unique_ptr<Sink> sink_;
};

// Writes BODY then the trailer for TAG to PATH, replacing it atomically.
// False (errno set) on failure; no temp file is left behind.
bool write_cache_file(const std::string& path, std::string_view body, const std::string& tag);

}  // namespace yumda
