// The fast primary.xml reader against libsolv's repo_add_rpmmd: both load the
// same file into pools of their own and must dump the same.
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>

#include "fastload/primary_xml.hpp"
#include "fastload/primary_xml_lexer.hpp"
#include "solv/pool.hpp"
#include "solv_dump.hpp"
#include "solv/xml_stream.hpp"
#include "yumda/c_unique.hpp"
#include "test_support.hpp"
#include "yumda/error.hpp"
#include "yumda/reporter.hpp"

using namespace yumda;
using namespace yumda::testing;
namespace fs = std::filesystem;

namespace {

struct Loaded {
  std::string dump;
  std::string error;  // the Error's message, "" when none
  PrimaryParser parser = PrimaryParser::fast;
};

Loaded load_with_libsolv(const std::string& path) {
  yumda::Pool pool("x86_64");
  Repo* repo = repo_create(pool.get(), "t");
  Loaded r;
  UniqueFile fp(solv_xfopen(path.c_str(), "r"));
  if (!fp) {
    r.error = "cannot open";
    return r;
  }
  if (repo_add_rpmmd(repo, fp.get(), nullptr, 0) != 0) r.error = pool_errstr(pool.get());
  r.dump = dump_solvables(repo);
  return r;
}

Loaded load_fast(const std::string& path, const char* preload = nullptr) {
  yumda::Pool pool("x86_64");
  Repo* repo = repo_create(pool.get(), "t");
  if (preload) {  // a repo that already holds packages
    UniqueFile fp(solv_xfopen(preload, "r"));
    REQUIRE(fp);
    REQUIRE(repo_add_rpmmd(repo, fp.get(), nullptr, 0) == 0);
  }
  Loaded r;
  try {
    r.parser = add_primary_xml(repo, path, "t");
  } catch (const Error& e) {
    r.error = e.what();
  }
  r.dump = dump_solvables(repo);
  return r;
}

// The dep index of PATH written straight from the scan, when the scanner
// takes the file, must hold what the one written from the loaded repo holds:
// every record and reach list, and the postings of every name either knows.
// Returns whether the scan wrote it.
bool check_index_same(const std::string& path) {
  ScratchDir dir;
  IndexDumps d = dump_dep_index_both_ways(path, dir.path);
  REQUIRE(d.problem == "");
  if (!d.scanned) return false;
  INFO(first_dump_difference(d.from_repo, d.from_scan));
  CHECK(d.from_repo == d.from_scan);
  return true;
}

// Loads PATH both ways and checks they agree, and so do the dep indexes
// written from the loaded repo and from the scan; returns the fast reader's
// parser. *INDEXED (when given) tells whether the scan wrote the index.
PrimaryParser check_same(const std::string& path, bool* indexed = nullptr) {
  INFO(path);
  Loaded want = load_with_libsolv(path);
  Loaded got = load_fast(path);
  if (!want.error.empty()) {
    CHECK_FALSE(got.error.empty());
    if (indexed) *indexed = false;
    return got.parser;
  }
  CHECK(got.error.empty());
  std::string diff = first_dump_difference(want.dump, got.dump);
  INFO(diff);
  CHECK(diff.empty());
  bool scan = check_index_same(path);
  if (indexed) *indexed = scan;
  return got.parser;
}

const char* kHead =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<metadata xmlns=\"http://linux.duke.edu/metadata/common\" xmlns:rpm=\"http://linux.duke.edu/metadata/rpm\" "
    "packages=\"2\">\n";

const char* kPackageA = R"XML(<package type="rpm">
  <name>alpha</name>
  <arch>x86_64</arch>
  <version epoch="0" ver="1.0" rel="1.el9"/>
  <checksum type="sha256" pkgid="YES">a8ee4e33f52b031f98ddfc140ff7de452aad46d831121a65154d88814aa3bc3f</checksum>
  <summary>Alpha &amp; omega &lt;tools&gt; &quot;quoted&quot; &apos;x&apos; &#65;&#x42; caf&#xe9; Ünïcödé</summary>
  <description>Long text
with lines &amp; ]] brackets</description>
  <packager>Someone &lt;a@b&gt;</packager>
  <url>https://example.org/a?x=1&amp;y=2</url>
  <time file="1700000001" build="1700000000"/>
  <size package="7891488" installed="29277184" archive="29278208"/>
  <location xml:base="https://mirror.example/repo/" href="packages/alpha-1.0-1.el9.x86_64.rpm"/>
  <format>
    <rpm:license>MIT and (GPLv2+ or BSD)</rpm:license>
    <rpm:vendor>Example &amp; Co</rpm:vendor>
    <rpm:group>Unspecified</rpm:group>
    <rpm:buildhost>builder</rpm:buildhost>
    <rpm:sourcerpm>alpha-1.0-1.el9.src.rpm</rpm:sourcerpm>
    <rpm:header-range start="4504" end="8396"/>
    <rpm:provides>
      <rpm:entry name="alpha" flags="EQ" epoch="0" ver="1.0" rel="1.el9"/>
      <rpm:entry name="alpha(x86-64)" flags="EQ" epoch="2" ver="1.0" rel="1.el9"/>
      <rpm:entry name="libalpha.so.1()(64bit)"/>
      <rpm:entry name="colon" flags="EQ" ver="1:2"/>
      <rpm:entry name="epoch-zero-colon" flags="GE" epoch="0" ver="3:4" rel="5"/>
      <rpm:entry name="empty-epoch" flags="LT" epoch="" ver="2"/>
      <rpm:entry name="rel-only" flags="GT" rel="7"/>
      <rpm:entry name="no-evr" flags="LE"/>
      <rpm:entry name="ne" flags="NE" ver="1"/>
      <rpm:entry name="weird-flags" flags="XX" ver="1"/>
      <rpm:entry name="kinded" kind="pattern"/>
      <rpm:entry name="tab&#9;and&#10;newline	refs"/>
      <rpm:entry name="kind-package" kind="package" flags="EQ" ver="1"/>
      <rpm:entry flags="EQ" ver="1"/>
    </rpm:provides>
    <rpm:requires>
      <rpm:entry name="/bin/sh" pre="1"/>
      <rpm:entry name="beta" flags="GE" epoch="1" ver="2.0"/>
      <rpm:entry name="(gamma or delta &gt;= 2)"/>
      <rpm:entry name="(broken rich"/>
      <rpm:entry name="glibc" flags="GE" ver="2.34" pre="0"/>
      <rpm:entry name="coreutils" pre="1" flags="EQ" epoch="0" ver="9" rel="1"/>
    </rpm:requires>
    <rpm:conflicts><rpm:entry name="old-alpha" flags="LT" ver="1"/></rpm:conflicts>
    <rpm:obsoletes><rpm:entry name="alpha-legacy"/></rpm:obsoletes>
    <rpm:recommends><rpm:entry name="(a if b)"/></rpm:recommends>
    <rpm:suggests><rpm:entry name="sugg"/></rpm:suggests>
    <rpm:supplements><rpm:entry name="(alpha and langpacks-de)"/></rpm:supplements>
    <rpm:enhances><rpm:entry name="enh" flags="GE" ver="1"/></rpm:enhances>
    <file>/usr/bin/alpha</file>
    <file type="dir">/etc/alpha</file>
    <file type="ghost">/var/log/alpha.log</file>
    <file>/usr/bin/alpha2</file>
    <file>relative/path</file>
    <file>nodir</file>
    <file>/rootfile</file>
    <file>/usr/share/a&amp;b</file>
  </format>
