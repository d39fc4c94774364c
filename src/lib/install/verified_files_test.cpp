#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "install/verified_files.hpp"
#include "yumda/fs.hpp"

using namespace yumda;

namespace {

struct Dir {
  std::string path;
  Dir() {
    std::string t = (std::filesystem::temp_directory_path() / "yumda-verified-XXXXXX").string();
    path = mkdtemp(t.data());
  }
  ~Dir() { std::filesystem::remove_all(path); }
};

// Adds a hard link to FILE and drops it: only FILE's ctime changes.
void link_and_unlink(const std::string& file) {
  REQUIRE(link(file.c_str(), (file + ".link").c_str()) == 0);
  REQUIRE(unlink((file + ".link").c_str()) == 0);
}

}  // namespace

TEST_CASE("verified files: trusted while unchanged, across a save", "[verified]") {
  Dir d;
  const std::string f = d.path + "/blob", list = d.path + "/list";
  write_file_atomic(f, "content");
  {
    VerifiedFiles v(list);
    CHECK_FALSE(v.has(f, "sha256:x"));
    v.add(f, "sha256:x");
    CHECK(v.has(f, "sha256:x"));
    CHECK_FALSE(v.has(f, "sha256:y"));  // another check is not this one
    v.save();
  }
  VerifiedFiles again(list);
  CHECK(again.has(f, "sha256:x"));
  link_and_unlink(f);  // a ctime change alone
  CHECK_FALSE(again.has(f, "sha256:x"));
}

TEST_CASE("verified files: renew takes a new ctime, never a new size, mtime or inode", "[verified]") {
  Dir d;
  const std::string f = d.path + "/blob", g = d.path + "/other", list = d.path + "/list";
  write_file_atomic(f, "content");
  write_file_atomic(g, "content");
  VerifiedFiles v(list);
  v.add(f, "w");
  v.add(g, "w");
  link_and_unlink(f);
  v.renew(f, "w");
  CHECK(v.has(f, "w"));
  {
    // A same-size write with the mtime put back: only the ctime is new, but
    // renew() is for yumda's own links; this is why it runs only on files the
    // run linked, right after its commit point.
    struct stat st;
    REQUIRE(stat(g.c_str(), &st) == 0);
    int fd = open(g.c_str(), O_WRONLY);
    REQUIRE(fd >= 0);
    REQUIRE(pwrite(fd, "X", 1, 0) == 1);
    const timespec times[2] = {st.st_atim, st.st_mtim};
    REQUIRE(futimens(fd, times) == 0);
    close(fd);
  }
  CHECK_FALSE(v.has(g, "w"));
  write_file_atomic(f, "content");  // replaced: another inode
  v.renew(f, "w");
  CHECK_FALSE(v.has(f, "w"));
  v.save();
  CHECK_FALSE(VerifiedFiles(list).has(f, "w"));
}

TEST_CASE("verified files: a list of garbage or a fifo is an empty list", "[verified]") {
  Dir d;
  const std::string f = d.path + "/blob", list = d.path + "/list";
  write_file_atomic(f, "content");
  struct stat st;
  REQUIRE(stat(f.c_str(), &st) == 0);
  write_file_atomic(list, std::string("\t\t\nno tabs\n") + file_identity(st) + " \tw\t" + f + "\n");
  CHECK_FALSE(VerifiedFiles(list).has(f, "w"));  // an identity that is not the file's
  std::filesystem::remove(list);
  REQUIRE(mkfifo(list.c_str(), 0600) == 0);
  VerifiedFiles v(list);  // must not block
  CHECK_FALSE(v.has(f, "w"));
  v.add(f, "w");
  v.save();  // replaces the fifo
  CHECK(std::filesystem::is_regular_file(list));
  CHECK(VerifiedFiles(list).has(f, "w"));
}
