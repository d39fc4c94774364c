#include <catch2/catch.hpp>
#include <algorithm>
#include <fstream>
#include <set>

#include "test_support.hpp"
#include "yumda/baseline.hpp"
#include "yumda/error.hpp"

using namespace yumda;
using yumda::testing::ScratchDir;
using yumda::testing::write_text;

namespace {

std::string load_error(const std::string& name) {
  try {
    load_baseline(name);
  } catch (const UsageError& e) {
    return e.what();
  }
  return "";
}

const BaselinePackage* find(const Baseline& b, const std::string& name) {
  for (const auto& p : b.packages)
    if (p.name == name) return &p;
  return nullptr;
}

std::vector<std::string> lines_of(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::string> out;
  for (std::string l; std::getline(in, l);)
    if (!l.empty()) out.push_back(l);
  return out;
}

}  // namespace

TEST_CASE("baseline al2: the AL2 runtime's 44 packages and its files", "[baseline]") {
  Baseline b = load_baseline("al2");
  CHECK(b.source == "al2");
  CHECK(b.packages.size() == 44);
  const BaselinePackage* glibc = find(b, "glibc");
  REQUIRE(glibc);
  CHECK(glibc->evr == "2.26-38.amzn2");
  CHECK(glibc->arch == "x86_64");
  CHECK(b.has_package("nss-util"));
  CHECK(b.has_package("glibc-all-langpacks"));
  CHECK_FALSE(b.has_package("libcurl-devel"));

  REQUIRE(b.files.size() > 3000);
  CHECK(std::is_sorted(b.files.begin(), b.files.end()));
  CHECK(std::all_of(b.files.begin(), b.files.end(), [](const std::string& f) { return f[0] == '/' && f.back() != '/'; }));
  CHECK(b.has_file("/usr/lib64/libc.so.6"));
  CHECK(b.has_file("/lib64/libc.so.6"));  // through the /lib64 -> usr/lib64 symlink
  CHECK(b.has_file("/bin/sh"));
  CHECK_FALSE(b.has_file("/usr/lib64"));  // a directory, not a file
  CHECK_FALSE(b.has_file("/lib64"));
  CHECK_FALSE(b.has_file("/lib64/libnot-in-the-runtime.so.1"));
  CHECK_FALSE(b.has_file("/opt/lib/libc.so.6"));
}

TEST_CASE("built-in baselines match the fixtures they were taken from", "[baseline]") {
  YUMDA_REQUIRE_SHARED(shared);
  const std::string dir = shared + "/fixtures/real/lambci/";
  for (auto [name, file] : {std::pair{"al2", "docker-lambda_base_base-2_packages.txt"},
                            std::pair{"al1", "docker-lambda_base_packages.txt"}}) {
    INFO(name);
    std::set<std::string> want, got;
    for (const auto& l : lines_of(dir + file)) want.insert(l);
    for (const auto& p : load_baseline(name).packages) got.insert(p.name + "-" + p.evr + "." + p.arch);
    CHECK(got == want);
  }
  // Every non-directory entry of the listing, except the 4 usr-merge symlinks.
  std::set<std::string> want;
  for (const auto& l : lines_of(dir + "docker-lambda_base_base-2_fs.txt"))
    if (l.back() != '/' && l.find('/') != std::string::npos) want.insert("/" + l);
  Baseline b = load_baseline("al2");
  CHECK(std::set<std::string>(b.files.begin(), b.files.end()) == want);
  CHECK(b.symlinks.size() == 4);
}

TEST_CASE("baseline al1 and none", "[baseline]") {
  Baseline al1 = load_baseline("al1");
  CHECK(al1.packages.size() == 224);
  CHECK(al1.has_package("ImageMagick"));
  CHECK(al1.files.empty());
  Baseline none = load_baseline("none");
  CHECK(none.empty());
  CHECK(none.source == "none");
  CHECK(builtin_baselines() == std::vector<std::string>{"al1", "al2", "al2023"});
}