</package>
)XML";

const char* kPackageB = R"XML(<package type='rpm'><name>beta</name><arch>src</arch><version rel='2' ver='2.0' epoch='1'/>
<checksum pkgid='YES' type='sha1'>0123456789abcdef0123456789ABCDEF01234567</checksum>
<summary></summary><description/><packager/><url></url><time build='0'/>
<size installed='5' package='6'/><location href='beta-2.0-2.src.rpm' xml:base='media:/foo#3'/>
<format><rpm:license/><rpm:sourcerpm></rpm:sourcerpm><rpm:provides/><unknown-thing a='1'><name>x</name></unknown-thing>
<rpm:requires><rpm:entry name='a'/></rpm:requires><rpm:requires><rpm:entry name='b'/></rpm:requires></format>
<future-element><deep><deeper>text</deeper></deep></future-element>
</package>
<package type="rpm"><name>noarch-min</name></package>
<package type="rpm"><arch>nosrc</arch><version ver="1"/></package>
)XML";

const char* kTail = "</metadata>\n";

std::string write(const ScratchDir& dir, const std::string& name, const std::string& text) {
  std::string path = dir.path + "/" + name;
  write_text(path, text);
  return path;
}

// TEXT with the first FROM replaced by TO (which must be there).
std::string replaced(std::string text, std::string_view from, const std::string& to) {
  size_t at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

// TEXT N times over.
std::string repeated(const std::string& text, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += text;
  return out;
}

std::string gzip(const std::string& path) {
  REQUIRE(run("gzip -kf " + shell_quote(path)) == 0);
  return path + ".gz";
}

}  // namespace

