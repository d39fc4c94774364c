#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <thread>
#include <filesystem>
#include <fstream>

#include "test_support.hpp"
#include "yumda/error.hpp"
#include "yumda/fs.hpp"
#include "yumda/verify.hpp"

using namespace yumda;
using namespace yumda::testing;
namespace fs = std::filesystem;

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// A copy of RPM with the byte at OFFSET_FROM_END (counted from the end) flipped.
std::string tampered_copy(const std::string& rpm, const std::string& out, size_t offset_from_end = 1) {
  std::string bytes = read_file(rpm);
  bytes[bytes.size() - offset_from_end] ^= 0x55;
  std::ofstream(out, std::ios::binary) << bytes;
  return out;
}

std::unique_ptr<Keyring> keyring_from(const std::string& key_file) {
  auto k = std::make_unique<Keyring>();
  k->add_keys(read_file(key_file), key_file);
  return k;
}

// rpm's own verdict on a key file: `rpmkeys --import` into a scratch rpmdb.
bool rpmkeys_accepts(const std::string& key_file) {
  ScratchDir db;
  return run("rpmkeys --dbpath " + shell_quote(db.path) + " --import " + shell_quote(key_file) + " >/dev/null 2>&1") == 0;
}

const std::string kRpms = "/fixtures/real/rpm/tests/data/RPMS/";
const std::string kKeys = "/fixtures/real/rpm/tests/data/keys/";
const std::string kLabel = "hello-2.0-1.x86_64";

}  // namespace

TEST_CASE("signed packages verify against the right key, in armored and binary form", "[verify][shared]") {
  YUMDA_REQUIRE_SHARED(shared);
  for (const char* key : {"rpm.org-rsa-2048-test.pub", "rpm.org-rsa-2048-test.pgp"}) {
    INFO(key);
    auto k = keyring_from(shared + kKeys + key);
    CHECK(k->size() == 1);
    CHECK_NOTHROW(verify_rpm(shared + kRpms + "hello-2.0-1.x86_64-signed.rpm", kLabel, k.get()));
    CHECK_NOTHROW(verify_rpm(shared + kRpms + "hello-2.0-1.x86_64-v3-signed.rpm", kLabel, k.get()));
  }
}

TEST_CASE("a package signed by a key the repo does not list is refused with the key id", "[verify][shared]") {
  YUMDA_REQUIRE_SHARED(shared);
  auto ed = keyring_from(shared + kKeys + "rpm.org-ed25519-test.pub");
  std::string err = error_of([&] { verify_rpm(shared + kRpms + "hello-2.0-1.x86_64-signed.rpm", kLabel, ed.get()); });
  CHECK(err == "package hello-2.0-1.x86_64 is signed with key 4344591e1964c5fc, which is not among the keys of " +
                   shared + kKeys + "rpm.org-ed25519-test.pub (gpgkey=)");
  Keyring empty;
  err = error_of([&] { verify_rpm(shared + kRpms + "hello-2.0-1.x86_64-signed.rpm", kLabel, &empty); });
  CHECK(contains(err, "key 4344591e1964c5fc, which is not among the keys"));
}

TEST_CASE("unsigned packages pass digest-only checks and are refused under gpgcheck", "[verify][shared]") {
  YUMDA_REQUIRE_SHARED(shared);
  const std::string rpm = shared + kRpms + "hello-2.0-1.x86_64.rpm";
  CHECK_NOTHROW(verify_rpm(rpm, kLabel, nullptr));
  auto k = keyring_from(shared + kKeys + "rpm.org-rsa-2048-test.pub");
  CHECK(error_of([&] { verify_rpm(rpm, kLabel, k.get()); }) ==
        "package hello-2.0-1.x86_64 is not signed (gpgcheck=1 needs a signature; set gpgcheck=0 for this repo to allow it)");
}

TEST_CASE("the corrupted package is refused with or without a keyring", "[verify][shared]") {
  YUMDA_REQUIRE_SHARED(shared);
  const std::string rpm = shared + kRpms + "hello-2.0-1.x86_64-corrupted.rpm";
  auto k = keyring_from(shared + kKeys + "rpm.org-rsa-2048-test.pub");
  CHECK(error_of([&] { verify_rpm(rpm, kLabel, k.get()); }) ==
        "package hello-2.0-1.x86_64 failed its digest check: the file is corrupt");
  CHECK(error_of([&] { verify_rpm(rpm, kLabel, nullptr); }) ==
        "package hello-2.0-1.x86_64 failed its digest check: the file is corrupt");
}

