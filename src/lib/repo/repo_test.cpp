// Repo metadata loaded from local repos: repomd parsing, compressions, the
// solv cache, checksum checks, sqlite-only repos.
#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <thread>

#include "repo/commandline.hpp"
#include "solv/pool.hpp"
#include "server/http_server.hpp"
#include "test_support.hpp"
#include "repo/repo_test_util.hpp"
#include "yumda/checksum.hpp"
#include "yumda/error.hpp"
#include "yumda/fs.hpp"
#include "yumda/repo.hpp"
#include "yumda/sack.hpp"

using namespace yumda;
using namespace yumda::testing;
namespace fs = std::filesystem;

TEST_CASE("parse_repomd: records with checksum, location, size; open-checksum ignored") {
  std::string xml = R"(<?xml version="1.0" encoding="UTF-8"?>
<repomd xmlns="http://linux.duke.edu/metadata/repo" xmlns:rpm="http://linux.duke.edu/metadata/rpm">
  <revision>1700000000</revision>
  <data type="primary">
    <checksum type="sha256">aaaa</checksum>
    <open-checksum type="sha256">bbbb</open-checksum>
    <location href="repodata/aaaa-primary.xml.zst"/>
    <timestamp>1700000001</timestamp>
    <size>123</size>
    <open-size>456</open-size>
  </data>
  <data type="primary_db">
    <open-checksum type="sha1">dddd</open-checksum>
    <checksum type="sha">cccc</checksum>
    <location href="repodata/cccc-primary.sqlite.bz2"/>
    <size>789</size>
  </data>
</repomd>)";
  Repomd md = parse_repomd(xml, "test repomd.xml");
  CHECK(md.revision == "1700000000");
  REQUIRE(md.records.size() == 2);
  const RepomdRecord* p = md.find("primary");
  REQUIRE(p);
  CHECK(p->checksum_type == "sha256");
  CHECK(p->checksum == "aaaa");
  CHECK(p->location == "repodata/aaaa-primary.xml.zst");
  CHECK(p->size == 123);
  CHECK(p->timestamp == 1700000001);
  const RepomdRecord* db = md.find("primary_db");
  REQUIRE(db);
  CHECK(db->checksum_type == "sha");
  CHECK(db->checksum == "cccc");
  CHECK(md.find("filelists") == nullptr);
  CHECK_THROWS_WITH(parse_repomd("<html>404</html>", "http://x/repomd.xml"), Catch::Contains("http://x/repomd.xml"));
  CHECK_THROWS_WITH(parse_repomd("<repomd><data type=\"primary\"></data></repomd>", "f.xml"),
                    Catch::Contains("f.xml"));
}

TEST_CASE("repo: a local repo loads, with deps, and filelists only when asked") {
  ScratchDir dir;
  std::string repo = make_repo(dir.path);
  MainConfig main;
  main.cachedir = dir.path + "/cache";
  RepoConfig rc = repo_config("local", "file://" + repo);
  Recorder rep;
  Loaded l;
  load(l, main, rc, false, rep);
  CHECK(solvable_names(l.repo) == std::vector<std::string>{"alpha", "beta"});
  CHECK(requires_of(l.repo, "alpha") == std::vector<std::string>{"beta >= 2"});
  CHECK_FALSE(has_file(l.repo, "/opt/alpha/data.txt"));
  CHECK(l.repo->priority == -99);
  Loaded full;
  load(full, main, rc, true, rep);
  CHECK(has_file(full.repo, "/opt/alpha/data.txt"));
}

namespace {
// Re-packs REPO's primary and filelists as EXT ("zst" or "" for plain xml),
// fixing repomd.xml: this createrepo_c cannot write those itself.
void recompress(const std::string& repo, const std::string& ext) {
  std::string path = repo + "/repodata/repomd.xml";
  std::string xml = read_file(path);
  for (std::string type : {"primary", "filelists"}) {
    std::regex rec("<data type=\"" + type + "\">[\\s\\S]*?</data>");
    std::smatch m;
    REQUIRE(std::regex_search(xml, m, rec));
    std::string block = m.str();
    std::smatch href;
    REQUIRE(std::regex_search(block, href, std::regex("href=\"([^\"]+)\"")));
    std::string plain = repo + "/repodata/" + type + ".xml";
    REQUIRE(run("gzip -dc " + shell_quote(repo + "/" + href[1].str()) + " > " + shell_quote(plain)) == 0);
    std::string out = plain;
    if (ext == "zst") {
      REQUIRE(run("zstd -q --rm " + shell_quote(plain) + " -o " + shell_quote(plain + ".zst")) == 0);
      out = plain + ".zst";
    }
    std::string sum = file_digest(out, "sha256");
    block = std::regex_replace(block, std::regex("<checksum type=\"sha256\">[0-9a-f]+</checksum>"),
                               "<checksum type=\"sha256\">" + sum + "</checksum>");
    block = std::regex_replace(block, std::regex("href=\"[^\"]+\""),
                               "href=\"repodata/" + fs::path(out).filename().string() + "\"");
    xml = m.prefix().str() + block + m.suffix().str();
  }
  write_text(path, xml);
}
}  // namespace