// plain_run judges 16 bytes at a time where it can: it must stop exactly where
// the byte tables (what the scanner means by plain) stop, for every byte at
// every place in a block and in the tail.
TEST_CASE("primary.xml: the 16-byte run scan stops where the byte tables do", "[primary_xml]") {
  for (int c = 0; c < 256; ++c) {
    for (size_t at = 0; at < 40; ++at) {
      std::string buf(40, 'x');
      buf[at] = static_cast<char>(c);
      const char* b = buf.data();
      const char* e = b + buf.size();
      INFO("byte " << c << " at " << at);
      CHECK(plain_run<true>(b, e) - b == static_cast<ptrdiff_t>(kTextPlain[static_cast<size_t>(c)] ? 40 : at));
      CHECK(plain_run<false>(b, e) - b == static_cast<ptrdiff_t>(kAttrPlain[static_cast<size_t>(c)] ? 40 : at));
    }
  }
}

TEST_CASE("primary.xml: hand-written files load as libsolv loads them", "[primary_xml]") {
  ScratchDir dir;
  std::string full = std::string(kHead) + kPackageA + kPackageB + kTail;

  SECTION("every feature, plain and gzip, on the fast path") {
    std::string path = write(dir, "primary.xml", full);
    bool indexed = false;
    CHECK(check_same(path, &indexed) == PrimaryParser::fast);
    CHECK(indexed);
    CHECK(check_same(gzip(path), &indexed) == PrimaryParser::fast);
    CHECK(indexed);
    Loaded got = load_fast(path);
    // Spot checks that the dump holds what the equality relies on.
    CHECK(got.dump.find("summary Alpha & omega <tools> \"quoted\" 'x' AB caf\xc3\xa9 \xc3\x9cn") != std::string::npos);
    CHECK(got.dump.find("[glibc >= 2.34] [<prereq>] [/bin/sh] [coreutils = 9-1]") != std::string::npos);
    CHECK(got.dump.find("file /usr/share/a&b") != std::string::npos);
    CHECK(got.dump.find("base https://mirror.example/repo/") != std::string::npos);
  }
  SECTION("AL2023's blobstore hrefs climbing out of the repo stay on the fast path") {
    std::string plain = std::string(kHead) + kPackageA + kTail;
    for (const std::string href : {"../../../../blobstore/0123abcd/alpha-1.0-1.el9.x86_64.rpm",
                                   "../../../../blobstore/0123abcd/renamed.rpm", "../alpha-1.0-1.el9.x86_64.rpm",
                                   "..hidden/alpha-1.0-1.el9.x86_64.rpm"}) {
      INFO(href);
      std::string text = replaced(plain, "href=\"packages/alpha-1.0-1.el9.x86_64.rpm\"", "href=\"" + href + "\"");
      bool indexed = false;
      CHECK(check_same(write(dir, "blob.xml", text), &indexed) == PrimaryParser::fast);
      CHECK(indexed);
    }
    // libsolv drops a leading "./": the index declines it and the loader takes it.
    std::string dot = replaced(plain, "href=\"packages/", "href=\"./packages/");
    bool indexed = true;
    check_same(write(dir, "dot.xml", dot), &indexed);
    CHECK_FALSE(indexed);
  }
  SECTION("no XML declaration, CRLF line ends, tabs in attributes") {
    std::string text = std::string(kHead).substr(std::string(kHead).find('\n') + 1) + kPackageA + kPackageB + kTail;
    std::string crlf;
    for (char c : text) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
    size_t at = crlf.find("name=\"beta\"");
    crlf.replace(at, 11, "name=\"be\tta\"");
    CHECK(check_same(write(dir, "crlf.xml", crlf)) == PrimaryParser::fast);
  }
  SECTION("no packages at all, and a root libsolv does not know") {
    CHECK(check_same(write(dir, "empty.xml", std::string(kHead) + kTail)) == PrimaryParser::fast);
    CHECK(check_same(write(dir, "other.xml", "<something><package><name>x</name></package></something>")) ==
          PrimaryParser::fast);
  }
  SECTION("what the scanner leaves to libsolv still comes out the same") {
    std::string plain = std::string(kHead) + kPackageA + kTail;
    std::string body = std::string(kHead).substr(std::string(kHead).find('\n') + 1) + kPackageA + kTail;
    const std::pair<const char*, std::string> cases[] = {
        {"doctype.xml", "<?xml version=\"1.0\"?>\n<!DOCTYPE metadata [ <!ENTITY v \"vendor\"> ]>\n" +
                            replaced(body, "Example &amp; Co", "&v;")},
        {"cdata.xml", replaced(plain, "<summary>", "<summary><![CDATA[<raw> & text]]>")},
        {"comment.xml", replaced(plain, "<package", "<!-- a comment --><package")},
        {"pi.xml", replaced(plain, "<package", "<?some-pi data?><package")},
        {"latin1.xml", "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<metadata><package><name>caf\xe9</name>"
                       "</package></metadata>\n"},
        {"lang.xml", replaced(plain, "<summary>", "<summary lang=\"de\">Deutsch</summary><summary>")},
        {"pattern.xml", replaced(plain, "<package", "<pattern><name>base</name></pattern><package")},
        {"child.xml", replaced(plain, "<name>alpha</name>", "<name>al<b/>pha</name>")},
        {"pkgid.xml", replaced(plain, "<package type=\"rpm\">", "<package pkgid=\"a8ee4e33\" name=\"alpha\">")},
    };
    for (const auto& [name, text] : cases) {
      INFO(name);
      CHECK(check_same(write(dir, name, text)) == PrimaryParser::libsolv);
    }
  }
  SECTION("what expat refuses in a comment is refused on every path") {
    // Found by fuzz_primary: comments once never reached expat at all.
    std::string plain = std::string(kHead) + kPackageA + kTail;
    const std::pair<const char*, std::string> cases[] = {
        {"comment-control.xml", replaced(plain, "<package", "<!-- a \x01 comment --><package")},
        {"comment-dashes.xml", replaced(plain, "<package", "<!-- a -- comment --><package")},
        {"comment-dash-end.xml", replaced(plain, "<package", "<!-- a comment ---><package")},
        {"comment-utf8.xml", replaced(plain, "<package", "<!-- caf\xc3 --><package")},
        {"comment-before-decl.xml", "<!-- first -->" + plain},
        {"comment-unclosed.xml", replaced(plain, "<package", "<!-- a comment <package")},
        {"comment-long-control.xml",
         replaced(plain, "<package", "<!--" + std::string(3 * kCommentPiece, 'c') + "\x1f--><package")},
    };
    for (const auto& [name, text] : cases) {
      INFO(name);
      std::string path = write(dir, name, text);
      REQUIRE_FALSE(load_with_libsolv(path).error.empty());
      check_same(path);
    }
  }
  SECTION("odd but valid syntax, and characters at the edge of what XML allows") {
    std::string plain = std::string(kHead) + kPackageB + kTail;
    const std::pair<const char*, std::string> cases[] = {
        {"spaces.xml", replaced(plain, "<rpm:entry name='a'/>", "<rpm:entry  name = 'a'\n\t/><rpm:entry name='c' ></rpm:entry >")},
        {"bare-version.xml", replaced(plain, "<name>noarch-min</name>", "<name>noarch-min</name><version/>")},
        {"del.xml", replaced(plain, "<name>beta</name>", "<name>be\x7fta</name>")},
        {"c1.xml", replaced(plain, "<name>beta</name>", "<name>be\xc2\x80ta</name>")},
        {"fffe.xml", replaced(plain, "<name>beta</name>", "<name>be\xef\xbf\xbeta</name>")},
        {"surrogate.xml", replaced(plain, "<name>beta</name>", "<name>be\xed\xa0\x80ta</name>")},
        {"overlong.xml", replaced(plain, "<name>beta</name>", "<name>be\xc0\xafta</name>")},
        {"nul-ref.xml", replaced(plain, "<name>beta</name>", "<name>be&#0;ta</name>")},
        {"brackets.xml", replaced(plain, "<name>beta</name>", "<name>be]]ta]</name>")},
        {"cdata-end.xml", replaced(plain, "<name>beta</name>", "<name>be]]>ta</name>")},
        {"lt-in-attr.xml", replaced(plain, "<rpm:entry name='a'/>", "<rpm:entry name='a<b'/>")},
        {"dup-attr.xml", replaced(plain, "<rpm:entry name='a'/>", "<rpm:entry name='a' name='b'/>")},
        {"no-space-attr.xml", replaced(plain, "<rpm:entry name='a'/>", "<rpm:entry name='a'flags='EQ'/>")},
        {"text-after-root.xml", plain + "trailing"},
        {"bom.xml", "\xef\xbb\xbf" + plain},
        {"decl-single-quotes.xml", replaced(plain, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
                                            "<?xml version='1.0' encoding='utf-8' standalone='yes' ?>")},
    };
    for (const auto& [name, text] : cases) check_same(write(dir, name, text));
  }
  SECTION("every byte that ends a plain run, at every place in a 16-byte block") {
    // The lexer judges text and attribute values 16 bytes at a time: a byte
    // it must stop at (markup, an entity, a line end, a control character,
    // UTF-8) is put at each offset of a long run, in text and in a value.
    const std::string valid_text[] = {"&amp;", "]", "]]", "\t", "\r\n", "\r", "\x7f", "\xc3\xa9", "'", "\"", "\n"};
    const std::string valid_attr[] = {"&amp;", "\"", "\t", "\r\n", "\n", "\x7f", "\xc3\xa9", "]", "&#x41;"};
    std::string text = kHead;
    int n = 0;
    for (size_t off = 0; off < 40; ++off) {
      const std::string pad(off, 'x'), tail(20, 'y');
      for (const std::string& b : valid_text) {
        std::string pkg = replaced(kPackageB, "<name>beta</name>", "<name>b" + std::to_string(n++) + "</name>");
        text += replaced(pkg, "<summary></summary>", "<summary>" + pad + b + tail + "</summary>");
      }
      for (const std::string& b : valid_attr) {
        std::string pkg = replaced(kPackageB, "<name>beta</name>", "<name>b" + std::to_string(n++) + "</name>");
        text += replaced(pkg, "<rpm:entry name='a'/>", "<rpm:entry name='" + pad + b + tail + "'/>");
      }
    }
    text += kTail;
    CHECK(check_same(write(dir, "runs.xml", text)) == PrimaryParser::fast);
    // Bytes XML refuses: every path refuses them, wherever they are.
    const std::string invalid[] = {std::string(1, '\0'), "\x01", "\x1f", "\x80", "\xff", "<"};
    for (size_t off = 0; off < 18; ++off) {
      const std::string pad(off, 'x'), tail(20, 'y');
      for (const std::string& b : invalid) {
        std::string plain = std::string(kHead) + kPackageB + kTail;
        if (b != "<")
          check_same(write(dir, "bad-text.xml", replaced(plain, "<summary></summary>", "<summary>" + pad + b + tail + "</summary>")));
        check_same(write(dir, "bad-attr.xml", replaced(plain, "<rpm:entry name='a'/>", "<rpm:entry name='" + pad + b + tail + "'/>")));
      }
    }
  }
  SECTION("tokens cut by chunk boundaries, in every compression") {
    // Thousands of packages whose sizes shift by a byte each, so the 512 KiB
    // chunk ends fall into every kind of token.
    std::string text = kHead;
    for (int i = 0; i < 3000; ++i) {
      std::string pkg = replaced(kPackageA, "<name>alpha</name>", "<name>alpha" + std::to_string(i) + "</name>");
      pkg = replaced(pkg, "Long text", "Long text" + std::string(static_cast<size_t>(i % 113), 'x'));
      text += replaced(pkg, "caf&#xe9;", i % 2 ? "caf&#xe9;" : "caf\xc3\xa9");
    }
    text += kTail;
    std::string path = write(dir, "many.xml", text);
    REQUIRE(text.size() > (3u << 20));
    CHECK(check_same(path) == PrimaryParser::fast);
    for (const char* tool : {"gzip", "xz", "zstd -q", "bzip2"}) {
      std::string ext = std::string(tool).starts_with("gzip") ? ".gz"
                        : std::string(tool).starts_with("xz") ? ".xz"
                        : std::string(tool).starts_with("zstd") ? ".zst"
                                                                : ".bz2";
      if (run(std::string("command -v ") + std::string(tool).substr(0, std::string(tool).find(' ')) + " >/dev/null") != 0) {
        WARN("skipped " << ext << ": " << tool << " is not installed");
        continue;
      }
      INFO(ext);
      REQUIRE(run(std::string(tool) + " -kf " + shell_quote(path)) == 0);
      CHECK(check_same(path + ext) == PrimaryParser::fast);
    }
  }
  SECTION("a fallback keeps the packages a repo already had") {
    std::string first = write(dir, "first.xml", std::string(kHead) + kPackageB + kTail);
    std::string cdata = std::string(kHead) + kPackageA + kTail;
    cdata.replace(cdata.find("<summary>"), 9, "<summary><![CDATA[x]]>");
    std::string path = write(dir, "cdata.xml", cdata);

    yumda::Pool pool("x86_64");
    Repo* repo = repo_create(pool.get(), "t");
    UniqueFile fp(solv_xfopen(first.c_str(), "r"));
    REQUIRE(repo_add_rpmmd(repo, fp.get(), nullptr, 0) == 0);
    fp.reset();
    fp.reset(solv_xfopen(path.c_str(), "r"));
    REQUIRE(repo_add_rpmmd(repo, fp.get(), nullptr, 0) == 0);
    std::string want = dump_solvables(repo);

    Loaded got = load_fast(path, first.c_str());
    CHECK(got.parser == PrimaryParser::libsolv);
    INFO(first_dump_difference(want, got.dump));
    CHECK(want == got.dump);
  }
}