TEST_CASE("subkey signatures: valid subkey passes, expired or revoked subkey is refused", "[verify][shared]") {
  YUMDA_REQUIRE_SHARED(shared);
  const std::string rpm = shared + kRpms + "hello-2.0-1.x86_64-signed-with-subkey.rpm";
  if (!rpmkeys_accepts(shared + kKeys + "alice.asc")) {
    // Debian's rpm 4.18 refuses alice.asc (its subkey binding carries a
    // critical embedded-signature subpacket); then so must we.
    Keyring k;
    CHECK(contains(error_of([&] { k.add_keys(read_file(shared + kKeys + "alice.asc"), "alice.asc"); }), "alice.asc"));
    WARN("skipped the subkey checks: this rpm cannot import alice.asc");
    return;
  }
  auto alice = keyring_from(shared + kKeys + "alice.asc");
  CHECK_NOTHROW(verify_rpm(rpm, kLabel, alice.get()));
  for (const char* bad : {"alice-expired-subkey.asc", "alice-revoked-subkey.asc"}) {
    INFO(bad);
    auto k = keyring_from(shared + kKeys + bad);
    std::string err = error_of([&] { verify_rpm(rpm, kLabel, k.get()); });
    CHECK(contains(err, "package hello-2.0-1.x86_64 is signed with key 1f71177215217ee0"));
  }
}

TEST_CASE("Keyring accepts exactly the key files rpmkeys --import accepts", "[verify][shared]") {
  YUMDA_REQUIRE_SHARED(shared);
  size_t accepted = 0, refused = 0;
  for (const auto& entry : fs::directory_iterator(shared + kKeys)) {
    const std::string path = entry.path().string();
    const std::string ext = entry.path().extension().string();
    if (ext != ".asc" && ext != ".pub") continue;
    INFO(path);
    const bool rpm_ok = rpmkeys_accepts(path);
    Keyring k;
    std::string err = error_of([&] { k.add_keys(read_file(path), path); });
    CHECK(err.empty() == rpm_ok);
    if (!rpm_ok) CHECK(contains(err, path));
    ++(rpm_ok ? accepted : refused);
  }
  CHECK(accepted >= 2);  // rpm.org-rsa-2048-test.pub at least
  CHECK(refused >= 4);   // the CVE-2021-3521 and type-confusion keys at least
}

TEST_CASE("malicious or malformed keys are refused, naming their source", "[verify][shared]") {
  YUMDA_REQUIRE_SHARED(shared);
  for (const char* bad : {"CVE-2021-3521-badbind.asc", "CVE-2021-3521-nosubsig.asc", "CVE-2021-3521-nosubsig-last.asc",
                          "type-confusion.asc"}) {
    INFO(bad);
    Keyring k;
    const std::string src = shared + kKeys + bad;
    std::string err = error_of([&] { k.add_keys(read_file(src), src); });
    CHECK(contains(err, src));
    CHECK(contains(err, "gpgkey="));
  }
  Keyring k;
  CHECK(contains(error_of([&] { k.add_keys("not a key at all", "junk.txt"); }), "junk.txt holds no OpenPGP public key"));
  CHECK(contains(error_of([&] {
                   k.add_keys("-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nAAAA\n-----END PGP PUBLIC KEY BLOCK-----\n", "trunc.asc");
                 }),
                 "trunc.asc"));
}

TEST_CASE("several keys in one file, and several files, all count", "[verify][shared]") {
  YUMDA_REQUIRE_SHARED(shared);
  std::string both =
      read_file(shared + kKeys + "rpm.org-ed25519-test.pub") + "\n" + read_file(shared + kKeys + "rpm.org-rsa-2048-test.pub");
  Keyring k;
  k.add_keys(both, "both.asc");
  CHECK(k.size() == 2);
  CHECK_NOTHROW(verify_rpm(shared + kRpms + "hello-2.0-1.x86_64-signed.rpm", kLabel, &k));
  // A bad key anywhere in the file refuses the whole file, naming which key.
  Keyring bad;
  std::string err = error_of([&] { bad.add_keys(both + read_file(shared + kKeys + "type-confusion.asc"), "three.asc"); });
  CHECK(contains(err, "key 3 of three.asc"));
  // rpm-rs ships a keyring with several keys in one armored block.
  const std::string ring = shared + "/fixtures/real/rpm-rs/tests/assets/signing_keys/v4/rpm-testkey-v4-keyring.asc";
  if (fs::exists(ring)) {
    Keyring r;
    r.add_keys(read_file(ring), ring);
    CHECK(r.size() >= 2);
  }
}

