#include "yumda/checksum.hpp"

#include <fcntl.h>
#include <rpm/rpmcrypto.h>
#include <rpm/rpmpgp.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include "solv/solv.hpp"
#include "yumda/c_unique.hpp"
#include "yumda/error.hpp"
#include "yumda/fs.hpp"

namespace yumda {

namespace {

struct Algo {
  int rpm;  // PGPHASHALGO_*
  Id solv;  // REPOKEY_TYPE_*
};

// The types rpm-md names, as librpm and libsolv number them.
bool algo_for(std::string_view type, Algo& out) {
  if (type == "sha256") out = {PGPHASHALGO_SHA256, REPOKEY_TYPE_SHA256};
  else if (type == "sha512") out = {PGPHASHALGO_SHA512, REPOKEY_TYPE_SHA512};
  else if (type == "sha384") out = {PGPHASHALGO_SHA384, REPOKEY_TYPE_SHA384};
  else if (type == "sha224") out = {PGPHASHALGO_SHA224, REPOKEY_TYPE_SHA224};
  else if (type == "sha1" || type == "sha") out = {PGPHASHALGO_SHA1, REPOKEY_TYPE_SHA1};
  else if (type == "md5") out = {PGPHASHALGO_MD5, REPOKEY_TYPE_MD5};
  else return false;
  return true;
}

Algo known_algo(std::string_view type) {
  Algo a{};
  if (!algo_for(type, a))
    throw Error("unknown checksum type '" + std::string(type) + "' (known: sha256, sha512, sha1, md5)");
  return a;
}

// rpmInitCrypto() must run once before the first digest.
void init_crypto_once() {
  static const bool ok = rpmInitCrypto() == 0;
  if (!ok) throw Error("cannot initialise librpm's crypto backend");
}

// Up to this size, string_digest() hashes with libsolv's own digests: librpmio
// is loaded on first use (rpm_lazy.cpp), and loading it with libgcrypt costs
// more than hashing a small string, which is all a warm resolve hashes
// (repomd.xml, cache keys). Beyond it librpmio's libgcrypt wins: with the
// CPU's SHA instructions its sha256 ran at ~4x libsolv's portable code here
// (~450 vs ~100 MB/s). Both give the same digest (common_test.cpp).
constexpr size_t kSmallDigest = 64 * 1024;

void free_chksum(Chksum* c) { solv_chksum_free(c, nullptr); }

std::string small_digest(std::string_view data, Id type) {
  c_unique<Chksum, free_chksum> sum(solv_chksum_create(type));
  if (!sum) throw Error("cannot start a digest of type " + std::string(solv_chksum_type2str(type)));
  solv_chksum_add(sum.get(), data.data(), static_cast<int>(data.size()));
  int len = 0;
  const unsigned char* bin = solv_chksum_get(sum.get(), &len);
  std::string hex(2 * static_cast<size_t>(len), '\0');
  solv_bin2hex(bin, len, hex.data());  // writes 2*len digits and a NUL, which the string's own terminator takes
  return hex;
}

}  // namespace

struct Digest::Impl {
  DIGEST_CTX ctx = nullptr;
};

bool Digest::known_type(std::string_view type) {
  Algo a{};
  return algo_for(type, a);
}

Digest::Digest(std::string_view type) : impl_(std::make_unique<Impl>()) {
  const Algo algo = known_algo(type);
  init_crypto_once();
  impl_->ctx = rpmDigestInit(algo.rpm, RPMDIGEST_NONE);
  if (!impl_->ctx) throw Error("cannot start a " + std::string(type) + " digest");
}

Digest::~Digest() {
  if (impl_ && impl_->ctx) rpmDigestFinal(impl_->ctx, nullptr, nullptr, 0);
}

void Digest::update(const void* data, size_t len) { rpmDigestUpdate(impl_->ctx, data, len); }

std::string Digest::hex() {
  void* out = nullptr;
  size_t len = 0;
  rpmDigestFinal(impl_->ctx, &out, &len, 1);
  impl_->ctx = nullptr;
  std::string result(static_cast<char*>(out));
  free(out);
  return result;
}

std::string file_digest(const std::string& path, std::string_view type) {
  Digest d(type);
  read_file_chunks(path, [&d](const char* data, size_t n) { d.update(data, n); });
  return d.hex();
}

std::string string_digest(std::string_view data, std::string_view type) {
  if (data.size() <= kSmallDigest) return small_digest(data, known_algo(type).solv);
  Digest d(type);
  d.update(data.data(), data.size());
  return d.hex();
}

}  // namespace yumda
