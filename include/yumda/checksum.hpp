// Streaming digests (sha256, sha512, sha1, md5, sha224, sha384) by the names
// rpm-md uses in <checksum type="...">; implemented with librpm's rpmio.
#pragma once
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace yumda {

class Digest {
 public:
  // type: "sha256", "sha" (= sha1, as old createrepo writes), "sha1", "md5", ...
  // Throws Error naming the type when it is not known.
  explicit Digest(std::string_view type);
  ~Digest();
  Digest(const Digest&) = delete;
  Digest& operator=(const Digest&) = delete;
  void update(const void* data, size_t len);
  std::string hex();  // finishes the digest; call once

  static bool known_type(std::string_view type);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Hex digest of a whole file; throws Error when it cannot be read.
std::string file_digest(const std::string& path, std::string_view type);
std::string string_digest(std::string_view data, std::string_view type);

}  // namespace yumda
