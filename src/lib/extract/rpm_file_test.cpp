#include <catch2/catch.hpp>

#include "test_support.hpp"
#include "yumda/error.hpp"
#include "yumda/rpm_file.hpp"

using namespace yumda;
using namespace yumda::testing;

namespace {

const RpmFileEntry* find_file(const RpmHeaderInfo& info, const std::string& path) {
  for (const auto& f : info.files)
    if (f.path == path) return &f;
  return nullptr;
}

}  // namespace

TEST_CASE("read_rpm_header reads NEVRA, flags, scripts and payload facts of a built RPM", "[rpm_file]") {
  ScratchDir tmp;
  std::string spec = simple_spec(
      "hdrtest", "1.2", "Epoch: 3",
      "mkdir -p %{buildroot}/opt/bin %{buildroot}/opt/etc %{buildroot}/opt/share/man/man1\n"
      "echo hi > %{buildroot}/opt/bin/tool\nchmod 0755 %{buildroot}/opt/bin/tool\n"
      "echo conf > %{buildroot}/opt/etc/tool.conf\necho man > %{buildroot}/opt/share/man/man1/tool.1\n"
      "echo readme > %{buildroot}/opt/README\nln -s tool %{buildroot}/opt/bin/tool-link\n",
      "/opt/bin/tool\n/opt/bin/tool-link\n%config /opt/etc/tool.conf\n/opt/share/man/man1/tool.1\n"
      "%doc /opt/README\n%ghost /opt/var.log\n\n%post\necho post-ran\n\n%posttrans -p <lua>\nprint('x')\n");
  // The %ghost file must exist in the buildroot for rpmbuild; create it in %install.
  spec.replace(spec.find("ln -s tool"), 0, "touch %{buildroot}/opt/var.log\n");
  std::string rpm = build_rpm(tmp.path + "/w", tmp.path + "/out", spec, "w19.zstdio");

  RpmHeaderInfo info = read_rpm_header(rpm);
  CHECK(info.nevra.name == "hdrtest");
  CHECK(info.nevra.epoch == "3");
  CHECK(info.nevra.version == "1.2");
  CHECK(info.nevra.release == "1");
  CHECK(info.nevra.arch == "noarch");
  CHECK_FALSE(info.is_source);
  CHECK(info.license == "MIT");
  CHECK(info.buildtime == 1700000000);
  CHECK(info.payload_compressor == "zstd");
  CHECK(info.payload_format == "cpio");
  CHECK(info.payload_offset > 96);
  REQUIRE(info.post_scripts.size() == 1);  // the Lua %posttrans is not a shell script
  CHECK(info.lua_scripts == std::vector<std::string>{"%posttrans"});  // but it is named, to be reported
  CHECK(info.post_scripts[0].find("echo post-ran") != std::string::npos);

  const RpmFileEntry* tool = find_file(info, "/opt/bin/tool");
  REQUIRE(tool);
  CHECK((tool->mode & 07777) == 0755);
  CHECK(tool->size == 3);
  CHECK_FALSE(tool->doc);
  // The header's file digest ("hi\n", sha256): what a keepcache replay is checked against.
  CHECK(info.file_digest_type == "sha256");
  CHECK(tool->digest == "98ea6e4f216f2fb4b69fff9b3a44842c38686ca685f3f55dc48c5d3fb1107be4");
  const RpmFileEntry* link = find_file(info, "/opt/bin/tool-link");
  REQUIRE(link);
  CHECK(link->link_target == "tool");
  CHECK(find_file(info, "/opt/etc/tool.conf")->config);
  CHECK(find_file(info, "/opt/README")->doc);
  CHECK(find_file(info, "/opt/share/man/man1/tool.1")->doc);  // by path
  CHECK(find_file(info, "/opt/var.log")->ghost);
}

TEST_CASE("read_rpm_header names the compressor of every payload kind", "[rpm_file]") {
  ScratchDir tmp;
  const std::pair<const char*, const char*> kinds[] = {
      {"w9.gzdio", "gzip"}, {"w2.xzdio", "xz"}, {"w19.zstdio", "zstd"}, {"w9.bzdio", "bzip2"}, {"w.ufdio", ""}};
  for (auto [payload, expected] : kinds) {
    std::string spec = simple_spec("comp", "1", "", "mkdir -p %{buildroot}/opt\necho x > %{buildroot}/opt/x",
                                   "/opt/x");
    std::string rpm = build_rpm(tmp.path + "/w-" + payload, tmp.path + "/out-" + payload, spec, payload);
    INFO(payload);
    CHECK(read_rpm_header(rpm).payload_compressor == expected);
  }
}

TEST_CASE("read_rpm_header refuses files that are not RPMs, naming them", "[rpm_file]") {
  ScratchDir tmp;
  std::string bogus = tmp.path + "/bogus.rpm";
  write_text(bogus, std::string(200, 'x'));
  try {
    read_rpm_header(bogus);
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(std::string(e.what()).find(bogus) != std::string::npos);
    CHECK(std::string(e.what()).find("not an RPM") != std::string::npos);
  }
  write_text(tmp.path + "/short.rpm", "\xed\xab\xee\xdb");
  CHECK_THROWS_AS(read_rpm_header(tmp.path + "/short.rpm"), Error);
  CHECK_THROWS_AS(read_rpm_header(tmp.path + "/missing.rpm"), Error);
}

TEST_CASE("read_rpm_header on real packages: source RPMs, old formats, signed ones", "[rpm_file][shared]") {
  YUMDA_REQUIRE_SHARED(shared);
  const std::string rpms = shared + "/fixtures/real/rpm/tests/data/";
  RpmHeaderInfo src = read_rpm_header(rpms + "SRPMS/foo-1.0-1.src.rpm");
  CHECK(src.is_source);
  CHECK(src.nevra.name == "foo");

  RpmHeaderInfo signed_pkg = read_rpm_header(rpms + "RPMS/hello-2.0-1.x86_64-signed.rpm");
  CHECK(signed_pkg.nevra.str() == "hello-2.0-1.x86_64");
  CHECK(signed_pkg.payload_compressor == "gzip");
  CHECK_FALSE(signed_pkg.is_source);

  RpmHeaderInfo lzma = read_rpm_header(shared + "/fixtures/real/go-rpmutils/testdata/payload-test-0.1-w6.lzdio.x86_64.rpm");
  CHECK(lzma.payload_compressor == "lzma");
  RpmHeaderInfo none = read_rpm_header(shared + "/fixtures/real/go-rpmutils/testdata/payload-test-0.1-w.ufdio.x86_64.rpm");
  CHECK(none.payload_compressor == "");
}
