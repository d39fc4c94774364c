// Helpers shared by the extract tests: reading a stage, crafting cpio
// payloads and RPMs around them, a sandbox that shows what escaped.
#pragma once
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

namespace yumda::testing {

namespace fs = std::filesystem;

inline struct stat lstat_of(const std::string& path) {
  struct stat st {};
  REQUIRE(lstat(path.c_str(), &st) == 0);
  return st;
}

// Every name under DIR, relative, sorted.
inline std::vector<std::string> tree(const std::string& dir) {
  std::vector<std::string> out;
  for (auto& e : fs::recursive_directory_iterator(dir)) out.push_back(e.path().lexically_relative(dir).string());
  std::sort(out.begin(), out.end());
  return out;
}

inline ExtractResult extract(const std::string& rpm, const std::string& stage, const ExtractOptions& opts = {}) {
  return extract_rpm(rpm, read_rpm_header(rpm), stage, opts);
}

inline const ExtractedFile* listed(const ExtractResult& r, const std::string& path) {
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

inline std::string make_cpio(const std::vector<CpioEntry>& entries, bool xz = true) {
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
inline std::string hostile_rpm(const std::string& dir, const std::string& name, const std::string& payload) {
  std::string base = build_rpm(dir + "/w", dir + "/out",
                               simple_spec("evil", "1", "", "mkdir -p %{buildroot}/opt\necho ok > %{buildroot}/opt/ok", "/opt/ok"));
  RpmHeaderInfo info = read_rpm_header(base);
  std::string bytes = read_file(base).substr(0, info.payload_offset) + payload;
  std::string out = dir + "/" + name + ".rpm";
  std::ofstream(out, std::ios::binary) << bytes;
  return out;
}

// Extracts RPM like extract_rpm() but without the header check (detail API).
inline ExtractResult extract_unchecked(const std::string& rpm, const std::string& stage, bool openat2) {
  RpmHeaderInfo info = read_rpm_header(rpm);
  UniqueFd fd(open(rpm.c_str(), O_RDONLY));
  if (lseek(fd.get(), static_cast<off_t>(info.payload_offset), SEEK_SET) < 0) throw Error("seek");
  detail::PayloadSource src{info.nevra.str(), "opt", &info, rpm, openat2, true, true, false};
  return detail::extract_payload_fd(fd.get(), src, stage, {});
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

inline const std::string kHelloSpecInstall =
    "mkdir -p %{buildroot}/opt/bin %{buildroot}/opt/lib %{buildroot}/opt/empty/dir %{buildroot}/etc\n"
    "printf '#!/bin/sh\\necho hello\\n' > %{buildroot}/opt/bin/hello\nchmod 0755 %{buildroot}/opt/bin/hello\n"
    "echo lib > %{buildroot}/opt/lib/libhello.so.1.0\n"
    "ln -s libhello.so.1.0 %{buildroot}/opt/lib/libhello.so.1\n"
    "ln -s /opt/lib/libhello.so.1 %{buildroot}/opt/lib/libhello.so\n"
    "echo outside > %{buildroot}/etc/hello.conf\n";
inline const std::string kHelloSpecFiles =
    "/opt/bin/hello\n/opt/lib/libhello.so.1.0\n/opt/lib/libhello.so.1\n/opt/lib/libhello.so\n"
    "%dir /opt/empty\n%dir /opt/empty/dir\n/etc/hello.conf\n";

}  // namespace yumda::testing