TEST_CASE("dnf-ci-gpg: right key passes, wrong key, unsigned and broken packages are refused", "[verify][shared]") {
  YUMDA_REQUIRE_SHARED(shared);
  const std::string base = shared + "/fixtures/real/ci-dnf-stack/dnf-behave-tests/fixtures/";
  const std::string repo = base + "repos/dnf-ci-gpg/";
  auto k = keyring_from(base + "gpgkeys/dnf-ci-gpg/dnf-ci-gpg-public");
  CHECK_NOTHROW(verify_rpm(repo + "noarch/setup-2.12.1-1.fc29.noarch.rpm", "setup", k.get()));
  CHECK_NOTHROW(verify_rpm(repo + "x86_64/filesystem-3.9-2.fc29.x86_64.rpm", "filesystem", k.get()));
  std::string err = error_of([&] { verify_rpm(repo + "noarch/basesystem-11-6.fc29.noarch.rpm", "basesystem", k.get()); });
  CHECK(contains(err, "package basesystem is signed with key"));
  CHECK(contains(err, "not among the keys"));
  CHECK(contains(error_of([&] { verify_rpm(repo + "x86_64/wget-1.19.5-5.fc29.x86_64.rpm", "wget", k.get()); }),
                 "package wget is not signed"));
  CHECK_NOTHROW(verify_rpm(repo + "x86_64/wget-1.19.5-5.fc29.x86_64.rpm", "wget", nullptr));
  const std::string broken = repo + "noarch/broken-package-0.2.4-1.fc29.noarch.rpm";
  CHECK(contains(error_of([&] { verify_rpm(broken, "broken-package", k.get()); }), "package broken-package failed its"));
  CHECK(contains(error_of([&] { verify_rpm(broken, "broken-package", nullptr); }), "package broken-package failed its"));

  auto updates = keyring_from(base + "gpgkeys/dnf-ci-gpg-updates/dnf-ci-gpg-updates-public");
  CHECK_NOTHROW(verify_rpm(repo + "noarch/basesystem-11-6.fc29.noarch.rpm", "basesystem", updates.get()));
}

TEST_CASE("digest checks catch a flipped payload byte in old and new packages", "[verify]") {
  ScratchDir tmp;
  std::string rpm = build_rpm(tmp.path + "/w", tmp.path + "/out",
                              simple_spec("dig", "1", "", "mkdir -p %{buildroot}/opt\nseq 1 5000 > %{buildroot}/opt/data",
                                          "/opt/data"));
  CHECK_NOTHROW(verify_rpm(rpm, "dig-1-1.noarch", nullptr));
  std::string bad = tampered_copy(rpm, tmp.path + "/bad.rpm", 10);
  CHECK(error_of([&] { verify_rpm(bad, "dig-1-1.noarch", nullptr); }) ==
        "package dig-1-1.noarch failed its digest check: the file is corrupt");

  std::string junk = tmp.path + "/junk.rpm";
  write_text(junk, std::string(300, 'j'));
  CHECK(contains(error_of([&] { verify_rpm(junk, "junk-1-1.noarch", nullptr); }), "junk-1-1.noarch"));
}

TEST_CASE("old packages without a payload digest are checked with the MD5 over header+payload", "[verify][shared]") {
  YUMDA_REQUIRE_SHARED(shared);
  const std::string rpm = shared + kRpms + "hello-1.0-1.i386.rpm";
  CHECK_NOTHROW(verify_rpm(rpm, "hello-1.0-1.i386", nullptr));
  ScratchDir tmp;
  std::string bad = tampered_copy(rpm, tmp.path + "/bad.rpm", 40);
  CHECK(contains(error_of([&] { verify_rpm(bad, "hello-1.0-1.i386", nullptr); }), "failed its digest check"));
}

// --- a key made here, so signatures are tested without ../shared.

