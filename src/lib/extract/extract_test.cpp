// extract_rpm on packages rpmbuild makes: what lands where, links, flags,
// packages sharing paths, relocation aliases.
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

TEST_CASE("extract_rpm unpacks /opt of every payload compression rpmbuild makes", "[extract]") {
  ScratchDir tmp;
  for (const char* payload : {"w9.gzdio", "w2.xzdio", "w19.zstdio", "w9.bzdio", "w.ufdio"}) {
    INFO(payload);
    std::string rpm = build_rpm(tmp.path + "/w-" + payload, tmp.path + "/out-" + payload,
                                simple_spec("hello", "1", "", kHelloSpecInstall, kHelloSpecFiles), payload);
    std::string stage = tmp.path + "/stage-" + payload;
    ExtractResult r = extract(rpm, stage);
    CHECK(read_file(stage + "/bin/hello") == "#!/bin/sh\necho hello\n");
    CHECK((lstat_of(stage + "/bin/hello").st_mode & 07777) == 0755);
    CHECK(read_file(stage + "/lib/libhello.so.1.0") == "lib\n");
    CHECK(r.skipped_outside_opt == 1);  // /etc/hello.conf
    CHECK_FALSE(fs::exists(stage + "/etc"));
    CHECK_FALSE(fs::exists(stage + "/hello.conf"));
    const ExtractedFile* f = listed(r, "bin/hello");
    REQUIRE(f);
    CHECK(f->size == 21);
    CHECK(S_ISREG(f->mode));
    CHECK(tree(stage) == std::vector<std::string>{"bin", "bin/hello", "empty", "empty/dir", "lib", "lib/libhello.so",
                                                  "lib/libhello.so.1", "lib/libhello.so.1.0"});
  }
}

TEST_CASE("symlinks stay symlinks with their targets as written; empty dirs are kept", "[extract]") {
  ScratchDir tmp;
  std::string rpm = build_rpm(tmp.path + "/w", tmp.path + "/out",
                              simple_spec("hello", "1", "", kHelloSpecInstall, kHelloSpecFiles));
  std::string stage = tmp.path + "/stage";
  ExtractResult r = extract(rpm, stage);
  CHECK(S_ISLNK(lstat_of(stage + "/lib/libhello.so.1").st_mode));
  CHECK(fs::read_symlink(stage + "/lib/libhello.so.1") == "libhello.so.1.0");
  CHECK(fs::read_symlink(stage + "/lib/libhello.so") == "/opt/lib/libhello.so.1");  // resolved at runtime
  CHECK(S_ISDIR(lstat_of(stage + "/empty/dir").st_mode));
  REQUIRE(listed(r, "lib/libhello.so"));
  CHECK(S_ISLNK(listed(r, "lib/libhello.so")->mode));
  REQUIRE(listed(r, "empty/dir"));
  CHECK(S_ISDIR(listed(r, "empty/dir")->mode));
  // mtime comes from the package (SOURCE_DATE_EPOCH clamps it).
  CHECK(lstat_of(stage + "/bin/hello").st_mtime == 1700000000);
}

TEST_CASE("%ghost files are not created, setuid is dropped, --nodocs skips docs", "[extract]") {
  ScratchDir tmp;
  std::string spec = simple_spec(
      "flags", "1", "",
      "mkdir -p %{buildroot}/opt/bin %{buildroot}/opt/share/man/man1 %{buildroot}/opt/share/doc/flags\n"
      "echo su > %{buildroot}/opt/bin/su\nchmod 4755 %{buildroot}/opt/bin/su\n"
      "echo sg > %{buildroot}/opt/bin/sg\nchmod 2711 %{buildroot}/opt/bin/sg\n"
      "echo m > %{buildroot}/opt/share/man/man1/su.1\necho r > %{buildroot}/opt/share/doc/flags/README\n"
      "touch %{buildroot}/opt/ghost.log\n",
      "%attr(4755,root,root) /opt/bin/su\n%attr(2711,root,root) /opt/bin/sg\n/opt/share/man/man1/su.1\n"
      "%doc /opt/share/doc/flags/README\n%ghost /opt/ghost.log\n");
  std::string rpm = build_rpm(tmp.path + "/w", tmp.path + "/out", spec);

  ExtractResult r = extract(rpm, tmp.path + "/stage");
  CHECK_FALSE(fs::exists(tmp.path + "/stage/ghost.log"));
  CHECK_FALSE(listed(r, "ghost.log"));
  CHECK((lstat_of(tmp.path + "/stage/bin/su").st_mode & 07777) == 0755);
  CHECK((lstat_of(tmp.path + "/stage/bin/sg").st_mode & 07777) == 0711);
  CHECK(r.dropped_setid == 2);
  CHECK(fs::exists(tmp.path + "/stage/share/man/man1/su.1"));
  CHECK(fs::exists(tmp.path + "/stage/share/doc/flags/README"));
  CHECK(r.skipped_docs == 0);

  ExtractOptions nodocs;
  nodocs.nodocs = true;
  ExtractResult n = extract(rpm, tmp.path + "/stage-nodocs", nodocs);
  CHECK_FALSE(fs::exists(tmp.path + "/stage-nodocs/share/man/man1/su.1"));
  CHECK_FALSE(fs::exists(tmp.path + "/stage-nodocs/share/doc/flags/README"));
  CHECK(fs::exists(tmp.path + "/stage-nodocs/bin/su"));
  CHECK(n.skipped_docs == 2);
}

