#include <fcntl.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <random>

#include "layer_test_util.hpp"
#include "yumda/error.hpp"
#include "yumda/fs.hpp"
#include "yumda/zip.hpp"

using namespace yumda;
using yumda::testing::capture;
using yumda::testing::error_of;
using yumda::testing::listing;
using yumda::testing::put_file;
using yumda::testing::put_link;
using yumda::testing::ScratchDir;
using yumda::testing::shell_quote;
namespace fs = std::filesystem;

namespace {

struct Item {
  std::string path;
  char type;  // 'f' file, 'x' executable, 'd' dir, 'l' symlink, 'h' hardlink to TARGET
  std::string data;  // content or link target
};

const std::vector<Item> kTree = {
    {"bin", 'd', ""},
    {"bin/git", 'x', "#!/bin/sh\necho git\n"},
    {"bin/git-upload-pack", 'l', "git"},
    {"lib", 'd', ""},
    {"lib/libz.so.1.2.7", 'x', std::string(20000, 'z') + "end"},
    {"lib/libz.so.1", 'l', "libz.so.1.2.7"},
    {"lib/libz.so", 'l', "libz.so.1"},
    {"lib/hard-copy", 'h', "lib/libz.so.1.2.7"},
    {"lib/.yumda", 'd', ""},  // only the top-level .yumda is yumda's
    {"lib/.yumda/keep", 'f', "mine"},
    {"share", 'd', ""},
    {"share/doc", 'd', ""},
    {"share/doc/README", 'f', "read me\n"},
    {"share/empty", 'd', ""},
    {"share/a-b", 'f', "dash"},
    {"etc", 'd', ""},
    {"etc/dangling", 'l', "../nowhere"},
};

// Builds kTree under ROOT in the given order, with mtimes from MTIME.
void build_tree(const std::string& root, bool reversed, time_t mtime) {
  fs::create_directories(root);
  std::vector<Item> items = kTree;
  if (reversed) {
    // Children first where possible: create parents implicitly, in reverse.
    std::reverse(items.begin(), items.end());
  }
  for (const auto& it : items) {
    std::string p = root + "/" + it.path;
    switch (it.type) {
      case 'd': fs::create_directories(p); break;
      case 'f': put_file(p, it.data, 0644); break;
      case 'x': put_file(p, it.data, 0755); break;
      case 'l': put_link(p, it.data); break;
      case 'h':
        if (!path_exists(root + "/" + it.data)) put_file(root + "/" + it.data, std::string(20000, 'z') + "end", 0755);
        fs::create_directories(fs::path(p).parent_path());
        REQUIRE(link((root + "/" + it.data).c_str(), p.c_str()) == 0);
        break;
    }
  }
  REQUIRE(chmod((root + "/bin").c_str(), 0755) == 0);
  for (auto& e : fs::recursive_directory_iterator(root)) {
    struct timespec ts[2] = {{mtime, 0}, {mtime, 0}};
    utimensat(AT_FDCWD, e.path().c_str(), ts, AT_SYMLINK_NOFOLLOW);
  }
  put_file(root + "/.yumda/installed.json", "{\"format_version\": 1, \"packages\": []}");
  put_file(root + "/.yumda/lock", std::to_string(mtime));
}

}  // namespace

TEST_CASE("the same tree always gives the same zip bytes", "[layer][zip]") {
  ScratchDir dir;
  std::string a = dir.path + "/a", b = dir.path + "/b";
  build_tree(a, false, 1000000000);
  build_tree(b, true, 1600000000);
  ZipOptions opt;
  opt.mtime = 1700000000;
  ZipResult r1 = write_layer_zip(a, dir.path + "/1.zip", opt);
  ZipResult r2 = write_layer_zip(a, dir.path + "/2.zip", opt);
  ZipResult r3 = write_layer_zip(b, dir.path + "/3.zip", opt);
  std::string z1 = read_file(dir.path + "/1.zip");
  CHECK(z1 == read_file(dir.path + "/2.zip"));
  CHECK(z1 == read_file(dir.path + "/3.zip"));
  CHECK(r1.zipped_bytes == z1.size());
  CHECK(r1.entries == r3.entries);
  CHECK(r1.unzipped_bytes == r2.unzipped_bytes);
  CHECK_FALSE(path_exists(dir.path + "/1.zip.tmp"));

  // The fixed mtime matters: another one gives other bytes.
  opt.mtime = 1700086400;
  write_layer_zip(a, dir.path + "/4.zip", opt);
  CHECK(read_file(dir.path + "/4.zip") != z1);
}

