// Repo metadata over http: the cache and its refresh, mirror lists, rollback,
// damaged cached files, leftovers of killed runs, retries.
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

TEST_CASE("repo: http repos are fetched into the cache, reused while fresh, and errors name the repo") {
  ScratchDir dir;
  std::string repo = make_repo(dir.path);
  MainConfig main;
  main.cachedir = dir.path + "/cache";
  Recorder rep;
  Fetcher fetcher{quick_fetch()};
  PythonHttpServer server(dir.path);
  RepoConfig rc = repo_config("web", server.url());
  rc.baseurls.insert(rc.baseurls.begin(), "http://127.0.0.1:1/nothing");  // failover to the second
  {
    RepoMetadata md = fetch_repo_metadata(main, rc, fetcher, false, false, rep);
    CHECK(md.baseurl == server.url());
    CHECK(md.dir == repo_cache_dir(main, rc));
    CHECK(md.dir.rfind(main.cachedir + "/repos/web-", 0) == 0);
    CHECK(fs::exists(md.dir + "/repomd.xml"));
    CHECK(fs::path(md.primary_path).parent_path() == md.dir);
    CHECK(fs::exists(md.primary_path));
    CHECK(md.filelists_path.empty());
    Loaded l;
    l.repo = load_repo(l.pool, md, rc, main.cachedir, false, rep);
    CHECK(solvable_names(l.repo) == std::vector<std::string>{"alpha", "beta"});
  }
  server.stop();
  // fresh cache: no network needed, also with --cacheonly
  CHECK_NOTHROW(fetch_repo_metadata(main, rc, fetcher, false, false, rep));
  CHECK_NOTHROW(fetch_repo_metadata(main, rc, fetcher, true, false, rep));
  // expired: the server is gone, so the error names the repo and the fix
  rc.metadata_expire = 0;
  std::string msg = error_of([&] { fetch_repo_metadata(main, rc, fetcher, false, false, rep); });
  CHECK(msg.rfind("cannot download repomd.xml of repo web from ", 0) == 0);
  CHECK(msg.find("--disablerepo=web") != std::string::npos);
  CHECK(msg.find("skip_if_unavailable=1") != std::string::npos);
  // never expires
  rc.metadata_expire = kNever;
  CHECK_NOTHROW(fetch_repo_metadata(main, rc, fetcher, false, false, rep));
  // cacheonly with no cache names the repo and makecache
  main.cachedir = dir.path + "/empty-cache";
  msg = error_of([&] { fetch_repo_metadata(main, rc, fetcher, true, false, rep); });
  CHECK(msg.find("repo web") != std::string::npos);
  CHECK(msg.find("yumda makecache") != std::string::npos);
}

TEST_CASE("repo: an http repo refreshes changed metadata and keeps unchanged files") {
  ScratchDir dir;
  std::string repo = make_repo(dir.path);
  MainConfig main;
  main.cachedir = dir.path + "/cache";
  Recorder rep;
  Fetcher fetcher{quick_fetch()};
  PythonHttpServer server(dir.path);
  RepoConfig rc = repo_config("web", server.url());
  rc.metadata_expire = 0;
  RepoMetadata first = fetch_repo_metadata(main, rc, fetcher, false, true, rep);
  auto mtime = fs::last_write_time(first.filelists_path);
  RepoMetadata again = fetch_repo_metadata(main, rc, fetcher, false, true, rep);
  CHECK(again.filelists_path == first.filelists_path);
  CHECK(fs::last_write_time(again.filelists_path) == mtime);  // not downloaded again
  build_rpm(dir.path + "/w", repo, pkg_spec("gamma", "1.0"));
  createrepo(repo);
  RepoMetadata changed = fetch_repo_metadata(main, rc, fetcher, false, false, rep);
  CHECK(changed.repomd_checksum != first.repomd_checksum);
  CHECK_FALSE(fs::exists(first.primary_path));  // the old revision's file is pruned
  Loaded l;
  l.repo = load_repo(l.pool, changed, rc, main.cachedir, false, rep);
  CHECK(solvable_names(l.repo) == std::vector<std::string>{"alpha", "beta", "gamma"});
}

