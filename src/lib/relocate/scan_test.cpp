// The scan extraction runs over each file's bytes as it writes them: the
// same candidates whatever the pieces, and relocation deciding on it.
#include <catch2/catch.hpp>
#include <sys/stat.h>

#include "test_support.hpp"
#include "yumda/fs.hpp"
#include "yumda/relocate.hpp"

using namespace yumda;

namespace {

ScannedFile scan_in_pieces(std::string_view data, const std::vector<size_t>& cuts) {
  const PathMap map = PathMap::standard();
  PathScanner s(map);
  size_t at = 0;
  for (size_t cut : cuts) {
    s.feed(data.substr(at, cut - at));
    at = cut;
  }
  s.feed(data.substr(at));
  return s.finish();
}

std::string shown(const ScannedFile& f) {
  std::string out;
  for (const auto& c : f.candidates)
    out += std::to_string(c.offset) + ":" + c.path + (c.whole_string ? "(whole)" : "") + " ";
  return out;
}

}  // namespace

TEST_CASE("a path split between two pieces is found as in one piece", "[relocate][scan]") {
  // A NUL-delimited bare /usr, a path after a path character (inside a
  // longer one), one with trailing slashes, /opt, a text path at the end.
  const std::string data = std::string("\177ELF\0/usr\0x/usr/lib/a\0/usr/lib/git-core//\0/opt/bin/x\0", 53) +
                           "#!/usr/bin/perl -w\n/etc/gitconfig";
  const ScannedFile whole = scan_in_pieces(data, {});
  CHECK(shown(whole) == "5:/usr(whole) 22:/usr/lib/git-core(whole) 55:/usr/bin/perl 72:/etc/gitconfig ");
  CHECK(whole.elf);
  CHECK(whole.has_nul);
  CHECK(whole.size == data.size());
  for (size_t cut = 1; cut < data.size(); ++cut) {
    INFO("cut at " << cut);
    const ScannedFile split = scan_in_pieces(data, {cut});
    CHECK(shown(split) == shown(whole));
    CHECK(split.elf);
  }
  // Byte by byte, and with empty pieces between.
  std::vector<size_t> every;
  for (size_t i = 1; i < data.size(); ++i) every.push_back(i), every.push_back(i);
  CHECK(shown(scan_in_pieces(data, every)) == shown(whole));
}

TEST_CASE("the scan's candidates decide the hits find_path_hits finds", "[relocate][scan]") {
  PathOracle o;
  o.in_layer = [](const std::string& rel) { return rel == "lib/git-core" || rel == "bin/perl"; };
  o.in_runtime = [](const std::string&) { return false; };
  const std::string data = std::string("\0/usr\0/usr/lib/git-core/git-%s\0/usr/bin/perl\0/usr/lib/none\0", 59);
  const std::vector<PathHit> direct = find_path_hits(data, PathMap::standard(), o);
  const std::vector<PathHit> decided = hits_of(scan_in_pieces(data, {3, 20, 41}).candidates, PathMap::standard(), o);
  REQUIRE(direct.size() == 3);
  REQUIRE(decided.size() == direct.size());
  for (size_t i = 0; i < direct.size(); ++i) {
    CHECK(decided[i].offset == direct[i].offset);
    CHECK(decided[i].from == direct[i].from);
    CHECK(decided[i].to == direct[i].to);
  }
  CHECK(direct[0].to == "/opt");
  CHECK(direct[1].from == "/usr/lib/git-core");
}

TEST_CASE("relocation decides a scanned file with no hits without reading it", "[relocate][scan]") {
  TempDir stage("/tmp", "yumda-reloc-");
  make_dirs(stage.path() + "/bin");
  make_dirs(stage.path() + "/lib/tool");
  const std::string script = "#!/bin/sh\nexec /usr/lib/tool/helper\n";
  write_file_atomic(stage.path() + "/bin/tool", script);
  write_file_atomic(stage.path() + "/bin/other", script);
  Baseline runtime;
  const PathMap map = PathMap::standard();
  PathScanner s(map);
  s.feed(script);
  auto scanned = std::make_shared<const ScannedFile>(s.finish());
  // What the scan saw of bin/other (a file with no path) decides it: its
  // staged bytes are not read, so its path stays; bin/tool's scan had it.
  PathScanner none(map);
  none.feed("#!/bin/sh\nexit 0\n");
  auto empty = std::make_shared<const ScannedFile>(none.finish());
  std::vector<PlacedFile> files = {{"bin/tool", "/usr/bin/tool", S_IFREG | 0755, false, scanned},
                                   {"bin/other", "/usr/bin/other", S_IFREG | 0755, false, empty}};
  RelocationReport r = relocate_files("tool-1-1.noarch", stage.path(), "", files, map, runtime);
  CHECK(r.files_read == 1);
  CHECK(r.files_scanned == 1);
  CHECK(r.bytes_scanned == 17);
  CHECK(read_file(stage.path() + "/bin/tool") == "#!/bin/sh\nexec /opt/lib/tool/helper\n");
  CHECK(read_file(stage.path() + "/bin/other") == script);
}

TEST_CASE("a scan the staged file no longer matches is redone from its bytes", "[relocate][scan]") {
  TempDir stage("/tmp", "yumda-reloc-");
  make_dirs(stage.path() + "/bin");
  make_dirs(stage.path() + "/lib/tool");
  const PathMap map = PathMap::standard();
  PathScanner s(map);
  s.feed("#!/bin/sh\nexec /usr/lib/tool/helper\n");
  // Another package sharing the file moved its path since the scan.
  write_file_atomic(stage.path() + "/bin/tool", "#!/bin/sh\n\nexec /usr/lib/tool/helper\n");
  std::vector<PlacedFile> files = {
      {"bin/tool", "/usr/bin/tool", S_IFREG | 0755, false, std::make_shared<const ScannedFile>(s.finish())}};
  Baseline runtime;
  RelocationReport r = relocate_files("tool-1-1.noarch", stage.path(), "", files, map, runtime);
  CHECK(r.files_read == 1);
  CHECK(read_file(stage.path() + "/bin/tool") == "#!/bin/sh\n\nexec /opt/lib/tool/helper\n");
}
