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
  void add_keys(const std::string& key_data, const std::string& source);
  size_t size() const;

  struct Impl;
  Impl* impl() const { return impl_.get(); }

 private:
  std::unique_ptr<Impl> impl_;
};

// Checks digests always, and signatures when KEYRING is given (gpgcheck=1):
// unsigned, unknown-key, untrusted, corrupt or digest-mismatched packages throw
// Error naming the package (LABEL) and the key id.
void verify_rpm(const std::string& path, const std::string& label, const Keyring* keyring);

}  // namespace yumda
