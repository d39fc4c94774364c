// Package signature and digest checks with librpm.
//
// rpmReadPackageFile() checks the header's digests and its header-only
// signature against our keyring, but never reads the payload; so the payload
// digest (RPMTAG_PAYLOADDIGEST, or for packages older than rpm 4.14 the
// signature header's MD5 over header+payload) is checked here by hand.
#include "yumda/verify.hpp"

#include <fcntl.h>
#include <rpm/header.h>
#include <rpm/rpmcrypto.h>
#include <rpm/rpmio.h>
#include <rpm/rpmkeyring.h>
#include <rpm/rpmlib.h>
#include <rpm/rpmlog.h>
#include <rpm/rpmpgp.h>
#include <rpm/rpmtag.h>
#include <rpm/rpmtd.h>
#include <rpm/rpmts.h>
#include <unistd.h>

#include <array>
#include <cstring>
#include <mutex>

#include "yumda/error.hpp"
#include "yumda/fs.hpp"

namespace yumda {

namespace {

template <typename T, T (*Free)(T)>
struct RpmFreer {
  void operator()(T p) const { Free(p); }
};
template <typename T, T (*Free)(T)>
using RpmOwner = std::unique_ptr<std::remove_pointer_t<T>, RpmFreer<T, Free>>;

using KeyringOwner = RpmOwner<rpmKeyring, rpmKeyringFree>;
using PubkeyOwner = RpmOwner<rpmPubkey, rpmPubkeyFree>;
using TsOwner = RpmOwner<rpmts, rpmtsFree>;
using HeaderOwner = RpmOwner<Header, headerFree>;
using ParamsOwner = RpmOwner<pgpDigParams, pgpDigParamsFree>;
struct FdCloser {
  void operator()(FD_t fd) const { Fclose(fd); }
};
using FdOwner = std::unique_ptr<std::remove_pointer_t<FD_t>, FdCloser>;
struct MallocFreer {
  void operator()(void* p) const { free(p); }
};
template <typename T>
using MallocOwner = std::unique_ptr<T, MallocFreer>;
struct DigestFreer {
  void operator()(DIGEST_CTX ctx) const { rpmDigestFinal(ctx, nullptr, nullptr, 0); }
};
using DigestOwner = std::unique_ptr<std::remove_pointer_t<DIGEST_CTX>, DigestFreer>;

void init_crypto_once() {
  static const bool ok = rpmInitCrypto() == 0;
  if (!ok) throw Error("cannot initialise librpm's crypto backend");
}

// librpm reports through rpmlog, which prints by default; the library never
// prints, so while verify_rpm runs its thread's rpm messages are swallowed.
thread_local bool t_quiet = false;
int quiet_rpmlog(rpmlogRec rec, rpmlogCallbackData) {
  (void)rec;
  return t_quiet ? 0 : RPMLOG_DEFAULT;
}
struct QuietRpmlog {
  QuietRpmlog() {
    static std::once_flag once;
    std::call_once(once, [] { rpmlogSetCallback(quiet_rpmlog, nullptr); });
    t_quiet = true;
  }
  ~QuietRpmlog() { t_quiet = false; }
};

std::string hex(const uint8_t* p, size_t n) {
  static const char digits[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    out += digits[p[i] >> 4];
    out += digits[p[i] & 15];
  }
  return out;
}

// The header-only signature rpm checks (RSA or DSA/ECDSA/EdDSA), if any.
bool header_signature(Header h, std::string& key_id) {
  for (rpmTagVal tag : {RPMTAG_RSAHEADER, RPMTAG_DSAHEADER}) {
    rpmtd_s td;
    if (!headerGet(h, tag, &td, HEADERGET_MINMEM)) continue;
    pgpDigParams params = nullptr;
    if (pgpPrtParams(static_cast<const uint8_t*>(td.data), td.count, PGPTAG_SIGNATURE, &params) == 0 && params) {
      ParamsOwner owner(params);
      key_id = hex(pgpDigParamsSignID(params), 8);
    }
    rpmtdFreeData(&td);
    return true;
  }
  return false;
}

// Offset of the main header: the 96-byte lead, then the signature header
// (16-byte intro, il index entries of 16 bytes, dl data bytes, padded to 8).
uint64_t main_header_offset(int fd) {
  std::array<unsigned char, 112> buf{};
  if (pread(fd, buf.data(), buf.size(), 0) != static_cast<ssize_t>(buf.size())) return 0;
  auto be32 = [&](size_t at) {
    return (uint64_t{buf[at]} << 24) | (uint64_t{buf[at + 1]} << 16) | (uint64_t{buf[at + 2]} << 8) | buf[at + 3];
  };
  uint64_t sig = 16 + be32(104) * 16 + be32(108);
  return 96 + ((sig + 7) & ~uint64_t{7});
}

// Hex digest of FD from OFFSET to its end.
std::string digest_from(int fd, uint64_t offset, int algo, const std::string& path) {
  init_crypto_once();
  DigestOwner ctx(rpmDigestInit(algo, RPMDIGEST_NONE));
  if (!ctx) throw Error("cannot check " + path + ": digest algorithm " + std::to_string(algo) + " is not supported");
  std::vector<char> buf(1 << 16);
  for (off_t off = static_cast<off_t>(offset);;) {
    ssize_t n = pread(fd, buf.data(), buf.size(), off);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw Error("cannot read " + path + ": " + errno_text(errno));
    if (n == 0) break;
    rpmDigestUpdate(ctx.get(), buf.data(), static_cast<size_t>(n));
    off += n;
  }
  void* out = nullptr;
  size_t len = 0;
  rpmDigestFinal(ctx.release(), &out, &len, 1);
  MallocOwner<char> owned(static_cast<char*>(out));
  (void)len;  // counts the terminating NUL of the hex text
  return owned ? std::string(owned.get()) : std::string();
}

enum class PayloadCheck { kOk, kMismatch, kNoDigest };

// Does the payload match the digest the (signed) header carries?
PayloadCheck check_payload(Header h, const std::string& path, uint64_t payload_offset) {
  UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) throw Error("cannot open " + path + ": " + errno_text(errno));
  rpmtd_s td;
  if (headerGet(h, RPMTAG_PAYLOADDIGEST, &td, HEADERGET_MINMEM)) {
    const char* want = rpmtdGetString(&td);
    std::string expected = want ? want : "";
    rpmtdFreeData(&td);
    int algo = headerIsEntry(h, RPMTAG_PAYLOADDIGESTALGO)
                   ? static_cast<int>(headerGetNumber(h, RPMTAG_PAYLOADDIGESTALGO))
                   : PGPHASHALGO_SHA256;
    return digest_from(fd.get(), payload_offset, algo, path) == expected ? PayloadCheck::kOk : PayloadCheck::kMismatch;
  }
  // rpm < 4.14: the signature header's MD5 covers the main header and payload.
  if (headerGet(h, RPMTAG_SIGMD5, &td, HEADERGET_MINMEM)) {
    std::string expected = hex(static_cast<const uint8_t*>(td.data), td.count);
    rpmtdFreeData(&td);
    uint64_t start = main_header_offset(fd.get());
    return start > 0 && digest_from(fd.get(), start, PGPHASHALGO_MD5, path) == expected ? PayloadCheck::kOk
                                                                                           : PayloadCheck::kMismatch;
  }
  return PayloadCheck::kNoDigest;
}

}  // namespace

