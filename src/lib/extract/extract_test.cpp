#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "extract/payload.hpp"
#include "test_support.hpp"
#include "yumda/error.hpp"
#include "yumda/extract.hpp"
#include "yumda/fs.hpp"

using namespace yumda;
using namespace yumda::testing;
namespace fs = std::filesystem;

namespace {

struct stat lstat_of(const std::string& path) {
  struct stat st {};
  REQUIRE(lstat(path.c_str(), &st) == 0);
  return st;
}

// Every name under DIR, relative, sorted.
std::vector<std::string> tree(const std::string& dir) {
  std::vector<std::string> out;
  for (auto& e : fs::recursive_directory_iterator(dir)) out.push_back(e.path().lexically_relative(dir).string());
  std::sort(out.begin(), out.end());
  return out;
}

ExtractResult extract(const std::string& rpm, const std::string& stage, const ExtractOptions& opts = {}) {
  return extract_rpm(rpm, read_rpm_header(rpm), stage, opts);
}

const ExtractedFile* listed(const ExtractResult& r, const std::string& path) {
  for (const auto& f : r.files)
    if (f.path == path) return &f;
  return nullptr;
}

// --- crafting hostile payloads: a cpio newc stream written with libarchive,
// spliced after the lead+signature+header of a normal RPM.
struct CpioEntry {
  std::string name;
  mode_t type = AE_IFREG;
  unsigned perm = 0644;
  std::string data;  // file content, or symlink target
};

std::string make_cpio(const std::vector<CpioEntry>& entries, bool xz = true) {
  std::vector<char> buf(1 << 20);
  size_t used = 0;
  archive* a = archive_write_new();
  archive_write_set_format_cpio_newc(a);
  if (xz) archive_write_add_filter_xz(a);
  REQUIRE(archive_write_open_memory(a, buf.data(), buf.size(), &used) == ARCHIVE_OK);
  for (const CpioEntry& e : entries) {
    archive_entry* ae = archive_entry_new();
    archive_entry_set_pathname(ae, e.name.c_str());
    archive_entry_set_filetype(ae, e.type);
    archive_entry_set_perm(ae, e.perm);
    archive_entry_set_nlink(ae, 1);
    archive_entry_set_mtime(ae, 1700000000, 0);
    if (e.type == AE_IFLNK) archive_entry_set_symlink(ae, e.data.c_str());
    archive_entry_set_size(ae, e.type == AE_IFREG ? static_cast<la_int64_t>(e.data.size()) : 0);
    if (e.type == AE_IFCHR) archive_entry_set_rdev(ae, makedev(1, 3));
    int wr = archive_write_header(a, ae);
    INFO(e.name << ": " << (archive_error_string(a) ? archive_error_string(a) : ""));
    REQUIRE(wr == ARCHIVE_OK);
    if (e.type == AE_IFREG && !e.data.empty()) archive_write_data(a, e.data.data(), e.data.size());
    archive_entry_free(ae);
  }
  archive_write_close(a);
  archive_write_free(a);
  return std::string(buf.data(), used);
}

// A normal RPM whose payload is replaced by PAYLOAD (digests no longer match,
// which read_rpm_header does not check: extraction itself must be safe).
std::string hostile_rpm(const std::string& dir, const std::string& name, const std::string& payload) {
  std::string base = build_rpm(dir + "/w", dir + "/out",
                               simple_spec("evil", "1", "", "mkdir -p %{buildroot}/opt\necho ok > %{buildroot}/opt/ok", "/opt/ok"));
  RpmHeaderInfo info = read_rpm_header(base);
  std::string bytes = read_file(base).substr(0, info.payload_offset) + payload;
  std::string out = dir + "/" + name + ".rpm";
  std::ofstream(out, std::ios::binary) << bytes;
  return out;
}

// Extracts RPM like extract_rpm() but without the header check (detail API).
ExtractResult extract_unchecked(const std::string& rpm, const std::string& stage, bool openat2) {
  RpmHeaderInfo info = read_rpm_header(rpm);
  UniqueFd fd(open(rpm.c_str(), O_RDONLY));
  if (lseek(fd.get(), static_cast<off_t>(info.payload_offset), SEEK_SET) < 0) throw Error("seek");
  detail::PayloadSource src{info.nevra.str(), "opt", &info, rpm, openat2, true, true, false};
  return detail::extract_payload_fd(fd.get(), src, stage, {});
}

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

struct Sandbox {
  ScratchDir tmp;
  std::string parent = tmp.path + "/sentinel";   // must hold nothing but stage/
  std::string stage = parent + "/stage";
  std::string outside = tmp.path + "/outside";  // a directory hostile links point at
  Sandbox() {
    fs::create_directories(stage);
    fs::create_directories(outside);
  }
  void check_nothing_escaped() const {
    std::vector<std::string> top;
    for (auto& e : fs::directory_iterator(parent)) top.push_back(e.path().filename());
    CHECK(top == std::vector<std::string>{"stage"});
    CHECK(fs::is_empty(outside));
  }
};

const std::string kHelloSpecInstall =
    "mkdir -p %{buildroot}/opt/bin %{buildroot}/opt/lib %{buildroot}/opt/empty/dir %{buildroot}/etc\n"
    "printf '#!/bin/sh\\necho hello\\n' > %{buildroot}/opt/bin/hello\nchmod 0755 %{buildroot}/opt/bin/hello\n"
    "echo lib > %{buildroot}/opt/lib/libhello.so.1.0\n"
    "ln -s libhello.so.1.0 %{buildroot}/opt/lib/libhello.so.1\n"
    "ln -s /opt/lib/libhello.so.1 %{buildroot}/opt/lib/libhello.so\n"
    "echo outside > %{buildroot}/etc/hello.conf\n";
const std::string kHelloSpecFiles =
    "/opt/bin/hello\n/opt/lib/libhello.so.1.0\n/opt/lib/libhello.so.1\n/opt/lib/libhello.so\n"
    "%dir /opt/empty\n%dir /opt/empty/dir\n/etc/hello.conf\n";

}  // namespace

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