TEST_CASE("packages signed with a key made here verify; other keys and tampering are refused", "[verify][gpg]") {
  if (!have_rpmsign()) {
    WARN("skipped: gpg or rpmsign is not installed");
    return;
  }
  ScratchDir tmp;
  TestSigner good(tmp.path, "good"), other(tmp.path, "other");
  std::string rpm = build_rpm(tmp.path + "/w", tmp.path + "/out",
                              simple_spec("signed", "1", "", "mkdir -p %{buildroot}/opt\nseq 1 2000 > %{buildroot}/opt/data",
                                          "/opt/data"));
  std::string unsigned_copy = tmp.path + "/unsigned.rpm";
  fs::copy_file(rpm, unsigned_copy);
  REQUIRE(good.sign(rpm));

  auto good_keys = keyring_from(good.pubkey);
  auto other_keys = keyring_from(other.pubkey);
  CHECK_NOTHROW(verify_rpm(rpm, "signed-1-1.noarch", good_keys.get()));
  CHECK_NOTHROW(verify_rpm(rpm, "signed-1-1.noarch", nullptr));

  std::string err = error_of([&] { verify_rpm(rpm, "signed-1-1.noarch", other_keys.get()); });
  CHECK(contains(err, "package signed-1-1.noarch is signed with key "));
  CHECK(contains(err, "not among the keys of " + other.pubkey));
  // The key id named is the good key's (gpg prints it as the long key id).
  std::string id = good.key_id();
  CHECK(id.size() == 16);
  CHECK(contains(err, "key " + id + ","));

  CHECK(contains(error_of([&] { verify_rpm(unsigned_copy, "signed-1-1.noarch", good_keys.get()); }), "is not signed"));
  std::string bad = tampered_copy(rpm, tmp.path + "/bad.rpm", 20);
  CHECK(contains(error_of([&] { verify_rpm(bad, "signed-1-1.noarch", good_keys.get()); }), "failed its digest check"));

  // Both keys in one keyring: the package verifies.
  Keyring both;
  both.add_keys(read_file(other.pubkey), other.pubkey);
  both.add_keys(read_file(good.pubkey), good.pubkey);
  CHECK(both.size() == 2);
  CHECK(both.sources() == std::vector<std::string>{other.pubkey, good.pubkey});
  CHECK_NOTHROW(verify_rpm(rpm, "signed-1-1.noarch", &both));
}

TEST_CASE("verify_rpm prints nothing, even when librpm has complaints", "[verify][shared]") {
  YUMDA_REQUIRE_SHARED(shared);
  ScratchDir tmp;
  const std::string captured = tmp.path + "/stderr";
  fflush(stderr);
  int saved = dup(2);
  int out = open(captured.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  REQUIRE((saved >= 0 && out >= 0));
  dup2(out, 2);
  close(out);
  Keyring empty;
  std::string nokey = error_of([&] { verify_rpm(shared + kRpms + "hello-2.0-1.x86_64-signed.rpm", kLabel, &empty); });
  std::string corrupt = error_of([&] { verify_rpm(shared + kRpms + "hello-2.0-1.x86_64-corrupted.rpm", kLabel, nullptr); });
  Keyring bad;
  std::string badkey = error_of([&] {
    bad.add_keys(read_file(shared + kKeys + "CVE-2021-3521-badbind.asc"), "badbind.asc");
  });
  fflush(stderr);
  dup2(saved, 2);
  close(saved);
  CHECK_FALSE(nokey.empty());
  CHECK_FALSE(corrupt.empty());
  CHECK_FALSE(badkey.empty());
  CHECK(read_file(captured) == "");
}

TEST_CASE("one keyring serves several threads verifying at once", "[verify][shared]") {
  YUMDA_REQUIRE_SHARED(shared);
  auto k = keyring_from(shared + kKeys + "rpm.org-rsa-2048-test.pub");
  std::atomic<int> ok{0}, refused{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 5; ++i) {
        try {
          verify_rpm(shared + kRpms + "hello-2.0-1.x86_64-signed.rpm", kLabel, k.get());
          ++ok;
        } catch (const Error&) {
          ++refused;
        }
        try {
          verify_rpm(shared + kRpms + "hello-2.0-1.x86_64-corrupted.rpm", kLabel, k.get());
        } catch (const Error&) {
          ++refused;
        }
      }
    });
  for (auto& th : threads) th.join();
  CHECK(ok == 20);
  CHECK(refused == 20);
}

// --- detached signatures (repomd.xml.asc), made here with gpg.
namespace {

// Two keys made here, and where the file they sign goes.
struct TwoSigners {
  ScratchDir tmp;
  TestSigner good{tmp.path, "good"}, other{tmp.path, "other"};
  std::string file = tmp.path + "/repomd.xml";
};

}  // namespace

