// Relocation's scan during extraction: every moved file's bytes pass it as
// they are written, from an xz payload or the expanded cache's plain one.
#include <archive_entry.h>
#include <fcntl.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>

#include "extract/extract_test_util.hpp"

using namespace yumda;
using namespace yumda::testing;

TEST_CASE("extraction scans moved files' bytes, a path across its write buffers too", "[extract][relocate]") {
  ScratchDir tmp;
  // A path that starts 5 bytes before the 64 KiB write buffer ends.
  const size_t at = (1 << 16) - 5;
  std::string elf = std::string("\x7f" "ELF", 4) + std::string(at - 4, '\1') +
                    std::string("/usr/share/tool/data\0", 21) + std::string(100, '\1');
  const std::string script = "#!/usr/bin/tool\n";
  std::string cpio = make_cpio({{"./usr/bin/tool", AE_IFREG, 0755, elf},
                                {"./usr/share/tool/data", AE_IFREG, 0644, script},
                                {"./opt/bin/kept", AE_IFREG, 0755, script}},
                               /*xz=*/false);
  const std::string path = tmp.path + "/payload";
  std::ofstream(path, std::ios::binary) << cpio;
  const PathMap map = PathMap::standard();
  for (bool copy_range : {true, false}) {  // the expanded cache's replay, and read/write
    INFO("copy_file_range: " << copy_range);
    const std::string stage = tmp.path + "/stage-" + std::to_string(copy_range);
    make_dirs(stage);
    UniqueFd fd(open(path.c_str(), O_RDONLY));
    detail::PayloadSource src;
    src.package = "tool-1-1.x86_64";
    src.use_copy_range = copy_range;
    ExtractOptions opts;
    opts.path_map = &map;
    opts.scan = ExtractOptions::Scan::kMoved;
    ExtractResult x = detail::extract_payload_fd(fd.get(), src, stage, opts);
    CHECK(read_file(stage + "/bin/tool") == elf);
    CHECK(read_file(stage + "/bin/kept") == script);  // copied in the kernel between scanned files
    const ExtractedFile* tool = listed(x, "bin/tool");
    REQUIRE(tool);
    REQUIRE(tool->scan);
    CHECK(tool->scan->elf);
    CHECK(tool->scan->size == elf.size());
    REQUIRE(tool->scan->candidates.size() == 1);
    CHECK(tool->scan->candidates[0].offset == at);
    CHECK(tool->scan->candidates[0].path == "/usr/share/tool/data");
    const ExtractedFile* data = listed(x, "share/tool/data");
    REQUIRE(data);
    REQUIRE(data->scan);
    CHECK_FALSE(data->scan->has_nul);
    REQUIRE(data->scan->candidates.size() == 1);
    CHECK(data->scan->candidates[0].offset == 2);
    const ExtractedFile* kept = listed(x, "bin/kept");
    REQUIRE(kept);
    CHECK_FALSE(kept->scan);  // an /opt file is not relocation's unless relocate=always
  }
}
