// Package signature and digest checks with librpm, and detached signatures
// (repomd.xml.asc) checked against the same keyring.
//
// rpmReadPackageFile() checks the header's digests and its header-only
// signature against our keyring, but never reads the payload; so the payload
// digest (RPMTAG_PAYLOADDIGEST, or for packages older than rpm 4.14 the
// signature header's MD5 over header+payload) is checked here by hand.
#include "yumda/verify.hpp"

#include <fcntl.h>
#include <rpm/header.h>
#include <rpm/rpmbase64.h>
#include <rpm/rpmcrypto.h>
#include <rpm/rpmio.h>
#include <rpm/rpmkeyring.h>
#include <rpm/rpmlib.h>
#include <rpm/rpmlog.h>
#include <rpm/rpmpgp.h>
#include <rpm/rpmtag.h>
#include <rpm/rpmtd.h>
#include <rpm/rpmts.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cctype>
#include <cstring>
#include <mutex>
#include <sstream>

#include "yumda/c_unique.hpp"
#include "yumda/checksum.hpp"
#include "yumda/error.hpp"
#include "yumda/rpm_handles.hpp"
#include "yumda/rpm_lead.hpp"
#include "yumda/fs.hpp"

namespace yumda {

namespace {

using KeyringOwner = c_unique_ptr<rpmKeyring, rpmKeyringFree>;
using PubkeyOwner = c_unique_ptr<rpmPubkey, rpmPubkeyFree>;
using TsOwner = c_unique_ptr<rpmts, rpmtsFree>;
using ParamsOwner = c_unique_ptr<pgpDigParams, pgpDigParamsFree>;
void digest_discard(DIGEST_CTX ctx) { rpmDigestFinal(ctx, nullptr, nullptr, 0); }
using DigestOwner = c_unique_ptr<DIGEST_CTX, digest_discard>;

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
  MallocPtr<char> owned(static_cast<char*>(out));
  (void)len;  // counts the terminating NUL of the hex text
  return owned ? std::string(owned.get()) : std::string();
}

// Where KEYRING's keys came from, for messages: "file:///a.asc, file:///b.asc".
std::string key_sources(const Keyring* keyring) {
  std::string out;
  if (keyring)
    for (const auto& s : keyring->sources()) out += (out.empty() ? "" : ", ") + s;
  return out.empty() ? "the repo's gpgkey= files" : out;
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
    uint64_t start = rpm_main_header_offset(fd.get(), path);
    return digest_from(fd.get(), start, PGPHASHALGO_MD5, path) == expected ? PayloadCheck::kOk : PayloadCheck::kMismatch;
  }
  return PayloadCheck::kNoDigest;
}

}  // namespace

struct Keyring::Impl {
  KeyringOwner keyring{rpmKeyringNew()};
  size_t keys = 0;
  std::vector<std::string> sources;
  std::string fingerprint;
  std::vector<KeyInfo> infos;
  std::once_flag announced;
};

Keyring::Keyring() : impl_(std::make_unique<Impl>()) {}
Keyring::~Keyring() = default;
size_t Keyring::size() const { return impl_->keys; }
const std::vector<std::string>& Keyring::sources() const { return impl_->sources; }
const std::string& Keyring::fingerprint() const { return impl_->fingerprint; }
const std::vector<Keyring::KeyInfo>& Keyring::keys() const { return impl_->infos; }

namespace {

std::string hex_of(const uint8_t* data, size_t len) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < len; ++i) (out += digits[data[i] >> 4]) += digits[data[i] & 15];
  return out;
}

// Key id, first user ID and fingerprint of the certificate PKT, as dnf shows
// them when it imports a key ("" for what librpm cannot tell).
Keyring::KeyInfo describe_certificate(const uint8_t* pkt, size_t len, const std::string& source) {
  Keyring::KeyInfo info;
  info.source = source;
  pgpKeyID_t id{};
  if (pgpPubkeyKeyID(pkt, len, id) == 0) info.key_id = hex_of(id, sizeof id);
  uint8_t* fp = nullptr;
  size_t fplen = 0;
  if (pgpPubkeyFingerprint(pkt, len, &fp, &fplen) == 0 && fp) {
    std::string hex = hex_of(fp, fplen);
    for (size_t i = 0; i < hex.size(); i += 4) {
      if (i) info.fingerprint += ' ';
      for (char c : hex.substr(i, 4)) info.fingerprint += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
  }
  free(fp);
  pgpDigParams params = nullptr;
  if (pgpPrtParams(pkt, len, PGPTAG_PUBLIC_KEY, &params) == 0 && params) {
    if (const char* uid = pgpDigParamsUserID(params)) info.user_id = uid;
    pgpDigParamsFree(params);
  }
  return info;
}

// Adds one certificate (primary key + subkeys), as `rpmkeys --import` would.
void add_certificate(rpmKeyring keyring, const uint8_t* pkt, size_t len, const std::string& source, int keyno) {
  const std::string which = "key " + std::to_string(keyno) + " of " + source;
  char* lint_text = nullptr;
  rpmRC lint = pgpPubKeyLint(pkt, len, &lint_text);
  MallocPtr<char> lint_owner(lint_text);
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
      impl_->infos.push_back(describe_certificate(pkts, cert_len, source));
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
    MallocPtr<uint8_t> owned(pkts);
    if (kind != PGPARMOR_PUBKEY)
      throw Error(source + " holds an armored block that is not an OpenPGP public key; fix gpgkey=");
    add_block(pkts, len);
  }
  impl_->sources.push_back(source);
  impl_->fingerprint = string_digest(impl_->fingerprint + string_digest(key_data, "sha256"), "sha256");
}