struct Keyring::Impl {
  KeyringOwner keyring{rpmKeyringNew()};
  size_t keys = 0;
  std::vector<std::string> sources;
};

Keyring::Keyring() : impl_(std::make_unique<Impl>()) {}
Keyring::~Keyring() = default;
size_t Keyring::size() const { return impl_->keys; }
const std::vector<std::string>& Keyring::sources() const { return impl_->sources; }

namespace {

// Adds one certificate (primary key + subkeys), as `rpmkeys --import` would.
void add_certificate(rpmKeyring keyring, const uint8_t* pkt, size_t len, const std::string& source, int keyno) {
  const std::string which = "key " + std::to_string(keyno) + " of " + source;
  char* lint_text = nullptr;
  rpmRC lint = pgpPubKeyLint(pkt, len, &lint_text);
  MallocOwner<char> lint_owner(lint_text);
  if (lint != RPMRC_OK)
    throw Error(which + " is not a usable OpenPGP public key" +
                (lint_text ? std::string(": ") + lint_text : std::string()) + "; fix or remove it from gpgkey=");
  PubkeyOwner key(rpmPubkeyNew(pkt, len));
  if (!key) throw Error(which + " is not a valid OpenPGP public key; fix or remove it from gpgkey=");
  int count = 0;
  rpmPubkey* subkeys = rpmGetSubkeys(key.get(), &count);
  if (!subkeys)
    throw Error(which + " has an invalid subkey (bad or missing binding signature); fix or remove it from gpgkey=");
  std::vector<PubkeyOwner> owned;
  for (int i = 0; i < count; ++i) owned.emplace_back(subkeys[i]);
  free(subkeys);
  if (rpmKeyringAddKey(keyring, key.get()) < 0) throw Error("cannot add " + which + " to the keyring");
  for (auto& sub : owned)
    if (rpmKeyringAddKey(keyring, sub.get()) < 0) throw Error("cannot add a subkey of " + which + " to the keyring");
}

}  // namespace