TEST_CASE("the zip keeps symlinks, modes, order and leaves .yumda out", "[layer][zip]") {
  if (yumda::testing::run("command -v zipinfo >/dev/null && command -v unzip >/dev/null") != 0) {
    WARN("skipped: zipinfo/unzip are not installed");
    return;
  }
  ScratchDir dir;
  std::string root = dir.path + "/root";
  build_tree(root, false, 1000000000);
  std::string zip = dir.path + "/layer.zip";
  ZipResult r = write_layer_zip(root, zip, ZipOptions{1700000000, 6});

  // zipinfo -1: names in archive order; zipinfo (long): mode and method.
  std::string names = capture("zipinfo -1 " + shell_quote(zip));
  std::string expect;
  std::vector<std::string> want;
  for (const auto& it : kTree) want.push_back(it.path + (it.type == 'd' ? "/" : ""));
  std::sort(want.begin(), want.end(), [](std::string x, std::string y) {
    // Byte order of the path without the directory's trailing slash.
    if (!x.empty() && x.back() == '/') x.pop_back();
    if (!y.empty() && y.back() == '/') y.pop_back();
    return x < y;
  });
  for (const auto& w : want) expect += w + "\n";
  CHECK(names == expect);
  CHECK(r.entries == kTree.size());
  CHECK(names.find(".yumda/installed.json") == std::string::npos);

  std::string info = capture("zipinfo " + shell_quote(zip));
  auto line_of = [&](const std::string& name) {
    for (size_t pos = 0; pos < info.size();) {
      size_t end = info.find('\n', pos);
      std::string line = info.substr(pos, end - pos);
      if (line.size() > name.size() && line.compare(line.size() - name.size() - 1, std::string::npos, " " + name) == 0)
        return line;
      pos = end == std::string::npos ? info.size() : end + 1;
    }
    return std::string();
  };
  CHECK(line_of("lib/libz.so.1").rfind("lrwxrwxrwx", 0) == 0);
  CHECK(line_of("bin/git").rfind("-rwxr-xr-x", 0) == 0);
  CHECK(line_of("lib/libz.so.1.2.7").find("defN") != std::string::npos);
  CHECK(line_of("share/doc/README").rfind("-rw-r--r--", 0) == 0);
  CHECK(line_of("share/empty/").rfind("drwxr-xr-x", 0) == 0);
  CHECK(line_of("lib/hard-copy").rfind("-rwxr-xr-x", 0) == 0);  // a hardlink is a plain file
  CHECK(info.find(" unx ") != std::string::npos);

  // unzip gives back the tree, .yumda aside, symlinks as symlinks.
  std::string out = dir.path + "/out";
  REQUIRE(yumda::testing::run("unzip -q " + shell_quote(zip) + " -d " + shell_quote(out)) == 0);
  CHECK(listing(out) == listing(root, {".yumda"}));
  struct stat st;
  REQUIRE(lstat((out + "/lib/libz.so").c_str(), &st) == 0);
  CHECK(S_ISLNK(st.st_mode));
  CHECK(read_file(out + "/lib/libz.so") == read_file(root + "/lib/libz.so.1.2.7"));

  uint64_t unzipped = 0;
  for (const auto& it : kTree)
    if (it.type != 'd') unzipped += it.type == 'h' ? fs::file_size(root + "/" + it.data) : it.data.size();
  CHECK(r.unzipped_bytes == unzipped);
  CHECK(r.zipped_bytes == fs::file_size(zip));
  CHECK(r.zipped_bytes < r.unzipped_bytes);  // the 20 kB file deflates
}