TEST_CASE("primary.xml: damaged input throws an Error naming the repo and file", "[primary_xml]") {
  ScratchDir dir;
  std::string full = std::string(kHead) + kPackageA + kPackageB + kTail;
  auto expect_error = [&](const std::string& name, const std::string& text) {
    INFO(name);
    std::string path = write(dir, name, text);
    std::string msg = error_of([&] {
      yumda::Pool pool("x86_64");
      add_primary_xml(repo_create(pool.get(), "t"), path, "myrepo");
    });
    CHECK(msg.find("repo myrepo: cannot parse " + path) != std::string::npos);
    CHECK_FALSE(load_with_libsolv(path).error.empty());  // libsolv agrees it is damaged
  };
  expect_error("truncated.xml", full.substr(0, full.size() / 2));
  expect_error("truncated-in-tag.xml", full.substr(0, full.find("<rpm:entry name=\"beta\"") + 12));
  expect_error("garbage.xml", "\x7f" "ELF\x02\x01\x01 not xml at all");
  expect_error("empty.xml", "");
  expect_error("mismatched.xml", std::string(kHead) + "<package><name>x</arch></package>" + kTail);
  expect_error("bad-entity.xml", std::string(kHead) + "<package><name>a &nbsp; b</name></package>" + kTail);
  expect_error("bad-utf8.xml", std::string(kHead) + "<package><name>a\xff</name></package>" + kTail);
  expect_error("two-roots.xml", std::string(kHead) + kTail + "<metadata/>");
  expect_error("bad-checksum.xml", std::string(kHead) +
                                       "<package><name>x</name><checksum type=\"sha256\">12zz</checksum></package>" +
                                       kTail);
  expect_error("unknown-checksum.xml",
               std::string(kHead) + "<package><name>x</name><checksum type=\"crc99\">12</checksum></package>" + kTail);

  std::string gz = gzip(write(dir, "cut.xml", full));
  std::string cut = dir.path + "/cut-short.xml.gz";
  REQUIRE(run("head -c 300 " + shell_quote(gz) + " > " + shell_quote(cut)) == 0);
  std::string msg = error_of([&] {
    yumda::Pool pool("x86_64");
    add_primary_xml(repo_create(pool.get(), "t"), cut, "myrepo");
  });
  CHECK(msg.find("repo myrepo: cannot parse " + cut) != std::string::npos);

  msg = error_of([&] {
    yumda::Pool pool("x86_64");
    add_primary_xml(repo_create(pool.get(), "t"), dir.path + "/missing.xml", "myrepo");
  });
  CHECK(msg.find("repo myrepo: cannot open " + dir.path + "/missing.xml") != std::string::npos);
}

