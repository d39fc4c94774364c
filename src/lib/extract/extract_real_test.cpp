// The real RPMs of ../shared/fixtures (payload tests, hardlink sets, RPM v6,
// an SRPM); skipped without them.
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

TEST_CASE("real payload-test RPMs in every compression extract the same file", "[extract][shared]") {
  YUMDA_REQUIRE_SHARED(shared);
  const std::string dir = shared + "/fixtures/real/go-rpmutils/testdata/";
  std::string first;
  for (const char* name : {"w9.gzdio", "w6.xzdio", "w3.zstdio", "w9.bzdio", "w6.lzdio", "w.ufdio"}) {
    INFO(name);
    std::string rpm = dir + "payload-test-0.1-" + name + ".x86_64.rpm";
    RpmHeaderInfo info = read_rpm_header(rpm);
    ScratchDir stage;
    // Its only file is /usr/share/payload-test.txt: outside /opt, counted and skipped...
    ExtractResult r = extract_rpm(rpm, info, stage.path, {});
    CHECK(r.skipped_outside_opt >= 1);
    CHECK(r.files.empty());
    // ...and extracted when the whole tree is kept.
    UniqueFd fd(open(rpm.c_str(), O_RDONLY));
    REQUIRE(lseek(fd.get(), static_cast<off_t>(info.payload_offset), SEEK_SET) >= 0);
    detail::PayloadSource src{info.nevra.str(), "usr", &info, rpm, true};
    detail::extract_payload_fd(fd.get(), src, stage.path, {});
    std::string text = read_file(stage.path + "/share/payload-test.txt");
    CHECK(text.size() == 10);
    if (first.empty()) first = text;
    CHECK(text == first);
  }
}

TEST_CASE("the real hlinktest RPMs keep exactly the hardlink sets their headers list", "[extract][shared]") {
  YUMDA_REQUIRE_SHARED(shared);
  // The -v3sig one has a stripped-cpio payload (read by rpm's own reader) and
  // only one hardlink set; the other has newc cpio with sets of 4 and 2.
  for (const char* name : {"hlinktest-1.0-1.noarch.rpm", "hlinktest-1.0-1.noarch-v3sig.rpm"}) {
    INFO(name);
    std::string rpm = shared + "/fixtures/real/rpm/tests/data/RPMS/" + name;
    RpmHeaderInfo info = read_rpm_header(rpm);
    ScratchDir stage;
    UniqueFd fd(open(rpm.c_str(), O_RDONLY));
    REQUIRE(lseek(fd.get(), static_cast<off_t>(info.payload_offset), SEEK_SET) >= 0);
    detail::PayloadSource src{info.nevra.str(), "foo", &info, rpm, true};
    ExtractResult r = detail::extract_payload_fd(fd.get(), src, stage.path, {});
    // rpm itself says which files share an inode.
    std::string listing = stage.path + "/../inodes-" + std::to_string(getpid());
    REQUIRE(run("rpm -qp --qf '[%{fileinodes} %{filenames}\\n]' " + shell_quote(rpm) + " 2>/dev/null > " +
                shell_quote(listing)) == 0);
    std::map<std::string, std::string> header_inode;  // "hello" -> header inode
    std::istringstream lines(read_file(listing));
    fs::remove(listing);
    for (std::string ino, path; lines >> ino >> path;)
      if (path.starts_with("/foo/")) header_inode[path.substr(5)] = ino;
    REQUIRE(header_inode.size() == 7);
    size_t sets = 0;
    for (const auto& [a, ino_a] : header_inode) {
      struct stat sa = lstat_of(stage.path + "/" + a);
      size_t same = 0;
      for (const auto& [b, ino_b] : header_inode) {
        bool linked = lstat_of(stage.path + "/" + b).st_ino == sa.st_ino;
        CHECK(linked == (ino_a == ino_b));
        same += ino_a == ino_b;
      }
      CHECK(sa.st_nlink == same);
      sets += same > 1;
      for (const auto& f : info.files)
        if (f.path == "/foo/" + a) CHECK(static_cast<uint64_t>(sa.st_size) == f.size);
    }
    CHECK(sets > 0);
    CHECK(tree(stage.path).size() == 7);
    CHECK(r.files.size() == 7);
  }
}

TEST_CASE("the real SRPM is refused by extract_rpm", "[extract][shared]") {
  YUMDA_REQUIRE_SHARED(shared);
  std::string rpm = shared + "/fixtures/real/rpm/tests/data/SRPMS/foo-1.0-1.src.rpm";
  ScratchDir stage;
  CHECK(error_of([&] { extract(rpm, stage.path); }).find("source package") != std::string::npos);
  CHECK(fs::is_empty(stage.path));
}

TEST_CASE("RPM v6 packages (stripped cpio, every compression) extract as their headers describe", "[extract][shared]") {
  YUMDA_REQUIRE_SHARED(shared);
  const std::string dir = shared + "/fixtures/real/rpm-rs/tests/assets/RPMS/v6/";
  std::vector<std::string> rpms;
  for (const char* sub : {"", "gzip/", "xz/", "zstd/"})
    if (fs::is_directory(dir + sub))
      for (auto& e : fs::directory_iterator(dir + sub))
        if (e.path().extension() == ".rpm") rpms.push_back(e.path().string());
  REQUIRE(rpms.size() >= 4);
  for (const std::string& rpm : rpms) {
    INFO(rpm);
    RpmHeaderInfo info = read_rpm_header(rpm);
    ScratchDir stage;
    UniqueFd fd(open(rpm.c_str(), O_RDONLY));
    REQUIRE(lseek(fd.get(), static_cast<off_t>(info.payload_offset), SEEK_SET) >= 0);
    detail::PayloadSource src{info.nevra.str(), "", &info, rpm, true};  // keep every path
    ExtractResult r = detail::extract_payload_fd(fd.get(), src, stage.path, {});
    size_t checked = 0;
    for (const RpmFileEntry& f : info.files) {
      INFO(f.path);
      std::string p = stage.path + f.path;
      if (f.ghost) {
        CHECK_FALSE(fs::exists(fs::symlink_status(p)));
        continue;
      }
      struct stat st = lstat_of(p);
      CHECK((st.st_mode & S_IFMT) == (f.mode & S_IFMT));
      if (S_ISREG(f.mode)) CHECK(static_cast<uint64_t>(st.st_size) == f.size);
      if (S_ISLNK(f.mode)) CHECK(fs::read_symlink(p) == f.link_target);
      ++checked;
    }
    CHECK(r.files.size() == checked);
  }
}