TEST_CASE("hardlinks from an rpmbuild package share one inode", "[extract]") {
  ScratchDir tmp;
  std::string spec = simple_spec("hl", "1", "",
                                 "mkdir -p %{buildroot}/opt/bin %{buildroot}/opt/libexec\n"
                                 "echo data > %{buildroot}/opt/bin/a\nln %{buildroot}/opt/bin/a %{buildroot}/opt/bin/b\n"
                                 "ln %{buildroot}/opt/bin/a %{buildroot}/opt/libexec/c\n",
                                 "/opt/bin/a\n/opt/bin/b\n/opt/libexec/c\n");
  std::string rpm = build_rpm(tmp.path + "/w", tmp.path + "/out", spec);
  RpmHeaderInfo info = read_rpm_header(rpm);
  // Unnamed O_TMPFILE inodes, and the named temporary files used without them.
  for (bool tmpfile : {true, false}) {
    INFO("O_TMPFILE: " << tmpfile);
    std::string stage = tmp.path + "/stage-" + std::to_string(tmpfile);
    make_dirs(stage);
    UniqueFd fd(open(rpm.c_str(), O_RDONLY));
    REQUIRE(lseek(fd.get(), static_cast<off_t>(info.payload_offset), SEEK_SET) >= 0);
    detail::PayloadSource src{info.nevra.str(), "opt", &info, rpm, true, tmpfile};
    ExtractResult r = detail::extract_payload_fd(fd.get(), src, stage, {});
    auto a = lstat_of(stage + "/bin/a"), b = lstat_of(stage + "/bin/b"), c = lstat_of(stage + "/libexec/c");
    CHECK(a.st_ino == b.st_ino);
    CHECK(a.st_ino == c.st_ino);
    CHECK(a.st_nlink == 3);
    CHECK(read_file(stage + "/libexec/c") == "data\n");
    REQUIRE(listed(r, "bin/b"));
    CHECK(listed(r, "bin/b")->size == 5);
    // No temporary files are left behind.
    CHECK(tree(stage) == std::vector<std::string>{"bin", "bin/a", "bin/b", "libexec", "libexec/c"});
  }
}

TEST_CASE("1500 hardlink pairs extract under ulimit -n 1024: no fd held per set", "[extract]") {
  ScratchDir tmp;
  // Fedora's .pyc / .opt-1.pyc pairs, as in issue #14; before, every set kept an fd open to the end.
  const std::string pairs = "for i in $(seq 1500); do echo $i > %{buildroot}/opt/pairs/f$i.a; "
                            "ln %{buildroot}/opt/pairs/f$i.a %{buildroot}/opt/pairs/f$i.b; done\n";
  std::string rpm = build_rpm(tmp.path + "/w", tmp.path + "/out",
                              simple_spec("pairs", "1", "", "mkdir -p %{buildroot}/opt/pairs\n" + pairs, "/opt/pairs\n"));
  std::string stage = tmp.path + "/stage";
  make_dirs(stage);
  rlimit old{};
  REQUIRE(getrlimit(RLIMIT_NOFILE, &old) == 0);
  rlimit low = old;
  low.rlim_cur = std::min<rlim_t>(old.rlim_cur, 1024);
  REQUIRE(setrlimit(RLIMIT_NOFILE, &low) == 0);
  std::string error;
  ExtractResult r;
  try {
    r = extract(rpm, stage);
  } catch (const Error& e) {
    error = e.what();
  }
  setrlimit(RLIMIT_NOFILE, &old);
  REQUIRE(error == "");
  CHECK(listed(r, "pairs/f1.b"));
  CHECK(listed(r, "pairs/f1500.a"));
  auto a = lstat_of(stage + "/pairs/f1500.a"), b = lstat_of(stage + "/pairs/f1500.b");
  CHECK(a.st_ino == b.st_ino);
  CHECK(a.st_nlink == 2);
  CHECK(read_file(stage + "/pairs/f777.b") == "777\n");
}