TEST_CASE("repo: mirrorlist= gives the base URLs, tried after baseurl=, cached like repomd.xml") {
  ScratchDir dir;
  make_repo(dir.path);
  MainConfig main;
  main.cachedir = dir.path + "/cache";
  Recorder rep;
  Fetcher fetcher{quick_fetch()};
  TestServer server(dir.path);
  const std::string dead = "http://127.0.0.1:1/nothing";
  write_text(dir.path + "/mirror.list", "# yum mirrorlist\n\n  " + dead + "  \n" + server.url("repo") + "\n" +
                                            "not a url\n" + server.url("repo") + "\n");
  RepoConfig rc;
  rc.id = "mirrored";
  rc.retries = 0;
  rc.timeout = 5;
  rc.mirrorlist = server.url("mirror.list");

  SECTION("without baseurl=, the mirrors are the base URLs, in order, first working one answers") {
    RepoMetadata md = fetch_repo_metadata(main, rc, fetcher, false, false, rep);
    CHECK(md.baseurls == std::vector<std::string>{dead, server.url("repo")});
    CHECK(md.baseurl == server.url("repo"));
    Loaded l;
    l.repo = load_repo(l.pool, md, rc, main.cachedir, false, rep);
    CHECK(solvable_names(l.repo) == std::vector<std::string>{"alpha", "beta"});
    CHECK(requests_for(server, "/mirror.list") == 1);
    // fresh: neither the mirrorlist nor repomd.xml is asked for again; -C works with the server gone
    CHECK_NOTHROW(fetch_repo_metadata(main, rc, fetcher, false, false, rep));
    CHECK(requests_for(server, "/mirror.list") == 1);
    CHECK(requests_for(server, "/repo/repodata/repomd.xml") == 1);
    server.stop();
    RepoMetadata cached = fetch_repo_metadata(main, rc, fetcher, true, false, rep);
    CHECK(cached.baseurls == md.baseurls);
  }
  SECTION("an expired mirrorlist is fetched again") {
    rc.metadata_expire = 0;
    fetch_repo_metadata(main, rc, fetcher, false, false, rep);
    fetch_repo_metadata(main, rc, fetcher, false, false, rep);
    CHECK(requests_for(server, "/mirror.list") == 2);
  }
  SECTION("Amazon Linux 2 style: one URL, no newline") {
    write_text(dir.path + "/mirror.list", server.url("repo"));
    RepoMetadata md = fetch_repo_metadata(main, rc, fetcher, false, false, rep);
    CHECK(md.baseurls == std::vector<std::string>{server.url("repo")});
  }
  SECTION("baseurl= first, mirrors after it") {
    rc.baseurls = {"http://127.0.0.1:1/base"};
    write_text(dir.path + "/mirror.list", server.url("repo") + "\n");
    RepoMetadata md = fetch_repo_metadata(main, rc, fetcher, false, false, rep);
    CHECK(md.baseurls == std::vector<std::string>{"http://127.0.0.1:1/base", server.url("repo")});
    CHECK(md.baseurl == server.url("repo"));
  }
  SECTION("a missing mirrorlist: an error naming it without baseurl=, a warning with one") {
    rc.mirrorlist = server.url("no-such.list");
    std::string msg = error_of([&] { fetch_repo_metadata(main, rc, fetcher, false, false, rep); });
    INFO(msg);
    CHECK(msg.find("mirrorlist of repo mirrored") != std::string::npos);
    CHECK(msg.find(rc.mirrorlist) != std::string::npos);
    CHECK(msg.find('\n') == std::string::npos);
    rc.baseurls = {server.url("repo")};
    RepoMetadata md = fetch_repo_metadata(main, rc, fetcher, false, false, rep);
    CHECK(md.baseurl == server.url("repo"));
    REQUIRE(rep.warnings.size() == 1);
    CHECK(rep.warnings[0].find("using baseurl= only") != std::string::npos);
  }
  SECTION("a mirrorlist with no URL in it is an error, asked again next time") {
    write_text(dir.path + "/mirror.list", "# nothing here\n\n");
    std::string msg = error_of([&] { fetch_repo_metadata(main, rc, fetcher, false, false, rep); });
    CHECK(msg.find("lists no base URL") != std::string::npos);
    write_text(dir.path + "/mirror.list", server.url("repo") + "\n");
    CHECK_NOTHROW(fetch_repo_metadata(main, rc, fetcher, false, false, rep));
  }
  SECTION("-C without a cached mirrorlist names makecache") {
    std::string msg = error_of([&] { fetch_repo_metadata(main, rc, fetcher, true, false, rep); });
    CHECK(msg.find("yumda makecache") != std::string::npos);
    CHECK(requests_for(server, "/mirror.list") == 0);
  }
}