TEST_CASE("the zip bytes do not depend on threads or the time zone", "[layer][zip]") {
  ScratchDir dir;
  std::string root = dir.path + "/root";
  build_tree(root, false, 1000000000);
  // More entries than the writer lets workers run ahead, some incompressible.
  std::mt19937 rng(42);
  for (int i = 0; i < 1200; ++i) {
    std::string data(static_cast<size_t>(rng() % 3000), '\0');
    for (auto& ch : data) ch = static_cast<char>(i % 2 ? rng() : 'a' + rng() % 4);
    put_file(root + "/many/f" + std::to_string(i), data, i % 5 ? 0644 : 0755);
  }
  ZipOptions opt{1700000000, 6, 1};
  write_layer_zip(root, dir.path + "/t1.zip", opt);
  opt.threads = 4;
  write_layer_zip(root, dir.path + "/t4.zip", opt);
  std::string t1 = read_file(dir.path + "/t1.zip");
  CHECK(t1 == read_file(dir.path + "/t4.zip"));
  CHECK(yumda::testing::run("unzip -tq " + shell_quote(dir.path + "/t4.zip") + " >/dev/null") == 0);

  std::string old_tz = getenv("TZ") ? getenv("TZ") : "";
  bool had_tz = getenv("TZ") != nullptr;
  setenv("TZ", "America/New_York", 1);
  tzset();
  write_layer_zip(root, dir.path + "/ny.zip", opt);
  if (had_tz)
    setenv("TZ", old_tz.c_str(), 1);
  else
    unsetenv("TZ");
  tzset();
  CHECK(read_file(dir.path + "/ny.zip") == t1);
}

TEST_CASE("an empty layer zips to an empty archive", "[layer][zip]") {
  ScratchDir dir;
  put_file(dir.path + "/root/.yumda/installed.json", "{}");
  ZipResult r = write_layer_zip(dir.path + "/root", dir.path + "/e.zip", ZipOptions{});
  CHECK(r.entries == 0);
  CHECK(r.unzipped_bytes == 0);
  CHECK(yumda::testing::run("unzip -l " + shell_quote(dir.path + "/e.zip") + " >/dev/null 2>&1") <= 1);
}

TEST_CASE("zip failures name the path and leave no temp file", "[layer][zip]") {
  ScratchDir dir;
  std::string root = dir.path + "/root";
  put_file(root + "/f", "x");
  std::string out = dir.path + "/missing-dir/layer.zip";
  CHECK(error_of([&] { write_layer_zip(root, out, ZipOptions{}); }).find(out) != std::string::npos);
  CHECK_FALSE(path_exists(out + ".tmp"));

  CHECK(error_of([&] { write_layer_zip(dir.path + "/nope", dir.path + "/x.zip", ZipOptions{}); })
            .find(dir.path + "/nope") != std::string::npos);

  REQUIRE(mkfifo((root + "/fifo").c_str(), 0644) == 0);
  std::string m = error_of([&] { write_layer_zip(root, dir.path + "/y.zip", ZipOptions{}); });
  CHECK(m.find(root + "/fifo") != std::string::npos);
  CHECK_FALSE(path_exists(dir.path + "/y.zip"));
  CHECK_FALSE(path_exists(dir.path + "/y.zip.tmp"));

  // A failed run keeps the previous zip.
  REQUIRE(unlink((root + "/fifo").c_str()) == 0);
  write_layer_zip(root, dir.path + "/y.zip", ZipOptions{});
  std::string good = read_file(dir.path + "/y.zip");
  REQUIRE(mkfifo((root + "/fifo").c_str(), 0644) == 0);
  CHECK_THROWS_AS(write_layer_zip(root, dir.path + "/y.zip", ZipOptions{}), Error);
  CHECK(read_file(dir.path + "/y.zip") == good);
}

TEST_CASE("an unreadable file stops the zip with its name and no temp file", "[layer][zip]") {
  ScratchDir dir;
  std::string root = dir.path + "/root";
  for (int i = 0; i < 50; ++i) put_file(root + "/f" + std::to_string(i), std::string(5000, 'a' + i % 26));
  put_file(root + "/f25", "secret", 0);
  REQUIRE(chmod(dir.path.c_str(), 0777) == 0);
  REQUIRE(chmod(root.c_str(), 0755) == 0);
  std::string out = dir.path + "/l.zip";
  std::string m;
  if (!yumda::testing::error_as_nobody([&] { write_layer_zip(root, out, ZipOptions{0, 6, 2}); }, m)) {
    WARN("skipped: cannot drop to uid 65534 here");
    return;
  }
  CHECK(m == "cannot read " + root + "/f25: Permission denied");
  CHECK_FALSE(path_exists(out));
  CHECK_FALSE(path_exists(out + ".tmp"));
}

TEST_CASE("Lambda's size limits are the documented ones", "[layer][zip]") {
  // https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
  CHECK(kLambdaMaxZipped == 52'428'800ull);     // 50 MiB
  CHECK(kLambdaMaxUnzipped == 262'144'000ull);  // 250 MiB
  CHECK(kLambdaMaxZipped < kLambdaMaxUnzipped);
}
