#include "yumda/checksum.hpp"

#include <fcntl.h>
#include <rpm/rpmcrypto.h>
#include <rpm/rpmpgp.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include "yumda/error.hpp"
#include "yumda/fs.hpp"

namespace yumda {

namespace {

int algo_for(std::string_view type) {
  if (type == "sha256") return PGPHASHALGO_SHA256;
  if (type == "sha512") return PGPHASHALGO_SHA512;
  if (type == "sha384") return PGPHASHALGO_SHA384;
  if (type == "sha224") return PGPHASHALGO_SHA224;
  if (type == "sha1" || type == "sha") return PGPHASHALGO_SHA1;
  if (type == "md5") return PGPHASHALGO_MD5;
  return -1;
}

// rpmInitCrypto() must run once before the first digest.
void init_crypto_once() {
  static const bool ok = rpmInitCrypto() == 0;
  if (!ok) throw Error("cannot initialise librpm's crypto backend");
}

}  // namespace

struct Digest::Impl {
  DIGEST_CTX ctx = nullptr;
};

bool Digest::known_type(std::string_view type) { return algo_for(type) >= 0; }

Digest::Digest(std::string_view type) : impl_(std::make_unique<Impl>()) {
  int algo = algo_for(type);
  if (algo < 0) throw Error("unknown checksum type '" + std::string(type) + "' (known: sha256, sha512, sha1, md5)");
  init_crypto_once();
  impl_->ctx = rpmDigestInit(algo, RPMDIGEST_NONE);
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
  Digest d(type);
  d.update(data.data(), data.size());
  return d.hex();
}

}  // namespace yumda