TEST_CASE("primary.xml: comments reach expat in pieces, a tag past 64 KiB is refused", "[primary_xml]") {
  // expat 2.5 parses a token spanning its reads again on every read, so a
  // huge comment or tag was quadratic (issue #14): comments reach it cut short.
  ScratchDir dir;
  const std::string plain = std::string(kHead) + kPackageA + kPackageB + kTail;
  const std::string want = load_with_libsolv(write(dir, "plain.xml", plain)).dump;
  std::string commented = replaced(plain, "<metadata", "<!-- before the root --><metadata");
  commented = replaced(commented, "<package", "<!--" + std::string(1 << 20, 'c') + "--><package");
  commented = replaced(commented, "<rpm:requires>", "<rpm:requires><!-- <rpm:entry name=\"fake\"/> - -->");
  commented = replaced(commented, "<summary>", "<summary><![CDATA[<!-- kept: CDATA is text -->]]>");
  commented = replaced(commented, "<name>beta", "<!----><!-- - - --><!--\u00e9-\u00e9--><name>beta");
  // Pieces are cut only where nothing changes: here between the two-byte é.
  commented = replaced(commented, "<name>alpha",
                       "<!--" + std::string(kCommentPiece - 1, 'x') + "\u00e9\u00e9-a-" + repeated("\u00e9", kCommentPiece) + "--><name>alpha");
  Loaded got = load_fast(gzip(write(dir, "commented.xml", commented)));
  CHECK(got.error.empty());
  CHECK(got.parser == PrimaryParser::libsolv);
  std::string with_cdata = load_with_libsolv(
      write(dir, "cdata.xml", replaced(plain, "<summary>", "<summary><![CDATA[<!-- kept: CDATA is text -->]]>"))).dump;
  INFO(first_dump_difference(with_cdata, got.dump));
  CHECK(got.dump == with_cdata);
  CHECK(with_cdata != want);

  // A start tag (a dependency's name) past 64 KiB, on the path through expat.
  const std::string long_name(kMaxXmlTag, 'n');
  std::string path = write(dir, "long.xml", replaced(commented, "<rpm:entry name=\"sugg\"/>",
                                                     "<rpm:entry name=\"" + long_name + "\"/>"));
  std::string msg = error_of([&] {
    yumda::Pool pool("x86_64");
    add_primary_xml(repo_create(pool.get(), "t"), path, "myrepo");
  });
  CHECK(msg.rfind("repo myrepo: " + path + " has a tag longer than 64 KiB (at byte ", 0) == 0);
  CHECK(msg.find("); refusing it (the repo's metadata is damaged: re-run createrepo_c on it, or use "
                 "--disablerepo=myrepo)") != std::string::npos);
  // Just under the cap still loads, with the name whole.
  path = write(dir, "under.xml", replaced(commented, "<rpm:entry name=\"sugg\"/>",
                                          "<rpm:entry name=\"" + long_name.substr(0, kMaxXmlTag - 30) + "\"/>"));
  got = load_fast(path);
  CHECK(got.error.empty());
  CHECK(got.dump.find(long_name.substr(0, kMaxXmlTag - 30)) != std::string::npos);
}