namespace {
// REPO's repomd.xml with its revision and every record timestamp DELTA seconds earlier.
void age_repomd(const std::string& repo, long delta) {
  std::string path = repo + "/repodata/repomd.xml";
  std::string text = read_file(path);
  for (const std::string tag : {"<revision>", "<timestamp>"}) {
    for (size_t at = text.find(tag); at != std::string::npos; at = text.find(tag, at + 1)) {
      size_t b = at + tag.size(), e = text.find('<', b);
      text.replace(b, e - b, std::to_string(std::stol(text.substr(b, e - b)) - delta));
    }
  }
  write_text(path, text);
}
}  // namespace

// A repo made by make_repo, served by the test server as repo "web", and an empty cache.
struct ServedRepo {
  ScratchDir dir;
  std::string repo = make_repo(dir.path);
  MainConfig main;
  Recorder rep;
  Fetcher fetcher{quick_fetch()};
  TestServer server{dir.path};
  RepoConfig rc = repo_config("web", server.url("repo"));
  ServedRepo() { main.cachedir = dir.path + "/cache"; }
};

TEST_CASE("repo: a repomd.xml older than the cached one is refused (rollback), the cache kept") {
  ServedRepo f;
  auto& [dir, repo, main, rep, fetcher, server, rc] = f;
  rc.metadata_expire = 0;
  RepoMetadata first = fetch_repo_metadata(main, rc, fetcher, false, false, rep);
  const std::string cached = read_file(first.repomd_path);
  const std::string revision = first.repomd.revision;
  age_repomd(repo, 1000);
  std::string msg = error_of([&] { fetch_repo_metadata(main, rc, fetcher, false, false, rep); });
  CHECK(msg == "repomd.xml of repo web from " + server.url("repo") + "/repodata/repomd.xml is older than the one "
               "in the cache (revision " + std::to_string(std::stol(revision) - 1000) + " < " + revision +
               "): a mirror that is behind, or old metadata replayed (a rollback); keeping the cached one (if the "
               "repo really went back, run `yumda clean metadata`)");
  CHECK(read_file(first.repomd_path) == cached);
  // the same revision again is not a rollback; a newer one is taken
  write_text(repo + "/repodata/repomd.xml", cached);
  CHECK_NOTHROW(fetch_repo_metadata(main, rc, fetcher, false, false, rep));
  // after `clean metadata` (the cache gone) the older one is accepted
  fs::remove_all(first.dir);
  age_repomd(repo, 1000);
  CHECK(fetch_repo_metadata(main, rc, fetcher, false, false, rep).repomd.revision != revision);

  // A mirror list naming another directory (AL2023: another release) is another
  // repo: older metadata there is no rollback. The same directory going back is.
  fs::copy(repo, dir.path + "/older", fs::copy_options::recursive);
  write_text(repo + "/repodata/repomd.xml", cached);
  RepoConfig ml = repo_config("al", "");
  ml.baseurls.clear();
  ml.mirrorlist = server.url("mirror.list");
  ml.metadata_expire = 0;
  write_text(dir.path + "/mirror.list", server.url("repo") + "\n");
  CHECK(fetch_repo_metadata(main, ml, fetcher, false, false, rep).repomd.revision == revision);
  write_text(dir.path + "/mirror.list", server.url("older") + "\n");
  CHECK(fetch_repo_metadata(main, ml, fetcher, false, false, rep).repomd.revision != revision);
  age_repomd(dir.path + "/older", 10);
  CHECK_THAT(error_of([&] { fetch_repo_metadata(main, ml, fetcher, false, false, rep); }),
             Catch::Contains("is older than the one in the cache"));
}

