// Uncompressed payloads in a file (the expanded cache): copied in the
// kernel, and cut short.
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
