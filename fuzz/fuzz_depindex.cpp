// The dep index (a cache file read with pread): its body is guarded by a
// digest, but the reader must still never crash on any bytes; a damaged file
// must give nullptr from DepIndex::open or a yumda::Error from its use.
//
// An index of a small hand-written repo is made once. Each input then becomes
// the file, by its first byte (mod 3):
//   0: the rest is the whole body, given a valid trailer (tag and digest), so
//      the reader gets past the digest;
//   1: the next 4 bytes (little-endian, modulo the body's size + 1) are an
//      offset where the rest overwrites the real body, trailer fixed up;
//   2: the rest is the whole file as it is (the tag and digest checks).
// Then: open, lookups, package() of every index, add_to a fresh pool (and a
// dump of it), reachable_packages over one and over two indexes.
// YUMDA_FUZZ_SEEDS=DIR fuzz_depindex -runs=0 writes the seed corpus to DIR
// (fuzz/corpus/depindex/ was made so): remake it when the format changes.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "fuzz_util.hpp"
#include "yumda/cache_file.hpp"
#include "fastload/dep_index.hpp"
#include "solv/pool.hpp"
#include "solv_dump.hpp"
#include "yumda/c_unique.hpp"
#include "yumda/error.hpp"

namespace fs = std::filesystem;

namespace {

const std::string kTag(yumda::kCacheTagSize, 'a');

// Every kind of record content: versioned and rich deps, prereqs, files in
// several dirs, obsoletes/supplements (reached by name), optional strings.
const char kPrimary[] = R"XML(<?xml version="1.0" encoding="UTF-8"?>
<metadata xmlns="http://linux.duke.edu/metadata/common" xmlns:rpm="http://linux.duke.edu/metadata/rpm" packages="4">
<package type="rpm"><name>alpha</name><arch>x86_64</arch><version epoch="1" ver="1.0" rel="1"/>
<checksum type="sha256" pkgid="YES">a8ee4e33f52b031f98ddfc140ff7de452aad46d831121a65154d88814aa3bc3f</checksum>
<summary>Alpha</summary><url>https://example.org/</url><time file="2" build="1700000000"/>
<size package="789" installed="2927" archive="2928"/>
<location xml:base="https://mirror.example/" href="a/alpha-1.0-1.x86_64.rpm"/>
<format><rpm:license>MIT</rpm:license><rpm:vendor>Example</rpm:vendor><rpm:sourcerpm>alpha-1.0-1.src.rpm</rpm:sourcerpm>
<rpm:provides><rpm:entry name="libalpha.so.1()(64bit)"/><rpm:entry name="alpha-api" flags="GE" ver="2"/></rpm:provides>
<rpm:requires><rpm:entry name="/bin/sh" pre="1"/><rpm:entry name="beta" flags="GE" epoch="0" ver="2.0"/>
<rpm:entry name="(gamma or delta &gt;= 2)"/></rpm:requires>
<rpm:recommends><rpm:entry name="(epsilon if beta)"/></rpm:recommends>
<file>/usr/bin/alpha</file><file type="dir">/etc/alpha</file><file>/usr/lib64/libalpha.so.1</file></format></package>
<package type="rpm"><name>beta</name><arch>noarch</arch><version ver="2.1" rel="3"/>
<checksum type="sha1" pkgid="YES">0123456789abcdef0123456789abcdef01234567</checksum><summary/>
<size package="10" installed="20"/><location href="b/beta.rpm"/>
<format><rpm:requires><rpm:entry name="/usr/bin/alpha"/></rpm:requires>
<rpm:obsoletes><rpm:entry name="beta-old" flags="LT" ver="2"/></rpm:obsoletes>
<rpm:conflicts><rpm:entry name="zeta"/></rpm:conflicts><file>/bin/sh</file></format></package>
<package type="rpm"><name>gamma</name><arch>x86_64</arch><version ver="3"/>
<format><rpm:supplements><rpm:entry name="(alpha and langpacks-de)"/></rpm:supplements>
<rpm:suggests><rpm:entry name="delta"/></rpm:suggests><rpm:enhances><rpm:entry name="beta" flags="EQ" ver="2.1"/></rpm:enhances>
</format></package>
<package type="rpm"><name>delta</name><arch>x86_64</arch><version ver="4" rel="1"/>
<format><rpm:provides><rpm:entry name="delta" flags="EQ" ver="4" rel="1"/></rpm:provides>
<rpm:obsoletes><rpm:entry name="gamma"/></rpm:obsoletes></format></package>
</metadata>
)XML";

