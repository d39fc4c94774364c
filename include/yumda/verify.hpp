// Signature checks with librpm: a keyring built from a repo's gpgkey= files,
// and each package's header+payload signatures and digests checked against it
// before a byte is extracted.
#pragma once
#include <memory>
#include <string>
#include <vector>

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
  const std::vector<std::string>& sources() const;  // SOURCE of each add_keys call, in order

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
void verify_rpm(const std::string& path, const std::string& label, const Keyring* keyring);

}  // namespace yumda