TEST_CASE("detached signatures: armored, binary, SHA-256/512 and text mode verify with the signing key", "[verify][gpg]") {
  YUMDA_REQUIRE_GPG();
  ScratchDir tmp;
  TestSigner good(tmp.path, "good");
  const std::string file = tmp.path + "/repomd.xml";
  write_text(file, "<?xml version=\"1.0\"?>\n<repomd>\n  <revision>1</revision>\n</repomd>\n");
  auto keys = keyring_from(good.pubkey);
  for (const char* flags : {"--armor", "--armor --digest-algo SHA256", "--armor --digest-algo SHA512", "",
                            "--armor --textmode"}) {
    INFO(flags);
    const std::string sig = tmp.path + "/repomd.xml.sig";
    REQUIRE(good.detach_sign(file, sig, flags));
    CHECK_NOTHROW(verify_detached(read_file(file), read_file(sig), *keys, "repomd.xml of repo r", sig));
  }
  // Armor headers (Version:, Comment:) before the blank line are skipped.
  const std::string asc = tmp.path + "/repomd.xml.asc";
  REQUIRE(good.detach_sign(file, asc));
  std::string with_headers = read_file(asc);
  with_headers.insert(with_headers.find('\n') + 1, "Version: GnuPG v2\nComment: yumda test\n");
  CHECK_NOTHROW(verify_detached(read_file(file), with_headers, *keys, "repomd.xml of repo r", asc));
}

TEST_CASE("detached signatures: another key, a changed file and garbage are refused naming the key or problem",
          "[verify][gpg]") {
  YUMDA_REQUIRE_GPG();
  TwoSigners f;
  auto& [tmp, good, other, file] = f;
  const std::string text = "<?xml version=\"1.0\"?>\n<repomd>\n  <revision>1</revision>\n</repomd>\n";
  write_text(file, text);
  const std::string asc = tmp.path + "/repomd.xml.asc";
  REQUIRE(good.detach_sign(file, asc));
  const std::string sig = read_file(asc);
  auto good_keys = keyring_from(good.pubkey);
  auto other_keys = keyring_from(other.pubkey);
  const std::string what = "repomd.xml of repo r";
  auto refusal = [&](const std::string& data, const std::string& signature, const Keyring& keys) {
    return error_of([&] { verify_detached(data, signature, keys, what, asc); });
  };

  CHECK(refusal(text, sig, *other_keys) == what + " is signed with key " + good.key_id() +
                                              ", which is not among the keys of " + other.pubkey + " (gpgkey=)");
  Keyring empty;
  CHECK_THAT(refusal(text, sig, empty), Catch::Contains("key " + good.key_id() + ", which is not among the keys"));

  std::string changed = text;
  changed[changed.find('1')] = '2';  // one byte
  CHECK(refusal(changed, sig, *good_keys) == what + " does not match its signature by key " + good.key_id() + " (" +
                                                 asc + "): it was changed after signing, or the signature is of another file");
  CHECK_THAT(refusal(text + "\n", sig, *good_keys), Catch::Contains("does not match its signature"));

  CHECK(refusal(text, "this is not a signature\n", *good_keys) ==
        what + ": its signature " + asc + " is not an OpenPGP signature (no '-----BEGIN PGP SIGNATURE-----' block)");
  CHECK_THAT(refusal(text, "", *good_keys), Catch::Contains("is not an OpenPGP signature"));
  CHECK_THAT(refusal(text, read_file(good.pubkey), *good_keys), Catch::Contains("is not an OpenPGP signature"));
  CHECK_THAT(refusal(text, sig.substr(0, sig.size() / 2), *good_keys), Catch::Contains("has no '-----END PGP SIGNATURE-----'"));
  // A damaged body: the armor checksum (CRC-24) catches it before any parsing.
  std::string damaged = sig;
  size_t body = damaged.find("\n\n") + 2;
  damaged[body + 10] = damaged[body + 10] == 'A' ? 'B' : 'A';
  CHECK_THAT(refusal(text, damaged, *good_keys), Catch::Contains("armor checksum does not match"));
  // Without the checksum line the packet itself is damaged: refused all the same.
  std::string no_crc = damaged;
  size_t crc = no_crc.rfind("\n=");
  no_crc.erase(crc + 1, no_crc.find('\n', crc + 1) - crc);
  CHECK_THAT(refusal(text, no_crc, *good_keys), Catch::StartsWith(what));
  CHECK_FALSE(refusal(text, no_crc, *good_keys).empty());
  // Binary data that starts like a signature packet but is cut short.
  CHECK_THAT(refusal(text, std::string("\x88\x05junk", 6), *good_keys), Catch::Contains("malformed OpenPGP packet"));
}

