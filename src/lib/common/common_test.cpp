#include <catch2/catch.hpp>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <iterator>
#include <string>

#include "test_support.hpp"
#include "yumda/c_unique.hpp"
#include "yumda/cache_file.hpp"
#include "yumda/checksum.hpp"
#include "yumda/error.hpp"
#include "yumda/fs.hpp"
#include "yumda/nevra.hpp"
#include "yumda/rpm_lead.hpp"
#include "yumda/suggest.hpp"

using namespace yumda;

namespace {
int freed = 0;
void count_free(int* p) {
  ++freed;
  delete p;
}
}  // namespace

TEST_CASE("c_unique frees its handle once, with the library's own function", "[common]") {
  freed = 0;
  {
    c_unique<int, count_free> a(new int(1));
    c_unique<int, count_free> none;  // a null handle is never passed to Free
    c_unique<int, count_free> b = std::move(a);
    CHECK(freed == 0);
  }
  CHECK(freed == 1);
  c_unique_ptr<int*, count_free> c(new int(2));
  c.reset();
  CHECK(freed == 2);
  static_assert(sizeof(c_unique<int, count_free>) == sizeof(int*), "no state beside the pointer");
}

TEST_CASE("digests match known values", "[checksum]") {
  CHECK(string_digest("abc", "sha256") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(string_digest("abc", "sha") == "a9993e364706816aba3e25717850c26c9cd0d89d");
  CHECK(string_digest("", "md5") == "d41d8cd98f00b204e9800998ecf8427e");
  CHECK_THROWS_AS(Digest("crc32"), Error);
}

// string_digest hashes a small string with libsolv's code and a large one
// with librpmio's (checksum.cpp): the two must agree for every type, on both
// sides of the switch and across the block sizes (55/56/64 bytes for
// md5/sha1/sha256, 111/112/128 for sha384/sha512).
TEST_CASE("small and large digests agree with librpmio's streaming digest", "[checksum]") {
  std::string data;
  uint32_t x = 12345;
  for (size_t i = 0; i < 70 * 1024; ++i) data += static_cast<char>((x = x * 1103515245 + 12345) >> 24);
  for (const char* type : {"sha256", "sha", "sha1", "md5", "sha224", "sha384", "sha512"}) {
    for (size_t n : {size_t{0}, size_t{1}, size_t{55}, size_t{56}, size_t{64}, size_t{111}, size_t{112},
                     size_t{128}, size_t{1000}, size_t{64 * 1024}, size_t{64 * 1024 + 1}, data.size()}) {
      Digest d(type);
      d.update(data.data(), n);
      CAPTURE(type, n);
      CHECK(string_digest(std::string_view(data.data(), n), type) == d.hex());
    }
  }
  CHECK(string_digest("abc", "sha512").substr(0, 16) == "ddaf35a193617aba");
  CHECK_THROWS_AS(string_digest("abc", "crc32"), Error);
}

TEST_CASE("NEVRA parsing and printing", "[nevra]") {
  Nevra n;
  REQUIRE(parse_nevra("libcurl-7.61.1-12.lambda2.0.2.x86_64", n));
  CHECK(n.name == "libcurl");
  CHECK(n.version == "7.61.1");
  CHECK(n.release == "12.lambda2.0.2");
  CHECK(n.arch == "x86_64");
  CHECK(n.str() == "libcurl-7.61.1-12.lambda2.0.2.x86_64");
  REQUIRE(parse_nevra("perl-Git-4:1.8.3.1-23.amzn2.noarch", n));
  CHECK(n.name == "perl-Git");
  CHECK(n.epoch == "4");
  CHECK(n.evr() == "4:1.8.3.1-23.amzn2");
  REQUIRE(parse_nevra("glibc-2.26-38.amzn2", n));
  CHECK(n.arch.empty());
  CHECK_FALSE(parse_nevra("glibc", n));
}

TEST_CASE("EVR comparison uses rpm semantics", "[nevra]") {
  CHECK(compare_evr("1.10-1", "1.9-1") > 0);
  CHECK(compare_evr("1:1.0-1", "2.0-1") > 0);
  CHECK(compare_evr("1.0~rc1-1", "1.0-1") < 0);
  CHECK(compare_evr("3.53.1-1.amzn2", "3.53.1-1.amzn2") == 0);
}

TEST_CASE("atomic writes replace files whole", "[fs]") {
  TempDir dir("/tmp", "yumda-test.");
  std::string p = dir.path() + "/f";
  write_file_atomic(p, "one");
  write_file_atomic(p, "two");
  CHECK(read_file(p) == "two");
  CHECK_THROWS_AS(read_file(dir.path() + "/missing"), Error);
  CHECK(human_size(1536) == "1.5 k");
}

TEST_CASE("a cache file streamed in pieces is the file written whole", "[fs]") {
  TempDir dir("/tmp", "yumda-test.");
  // Several write buffers' worth (so the writer's thread takes them), in
  // pieces of odd sizes that cut the digest's 32-byte blocks, and one piece
  // bigger than a buffer.
  std::string body;
  for (uint32_t i = 0; body.size() < (5u << 20); ++i) body += std::to_string(i * 2654435761u) + ",";
  std::string whole = dir.path() + "/whole", streamed = dir.path() + "/streamed";
  REQUIRE(write_cache_file(whole, body, std::string(kCacheTagSize, 't')));
  {
    CacheFileWriter w(streamed);
    size_t at = 0;
    for (size_t n = 1; at < body.size(); n = n * 7 % 40009 + 1) {
      size_t len = at == 3u << 20 ? 2u << 20 : std::min(n, body.size() - at);
      if (at < 3u << 20 && at + len > 3u << 20) len = (3u << 20) - at;
      w.append(std::string_view(body).substr(at, len));
      at += len;
    }
    CHECK(w.size() == body.size());
    REQUIRE(w.commit(std::string(kCacheTagSize, 't')));
  }
  CHECK(read_file(streamed) == read_file(whole));
  MappedFile f(streamed);
  CHECK(cache_file_body(f, std::string(kCacheTagSize, 't')) == body);
  {
    CacheFileWriter unfinished(dir.path() + "/never");
    unfinished.append(body);
    unfinished.append("tail");
  }
  CHECK(!path_exists(dir.path() + "/never"));
  auto entries = std::filesystem::directory_iterator(dir.path());
  CHECK(std::distance(begin(entries), end(entries)) == 2);  // no temp file left either
}

TEST_CASE("capped reads refuse a fifo at once, and in the cache a link", "[fs]") {
  TempDir dir("/tmp", "yumda-test.");
  const std::string file = dir.path() + "/f", fifo = dir.path() + "/fifo", link = dir.path() + "/link";
  write_file_atomic(file, "text");
  REQUIRE(mkfifo(fifo.c_str(), 0644) == 0);
  REQUIRE(symlink(file.c_str(), link.c_str()) == 0);
  CHECK(read_file_capped(file, 100, "f") == "text");
  CHECK(read_file_capped(link, 100, "f") == "text");  // a config or repo file may be a link
  CHECK(read_cache_file_capped(file, 100, "f") == "text");
  auto error_of = [](auto fn) {
    try {
      fn();
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  // A fifo with no writer: before, the open blocked forever.
  CHECK(error_of([&] { read_file_capped(fifo, 100, "f"); }) == "cannot read " + fifo + ": not a regular file");
  CHECK(error_of([&] { read_cache_file_capped(fifo, 100, "f"); }) ==
        "cannot read " + fifo + ": not a regular file (remove it, or run `yumda clean all`)");
  CHECK(error_of([&] { read_cache_file_capped(link, 100, "f"); }) ==
        "cannot read " + link + ": a symbolic link in the cache (remove it, or run `yumda clean all`)");
  CHECK(error_of([&] { read_file_capped("/dev/zero", 100, "zero"); }) == "zero is larger than 100 bytes; refusing to read it");
  // open_regular: the same rule for a file the cache gives by name.
  CHECK(open_regular(AT_FDCWD, file));
  errno = 0;
  CHECK_FALSE(open_regular(AT_FDCWD, fifo));
  CHECK(errno == EINVAL);
  CHECK_FALSE(open_regular(AT_FDCWD, link));
  CHECK(errno == ELOOP);
}

TEST_CASE("printable writes control characters as escapes, nothing else changes", "[common]") {
  CHECK(yumda::printable("entry /opt/new\nline\t\x1b[31mred\x7f") == "entry /opt/new\\nline\\t\\x1b[31mred\\x7f");
  CHECK(yumda::printable("caf\xc3\xa9 /opt/bin/git") == "caf\xc3\xa9 /opt/bin/git");
}

TEST_CASE("redact_urls hides the password of every URL and nothing else", "[common]") {
  using yumda::redact_urls;
  CHECK(redact_urls("cannot download repomd.xml from https://bob:s3cr%2Ft@repo.example/x: HTTP 404") ==
        "cannot download repomd.xml from https://bob:***@repo.example/x: HTTP 404");
  CHECK(redact_urls("a http://u:p@h/ and s3://k:v@bucket/key") == "a http://u:***@h/ and s3://k:***@bucket/key");
  CHECK(redact_urls("https://bob@host/x user@example.com file:///a@b/c") == "https://bob@host/x user@example.com file:///a@b/c");
  CHECK(redact_urls("https://host/p?x=a:b@c") == "https://host/p?x=a:b@c");
}

TEST_CASE("closest_words: typos within reach, closest first", "[suggest]") {
  CHECK(edit_distance("gti", "git") == 1);  // a transposition is one edit
  CHECK(edit_distance("instal", "install") == 1);
  CHECK(edit_distance("", "abc") == 3);
  CHECK(edit_distance("kitten", "sitting") == 3);
  std::vector<std::string> verbs = {"install", "info", "list", "remove", "reinstall", "upgrade"};
  CHECK(closest_words("instal", verbs) == std::vector<std::string>{"install"});
  CHECK(closest_words("lst", verbs) == std::vector<std::string>{"list"});
  CHECK(closest_words("zzzzzz", verbs).empty());
  CHECK(closest_words("git", {"git", "gif", "gti", "jq", "gitk"}) == std::vector<std::string>{"gif", "gitk", "gti"});
  CHECK(closest_words("gti", {"git", "git", "gtk"}, 1) == std::vector<std::string>{"git"});
}

namespace {

// The main header's offset in a file holding BYTES.
uint64_t header_offset_of(const std::string& bytes) {
  testing::ScratchDir dir;
  const std::string path = dir.path + "/x.rpm";
  write_file_atomic(path, bytes);
  UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  return rpm_main_header_offset(fd.get(), "x.rpm");
}

}  // namespace

TEST_CASE("the main header follows the lead and the signature header padded to 8", "[rpm_lead]") {
  std::string lead(96, '\0');
  lead.replace(0, 4, "\xed\xab\xee\xdb");
  // signature header: magic, reserved, il = 1, dl = 5: 16 + 16 + 5 = 37 bytes, padded to 40
  std::string sig = std::string("\x8e\xad\xe8\x01", 4) + std::string(4, '\0') + std::string("\0\0\0\x01", 4) +
                    std::string("\0\0\0\x05", 4);
  CHECK(header_offset_of(lead + sig) == 96 + 40);
  CHECK_THROWS_WITH(header_offset_of(std::string(200, 'x')), "x.rpm is not an RPM package (no RPM lead)");
  CHECK_THROWS_WITH(header_offset_of(lead + std::string(16, 'x')), "x.rpm is not an RPM package (no signature header)");
  CHECK_THROWS_WITH(header_offset_of(lead), "x.rpm is not an RPM package (it is truncated)");
  std::string huge = sig;
  huge.replace(12, 4, std::string("\x7f\xff\xff\xff", 4));
  CHECK_THROWS_WITH(header_offset_of(lead + huge), "x.rpm is not an RPM package (signature header too large)");
}