void verify_rpm(const std::string& path, const std::string& label, const Keyring* keyring,
                const std::string& signature_fix) {
  init_crypto_once();
  QuietRpmlog quiet;
  TsOwner ts(rpmtsCreate());
  // Always our own keyring (never the host's rpmdb); empty when not checking signatures.
  KeyringOwner empty(rpmKeyringNew());
  rpmtsSetKeyring(ts.get(), keyring ? keyring->impl()->keyring.get() : empty.get());
  rpmtsSetVSFlags(ts.get(), keyring ? RPMVSF_DEFAULT : RPMVSF_MASK_NOSIGNATURES);

  errno = 0;
  FdPtr fd(Fopen(path.c_str(), "r.ufdio"));
  const int open_errno = errno;  // Fstrerror says only "unknown error" for a failed open
  if (!fd || Ferror(fd.get()))
    throw Error("cannot open package " + label + " (" + path + "): " +
                (open_errno ? errno_text(open_errno) : fd ? Fstrerror(fd.get()) : "unknown error"));
  Header raw = nullptr;
  rpmRC rc = rpmReadPackageFile(ts.get(), fd.get(), label.c_str(), &raw);
  HeaderPtr h(raw);
  const off_t payload_offset = Ftell(fd.get());

  std::string key_id;
  const bool is_signed = h && header_signature(h.get(), key_id);
  const std::string keys_from = key_sources(keyring);
  const std::string key_text = key_id.empty() ? "an unknown key" : "key " + key_id;
  switch (rc) {
    case RPMRC_OK:
      break;
    case RPMRC_NOKEY:
      throw Error("package " + label + " is signed with " + key_text + ", which is not among the keys of " +
                  keys_from + " (gpgkey=)" + (signature_fix.empty() ? "" : "; " + signature_fix));
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
    throw Error("package " + label + " is not signed (gpgcheck=1 needs a signature; " +
                (signature_fix.empty() ? "set gpgcheck=0 for this repo to allow it" : signature_fix) + ")");
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


namespace {
void announce_new_keys(const Keyring& ring, const std::string& dir, Reporter& reporter);
}  // namespace

// yumda has no rpmdb to import keys into; the cache stands in for it, so a
// key is shown once per cache as dnf shows an import. The list only decides
// what is shown (a forged one hides a message, never lets a key in).
void announce_keys(const Keyring& ring, const std::string& cachedir, Reporter& reporter) {
  std::call_once(ring.impl()->announced, [&] { announce_new_keys(ring, cachedir + "/keys", reporter); });
}

namespace {

void announce_new_keys(const Keyring& ring, const std::string& dir, Reporter& reporter) {
  const std::string list = dir + "/imported";
  std::string seen;
  if (path_exists(list)) {
    try {
      seen = read_cache_file_capped(list, kMaxSmallFile, list);
    } catch (const Error&) {
      // a link, a fifo, unreadable or oversized: every key is new again
    }
  }
  std::string added;
  for (const auto& k : ring.keys()) {
    const std::string line = k.fingerprint.empty() ? k.key_id : k.fingerprint;
    if (line.empty() || ("\n" + seen).find("\n" + line + "\n") != std::string::npos ||
        added.find(line + "\n") != std::string::npos)
      continue;
    std::string short_id = k.key_id.substr(k.key_id.size() > 8 ? k.key_id.size() - 8 : 0);
    for (char& c : short_id) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    reporter.notice("Importing GPG key 0x" + short_id +
                    ":\n Userid     : \"" + k.user_id + "\"\n Fingerprint: " + k.fingerprint +
                    "\n From       : " + k.source);
    added += line + "\n";
  }
  if (added.empty()) return;
  try {
    make_dirs(dir);
    write_file_atomic(list, seen + added);
  } catch (const Error&) {
    // Not remembered: shown again next time, nothing else.
  }
}

}  // namespace

std::unique_ptr<Keyring> load_keyring(const MainConfig& main, const RepoConfig& repo, Fetcher& fetcher,
                                      bool cacheonly, const std::string& check, Reporter& reporter) {
  auto ring = std::make_unique<Keyring>();
  for (const auto& url : repo.gpgkeys) {
    if (url.starts_with("http://"))
      reporter.warning("gpgkey " + url + " of repo " + repo.id +
                       " is fetched over plain http: anyone on the way can swap it (use https://)");
    std::string data;
    std::string path = file_url_path(url);
    if (!path.empty() && path_exists(path)) {
      data = read_file_capped(path, kMaxSmallFile, "gpgkey " + url + " of repo " + repo.id);
    } else if (auto builtin = builtin_key_for_url(url)) {
      data = *builtin;
    } else if (!path.empty()) {
      throw Error("gpgkey " + url + " of repo " + repo.id + " does not exist (fix gpgkey= or set " + check + "=0)");
    } else {
      std::string dest = main.cachedir + "/keys/" + repo.id + "-" + string_digest(url, "sha256").substr(0, 16);
      make_cache_dirs(main.cachedir, "keys");
      if (!path_exists(dest)) {
        if (cacheonly) throw Error("gpgkey " + url + " of repo " + repo.id + " is not cached (-C forbids downloading it)");
        FetchItem item = repo_fetch_item(repo);
        item.urls = {url};
        item.dest = dest;
        item.label = "gpgkey of repo " + repo.id;
        item.max_size = kMaxSmallFile;
        fetcher.fetch(item);
      }
      data = read_cache_file_capped(dest, kMaxSmallFile, "gpgkey " + url + " of repo " + repo.id);
    }
    ring->add_keys(data, url);
  }
  if (ring->size() == 0)
    throw Error("repo " + repo.id + " has " + check + "=1 but no gpgkey= (add its key URL, or set " + check + "=0)");
  return ring;
}

namespace {

bool blank(const std::string& line) { return line.find_first_not_of(" \t\r") == std::string::npos; }

// The packets of an armored signature block (RFC 4880 section 6: armor
// headers, a blank line, base64, an optional "=CRC24" line). librpm's own
// armor reader takes public keys only. Binary signature data is returned as is.
std::string dearmor_signature(const std::string& text, const std::string& what, const std::string& source) {
  const std::string not_sig = what + ": its signature " + source + " is not an OpenPGP signature";
  static const std::string begin = "-----BEGIN PGP SIGNATURE-----";
  static const std::string end = "-----END PGP SIGNATURE-----";
  size_t b = text.find(begin);
  if (b == std::string::npos) {
    // A binary signature packet starts with a tag byte: bit 7 set, tag 2.
    const unsigned char first = text.empty() ? 0 : static_cast<unsigned char>(text[0]);
    if ((first & 0x80) && ((first & 0x40) ? (first & 0x3f) : ((first >> 2) & 0x0f)) == 2) return text;
    throw Error(not_sig + " (no '" + begin + "' block)");
  }
  size_t e = text.find(end, b);
  if (e == std::string::npos) throw Error(not_sig + " (the armor has no '" + end + "' line)");
  std::istringstream in(text.substr(b + begin.size(), e - b - begin.size()));
  std::string line, body, crc;
  std::getline(in, line);  // the rest of the BEGIN line
  bool in_body = false;
  while (std::getline(in, line)) {
    if (!in_body) {
      in_body = blank(line);  // armor headers ("Version: ...") end at a blank line
      continue;
    }
    std::string word;
    for (char c : line)
      if (c != ' ' && c != '\t' && c != '\r') word += c;
    if (!word.empty() && word[0] == '=') crc = word.substr(1);
    else body += word;
  }
  void* raw = nullptr;
  size_t len = 0;
  if (body.empty() || rpmBase64Decode(body.c_str(), &raw, &len) != 0 || len == 0) {
    free(raw);
    throw Error(not_sig + " (its base64 body does not decode)");
  }
  MallocPtr<char> owned(static_cast<char*>(raw));
  if (!crc.empty()) {
    MallocPtr<char> want(rpmBase64CRC(static_cast<const unsigned char*>(raw), len));
    if (!want || crc != want.get()) throw Error(not_sig + " (its armor checksum does not match: it is damaged)");
  }
  return std::string(owned.get(), len);
}

// Length of the OpenPGP packet (header + body) at P, and its TAG; 0 when the
// header is malformed, runs past N, or uses partial lengths (never in signatures).
size_t packet_length(const uint8_t* p, size_t n, int& tag) {
  if (n < 2 || !(p[0] & 0x80)) return 0;
  size_t header = 0, body = 0;
  auto be = [&](size_t at, size_t bytes) {
    size_t v = 0;
    for (size_t i = 0; i < bytes; ++i) v = (v << 8) | p[at + i];
    return v;
  };
  if (p[0] & 0x40) {  // new format
    tag = p[0] & 0x3f;
    if (p[1] < 192) {
      header = 2, body = p[1];
    } else if (p[1] < 224) {
      if (n < 3) return 0;
      header = 3, body = ((size_t{p[1]} - 192) << 8) + p[2] + 192;
    } else if (p[1] == 255) {
      if (n < 6) return 0;
      header = 6, body = be(2, 4);
    } else {
      return 0;
    }
  } else {  // old format: length of 1, 2 or 4 bytes
    tag = (p[0] >> 2) & 0x0f;
    static const size_t sizes[] = {1, 2, 4, 0};
    size_t bytes = sizes[p[0] & 3];
    if (bytes == 0 || n < 1 + bytes) return 0;
    header = 1 + bytes, body = be(1, bytes);
  }
  return body <= n - header ? header + body : 0;
}

// What a canonical-text signature (type 0x01) is made over: CRLF line ends.
std::string canonical_text(const std::string& data) {
  std::string out;
  out.reserve(data.size() + data.size() / 32);
  for (size_t i = 0; i < data.size(); ++i) {
    if (data[i] == '\n' && (i == 0 || data[i - 1] != '\r')) out += '\r';
    out += data[i];
  }
  return out;
}

}  // namespace

void verify_detached(const std::string& data, const std::string& signature, const Keyring& keyring,
                     const std::string& what, const std::string& source) {
  init_crypto_once();
  QuietRpmlog quiet;
  const std::string packets = dearmor_signature(signature, what, source);
  const auto* p = reinterpret_cast<const uint8_t*>(packets.data());
  size_t left = packets.size();
  const std::string keys_from = key_sources(&keyring);
  // Several signatures (a repo signed by an old and a new key): one good one
  // is enough; otherwise the first refusal that is not an unknown key is named.
  std::string refusal, unknown_key;
  while (left > 0) {
    int tag = 0;
    size_t len = packet_length(p, left, tag);
    if (len == 0 || tag != PGPTAG_SIGNATURE)
      throw Error(what + ": its signature " + source + " holds " +
                  (len == 0 ? std::string("a malformed OpenPGP packet") : "an OpenPGP packet of type " + std::to_string(tag)) +
                  ", not a signature");
    pgpDigParams raw = nullptr;
    int parsed = pgpPrtParams(p, len, PGPTAG_SIGNATURE, &raw);
    ParamsOwner params(raw);
    p += len;
    left -= len;
    if (parsed != 0 || !params)
      throw Error(what + ": its signature " + source + " is not a signature librpm can read (damaged, or a newer format)");
    const std::string key_id = hex(pgpDigParamsSignID(params.get()), 8);
    const int type = pgpSignatureType(params.get());
    if (type != PGPSIGTYPE_BINARY && type != PGPSIGTYPE_TEXT) {
      if (refusal.empty()) refusal = what + ": the signature by key " + key_id + " in " + source + " is not a document signature";
      continue;
    }
    const unsigned algo = pgpDigParamsAlgo(params.get(), PGPVAL_HASHALGO);
    DigestOwner ctx(rpmDigestInit(static_cast<int>(algo), RPMDIGEST_NONE));
    if (!ctx) {
      if (refusal.empty())
        refusal = what + ": the signature by key " + key_id + " uses hash algorithm " + std::to_string(algo) +
                  ", which librpm cannot compute";
      continue;
    }
    if (type == PGPSIGTYPE_TEXT) {
      const std::string text = canonical_text(data);
      rpmDigestUpdate(ctx.get(), text.data(), text.size());
    } else {
      rpmDigestUpdate(ctx.get(), data.data(), data.size());
    }
    // Hashes a copy of CTX with the signature's trailer; CTX stays ours to free.
    switch (rpmKeyringVerifySig(keyring.impl()->keyring.get(), params.get(), ctx.get())) {
      case RPMRC_OK:
        return;
      case RPMRC_NOKEY:
        if (unknown_key.empty())
          unknown_key = what + " is signed with key " + key_id + ", which is not among the keys of " +
                        keys_from + " (gpgkey=)";
        break;
      case RPMRC_NOTTRUSTED:
        if (refusal.empty())
          refusal = what + " is signed with key " + key_id + ", which " + keys_from + " marks as expired or revoked";
        break;
      default:
        if (refusal.empty())
          refusal = what + " does not match its signature by key " + key_id + " (" + source +
                    "): it was changed after signing, or the signature is of another file";
    }
  }
  if (!refusal.empty()) throw Error(refusal);
  if (!unknown_key.empty()) throw Error(unknown_key);
  throw Error(what + ": its signature " + source + " holds no signature");
}

}  // namespace yumda