TEST_CASE("repo: metadata in every compression loads (gz, xz, bz2, zstd, plain)") {
  for (std::string type : {"gz", "xz", "bz2", "zst", "plain"}) {
    ScratchDir dir;
    bool own = type == "zst" || type == "plain";
    std::string repo = make_repo(dir.path, "--general-compress-type=" + (own ? std::string("gz") : type));
    if (own) recompress(repo, type == "zst" ? "zst" : "");
    MainConfig main;
    main.cachedir = dir.path + "/cache";
    Loaded l;
    Recorder rep;
    INFO(type);
    load(l, main, repo_config("c", "file://" + repo), true, rep);
    CHECK(solvable_names(l.repo) == std::vector<std::string>{"alpha", "beta"});
    CHECK(has_file(l.repo, "/opt/beta/data.txt"));
  }
}

TEST_CASE("repo: the solv cache is used on the second load and a corrupt one is rebuilt silently") {
  ScratchDir dir;
  std::string repo = make_repo(dir.path);
  MainConfig main;
  main.cachedir = dir.path + "/cache";
  RepoConfig rc = repo_config("cached", "file://" + repo);
  Recorder rep;
  { Loaded l; load(l, main, rc, false, rep); }
  std::string solv = repo_cache_dir(main, rc) + "/primary.solv";
  REQUIRE(fs::exists(solv));
  CHECK(rep.count("Parsing metadata") == 1);
  {
    Loaded l;
    load(l, main, rc, false, rep);
    CHECK(solvable_names(l.repo) == std::vector<std::string>{"alpha", "beta"});
  }
  CHECK(rep.count("Parsing metadata") == 1);  // served from the cache

  for (std::string garbage : {std::string("not a solv file at all, but long enough to hold a tag......"
                                          "...................................................."),
                              std::string()}) {
    std::string bytes = read_file(solv);
    if (garbage.empty()) bytes[bytes.size() / 2] ^= 0x5a;  // damage inside, tag intact
    else bytes = garbage;
    write_text(solv, bytes);
    int parsed = rep.count("Parsing metadata");
    Loaded l;
    load(l, main, rc, false, rep);
    CHECK(solvable_names(l.repo) == std::vector<std::string>{"alpha", "beta"});
    CHECK(requires_of(l.repo, "alpha") == std::vector<std::string>{"beta >= 2"});
    CHECK(rep.count("Parsing metadata") == parsed + 1);  // rebuilt...
    Loaded again;
    load(again, main, rc, false, rep);
    CHECK(rep.count("Parsing metadata") == parsed + 1);  // ...and good again
  }
  CHECK(rep.warnings.empty());

  // new metadata misses the cache: the new package shows up
  build_rpm(dir.path + "/w", repo, pkg_spec("gamma", "1.0"));
  createrepo(repo);
  Loaded l;
  load(l, main, rc, false, rep);
  CHECK(solvable_names(l.repo) == std::vector<std::string>{"alpha", "beta", "gamma"});
}

namespace {
// A repo under DIR whose primary.xml.gz is swapped for another valid one:
// parseable (by the fast scanner too), but not what repomd lists. Returns
// the repo; PRIMARY is set to the swapped file.
std::string repo_with_swapped_primary(const std::string& dir, std::string& primary) {
  std::string repo = make_repo(dir, "--general-compress-type=gz");
  std::string other = make_repo(dir + "/other", "--general-compress-type=gz");
  build_rpm(dir + "/w", other, pkg_spec("gamma", "1.0"));
  createrepo(other, "--general-compress-type=gz");
  auto primary_in = [](const std::string& r) {
    for (auto& e : fs::directory_iterator(r + "/repodata"))
      if (e.path().filename().string().find("-primary.xml") != std::string::npos) return e.path().string();
    return std::string();
  };
  primary = primary_in(repo);
  fs::copy_file(primary_in(other), primary, fs::copy_options::overwrite_existing);
  return repo;
}

void check_mismatch_error(const std::string& msg, const std::string& primary) {
  CHECK(msg.find(fs::path(primary).filename().string()) != std::string::npos);
  CHECK(msg.find("does not match") != std::string::npos);
  CHECK(msg.find("repo bad") != std::string::npos);
  CHECK(msg.find('\n') == std::string::npos);
}
}  // namespace