void Keyring::add_keys(const std::string& key_data, const std::string& source) {
  init_crypto_once();
  QuietRpmlog quiet;
  int keyno = 0;
  auto add_block = [&](const uint8_t* pkts, size_t len) {
    while (len > 0) {
      size_t cert_len = 0;
      ++keyno;
      if (pgpPubKeyCertLen(pkts, len, &cert_len) != 0 || cert_len == 0 || cert_len > len)
        throw Error("key " + std::to_string(keyno) + " of " + source +
                    " is not a valid OpenPGP public key; fix or remove it from gpgkey=");
      add_certificate(impl_->keyring.get(), pkts, cert_len, source, keyno);
      ++impl_->keys;
      pkts += cert_len;
      len -= cert_len;
    }
  };
  static const std::string marker = "-----BEGIN PGP ";
  size_t pos = key_data.find(marker);
  if (pos == std::string::npos) {
    // Binary (dearmored) key data, like rpm.org-rsa-2048-test.pgp.
    if (key_data.empty() || !(static_cast<unsigned char>(key_data[0]) & 0x80))
      throw Error(source + " holds no OpenPGP public key (expected an armored '-----BEGIN PGP PUBLIC KEY BLOCK-----')");
    add_block(reinterpret_cast<const uint8_t*>(key_data.data()), key_data.size());
  }
  for (; pos != std::string::npos; pos = key_data.find(marker, pos + marker.size())) {
    uint8_t* pkts = nullptr;
    size_t len = 0;
    pgpArmor kind = pgpParsePkts(key_data.c_str() + pos, &pkts, &len);
    MallocOwner<uint8_t> owned(pkts);
    if (kind != PGPARMOR_PUBKEY)
      throw Error(source + " holds an armored block that is not an OpenPGP public key; fix gpgkey=");
    add_block(pkts, len);
  }
  impl_->sources.push_back(source);
}

void verify_rpm(const std::string& path, const std::string& label, const Keyring* keyring) {
  init_crypto_once();
  QuietRpmlog quiet;
  TsOwner ts(rpmtsCreate());
  // Always our own keyring (never the host's rpmdb); empty when not checking signatures.
  KeyringOwner empty(rpmKeyringNew());
  rpmtsSetKeyring(ts.get(), keyring ? keyring->impl()->keyring.get() : empty.get());
  rpmtsSetVSFlags(ts.get(), keyring ? RPMVSF_DEFAULT : RPMVSF_MASK_NOSIGNATURES);

  FdOwner fd(Fopen(path.c_str(), "r.ufdio"));
  if (!fd || Ferror(fd.get()))
    throw Error("cannot open package " + label + " (" + path + "): " + (fd ? Fstrerror(fd.get()) : "unknown error"));
  Header raw = nullptr;
  rpmRC rc = rpmReadPackageFile(ts.get(), fd.get(), label.c_str(), &raw);
  HeaderOwner h(raw);
  const off_t payload_offset = Ftell(fd.get());

  std::string key_id;
  const bool is_signed = h && header_signature(h.get(), key_id);
  std::string keys_from = "the repo's gpgkey= files";
  if (keyring && !keyring->sources().empty()) {
    keys_from.clear();
    for (const auto& s : keyring->sources()) keys_from += (keys_from.empty() ? "" : ", ") + s;
  }
  const std::string key_text = key_id.empty() ? "an unknown key" : "key " + key_id;
  switch (rc) {
    case RPMRC_OK:
      break;
    case RPMRC_NOKEY:
      throw Error("package " + label + " is signed with " + key_text + ", which is not among the keys of " +
                  keys_from + " (gpgkey=)");
    case RPMRC_NOTTRUSTED:
      throw Error("package " + label + " is signed with " + key_text + ", which " + keys_from +
                  " marks as expired or revoked; refusing it");
    case RPMRC_NOTFOUND:
      throw Error(path + " is not an RPM package (package " + label + "); delete it and download it again");
    default:
      throw Error("package " + label + " failed its " + std::string(is_signed && keyring ? "signature or " : "") +
                  "digest check: the file is corrupt or was tampered with");
  }
  if (!h) throw Error("package " + label + " cannot be read (" + path + ")");
  if (keyring && !is_signed)
    throw Error("package " + label + " is not signed (gpgcheck=1 needs a signature; set gpgcheck=0 for this repo to allow it)");
  if (payload_offset <= 0) throw Error("cannot read package " + label + " (" + path + ")");
  switch (check_payload(h.get(), path, static_cast<uint64_t>(payload_offset))) {
    case PayloadCheck::kOk:
      return;
    case PayloadCheck::kMismatch:
      throw Error("package " + label + " failed its digest check: the file is corrupt");
    case PayloadCheck::kNoDigest:
      throw Error("package " + label + " carries no payload digest to check (it predates rpm 4.0); it cannot be verified");
  }
}

}  // namespace yumda
