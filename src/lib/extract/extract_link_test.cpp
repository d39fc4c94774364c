// link_mode: a replay from the expanded cache whose regular files are files
// of their own (open_blob), hard-linked or cloned into the stage.
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>

#include "extract/extract_test_util.hpp"
#include "extract/payload.hpp"
#include "yumda/checksum.hpp"
#include "yumda/fs.hpp"

using namespace yumda;
using namespace yumda::testing;

namespace {

// A cached package: the manifest (regular files without data) and one file
// per regular file, as ExpandedCache stores them for the link modes.
struct LinkedEntry {
  ScratchDir tmp;
  std::string blobs = tmp.path + "/blobs";
  std::string manifest = tmp.path + "/payload.cpio";
  RpmHeaderInfo info;
  const std::string tool = std::string("\x7f" "ELF", 4) + std::string(5000, 't');

  LinkedEntry() {
    make_dirs(blobs);
    info.nevra.name = "linked";
    info.file_digest_type = "sha256";
    info.files = {{"/opt/bin", S_IFDIR | 0755, 0, "", false, false, false, ""},
                  {"/opt/bin/tool", S_IFREG | 0755, tool.size(), "", false, false, false, string_digest(tool, "sha256")},
                  {"/opt/bin/empty", S_IFREG | 0644, 0, "", false, false, false, ""}};
    std::ofstream(blobs + "/1", std::ios::binary) << tool;
    REQUIRE(chmod((blobs + "/1").c_str(), 0755) == 0);
    const timespec times[2] = {{1700000000, 0}, {1700000000, 0}};
    REQUIRE(utimensat(AT_FDCWD, (blobs + "/1").c_str(), times, 0) == 0);
    write_manifest("");
  }
  void write_manifest(const std::string& tool_data) {
    std::ofstream(manifest, std::ios::binary) << make_cpio({{"./opt/bin", AE_IFDIR, 0755, ""},
                                                             {"./opt/bin/tool", AE_IFREG, 0755, tool_data},
                                                             {"./opt/bin/empty", AE_IFREG, 0644, ""}},
                                                            /*xz=*/false);
  }
  ExtractResult replay(LinkMode mode, const std::string& stage) const {
    make_dirs(stage);
    UniqueFd fd(open(manifest.c_str(), O_RDONLY));
    detail::PayloadSource src;
    src.package = "linked-1-1.noarch";
    src.info = &info;
    src.link_mode = mode;
    src.open_blob = [&](const std::string& path) {
      return UniqueFd(path == "/opt/bin/tool" ? open((blobs + "/1").c_str(), O_RDONLY) : -1);
    };
    return detail::extract_payload_fd(fd.get(), src, stage, {});
  }
};

}  // namespace

TEST_CASE("link_mode=hardlink places the cache's own file, copy of nothing", "[extract][link]") {
  LinkedEntry e;
  const std::string stage = e.tmp.path + "/stage";
  ExtractResult r = e.replay(LinkMode::kHardlink, stage);
  CHECK(r.hardlinked == 1);
  CHECK(r.link_copied == 0);
  CHECK(lstat_of(stage + "/bin/tool").st_ino == lstat_of(e.blobs + "/1").st_ino);
  CHECK(lstat_of(e.blobs + "/1").st_nlink == 2);
  CHECK((lstat_of(stage + "/bin/tool").st_mode & 07777) == 0755);
  CHECK(read_file(stage + "/bin/empty").empty());
  REQUIRE(listed(r, "bin/tool"));
  CHECK(listed(r, "bin/tool")->elf);
  CHECK(listed(r, "bin/tool")->size == e.tool.size());
}

TEST_CASE("link_mode=reflink clones, or copies where the file system cannot; never the same inode",
          "[extract][link]") {
  LinkedEntry e;
  const std::string stage = e.tmp.path + "/stage";
  ExtractResult r = e.replay(LinkMode::kReflink, stage);
  CHECK(r.cloned + r.link_copied == 1);
  CHECK(r.hardlinked == 0);
  CHECK(read_file(stage + "/bin/tool") == e.tool);
  CHECK(lstat_of(stage + "/bin/tool").st_ino != lstat_of(e.blobs + "/1").st_ino);
  CHECK(lstat_of(stage + "/bin/tool").st_mtim.tv_sec == 1700000000);
}

TEST_CASE("link_mode=hardlink copies a cached file whose mode was changed, and leaves the cache's as it is",
          "[extract][link]") {
  LinkedEntry e;
  REQUIRE(chmod((e.blobs + "/1").c_str(), 0700) == 0);  // as `chmod` on a layer file linked to it would
  const std::string stage = e.tmp.path + "/stage";
  ExtractResult r = e.replay(LinkMode::kHardlink, stage);
  CHECK(r.hardlinked == 0);
  CHECK(r.link_copied == 1);
  CHECK(lstat_of(stage + "/bin/tool").st_ino != lstat_of(e.blobs + "/1").st_ino);
  CHECK((lstat_of(stage + "/bin/tool").st_mode & 07777) == 0755);
  CHECK((lstat_of(e.blobs + "/1").st_mode & 07777) == 0700);
  CHECK(read_file(stage + "/bin/tool") == e.tool);
}

TEST_CASE("a link-mode manifest entry that carries data is refused; the cache's file is not written",
          "[extract][link]") {
  LinkedEntry e;
  e.write_manifest(std::string(e.tool.size(), 'x'));
  std::string err = error_of([&] { e.replay(LinkMode::kHardlink, e.tmp.path + "/stage"); });
  CHECK(err == "package linked-1-1.noarch: entry /opt/bin/tool of the expanded cache carries data of its own; "
               "refusing it");
  CHECK(read_file(e.blobs + "/1") == e.tool);
}