TEST_CASE("detached signatures: of several signatures one good one is enough", "[verify][gpg]") {
  YUMDA_REQUIRE_GPG();
  TwoSigners f;
  auto& [tmp, good, other, file] = f;
  write_text(file, "<repomd/>\n");
  REQUIRE(other.detach_sign(file, tmp.path + "/other.sig", ""));
  REQUIRE(good.detach_sign(file, tmp.path + "/good.sig", ""));
  const std::string both = read_file(tmp.path + "/other.sig") + read_file(tmp.path + "/good.sig");
  CHECK_NOTHROW(verify_detached("<repomd/>\n", both, *keyring_from(good.pubkey), "f", "both.sig"));
  CHECK_NOTHROW(verify_detached("<repomd/>\n", both, *keyring_from(other.pubkey), "f", "both.sig"));
  CHECK_THAT(error_of([&] { verify_detached("<repomd/>\n", both, Keyring(), "f", "both.sig"); }),
             Catch::StartsWith("f is signed with key " + other.key_id()));
  CHECK_THAT(error_of([&] { verify_detached("<repomd/>!", both, *keyring_from(good.pubkey), "f", "both.sig"); }),
             Catch::StartsWith("f does not match its signature by key " + other.key_id()));
}

TEST_CASE("load_keyring: file keys, missing keys and -C name the repo and the option", "[verify]") {
  ScratchDir tmp;
  MainConfig main;
  main.cachedir = tmp.path + "/cache";
  Fetcher fetcher{FetchOptions{}};
  RepoConfig repo;
  repo.id = "r";
  CHECK(error_of([&] { load_keyring(main, repo, fetcher, false, "repo_gpgcheck"); }) ==
        "repo r has repo_gpgcheck=1 but no gpgkey= (add its key URL, or set repo_gpgcheck=0)");
  repo.gpgkeys = {"file://" + tmp.path + "/nope.asc"};
  CHECK(error_of([&] { load_keyring(main, repo, fetcher, false, "gpgcheck"); }) ==
        "gpgkey file://" + tmp.path + "/nope.asc of repo r does not exist (fix gpgkey= or set gpgcheck=0)");
  repo.gpgkeys = {"http://127.0.0.1:1/key.asc"};
  CHECK(error_of([&] { load_keyring(main, repo, fetcher, true, "repo_gpgcheck"); }) ==
        "gpgkey http://127.0.0.1:1/key.asc of repo r is not cached (-C forbids downloading it)");
  YUMDA_REQUIRE_GPG();
  TestSigner good(tmp.path, "good");
  repo.gpgkeys = {"file://" + good.pubkey};
  auto keys = load_keyring(main, repo, fetcher, false, "repo_gpgcheck");
  CHECK(keys->size() == 1);
  CHECK(keys->sources() == std::vector<std::string>{"file://" + good.pubkey});
}

TEST_CASE("a package file that is gone is named with the system's reason", "[verify]") {
  ScratchDir tmp;
  CHECK(error_of([&] { verify_rpm(tmp.path + "/gone.rpm", "gone-1-1.noarch", nullptr); }) ==
        "cannot open package gone-1-1.noarch (" + tmp.path + "/gone.rpm): No such file or directory");
}

TEST_CASE("a key is described as dnf shows an import: id, user ID, fingerprint, source", "[verify]") {
  const std::string file = std::string(YUMDA_SOURCE_DIR) + "/repo-config/RPM-GPG-KEY-amazon-linux-2023";
  auto ring = keyring_from(file);
  REQUIRE(ring->keys().size() == 1);
  const Keyring::KeyInfo& k = ring->keys()[0];
  // gpg --show-keys says the same of this file.
  CHECK(k.key_id == "e951904ad832c631");
  CHECK(k.user_id == "Amazon Linux <amazon-linux@amazon.com>");
  CHECK(k.fingerprint == "B21C 50FA 44A9 9720 EAA7 2F7F E951 904A D832 C631");
  CHECK(k.source == file);
}
