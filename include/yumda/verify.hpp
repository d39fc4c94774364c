// Signature checks with librpm: a keyring built from a repo's gpgkey= files,
// each package's header+payload signatures and digests checked against it
// before a byte is extracted, and detached signatures (repomd.xml.asc).
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "yumda/config.hpp"
#include "yumda/fetch.hpp"

namespace yumda {

class Keyring {
 public:
  Keyring();
  ~Keyring();
  Keyring(const Keyring&) = delete;
  Keyring& operator=(const Keyring&) = delete;

  // Adds every key of an armored (or binary) OpenPGP public key block. Throws
  // Error naming SOURCE when a key is malformed or malicious and rpm refuses it.
  // Several keys may be in one block, or in several armored blocks one after
  // another; subkeys are added with their primary key.
  void add_keys(const std::string& key_data, const std::string& source);
  size_t size() const;  // primary keys added
  // What dnf shows when it imports a key: each primary key added, in order.
  struct KeyInfo {
    std::string key_id;       // 16 hex digits, lower case
    std::string user_id;      // the first user ID, "" when it has none
    std::string fingerprint;  // 40 hex digits (v4), upper case, in groups of 4
    std::string source;       // SOURCE of add_keys
  };
  const std::vector<KeyInfo>& keys() const;
  const std::vector<std::string>& sources() const;  // SOURCE of each add_keys call, in order
  // A digest of every key block added, in order: two keyrings with the same
  // fingerprint accept the same signatures.
  const std::string& fingerprint() const;

  struct Impl;
  Impl* impl() const { return impl_.get(); }

 private:
  std::unique_ptr<Impl> impl_;
};

// Checks digests always, and signatures when KEYRING is given (gpgcheck=1):
// unsigned, unknown-key, untrusted, corrupt or digest-mismatched packages throw
// Error naming the package (LABEL) and the key id. The header digests and the
// header signature are checked by librpm; the payload against the header's
// payload digest (or, for rpm < 4.14 packages, the MD5 over header+payload).
// Never consults the host's rpmdb keys. Thread-safe for distinct packages.
// SIGNATURE_FIX, when given, is the fix an unsigned or unknown-key error
// offers (else: gpgcheck=0 for the repo).
void verify_rpm(const std::string& path, const std::string& label, const Keyring* keyring,
                const std::string& signature_fix = "");

// The keys of REPO's gpgkey= URLs: a file:// key is read in place (or, for the
// built-in repos, taken from the binary), any other URL is fetched once into
// CACHEDIR/keys (with CACHEONLY it must be there already). CHECK names the
// option that asked for the keys ("gpgcheck" or "repo_gpgcheck"), for the fix
// the messages give. Throws Error naming the repo and the URL, or when the
// repo lists no key. A key URL over plain http is a warning to REPORTER.
std::unique_ptr<Keyring> load_keyring(const MainConfig& main, const RepoConfig& repo, Fetcher& fetcher,
                                      bool cacheonly, const std::string& check, Reporter& reporter = null_reporter());

// Once RING has checked a package: each of its keys this cache has not seen
// is shown to REPORTER as dnf shows an import (key id, user ID, fingerprint,
// source) and remembered in CACHEDIR/keys/imported. Once per keyring;
// thread-safe.
void announce_keys(const Keyring& ring, const std::string& cachedir, Reporter& reporter);

// Checks SIGNATURE, a detached OpenPGP signature (armored, as `gpg
// --detach-sign --armor` writes it, or binary) over DATA, against KEYRING. One
// good signature by a key of the keyring suffices. Otherwise throws Error
// beginning with WHAT ("repomd.xml of repo lambda2"), naming the key id when
// there is one, SOURCE (where the signature came from) when it is unreadable.
void verify_detached(const std::string& data, const std::string& signature, const Keyring& keyring,
                     const std::string& what, const std::string& source);

}  // namespace yumda
