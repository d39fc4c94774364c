#include <catch2/catch.hpp>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <set>

#include "test_support.hpp"
#include "yumda/checksum.hpp"
#include "yumda/fs.hpp"
#include "yumda/relocate.hpp"

using namespace yumda;
using yumda::testing::run;

namespace {

// An oracle over fixed sets: what the layer and the runtime hold.
PathOracle fixed_oracle(std::set<std::string> layer, std::set<std::string> runtime = {}) {
  PathOracle o;
  o.in_layer = [layer](const std::string& rel) { return layer.count(rel) > 0; };
  o.in_runtime = [runtime](const std::string& abs) { return runtime.count(abs) > 0; };
  return o;
}

std::string rewritten(std::string data, bool binary, const PathOracle& o, size_t* grew = nullptr) {
  auto hits = find_path_hits(data, PathMap::standard(), o);
  auto out = rewrite_paths(data, binary, hits);
  if (grew) *grew = out.would_grow.size();
  return data;
}

}  // namespace

TEST_CASE("path map follows Lambda's PATH and LD_LIBRARY_PATH") {
  const PathMap m = PathMap::standard();
  CHECK(m.map("/usr/bin/git") == "bin/git");
  CHECK(m.map("/usr/sbin/sshd") == "bin/sshd");
  CHECK(m.map("/bin/ls") == "bin/ls");
  CHECK(m.map("/sbin/ip") == "bin/ip");
  CHECK(m.map("/usr/lib64/libz.so.1") == "lib/libz.so.1");
  CHECK(m.map("/lib64/libz.so.1") == "lib/libz.so.1");
  CHECK(m.map("/usr/lib/x86_64-linux-gnu/libjq.so.1") == "lib/libjq.so.1");
  CHECK(m.map("/lib/aarch64-linux-gnu/libc.so.6") == "lib/libc.so.6");
  CHECK(m.map("/usr/lib/git-core/git") == "lib/git-core/git");
  CHECK(m.map("/usr/libexec/git-core/git") == "libexec/git-core/git");
  CHECK(m.map("/usr/share/file/magic.mgc") == "share/file/magic.mgc");
  CHECK(m.map("/etc/gitconfig") == "etc/gitconfig");
  CHECK(m.map("/usr/games/x") == "games/x");
  CHECK(m.map("/opt/bin/git") == "bin/git");
  CHECK(m.map("/usr") == "");
  CHECK_FALSE(m.map("/var/lib/x"));
  CHECK_FALSE(m.map("/run/x"));
  CHECK_FALSE(m.map("/usrx/bin"));  // a prefix only at a component boundary
  CHECK(m.map("/usr/lib64x/y") == "lib64x/y");
  CHECK_FALSE(PathMap::opt_only().map("/usr/bin/git"));
  CHECK(PathMap::opt_only().map("/opt/bin/git") == "bin/git");
}

TEST_CASE("a --relocate rule wins over the standard one") {
  const PathMap m = PathMap::standard({{"/usr/lib/foo", "foo"}, {"/usr/share", "data"}});
  CHECK(m.map("/usr/lib/foo/x") == "foo/x");
  CHECK(m.map("/usr/lib/bar") == "lib/bar");
  CHECK(m.map("/usr/share/x") == "data/x");
}

TEST_CASE("only paths whose new place the layer provides are hits") {
  auto o = fixed_oracle({"lib/git-core", "share/git-core/templates", "bin/perl"});
  std::string data = std::string("x\0/usr/lib/git-core\0/usr/share/git-core/templates\0/usr/bin/perl -w\0", 66) +
                     "/usr/lib/other\0/usr/share\0/usr/lib\0";
  auto hits = find_path_hits(data, PathMap::standard(), o);
  REQUIRE(hits.size() == 3);
  CHECK(hits[0].from == "/usr/lib/git-core");
  CHECK(hits[0].to == "/opt/lib/git-core");
  CHECK(hits[1].to == "/opt/share/git-core/templates");
  CHECK(hits[2].from == "/usr/bin/perl");
}