TEST_CASE("baseline al2023: the minimal container minus what Lambda lacks, a file list per arch", "[baseline]") {
  Baseline b = load_baseline("al2023", "x86_64");
  CHECK(b.source == "al2023");
  CHECK(b.packages.size() == 85);
  for (const char* name : {"glibc", "bash", "coreutils-single", "openssl-libs", "libstdc++", "zlib", "ca-certificates"})
    CHECK(b.has_package(name));
  for (const char* name : {"dnf", "python3", "expat", "libxcrypt", "libgomp", "elfutils-libelf", "tzdata", "nss"}) {
    INFO(name);
    CHECK_FALSE(b.has_package(name));
  }
  CHECK(b.has_file("/lib64/ld-linux-x86-64.so.2"));
  CHECK(b.has_file("/usr/lib64/libc.so.6"));
  CHECK(b.has_file("/lib64/libmvec.so.1"));
  CHECK(b.has_file("/bin/sh"));  // /bin -> usr/bin
  CHECK_FALSE(b.has_file("/usr/lib64/libexpat.so.1"));
  CHECK_FALSE(b.has_file("/usr/lib/ld-linux-aarch64.so.1"));
  CHECK(b.symlinks.size() == 4);

  Baseline arm = load_baseline("al2023", "aarch64");
  CHECK(arm.packages.size() == 85);
  CHECK(arm.has_file("/lib/ld-linux-aarch64.so.1"));
  CHECK(arm.has_file("/lib64/libc.so.6"));
  CHECK_FALSE(arm.has_file("/lib64/ld-linux-x86-64.so.2"));
  CHECK_FALSE(arm.has_file("/lib64/libmvec.so.1"));  // x86_64 only

  // No arch: every architecture's list merged (what some arch has).
  Baseline any = load_baseline("al2023");
  CHECK(any.has_file("/lib64/ld-linux-x86-64.so.2"));
  CHECK(any.has_file("/lib/ld-linux-aarch64.so.1"));
  CHECK(any.symlinks.size() == 4);
  // al2 has one list for every arch.
  CHECK(load_baseline("al2", "aarch64").files == load_baseline("al2").files);
}

TEST_CASE("al2023 file lists hold the /lib64 listings they were taken from", "[baseline]") {
  YUMDA_REQUIRE_SHARED(shared);
  const std::string dir = shared + "/fixtures/real/amazon-linux/";
  for (auto [arch, file] : {std::pair{"x86_64", "al2023-lib64-x86_64.txt"}, std::pair{"aarch64", "al2023-lib64-arm64.txt"}}) {
    INFO(arch);
    std::set<std::string> want, got;
    for (const auto& l : lines_of(dir + file))
      if (l[0] != '#') want.insert("/usr/lib64/" + l);
    for (const auto& f : load_baseline("al2023", arch).files)
      if (f.rfind("/usr/lib64/", 0) == 0) got.insert(f);
    CHECK(got == want);
  }
  std::set<std::string> want;
  for (const auto& l : lines_of(dir + "al2023-baseline.txt"))
    if (l[0] != '#' && l.find('\t') != std::string::npos) want.insert(l.substr(0, l.find('\t')));
  std::set<std::string> got;
  for (const auto& p : load_baseline("al2023").packages) got.insert(p.name);
  CHECK(got == want);
}

TEST_CASE("baseline from a file, with names, NEVRAs and a file list", "[baseline]") {
  ScratchDir d;
  const std::string path = d.path + "/mine.txt";
  write_text(path,
             "# my runtime\n"
             "glibc-all-langpacks\n"
             "zlib-1.2.7-18.amzn2.x86_64   # trailing comment\n"
             "\n"
             "  openssl-libs-1:1.0.2k-19.amzn2.0.3\n"
             "python3\n");
  write_text(d.path + "/mine.files.txt", "# files\n/usr/lib64/libz.so.1\n/usr/share/doc/\n/lib64 -> usr/lib64\n");
  Baseline b = load_baseline(path);
  CHECK(b.source == path);
  REQUIRE(b.packages.size() == 4);
  CHECK(b.packages[0].name == "glibc-all-langpacks");  // a name, not glibc version "all"
  CHECK(b.packages[0].evr.empty());
  CHECK(b.packages[1].name == "zlib");
  CHECK(b.packages[1].evr == "1.2.7-18.amzn2");
  CHECK(b.packages[1].arch == "x86_64");
  CHECK(b.packages[2].name == "openssl-libs");
  CHECK(b.packages[2].evr == "1:1.0.2k-19.amzn2.0.3");
  CHECK(b.packages[2].arch.empty());
  CHECK(b.packages[3].name == "python3");
  CHECK(b.files == std::vector<std::string>{"/usr/lib64/libz.so.1"});
  CHECK(b.has_file("/lib64/libz.so.1"));

  // A file list per architecture beside it wins for that arch.
  write_text(d.path + "/mine.files.aarch64.txt", "/usr/lib/ld-linux-aarch64.so.1\n");
  CHECK(load_baseline(path, "aarch64").files == std::vector<std::string>{"/usr/lib/ld-linux-aarch64.so.1"});
  CHECK(load_baseline(path, "x86_64").files == std::vector<std::string>{"/usr/lib64/libz.so.1"});

  // A file named like a built-in baseline is reached with a path.
  write_text(d.path + "/al2", "onlyme\n");
  CHECK(load_baseline(d.path + "/al2").packages.size() == 1);
}