TEST_CASE("packages sharing a path: identical content is fine, different content names both packages", "[extract]") {
  ScratchDir tmp;
  auto pkg = [&](const std::string& name, const std::string& content) {
    return build_rpm(tmp.path + "/w-" + name, tmp.path + "/out",
                     simple_spec(name, "1", "",
                                 "mkdir -p %{buildroot}/opt/share %{buildroot}/opt/bin\n"
                                 "echo " + content + " > %{buildroot}/opt/share/common.txt\n"
                                 "ln -s ../share/common.txt %{buildroot}/opt/bin/" + name + "\n",
                                 "/opt/share/common.txt\n/opt/bin/" + name + "\n"));
  };
  std::string one = pkg("one", "same"), two = pkg("two", "same"), three = pkg("three", "different");
  std::string stage = tmp.path + "/stage";
  extract(one, stage);
  ExtractResult r = extract(two, stage);
  CHECK(listed(r, "share/common.txt"));
  CHECK(read_file(stage + "/share/common.txt") == "same\n");

  ExtractOptions opts;
  opts.owner_of = [](const std::string& path) { return path == "share/common.txt" ? "one-1-1.noarch" : ""; };
  std::string err = error_of([&] { extract(three, stage, opts); });
  CHECK(err == "file /opt/share/common.txt conflicts between package one-1-1.noarch and package three-1-1.noarch");
  CHECK(read_file(stage + "/share/common.txt") == "same\n");
  CHECK(error_of([&] { extract(three, stage); }).find("an earlier package") != std::string::npos);
  // The caller can name the owner later (another thread may still be extracting it).
  try {
    extract(three, stage);
    FAIL("no conflict");
  } catch (const StagedConflict& c) {
    CHECK(c.kind == "file");
    CHECK(c.path == "share/common.txt");
    CHECK(c.package == "three-1-1.noarch");
  }
}

TEST_CASE("a file where another package has a directory (and vice versa) is an error naming the path", "[extract]") {
  ScratchDir tmp;
  std::string as_dir = build_rpm(tmp.path + "/w1", tmp.path + "/out",
                                 simple_spec("asdir", "1", "", "mkdir -p %{buildroot}/opt/thing\necho x > %{buildroot}/opt/thing/x",
                                             "/opt/thing\n"));
  std::string as_file = build_rpm(tmp.path + "/w2", tmp.path + "/out",
                                  simple_spec("asfile", "1", "", "mkdir -p %{buildroot}/opt\necho x > %{buildroot}/opt/thing",
                                              "/opt/thing\n"));
  std::string s1 = tmp.path + "/s1", s2 = tmp.path + "/s2";
  extract(as_dir, s1);
  std::string err = error_of([&] { extract(as_file, s1); });
  CHECK(err.find("/opt/thing") != std::string::npos);
  CHECK(err.find("asfile-1-1.noarch") != std::string::npos);
  CHECK(S_ISDIR(lstat_of(s1 + "/thing").st_mode));

  extract(as_file, s2);
  err = error_of([&] { extract(as_dir, s2); });
  CHECK(err.find("/opt/thing") != std::string::npos);
  CHECK(err.find("asdir-1-1.noarch") != std::string::npos);
  CHECK(S_ISREG(lstat_of(s2 + "/thing").st_mode));
}

TEST_CASE("source packages are refused", "[extract]") {
  RpmHeaderInfo info;
  info.nevra = {"foo", "", "1.0", "1", "src"};
  info.is_source = true;
  ScratchDir tmp;
  std::string err = error_of([&] { extract_rpm("/nonexistent/foo-1.0-1.src.rpm", info, tmp.path, {}); });
  CHECK(err.find("source package") != std::string::npos);
  CHECK(err.find("foo-1.0-1.src") != std::string::npos);
}

TEST_CASE("relocation: a symlink the path map makes point at itself is left out", "[extract][relocate]") {
  Sandbox box;
  const PathMap map = PathMap::standard();
  ExtractOptions opts;
  opts.path_map = &map;
  std::string rpm = hostile_rpm(box.tmp.path, "ld",
                                make_cpio({{"./lib/x86_64-linux-gnu/ld.so.2", AE_IFREG, 0755, "ld"},
                                           {"./lib64/ld.so.2", AE_IFLNK, 0777, "/lib/x86_64-linux-gnu/ld.so.2"},
                                           {"./usr/lib64/libz.so", AE_IFLNK, 0777, "../../lib64/libz.so.1"},
                                           {"./lib64/libz.so.1", AE_IFREG, 0644, "z"},
                                           {"./usr/bin/ld", AE_IFLNK, 0777, "../../lib64/ld.so.2"}}));
  RpmHeaderInfo info = read_rpm_header(rpm);
  UniqueFd fd(open(rpm.c_str(), O_RDONLY));
  REQUIRE(lseek(fd.get(), static_cast<off_t>(info.payload_offset), SEEK_SET) >= 0);
  detail::PayloadSource src{info.nevra.str(), "opt", &info, rpm, true, true, true, false};
  ExtractResult r = detail::extract_payload_fd(fd.get(), src, box.stage, opts);
  CHECK(r.merged_aliases == 1);  // lib64/ld.so.2 -> lib/ld.so.2 is lib/ld.so.2 itself
  CHECK(read_file(box.stage + "/lib/ld.so.2") == "ld");
  struct stat st;
  REQUIRE(lstat((box.stage + "/lib/libz.so").c_str(), &st) == 0);
  CHECK(S_ISLNK(st.st_mode));  // a real alias to another name stays (relocation retargets it)
  REQUIRE(lstat((box.stage + "/bin/ld").c_str(), &st) == 0);
  CHECK(S_ISLNK(st.st_mode));
}
