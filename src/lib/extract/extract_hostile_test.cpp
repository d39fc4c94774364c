// Payloads built to escape the stage or smuggle entries: refused, nothing
// written outside.
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>

#include "extract/extract_test_util.hpp"

using namespace yumda;
using namespace yumda::testing;

TEST_CASE("payload entries the header does not describe are refused, as rpm does", "[extract][hostile]") {
  ScratchDir dir;
  auto try_payload = [&](const std::vector<CpioEntry>& entries) {
    ScratchDir stage;
    std::string rpm = hostile_rpm(dir.path, "evil", make_cpio(entries));
    return error_of([&] { extract(rpm, stage.path); });  // a failed stage is thrown away whole
  };
  CHECK(try_payload({{"./opt/ok", AE_IFREG, 0644, "ok\n"}}).empty());  // what the header says: fine
  CHECK(try_payload({{"./opt/ok", AE_IFREG, 0644, "ok\n"}, {"./opt/smuggled", AE_IFREG, 0644, "x"}}) ==
        "package evil-1-1.noarch: entry /opt/smuggled of its payload is not in its header's file list; refusing it");
  CHECK(try_payload({{"./opt/ok", AE_IFREG, 0644, "far more than three bytes"}}) ==
        "package evil-1-1.noarch: entry /opt/ok has 25 bytes of data where its header says 3; refusing it");
  CHECK(try_payload({{"./opt/ok", AE_IFLNK, 0777, "/etc/passwd"}}) ==
        "package evil-1-1.noarch: entry /opt/ok is not of the type its header gives; refusing it");
}

TEST_CASE("hostile payloads are refused and nothing lands outside the stage dir", "[extract][hostile]") {
  struct Case {
    const char* what;
    std::vector<CpioEntry> entries;
    const char* expect;  // part of the error
  };
  const std::vector<Case> cases = {
      {"dotdot file", {{"./opt/../../outside/x", AE_IFREG, 0644, "pwned"}}, "'..'"},
      {"dotdot deep", {{"./opt/bin/../../../x", AE_IFREG, 0644, "pwned"}}, "'..'"},
      {"symlink to / then through it",
       {{"./opt/evil", AE_IFLNK, 0777, "/"}, {"./opt/evil/etc/x", AE_IFREG, 0644, "pwned"}},
       "symlink /opt/evil"},
      {"symlink up then through it",
       {{"./opt/lib", AE_IFLNK, 0777, "../../.."}, {"./opt/lib/x", AE_IFREG, 0644, "pwned"}},
       "symlink /opt/lib"},
      {"symlink to outside then a dir through it",
       {{"./opt/out", AE_IFLNK, 0777, "OUTSIDE"}, {"./opt/out/sub", AE_IFDIR, 0755, ""}},
       "symlink /opt/out"},
      {"symlink to outside then a symlink through it",
       {{"./opt/out", AE_IFLNK, 0777, "OUTSIDE"}, {"./opt/out/l", AE_IFLNK, 0777, "/etc/passwd"}},
       "symlink /opt/out"},
      {"symlink then a file over the symlink itself",
       {{"./opt/f", AE_IFLNK, 0777, "OUTSIDE/f"}, {"./opt/f", AE_IFREG, 0644, "pwned"}},
       "file /opt/f conflicts"},
      {"device node", {{"./opt/dev/null", AE_IFCHR, 0666, ""}}, "device node"},
      {"fifo", {{"./opt/fifo", AE_IFIFO, 0644, ""}}, "fifo"},
  };
  for (const Case& c : cases) {
    INFO(c.what);
    Sandbox box;
    std::vector<CpioEntry> entries = c.entries;
    for (auto& e : entries)
      if (e.data.starts_with("OUTSIDE")) e.data.replace(0, 7, box.outside);
    std::string rpm = hostile_rpm(box.tmp.path, "evil", make_cpio(entries));
    // The header lists none of these entries: that alone refuses them (or
    // the '..' check, which comes first)...
    std::string err = error_of([&] { extract(rpm, box.stage); });
    CHECK((err.find("of its payload is not in its header's file list") != std::string::npos ||
           err.find("'..'") != std::string::npos));
    box.check_nothing_escaped();
    // ...and without that check, the extractor's own defences do.
    err = error_of([&] { extract_unchecked(rpm, box.stage, true); });
    CHECK(err.find(c.expect) != std::string::npos);
    CHECK(err.find("evil-1-1.noarch") != std::string::npos);
    box.check_nothing_escaped();
    // No temporary files are left in the stage dir either.
    for (const auto& name : tree(box.stage)) CHECK(name.find(".yumda-extract") == std::string::npos);

    // The same with the O_NOFOLLOW walk that kernels without openat2 get.
    Sandbox walk;
    RpmHeaderInfo info = read_rpm_header(rpm);
    UniqueFd fd(open(rpm.c_str(), O_RDONLY));
    REQUIRE(lseek(fd.get(), static_cast<off_t>(info.payload_offset), SEEK_SET) >= 0);
    // Old kernels lack O_TMPFILE too: named temporary files.
    detail::PayloadSource src{info.nevra.str(), "opt", &info, rpm, false, false, true, false};
    err = error_of([&] { detail::extract_payload_fd(fd.get(), src, walk.stage, {}); });
    CHECK(err.find(c.expect) != std::string::npos);
    walk.check_nothing_escaped();
    for (const auto& name : tree(walk.stage)) CHECK(name.find(".yumda-extract") == std::string::npos);
  }
}

TEST_CASE("entries outside /opt are counted, not written, even with escaping names", "[extract][hostile]") {
  Sandbox box;
  std::string rpm = hostile_rpm(box.tmp.path, "evil",
                                make_cpio({{"./etc/passwd", AE_IFREG, 0644, "root"},
                                           {"/usr/bin/abs", AE_IFREG, 0755, "abs"},
                                           {"./dev/null", AE_IFCHR, 0666, ""},
                                           {"./opt/ok", AE_IFREG, 0644, "fine"}}));
  ExtractResult r = extract_unchecked(rpm, box.stage, true);
  CHECK(r.skipped_outside_opt == 3);
  CHECK(tree(box.stage) == std::vector<std::string>{"ok"});
  box.check_nothing_escaped();
}

TEST_CASE("the real dotdot.cpio is refused by the cpio extractor", "[extract][hostile][shared]") {
  YUMDA_REQUIRE_SHARED(shared);
  Sandbox box;
  UniqueFd fd(open((shared + "/fixtures/real/go-rpmutils/testdata/dotdot.cpio").c_str(), O_RDONLY));
  REQUIRE(fd);
  detail::PayloadSource src;
  src.package = "dotdot";
  src.keep_top = "";  // everything would land, so only the '..' check stands in the way
  std::string err = error_of([&] { detail::extract_payload_fd(fd.get(), src, box.stage, {}); });
  CHECK(err == "package dotdot: entry ../../aaaaaaaaa has a '..' component; refusing to extract it");
  CHECK(fs::is_empty(box.stage));
  box.check_nothing_escaped();

  // The well-formed foo.cpio from the same source extracts.
  UniqueFd foo(open((shared + "/fixtures/real/go-rpmutils/testdata/foo.cpio").c_str(), O_RDONLY));
  ExtractResult r = detail::extract_payload_fd(foo.get(), src, box.stage, {});
  CHECK(tree(box.stage) == std::vector<std::string>{"config", "dir", "normal"});
  CHECK(r.files.size() == 3);
}