// Names looked up and used as roots: packages, provides, a file, unknowns.
const std::vector<std::string> kNames = {"alpha", "beta",  "gamma", "delta", "epsilon", "/bin/sh",
                                         "libalpha.so.1()(64bit)", "langpacks-de", "nosuch", ""};

// The body of the index of kPrimary, made once.
const std::string& real_body() {
  static const std::string body = [] {
    yumda::Pool pool("x86_64");
    Repo* repo = repo_create(pool.get(), "fuzz");
    yumda::UniqueFile fp(fmemopen(const_cast<char*>(kPrimary), sizeof kPrimary - 1, "r"));
    if (!fp || repo_add_rpmmd(repo, fp.get(), nullptr, 0) != 0) std::abort();
    yumda_fuzz::TempDir dir;
    std::string path = (dir.path / "deps.idx").string();
    if (!yumda::write_dep_index(repo, path, kTag)) std::abort();
    std::ifstream in(path, std::ios::binary);
    std::string file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const size_t trailer = yumda::kCacheTagSize + 16;  // tag, then the body's digest
    if (file.size() <= trailer) std::abort();
    return file.substr(0, file.size() - trailer);
  }();
  return body;
}

void write_seeds(const char* dir) {
  const std::string& body = real_body();
  auto put = [&](const char* name, const std::string& bytes) {
    std::ofstream out(fs::path(dir) / name, std::ios::binary);
    out << bytes;
    if (!out) std::abort();
  };
  put("body", std::string(1, '\0') + body);
  std::string at(4, '\0');  // splice into the header (the last bytes)
  uint32_t off = static_cast<uint32_t>(body.size() - 24);
  memcpy(at.data(), &off, 4);
  put("splice-header", std::string(1, '\1') + at + std::string(8, '\xff'));
  put("splice-record", std::string(1, '\1') + std::string(4, '\0') + "\x05\x01\x02");
  put("raw-file", std::string(1, '\2') + body + kTag + std::string(16, '0'));
}

// The file for INPUT (see the top), given a valid trailer unless raw.
void make_file(const std::string& path, const uint8_t* data, size_t size) {
  uint8_t mode = data[0] % 3;
  ++data;
  --size;
  if (mode == 2) {
    yumda_fuzz::write_file(path, data, size);
    return;
  }
  std::string body;
  if (mode == 0) {
    body.assign(reinterpret_cast<const char*>(data), size);
  } else {
    body = real_body();
    uint32_t off = 0;
    if (size >= 4) {
      memcpy(&off, data, 4);
      data += 4;
      size -= 4;
    }
    size_t at = off % (body.size() + 1);
    if (at + size > body.size()) body.resize(at + size);
    memcpy(body.data() + at, data, size);
  }
  if (!yumda::write_cache_file(path, body, kTag)) std::abort();
}

// Runs F; a yumda::Error (the index is damaged) is a fine outcome.
template <class F>
void allow_error(F&& f) {
  try {
    f();
  } catch (const yumda::Error&) {
  }
}

void exercise(const yumda::DepIndex& idx) {
  for (const auto& n : kNames) allow_error([&] { (void)idx.lookup(n); });
  std::vector<uint32_t> good;
  for (uint32_t i = 0; i < idx.size(); ++i)
    allow_error([&] {
      yumda::DepIndex::Package pk = idx.package(i);
      good.push_back(i);
      (void)idx.lookup(pk.name);
      for (auto f : pk.files) (void)idx.lookup(f);
    });
  allow_error([&] {
    yumda::Pool pool("x86_64");
    Repo* repo = repo_create(pool.get(), "fuzz");
    idx.add_to(repo, good);
    (void)yumda::dump_solvables(repo);
  });
  allow_error([&] { (void)yumda::reachable_packages({&idx}, kNames); });
  allow_error([&] { (void)yumda::reachable_packages({&idx, &idx}, kNames); });  // asks by name across indexes
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (const char* seeds = getenv("YUMDA_FUZZ_SEEDS")) {
    write_seeds(seeds);
    unsetenv("YUMDA_FUZZ_SEEDS");
  }
  if (size == 0) return 0;
  yumda_fuzz::TempDir dir;
  std::string path = (dir.path / "deps.idx").string();
  make_file(path, data, size);
  fs::remove(path + ".ok");  // no stamp: the digest is checked
  std::unique_ptr<yumda::DepIndex> idx;
  allow_error([&] { idx = yumda::DepIndex::open(path, kTag); });
  if (idx) exercise(*idx);
  return 0;
}
