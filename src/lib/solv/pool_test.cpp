#include <catch2/catch.hpp>

#include <cstdio>
#include <cstring>

#include "solv/pool.hpp"
#include "yumda/error.hpp"

using namespace yumda;

namespace {

constexpr char kPrimary[] = R"XML(<?xml version="1.0" encoding="UTF-8"?>
<metadata xmlns="http://linux.duke.edu/metadata/common" xmlns:rpm="http://linux.duke.edu/metadata/rpm" packages="2">
<package type="rpm"><name>perl-Git</name><arch>noarch</arch><version epoch="4" ver="1.8.3.1" rel="23.amzn2"/>
<checksum type="sha256" pkgid="YES">aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa</checksum><location href="p/perl-Git.rpm"/>
<format><rpm:provides><rpm:entry name="perl(Git)" flags="EQ" epoch="0" ver="1.8"/></rpm:provides>
<rpm:requires><rpm:entry name="/bin/sh" pre="1"/><rpm:entry name="git" flags="GE" epoch="0" ver="1.8"/></rpm:requires>
<file>/usr/share/perl5/Git.pm</file></format></package>
<package type="rpm"><name>git</name><arch>x86_64</arch><version epoch="0" ver="1.8.3.1" rel="23"/>
<checksum type="sha256" pkgid="YES">bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb</checksum><location href="p/git.rpm"/>
<format><file>/usr/bin/git</file></format></package>
</metadata>
)XML";

Repo* load(yumda::Pool& pool) {
  Repo* repo = repo_create(pool.get(), "r");
  FILE* fp = fmemopen(const_cast<char*>(kPrimary), std::strlen(kPrimary), "r");
  REQUIRE(fp);
  int rc = repo_add_rpmmd(repo, fp, nullptr, 0);
  INFO(pool_errstr(pool.get()));
  REQUIRE(rc == 0);
  fclose(fp);
  pool_createwhatprovides(pool.get());
  return repo;
}

}  // namespace

TEST_CASE("Pool: set up for RPM on both Lambda arches", "[solv]") {
  CHECK(yumda::Pool("aarch64").get()->disttype == DISTTYPE_RPM);
  CHECK(yumda::Pool("x86_64").get()->disttype == DISTTYPE_RPM);
}

TEST_CASE("Pool: NEVRA, deps as strings and the live solvables", "[solv]") {
  yumda::Pool pool("x86_64");
  load(pool);
  std::vector<std::string> names;
  for (Id id : pool.solvables()) names.push_back(pool.nevra(id).str());
  REQUIRE(names == std::vector<std::string>{"perl-Git-4:1.8.3.1-23.amzn2.noarch", "git-1.8.3.1-23.x86_64"});
  Id perl_git = *pool.solvables().begin();
  Nevra n = pool.nevra(perl_git);
  CHECK(n.epoch == "4");
  CHECK(n.version == "1.8.3.1");
  CHECK(n.release == "23.amzn2");
  CHECK(pool.available(perl_git));
  CHECK_FALSE(pool.in_installed(perl_git));
  // libsolv keeps pre-requires after a marker in the same array: not a dependency.
  CHECK(pool.deps(perl_git, SOLVABLE_REQUIRES) == std::vector<std::string>{"git >= 1.8", "/bin/sh"});
  auto provides = pool.deps(perl_git, SOLVABLE_PROVIDES);
  CHECK(std::find(provides.begin(), provides.end(), "perl(Git) = 1.8") != provides.end());
  std::vector<std::string> walked;
  pool.for_each_dep(perl_git, pool.solvable(perl_git)->solv_requires,
                    [&](Id dep) { walked.emplace_back(pool.dep_str(dep)); });
  CHECK(walked == pool.deps(perl_git, SOLVABLE_REQUIRES));
  // A freed slot is skipped.
  Repo* extra = repo_create(pool.get(), "extra");
  Id gone = repo_add_solvable(extra);
  repo_free_solvable(extra, gone, 1);
  size_t count = 0;
  for (Id id : pool.solvables()) count += id == gone ? 100 : 1;
  CHECK(count == 2);
}

TEST_CASE("Pool: parse_dep reads back what deps() prints", "[solv]") {
  yumda::Pool pool("x86_64");
  for (std::string text : {"git", "git >= 0:1.8", "perl(Git) = 1.8-1", "libc.so.6()(64bit)", "(a or b)"})
    CHECK(pool.dep_str(pool.parse_dep(text)) == text);
  CHECK(pool.dep_str(pool.parse_dep("  git < 2  ")) == std::string("git < 2"));
  CHECK(pool.parse_dep("   ") == 0);
}

TEST_CASE("DataIterator walks a package's files and frees itself", "[solv]") {
  yumda::Pool pool("x86_64");
  load(pool);
  std::vector<std::string> files;
  for (Id id : pool.solvables()) {
    DataIterator di(pool, id, SOLVABLE_FILELIST, SEARCH_FILES | SEARCH_COMPLETE_FILELIST);
    while (di.step()) files.emplace_back(di.str());
  }
  CHECK(files == std::vector<std::string>{"/usr/share/perl5/Git.pm", "/usr/bin/git"});
}