TEST_CASE("repo: a primary whose checksum does not match repomd is an error naming the file") {
  ScratchDir dir;
  std::string primary;
  std::string repo = repo_with_swapped_primary(dir.path, primary);
  MainConfig main;
  main.cachedir = dir.path + "/cache";
  Recorder rep;
  Loaded l;
  check_mismatch_error(error_of([&] { load(l, main, repo_config("bad", "file://" + repo), false, rep); }), primary);
}

// A cold install checks primary while it scans it for the dep index
// (make_repo_index): the same error, and nothing left in the cache that a
// later run could use.
TEST_CASE("sack: a cold reachable load of a primary that does not match repomd fails and writes no index") {
  ScratchDir dir;
  std::string primary;
  std::string repo = repo_with_swapped_primary(dir.path, primary);
  Config config;
  config.main.cachedir = dir.path + "/cache";
  config.repos.push_back(repo_config("bad", "file://" + repo));
  Fetcher fetcher{FetchOptions{}};
  Recorder rep;
  auto nothing_usable = [&] {
    for (auto& e : fs::recursive_directory_iterator(config.main.cachedir)) {
      std::string name = e.path().filename().string();
      CHECK(name.find("deps.idx") == std::string::npos);
      CHECK(name.find(".solv") == std::string::npos);
      if (name == "verified") CHECK(read_file(e.path()).find(primary) == std::string::npos);
    }
  };
  for (int run = 0; run < 2; ++run) {  // the second finds nothing to trust either
    Sack sack(config, fetcher, false, rep);
    check_mismatch_error(error_of([&] { sack.load_reachable({"alpha"}, {}); }), primary);
    nothing_usable();
  }
  {
    Sack sack(config, fetcher, false, rep);
    check_mismatch_error(error_of([&] { sack.load(false); }), primary);
    nothing_usable();
  }
  // skip_if_unavailable=1: the repo is skipped with the same words, as when the fetch checked it
  config.repos[0].skip_if_unavailable = true;
  Sack sack(config, fetcher, false, rep);
  rep.warnings.clear();
  CHECK_FALSE(sack.load_reachable({"alpha"}, {}));
  REQUIRE(rep.warnings.size() == 1);
  check_mismatch_error(rep.warnings[0], primary);
  CHECK(rep.warnings[0].find("skipping repo bad (skip_if_unavailable=1)") != std::string::npos);
  nothing_usable();
}

TEST_CASE("sack: a cold reachable load of a good primary stamps it verified and writes the index") {
  ScratchDir dir;
  std::string repo = make_repo(dir.path, "--general-compress-type=gz");
  Config config;
  config.main.cachedir = dir.path + "/cache";
  config.repos.push_back(repo_config("good", "file://" + repo));
  Fetcher fetcher{FetchOptions{}};
  Recorder rep;
  Sack sack(config, fetcher, false, rep);
  REQUIRE(sack.load_reachable({"alpha"}, {}));
  CHECK(sack.partial());
  std::string verified = read_file(repo_cache_dir(config.main, config.repos[0]) + "/verified");
  CHECK(verified.find("-primary.xml.gz") != std::string::npos);
  CHECK(path_exists(repo_cache_dir(config.main, config.repos[0]) + "/deps.idx"));
}

TEST_CASE("repo: the real createrepo_c repo_01 fixture has a mismatching primary") {
  YUMDA_REQUIRE_SHARED(shared);
  std::string repo = shared + "/fixtures/real/createrepo_c/tests/testdata/repo_01";
  ScratchDir dir;
  MainConfig main;
  main.cachedir = dir.path;
  Recorder rep;
  Loaded l;
  std::string msg = error_of([&] { load(l, main, repo_config("repo_01", "file://" + repo), false, rep); });
  CHECK(msg.find("6c662d665c24de9a0f62c17d8fa50622307739d7376f0d19097ca96c6d7f5e3e-primary.xml.gz") !=
        std::string::npos);
  CHECK(msg.find("does not match") != std::string::npos);
}

namespace {
// Rewrites REPO's repomd.xml without the xml primary/filelists/other records
// and deletes those files, as a sqlite-only (Amazon Linux 2 style) repo.
void make_sqlite_only(const std::string& repo) {
  std::string path = repo + "/repodata/repomd.xml";
  std::string xml = read_file(path);
  for (std::string type : {"primary", "filelists", "other", "primary_zck", "filelists_zck", "other_zck"}) {
    std::regex rec("<data type=\"" + type + "\">[\\s\\S]*?</data>");
    std::smatch m;
    if (std::regex_search(xml, m, rec)) {
      std::smatch href;
      std::string block = m.str();
      if (std::regex_search(block, href, std::regex("href=\"([^\"]+)\""))) fs::remove(repo + "/" + href[1].str());
      xml = m.prefix().str() + m.suffix().str();
    }
  }
  write_text(path, xml);
}
}  // namespace

