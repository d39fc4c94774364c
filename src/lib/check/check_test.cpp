#include <catch2/catch.hpp>
#include <elf.h>

#include <filesystem>

#include "test_support.hpp"
#include "yumda/check.hpp"

using namespace yumda;
using namespace yumda::testing;
namespace fs = std::filesystem;

namespace {

// A layer with bin/tool (linked against lib/libdemo.so.1) built by gcc here.
void make_layer(const std::string& root, const std::string& work) {
  fs::create_directories(root + "/bin");
  fs::create_directories(root + "/lib");
  write_text(work + "/demo.c", "int demo(void) { return 42; }\n");
  write_text(work + "/main.c", "int demo(void);\nint main(void) { return demo() == 42 ? 0 : 1; }\n");
  REQUIRE(run("gcc -shared -fPIC -Wl,-soname,libdemo.so.1 -o " + root + "/lib/libdemo.so.1 " + work + "/demo.c") == 0);
  REQUIRE(run("gcc -o " + root + "/bin/tool " + work + "/main.c -L" + root + "/lib -l:libdemo.so.1") == 0);
}

Baseline runtime_with_libc() {
  Baseline b;
  b.source = "test";
  b.files = {"/usr/lib64/libc.so.6", "/usr/lib64/ld-linux-x86-64.so.2", "/usr/bin/sh", "/usr/bin/env",
             "/usr/bin/bash"};
  return b;
}

bool has_finding(const std::vector<CheckFinding>& f, CheckFinding::Kind k, const std::string& path,
                 const std::string& detail) {
  for (const auto& x : f)
    if (x.kind == k && x.path == path && x.detail == detail) return true;
  return false;
}

}  // namespace

TEST_CASE("read_elf finds DT_NEEDED, RUNPATH and the machine", "[check]") {
  ScratchDir d;
  make_layer(d.path + "/layer", d.path);
  ElfInfo e = read_elf(d.path + "/layer/bin/tool");
  REQUIRE(e.is_elf);
  CHECK(e.machine == EM_X86_64);
  CHECK(std::find(e.needed.begin(), e.needed.end(), "libdemo.so.1") != e.needed.end());
  CHECK(std::find(e.needed.begin(), e.needed.end(), "libc.so.6") != e.needed.end());
  write_text(d.path + "/notelf", "#!/bin/sh\necho hi\n");
  CHECK_FALSE(read_elf(d.path + "/notelf").is_elf);
  write_text(d.path + "/truncated", std::string("\x7f" "ELF\x02\x01\x01", 7) + std::string(60, '\xff'));
  CHECK_FALSE(read_elf(d.path + "/truncated").needed.size());
}

TEST_CASE("a complete layer passes; a deleted library is named with its binary", "[check]") {
  ScratchDir d;
  std::string root = d.path + "/layer";
  make_layer(root, d.path);
  Baseline b = runtime_with_libc();
  CHECK(check_layer(root, b, {}).empty());

  fs::remove(root + "/lib/libdemo.so.1");
  auto f = check_layer(root, b, {});
  REQUIRE(f.size() == 1);
  CHECK(f[0].kind == CheckFinding::Kind::kMissingLibrary);
  CHECK(f[0].error);
  CHECK(f[0].path == "bin/tool");
  CHECK(f[0].detail == "libdemo.so.1");
  CHECK(f[0].message().find("/opt/bin/tool needs libdemo.so.1") != std::string::npos);
}

TEST_CASE("libraries found through a symlink chain and RUNPATH $ORIGIN", "[check]") {
  ScratchDir d;
  std::string root = d.path + "/layer";
  fs::create_directories(root + "/bin");
  fs::create_directories(root + "/lib/private");
  write_text(d.path + "/demo.c", "int demo(void) { return 42; }\n");
  write_text(d.path + "/main.c", "int demo(void);\nint main(void) { return demo(); }\n");
  REQUIRE(run("gcc -shared -fPIC -Wl,-soname,libp.so.2 -o " + root + "/lib/private/libp.so.2.0 " + d.path + "/demo.c") == 0);
  fs::create_symlink("libp.so.2.0", root + "/lib/private/libp.so.2");
  REQUIRE(run("gcc -o " + root + "/bin/tool " + d.path + "/main.c -L" + root +
              "/lib/private -l:libp.so.2 -Wl,--enable-new-dtags,-rpath,'$ORIGIN/../lib/private'") == 0);
  CHECK(check_layer(root, runtime_with_libc(), {}).empty());
  fs::remove(root + "/lib/private/libp.so.2.0");
  auto f = check_layer(root, runtime_with_libc(), {});
  CHECK(has_finding(f, CheckFinding::Kind::kMissingLibrary, "bin/tool", "libp.so.2"));
  CHECK(has_finding(f, CheckFinding::Kind::kBrokenSymlink, "lib/private/libp.so.2", "libp.so.2.0"));
}