TEST_CASE("an uncompressed payload copied in the kernel gives what read/write gives", "[extract]") {
  ScratchDir tmp;
  std::string elf = std::string("\x7f" "ELF", 4) + std::string(60, '\2');
  std::string big(200 * 1024 + 3, 'b');
  for (size_t i = 0; i < big.size(); i += 4096) big[i] = static_cast<char>('a' + i % 26);
  std::string cpio = make_cpio({{"./opt/bin", AE_IFDIR, 0755, ""},
                                {"./opt/bin/tool", AE_IFREG, 0755, elf},
                                {"./opt/bin/odd", AE_IFREG, 0644, "five\n"},
                                {"./opt/bin/empty", AE_IFREG, 0644, ""},
                                {"./opt/bin/link", AE_IFLNK, 0777, "tool"},
                                {"./opt/share/big", AE_IFREG, 0600, big}},
                               /*xz=*/false);
  // The payload starts inside the file, as in an RPM or the expanded cache.
  const std::string prefix(37, 'x');
  std::string path = tmp.path + "/payload";
  std::ofstream(path, std::ios::binary) << prefix << cpio;
  std::map<bool, ExtractResult> results;
  for (bool copy_range : {true, false}) {
    INFO("copy_file_range: " << copy_range);
    std::string stage = tmp.path + "/stage-" + std::to_string(copy_range);
    make_dirs(stage);
    UniqueFd fd(open(path.c_str(), O_RDONLY));
    REQUIRE(lseek(fd.get(), static_cast<off_t>(prefix.size()), SEEK_SET) >= 0);
    detail::PayloadSource src;
    src.package = "direct-1-1.noarch";
    src.use_copy_range = copy_range;
    results[copy_range] = detail::extract_payload_fd(fd.get(), src, stage, {});
    CHECK(read_file(stage + "/bin/tool") == elf);
    CHECK(read_file(stage + "/bin/odd") == "five\n");
    CHECK(read_file(stage + "/bin/empty").empty());
    CHECK(read_file(stage + "/share/big") == big);
    CHECK((lstat_of(stage + "/share/big").st_mode & 07777) == 0600);
    REQUIRE(listed(results[copy_range], "bin/tool"));
    CHECK(listed(results[copy_range], "bin/tool")->elf);
    CHECK_FALSE(listed(results[copy_range], "share/big")->elf);
  }
  REQUIRE(results[true].files.size() == results[false].files.size());
  for (size_t i = 0; i < results[true].files.size(); ++i) {
    const auto &a = results[true].files[i], &b = results[false].files[i];
    CHECK(std::tie(a.path, a.mode, a.size, a.elf) == std::tie(b.path, b.mode, b.size, b.elf));
  }
}

TEST_CASE("an uncompressed payload cut short inside a file is an error naming the file", "[extract]") {
  ScratchDir tmp;
  std::string cpio = make_cpio({{"./opt/data", AE_IFREG, 0644, std::string(10000, 'd')}}, /*xz=*/false);
  std::string path = tmp.path + "/payload";
  std::ofstream(path, std::ios::binary) << cpio.substr(0, 5000);
  for (bool copy_range : {true, false}) {
    INFO("copy_file_range: " << copy_range);
    std::string stage = tmp.path + "/stage-" + std::to_string(copy_range);
    make_dirs(stage);
    UniqueFd fd(open(path.c_str(), O_RDONLY));
    detail::PayloadSource src;
    src.package = "cut-1-1.noarch";
    src.use_copy_range = copy_range;
    std::string err = error_of([&] { detail::extract_payload_fd(fd.get(), src, stage, {}); });
    INFO(err);
    CHECK(err.find("cut-1-1.noarch") != std::string::npos);
    CHECK(err.find("data") != std::string::npos);
  }
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