TEST_CASE("repo: a sqlite-only repo loads from primary_db and filelists_db") {
  ScratchDir dir;
  std::string repo = make_repo(dir.path, "--database");
  make_sqlite_only(repo);
  REQUIRE(read_file(repo + "/repodata/repomd.xml").find("\"primary\"") == std::string::npos);
  MainConfig main;
  main.cachedir = dir.path + "/cache";
  RepoConfig rc = repo_config("sq", "file://" + repo);
  Recorder rep;
  Loaded l;
  load(l, main, rc, false, rep);
  CHECK(solvable_names(l.repo) == std::vector<std::string>{"alpha", "beta"});
  CHECK(requires_of(l.repo, "alpha") == std::vector<std::string>{"beta >= 2"});
  CHECK_FALSE(has_file(l.repo, "/opt/alpha/data.txt"));
  Id p;
  Solvable* s;
  FOR_REPO_SOLVABLES(l.repo, p, s) {
    CHECK(solvable_lookup_location(s, nullptr) ==
          std::string(pool_id2str(l.repo->pool, s->name)) + "-" + pool_id2str(l.repo->pool, s->evr) + ".noarch.rpm");
    Id type = 0;
    CHECK(solvable_lookup_checksum(s, SOLVABLE_CHECKSUM, &type) != nullptr);
    CHECK(solvable_lookup_num(s, SOLVABLE_BUILDTIME, 0) == 1700000000);
    CHECK(solvable_lookup_str(s, SOLVABLE_LICENSE) == std::string("MIT"));
  }
  Loaded full;
  load(full, main, rc, true, rep);
  CHECK(has_file(full.repo, "/opt/alpha/data.txt"));
  // no unpacked database is left behind in the cache
  for (auto& e : fs::directory_iterator(repo_cache_dir(main, rc)))
    CHECK(e.path().filename().string().find("unpacked") == std::string::npos);
}

TEST_CASE("repo: the real repo_with_additional_metadata loads from its sqlite files alone") {
  YUMDA_REQUIRE_SHARED(shared);
  ScratchDir dir;
  std::string repo = dir.path + "/repo";
  fs::copy(shared + "/fixtures/real/createrepo_c/tests/testdata/repo_with_additional_metadata", repo,
           fs::copy_options::recursive);
  MainConfig main;
  main.cachedir = dir.path + "/cache";
  RepoConfig rc = repo_config("extra", "file://" + repo);
  Recorder rep;
  Loaded xml;
  load(xml, main, rc, true, rep);
  auto names = solvable_names(xml.repo);
  REQUIRE_FALSE(names.empty());
  for (auto& e : fs::recursive_directory_iterator(repo)) fs::permissions(e.path(), fs::perms::owner_write, fs::perm_options::add);
  make_sqlite_only(repo);
  Loaded sq;
  load(sq, main, rc, true, rep);
  CHECK(solvable_names(sq.repo) == names);
}

TEST_CASE("repo: pool arch and priorities") {
  CHECK_NOTHROW(yumda::Pool("aarch64"));
  CHECK_NOTHROW(yumda::Pool("x86_64"));
}

TEST_CASE("repo: a primary that is not rpm-md is an error naming the file") {
  ScratchDir dir;
  std::string garbage = "this is not xml at all <<<";
  write_text(dir.path + "/repo/repodata/primary.xml", garbage);
  write_text(dir.path + "/repo/repodata/repomd.xml",
             "<repomd><data type=\"primary\"><checksum type=\"sha256\">" + string_digest(garbage, "sha256") +
                 "</checksum><location href=\"repodata/primary.xml\"/></data></repomd>");
  MainConfig main;
  main.cachedir = dir.path + "/cache";
  Recorder rep;
  Loaded l;
  std::string msg = error_of([&] { load(l, main, repo_config("junk", "file://" + dir.path + "/repo"), false, rep); });
  INFO(msg);
  CHECK(msg.find("repo junk") != std::string::npos);
  CHECK(msg.find('\n') == std::string::npos);
  CHECK(msg.find(dir.path + "/repo/repodata/primary.xml") != std::string::npos);
  // and a repomd.xml that is not one names itself
  write_text(dir.path + "/repo/repodata/repomd.xml", "<html>Not Found</html>");
  msg = error_of([&] { load(l, main, repo_config("junk", "file://" + dir.path + "/repo"), false, rep); });
  CHECK(msg.find(dir.path + "/repo/repodata/repomd.xml") != std::string::npos);
}