TEST_CASE("baseline errors: unknown name, bad lines", "[baseline]") {
  CHECK(load_error("al3") ==
        "baseline 'al3' is neither a built-in baseline nor a readable file (choose al1, al2, al2023, none, or a file "
        "path)");
  CHECK_THAT(load_error("/nonexistent/base.txt"), Catch::StartsWith("baseline '/nonexistent/base.txt' is neither"));
  CHECK_THAT(load_error(""), Catch::StartsWith("baseline '' is neither"));
  ScratchDir d;
  write_text(d.path + "/b.txt", "glibc\nperl(Foo) >= 1\n");
  CHECK(load_error(d.path + "/b.txt") == d.path + "/b.txt:2: not a package name or NEVRA (column 5); a baseline file "
                                                  "has one per line, e.g. glibc or glibc-2.26-38.amzn2.x86_64");
  // The wrong file given as a baseline: its contents are not printed (issue #14).
  write_text(d.path + "/shadow", "root:$6$secrethash:19000:0:99999:7:::\n");
  std::string shadow = load_error(d.path + "/shadow");
  CHECK_THAT(shadow, Catch::StartsWith(d.path + "/shadow:1: not a package name or NEVRA (column 6)"));
  CHECK(shadow.find("secrethash") == std::string::npos);
  write_text(d.path + "/b.txt", "glibc\n");
  write_text(d.path + "/b.files.txt", "/ok\nrelative/secret\n");
  std::string files = load_error(d.path + "/b.txt");
  CHECK_THAT(files, Catch::StartsWith(d.path + "/b.files.txt:2: not an absolute path"));
  CHECK(files.find("secret") == std::string::npos);
}

TEST_CASE("baseline: a package name with dashes and digits stays a name", "[baseline]") {
  Baseline b = parse_baseline(
      "libpcre2-8-0\n"
      "java-1.8.0-openjdk\n"
      "java-1.8.0-openjdk-headless\n"
      "compat-openssl10\n"
      "python3-3.7\n"                 // a name ending in a version-like part, no release
      "libpcre2-8-0.x86_64\n"         // name.arch
      "java-1.8.0-openjdk-1.8.0.312.b07-1.amzn2.0.2.x86_64\n"
      "libpcre2-8-0-10.42-1.x86_64\n"
      "zlib-1.2.7-18\n"
      "foo-0:1-1\n",                  // bare-number version-release: with its epoch
      "test");
  REQUIRE(b.packages.size() == 10);
  auto is_name = [&](size_t i, const std::string& name) {
    INFO(i);
    CHECK(b.packages[i].name == name);
    CHECK(b.packages[i].evr.empty());
  };
  is_name(0, "libpcre2-8-0");
  is_name(1, "java-1.8.0-openjdk");
  is_name(2, "java-1.8.0-openjdk-headless");
  is_name(3, "compat-openssl10");
  is_name(4, "python3-3.7");
  is_name(5, "libpcre2-8-0");
  CHECK(b.packages[5].arch == "x86_64");
  CHECK(b.packages[6].name == "java-1.8.0-openjdk");
  CHECK(b.packages[6].evr == "1.8.0.312.b07-1.amzn2.0.2");
  CHECK(b.packages[7].name == "libpcre2-8-0");
  CHECK(b.packages[7].evr == "10.42-1");
  CHECK(b.packages[8].name == "zlib");
  CHECK(b.packages[8].evr == "1.2.7-18");
  CHECK(b.packages[9].name == "foo");
  CHECK(b.packages[9].evr == "1-1");
}