TEST_CASE("scripts, symlinks out of /opt and the elf-only mode", "[check]") {
  ScratchDir d;
  std::string root = d.path + "/layer";
  fs::create_directories(root + "/bin");
  write_text(root + "/bin/ok.sh", "#!/bin/sh\necho ok\n");
  write_text(root + "/bin/py", "#!/usr/bin/env python3\nprint(1)\n");
  write_text(root + "/bin/perlish", "#!/usr/bin/perl -w\n1;\n");
  write_text(root + "/bin/local", "#!/opt/bin/ok.sh\n");
  for (auto n : {"ok.sh", "py", "perlish", "local"}) fs::permissions(root + "/bin/" + n, fs::perms::owner_all);
  fs::create_symlink("/usr/bin/bash", root + "/bin/bash-link");
  fs::create_symlink("/usr/share/nothing", root + "/bin/gone");
  auto f = check_layer(root, runtime_with_libc(), {});
  CHECK(has_finding(f, CheckFinding::Kind::kMissingInterpreter, "bin/py", "/usr/bin/env python3"));
  CHECK(has_finding(f, CheckFinding::Kind::kMissingInterpreter, "bin/perlish", "/usr/bin/perl"));
  CHECK(has_finding(f, CheckFinding::Kind::kSymlinkOutside, "bin/gone", "/usr/share/nothing"));
  CHECK(f.size() == 3);  // ok.sh, local and bash-link are fine

  CheckOptions elf_only;
  elf_only.elf_only = true;
  CHECK(check_layer(root, runtime_with_libc(), elf_only).empty());
}

TEST_CASE("wrong architecture is reported for an aarch64 layer", "[check]") {
  ScratchDir d;
  make_layer(d.path + "/layer", d.path);
  CheckOptions arm;
  arm.arch = "aarch64";
  auto f = check_layer(d.path + "/layer", runtime_with_libc(), arm);
  CHECK(has_finding(f, CheckFinding::Kind::kWrongArchitecture, "bin/tool", "ELF machine 62"));
}

TEST_CASE("a baseline without a file list: the packages' provides and requires decide", "[check]") {
  ScratchDir d;
  std::string root = d.path + "/layer";
  make_layer(root, d.path);
  Baseline al1;  // packages only, as the built-in al1
  al1.source = "al1";
  al1.packages = {{"glibc", "", ""}};
  CheckOptions o;
  o.layer_provides = {"libdemo.so.1()(64bit)", "libdemo = 1.0-1"};
  o.layer_requires = {"libdemo.so.1()(64bit)", "libc.so.6(GLIBC_2.2.5)(64bit)", "rtld(GNU_HASH)"};
  CHECK(check_layer(root, al1, o).empty());  // libc.so.6: met by the runtime when installed

  fs::remove(root + "/lib/libdemo.so.1");
  auto f = check_layer(root, al1, o);
  REQUIRE(f.size() == 1);
  CHECK(f[0].detail == "libdemo.so.1");
  CHECK(f[0].error);  // the layer's packages provide it: it must be in the layer

  // Nothing said about a library: a warning, as before; the runtime's packages' provides count.
  CheckOptions none;
  auto w = check_layer(root, al1, none);
  CHECK(std::all_of(w.begin(), w.end(), [](const CheckFinding& x) { return !x.error; }));
  CHECK(has_finding(w, CheckFinding::Kind::kMissingLibrary, "bin/tool", "libc.so.6"));
  none.runtime_provides = {"libc.so.6()(64bit)", "glibc = 2.26"};
  CHECK_FALSE(has_finding(check_layer(root, al1, none), CheckFinding::Kind::kMissingLibrary, "bin/tool", "libc.so.6"));
}