TEST_CASE("a path is cut back to the deepest part the layer provides") {
  auto o = fixed_oracle({"lib/git-core"});
  std::string data = "exec=/usr/lib/git-core/git-%s;";
  auto hits = find_path_hits(data, PathMap::standard(), o);
  REQUIRE(hits.size() == 1);
  CHECK(hits[0].from == "/usr/lib/git-core");
  CHECK(hits[0].offset == 5);
}

TEST_CASE("a binary's bare /usr string, an install prefix, becomes /opt") {
  auto o = fixed_oracle({});
  std::string data("\0/usr\0/usr/\0x/usr\0", 19);
  auto hits = find_path_hits(data, PathMap::standard(), o);
  REQUIRE(hits.size() == 2);  // "/usr" and "/usr/", not the one inside "x/usr"
  CHECK(hits[0].offset == 1);
  CHECK(hits[0].to == "/opt");
  CHECK(hits[1].offset == 6);
  CHECK(find_path_hits("prefix=/usr\n", PathMap::standard(), o).empty());  // text: left as it is
}

TEST_CASE("runtime paths and paths inside longer ones are never hits") {
  auto o = fixed_oracle({"bin/env", "lib/libc.so.6", "share/zoneinfo"}, {"/usr/bin/env", "/usr/lib64/libc.so.6"});
  std::string data = std::string("#!/usr/bin/env\0/usr/lib64/libc.so.6\0/usr/local/usr/share/zoneinfo\0", 66);
  CHECK(find_path_hits(data, PathMap::standard(), o).empty());
  CHECK(find_path_hits("/opt/bin/env", PathMap::standard(), o).empty());
}

TEST_CASE("binary strings are rewritten in place, shorter, padded with NULs") {
  auto o = fixed_oracle({"lib/libfoo.so.1", "lib/foo/plugins"});
  std::string in("A\0/usr/lib/x86_64-linux-gnu/foo/plugins\0B", 41);
  std::string out = rewritten(in, true, o);
  CHECK(out.size() == in.size());
  CHECK(out == std::string("A\0/opt/lib/foo/plugins\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0B", 41));
}

TEST_CASE("a binary string that would grow is left whole and reported") {
  auto o = fixed_oracle({"etc/magic", "share/misc/magic"});
  std::string in("/etc/magic:/usr/share/misc/magic\0/etc/magic\0", 44);
  size_t grew = 0;
  std::string out = rewritten(in, true, o, &grew);
  CHECK(out.size() == in.size());
  // The same-length rewrite is made; /etc/magic -> /opt/etc/magic has no room.
  CHECK(out == std::string("/etc/magic:/opt/share/misc/magic\0/etc/magic\0", 44));
  CHECK(grew == 2);
}