TEST_CASE("repo: damaged cached metadata is fetched again, not trusted and not fatal") {
  ServedRepo f;
  auto& [dir, repo, main, rep, fetcher, server, rc] = f;  // metadata_expire default: the cache is fresh
  RepoMetadata first = fetch_repo_metadata(main, rc, fetcher, false, false, rep);
  const std::string good = read_file(first.repomd_path);
  auto loads = [&] {
    RepoMetadata md = fetch_repo_metadata(main, rc, fetcher, false, false, rep);
    Loaded l;
    l.repo = load_repo(l.pool, md, rc, main.cachedir, false, rep);
    CHECK(solvable_names(l.repo) == std::vector<std::string>{"alpha", "beta"});
    return md;
  };
  SECTION("a truncated repomd.xml") {
    write_text(first.repomd_path, good.substr(0, good.size() / 2));
    CHECK_NOTHROW(loads());
    CHECK(read_file(first.repomd_path) == good);
  }
  SECTION("an altered checksum in the cached repomd.xml") {
    std::string text = good;
    size_t at = text.find(first.repomd.find("primary")->checksum);
    text[at] = text[at] == 'a' ? 'b' : 'a';
    write_text(first.repomd_path, text);
    CHECK_NOTHROW(loads());
    CHECK(read_file(first.repomd_path) == good);
  }
  SECTION("a same-size corrupt primary") {
    std::string bytes = read_file(first.primary_path);
    bytes[bytes.size() / 2] ^= 0x55;
    write_text(first.primary_path, bytes);
    RepoMetadata md = loads();
    CHECK(file_digest(md.primary_path, "sha256") == first.repomd.find("primary")->checksum);
  }
  SECTION("a primary the repo no longer serves: one line naming the file, the repo and the URL once") {
    std::string bytes = read_file(first.primary_path);
    bytes[bytes.size() / 2] ^= 0x55;
    write_text(first.primary_path, bytes);
    const std::string href = first.repomd.find("primary")->location;
    fs::remove(dir.path + "/repo/" + href);
    std::string msg = error_of([&] { fetch_repo_metadata(main, rc, fetcher, false, false, rep); });
    CHECK(msg == "cannot download " + fs::path(href).filename().string() + " of web from " + server.url("repo") + "/" +
                     href + ": HTTP 404 (check baseurl=, or use --disablerepo=web / skip_if_unavailable=1)");
  }
  SECTION("-C cannot refetch: the damage is named") {
    write_text(first.repomd_path, good.substr(0, good.size() / 2));
    std::string msg = error_of([&] { fetch_repo_metadata(main, rc, fetcher, true, false, rep); });
    CHECK(msg.find(first.repomd_path) != std::string::npos);
  }
}

TEST_CASE("repo: repomd.xml.new.PID left by a killed run is pruned once PID is gone, a live run's kept") {
  ServedRepo f;
  auto& [dir, repo, main, rep, fetcher, server, rc] = f;
  RepoMetadata first = fetch_repo_metadata(main, rc, fetcher, false, false, rep);
  pid_t dead = fork();
  REQUIRE(dead >= 0);
  if (dead == 0) _exit(0);
  REQUIRE(waitpid(dead, nullptr, 0) == dead);
  const std::string d = std::to_string(dead), live = std::to_string(getppid());
  for (const std::string& name : {"repomd.xml.new." + d, "repomd.xml.asc.new." + d, "repomd.xml.new." + d + ".part",
                                 "repomd.xml.new." + live, std::string("repomd.xml.new.x1")})
    write_text(first.dir + "/" + name, "<repomd/>");
  // The cache is fresh: a run that refreshes nothing prunes them too.
  CHECK_NOTHROW(fetch_repo_metadata(main, rc, fetcher, false, false, rep));
  CHECK_FALSE(fs::exists(first.dir + "/repomd.xml.new." + d));
  CHECK_FALSE(fs::exists(first.dir + "/repomd.xml.asc.new." + d));
  CHECK_FALSE(fs::exists(first.dir + "/repomd.xml.new." + d + ".part"));
  CHECK(fs::exists(first.dir + "/repomd.xml.new." + live));
  CHECK(fs::exists(first.dir + "/repomd.xml.new.x1"));
}

TEST_CASE("repo: metadata downloads use the repo's retries=, not the caller's") {
  ScratchDir dir;
  make_repo(dir.path);
  MainConfig main;
  main.cachedir = dir.path + "/cache";
  Recorder rep;
  FetchOptions fo = quick_fetch();  // retries = 0
  fo.retry_backoff = 0.01;
  Fetcher fetcher{fo};
  TestServer server(dir.path);
  yumda::testing::FaultRule once;
  once.prefix = "/repo/repodata/repomd.xml";
  once.status = 503;
  once.first_n = 1;
  server.add_fault(once);
  RepoConfig rc = repo_config("retrying", server.url("repo"));
  rc.timeout = 5;
  rc.retries = 2;
  CHECK_NOTHROW(fetch_repo_metadata(main, rc, fetcher, false, false, rep));
  CHECK(requests_for(server, "/repo/repodata/repomd.xml") == 2);
  // and the other way round: the repo says no retries while the caller allows them
  main.cachedir = dir.path + "/cache2";
  server.add_fault(once);
  fo.retries = 5;
  Fetcher patient{fo};
  rc.retries = 0;
  std::string msg = error_of([&] { fetch_repo_metadata(main, rc, patient, false, false, rep); });
  CHECK(msg.find("503") != std::string::npos);
}