TEST_CASE("primary.xml: an interrupt stops a parse, on either path", "[primary_xml]") {
  ScratchDir dir;
  const std::string commented = replaced(std::string(kHead) + kPackageA + kTail, "<package", "<!-- c --><package");
  const std::string path = write(dir, "commented.xml", commented);
  // request_interrupt() cannot be undone: each check runs in a child process.
  auto in_child = [](auto fn) {
    pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      request_interrupt();
      try {
        fn();
      } catch (const Interrupted&) {
        _exit(0);
      } catch (...) {
        _exit(2);
      }
      _exit(1);  // not interrupted
    }
    int status = 0;
    REQUIRE(waitpid(pid, &status, 0) == pid);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  };
  CHECK(in_child([&] {
          yumda::Pool pool("x86_64");
          add_primary_xml(repo_create(pool.get(), "t"), path, "t");
        }) == 0);
  CHECK(in_child([&] {  // what libsolv reads (filelists, a primary the scanner leaves)
          yumda::Pool pool("x86_64");
          XmlStream xml(path, "t");
          repo_add_rpmmd(repo_create(pool.get(), "t"), xml.get(), nullptr, 0);
          xml.check("");
        }) == 0);
}

TEST_CASE("primary.xml: the real fixtures load as libsolv loads them", "[primary_xml]") {
  YUMDA_REQUIRE_SHARED(shared);
  int files = 0, fast = 0, indexed = 0;
  for (const auto& entry : fs::recursive_directory_iterator(shared + "/fixtures/real")) {
    std::string name = entry.path().filename().string();
    if (!entry.is_regular_file() || name.find("primary.xml") == std::string::npos) continue;
    ++files;
    bool scan = false;
    fast += check_same(entry.path().string(), &scan) == PrimaryParser::fast;
    indexed += scan;
  }
  CHECK(files > 0);
  CHECK(indexed > 0);
  WARN(files << " primary.xml files, " << fast << " read by the fast scanner, the rest fell back to libsolv; "
             << indexed << " indexed straight from the scan");
}

TEST_CASE("primary.xml: the benchmark repos load as libsolv loads them", "[primary_xml][bench]") {
  // Opt-in (seconds plain, tens of minutes under ASan): YUMDA_BENCH_REPOS=~/.cache/yumda-bench
  // after bench/run has made them.
  const char* dir = std::getenv("YUMDA_BENCH_REPOS");
  if (!dir || !*dir || !fs::is_directory(dir)) {
    WARN("skipped: set YUMDA_BENCH_REPOS to bench/run's cache dir (e.g. ~/.cache/yumda-bench) to run it");
    return;
  }
  std::string root = dir;
  int n = 0;
  for (const auto& repo : fs::directory_iterator(root)) {
    std::string path = repo.path().string() + "/repodata/primary.xml.gz";
    if (!fs::exists(path)) continue;
    ++n;
    bool indexed = false;
    CHECK(check_same(path, &indexed) == PrimaryParser::fast);
    CHECK(indexed);
  }
  if (n == 0) WARN("skipped: no */repodata/primary.xml.gz under " << root);
}