TEST_CASE("a longer path fits where another in the same string freed room") {
  auto o = fixed_oracle({"lib/a", "etc/b"});
  std::string in("/usr/lib/x86_64-linux-gnu/a:/etc/b\0", 35);
  std::string out = rewritten(in, true, o);
  CHECK(out == std::string("/opt/lib/a:/opt/etc/b\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 35));
  // Without the room, the longer one stays as it was.
  std::string tight("/usr/lib64/a:/etc/b\0", 20);
  CHECK(rewritten(tight, true, o) == std::string("/opt/lib/a:/etc/b\0\0\0", 20));
}

TEST_CASE("a binary rewrite names the ranges it changed, and nothing else differs") {
  auto o = fixed_oracle({"lib/a", "etc/b", "share/c"});
  // Two strings rewritten, one left as it was (no room), binary data around them.
  std::string in("\1\2/usr/lib/x86_64-linux-gnu/a\0\3/etc/b\0\4\5/usr/share/c\0\6", 54);
  std::string out = in;
  auto hits = find_path_hits(out, PathMap::standard(), o);
  RewriteOutcome r = rewrite_paths(out, true, hits);
  REQUIRE(r.rewritten == 2);
  REQUIRE(r.changed.size() == 2);
  CHECK(r.changed[0] == std::pair<size_t, size_t>{0, 29});   // the first string, up to its NUL
  CHECK(r.changed[1] == std::pair<size_t, size_t>{38, 52});  // "\4\5/usr/share/c"
  std::string patched = in;  // the original with only those ranges copied in is the whole rewrite
  for (const auto& [b, e] : r.changed) patched.replace(b, e - b, out, b, e - b);
  CHECK(patched == out);
  CHECK(patched != in);
  std::string text = "conf=/etc/b\n";
  CHECK(rewrite_paths(text, false, find_path_hits(text, PathMap::standard(), o)).changed.empty());
}

TEST_CASE("text is rewritten whatever the lengths") {
  auto o = fixed_oracle({"bin/perl", "etc/foo.conf", "lib/libfoo.so.1"});
  CHECK(rewritten("#!/usr/bin/perl -w\nconf=/etc/foo.conf\nlib='/usr/lib64/libfoo.so.1'\n", false, o) ==
        "#!/opt/bin/perl -w\nconf=/opt/etc/foo.conf\nlib='/opt/lib/libfoo.so.1'\n");
}

TEST_CASE("relocate_files rewrites files and symlinks of a staged package") {
  TempDir stage("/tmp", "yumda-reloc-");
  auto w = [&](const std::string& rel, const std::string& data, mode_t mode) {
    make_dirs(stage.path() + "/" + rel.substr(0, rel.rfind('/')));
    write_file_atomic(stage.path() + "/" + rel, data);
    chmod((stage.path() + "/" + rel).c_str(), mode);
  };
  const std::string elf = std::string("\177ELF\2\1\1\0", 8) + std::string("/usr/lib/x86_64-linux-gnu/tool/helper\0", 38);
  w("bin/tool", elf, 0555);
  w("lib/tool/helper", "#!/usr/bin/tool\n", 0755);
  w("share/tool/data.bin", std::string("/usr/lib/tool\0", 14), 0644);  // binary, not ELF: left alone
  make_dirs(stage.path() + "/lib");
  REQUIRE(symlink("/usr/lib/x86_64-linux-gnu/tool/helper", (stage.path() + "/bin/helper").c_str()) == 0);
  REQUIRE(symlink("/usr/bin/env", (stage.path() + "/bin/myenv").c_str()) == 0);
  make_dirs(stage.path() + "/share/doc/tool");
  REQUIRE(symlink("../../common-licenses/MIT", (stage.path() + "/share/doc/tool/LICENSE").c_str()) == 0);
  Baseline runtime;
  runtime.files = {"/usr/bin/env"};

  std::vector<PlacedFile> files = {
      {"bin/tool", "/usr/bin/tool", S_IFREG | 0555, true},
      {"lib/tool/helper", "/usr/lib/x86_64-linux-gnu/tool/helper", S_IFREG | 0755, false},
      {"share/tool/data.bin", "/usr/share/tool/data.bin", S_IFREG | 0644, false},
      {"bin/helper", "/usr/bin/helper", S_IFLNK | 0777, false},
      {"bin/myenv", "/usr/bin/myenv", S_IFLNK | 0777, false},
      {"share/doc/tool/LICENSE", "/usr/share/doc/tool/LICENSE", S_IFLNK | 0777, false},
  };
  RelocationReport r = relocate_files("tool-1-1.x86_64", stage.path(), "", files, PathMap::standard(), runtime);
  CHECK(r.moved == 6);
  REQUIRE(r.rewritten.size() == 4);
  const std::string now = read_file(stage.path() + "/bin/tool");
  CHECK(now.size() == elf.size());
  CHECK(now.find(std::string("/opt/lib/tool/helper\0", 21)) != std::string::npos);
  CHECK(read_file(stage.path() + "/lib/tool/helper") == "#!/opt/bin/tool\n");
  CHECK(read_file(stage.path() + "/share/tool/data.bin") == std::string("/usr/lib/tool\0", 14));
  char buf[256] = {};
  REQUIRE(readlink((stage.path() + "/bin/helper").c_str(), buf, sizeof buf - 1) > 0);
  CHECK(std::string(buf) == "../lib/tool/helper");
  std::fill(buf, buf + sizeof buf, 0);
  REQUIRE(readlink((stage.path() + "/bin/myenv").c_str(), buf, sizeof buf - 1) > 0);
  CHECK(std::string(buf) == "/usr/bin/env");  // the runtime's: untouched
  std::fill(buf, buf + sizeof buf, 0);
  REQUIRE(readlink((stage.path() + "/share/doc/tool/LICENSE").c_str(), buf, sizeof buf - 1) > 0);
  CHECK(std::string(buf) == "/usr/share/common-licenses/MIT");  // not in the layer: where it pointed
  struct stat st;
  REQUIRE(stat((stage.path() + "/bin/tool").c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0555);  // read-only files keep their mode
  for (const auto& f : r.rewritten)
    if (f.path == "bin/tool") {
      CHECK(f.sha256_shipped == string_digest(elf, "sha256"));
      CHECK(f.sha256 == string_digest(now, "sha256"));
    }
}

TEST_CASE("the layer oracle never looks outside its directories") {
  TempDir layer("/tmp", "yumda-reloc-");
  make_dirs(layer.path() + "/lib/x");
  REQUIRE(symlink("/etc", (layer.path() + "/lib/host").c_str()) == 0);
  Baseline runtime;
  PathOracle o = layer_oracle({layer.path()}, runtime);
  CHECK(o.in_layer("lib/x"));
  CHECK_FALSE(o.in_layer("lib/y"));
  CHECK_FALSE(o.in_layer("lib/../../etc"));
  CHECK_FALSE(o.in_layer("lib/host/passwd"));  // through an absolute symlink: out of the layer
}

TEST_CASE("a real ELF's RUNPATH entries are mapped like any other path", "[relocate]") {
  TempDir stage("/tmp", "yumda-reloc-");
  const std::string src = stage.path() + "/x.c", bin = stage.path() + "/bin/tool";
  make_dirs(stage.path() + "/bin");
  make_dirs(stage.path() + "/lib/tool");
  write_file_atomic(src, "int main(void) { return 0; }\n");
  if (run("cc -o " + bin + " " + src + " -Wl,--enable-new-dtags,-rpath,/usr/lib/x86_64-linux-gnu/tool:/usr/lib64/other") !=
      0) {
    WARN("skipped: no C compiler");
    return;
  }
  Baseline runtime;
  std::vector<PlacedFile> files = {{"bin/tool", "/usr/bin/tool", S_IFREG | 0755, true}};
  RelocationReport r = relocate_files("tool-1-1.x86_64", stage.path(), "", files, PathMap::standard(), runtime);
  REQUIRE(r.rewritten.size() == 1);
  REQUIRE(run("readelf -d " + bin + " > " + stage.path() + "/dyn.txt") == 0);
  const std::string dyn = read_file(stage.path() + "/dyn.txt");
  // The layer has lib/tool; lib64/other is nobody's, so it stays as it was.
  CHECK(dyn.find("Library runpath: [/opt/lib/tool:/usr/lib64/other]") != std::string::npos);
  CHECK(run(bin) == 0);  // still a valid executable
}

TEST_CASE("the header's sha256 of a shipped file is the record's, unhashed", "[relocate]") {
  TempDir stage("/tmp", "yumda-reloc-");
  make_dirs(stage.path() + "/bin");
  make_dirs(stage.path() + "/lib/tool");
  write_file_atomic(stage.path() + "/bin/tool", "#!/usr/lib/tool/run\n");
  const std::string header_digest(64, 'a');  // what the signed header says; the bytes are not hashed again
  std::vector<PlacedFile> files = {{"bin/tool", "/usr/bin/tool", S_IFREG | 0755, false, nullptr, header_digest}};
  Baseline runtime;
  RelocationReport r = relocate_files("tool-1-1.noarch", stage.path(), "", files, PathMap::standard(), runtime);
  REQUIRE(r.rewritten.size() == 1);
  CHECK(r.rewritten[0].sha256_shipped == header_digest);
  CHECK(r.rewritten[0].sha256 == string_digest("#!/opt/lib/tool/run\n", "sha256"));
}
