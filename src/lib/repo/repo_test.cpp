// Repo metadata: repomd parsing, the cache, checksum checks, compressions,
// sqlite-only repos, the solv cache, and http(s) via the Fetcher.
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
#include "yumda/checksum.hpp"
#include "yumda/error.hpp"
#include "yumda/fs.hpp"
#include "yumda/repo.hpp"
#include "yumda/sack.hpp"

using namespace yumda;
using namespace yumda::testing;
namespace fs = std::filesystem;

namespace {

struct Recorder : Reporter {
  std::vector<std::string> infos, warnings;
  void info(const std::string& m) override { infos.push_back(m); }
  void warning(const std::string& m) override { warnings.push_back(m); }
  int count(const std::string& needle) const {
    int n = 0;
    for (const auto& m : infos) n += m.find(needle) != std::string::npos;
    return n;
  }
};

std::string pkg_spec(const std::string& name, const std::string& version, const std::string& preamble = "") {
  std::string file = "/opt/" + name + "/data.txt";
  return simple_spec(name, version, preamble, "mkdir -p %{buildroot}/opt/" + name + "\necho x > %{buildroot}" + file,
                     file);
}

// A directory of RPMs built once per run; copy it to make repos.
const std::string& rpms_dir() {
  static ScratchDir* dir = [] {
    auto* d = new ScratchDir();
    build_rpm(d->path + "/w", d->path + "/rpms", pkg_spec("alpha", "1.0", "Requires: beta >= 2"));
    build_rpm(d->path + "/w", d->path + "/rpms", pkg_spec("beta", "2.0", "Provides: libbeta.so.1()(64bit)"));
    return d;
  }();
  static std::string path = dir->path + "/rpms";
  return path;
}

std::string make_repo(const std::string& parent, const std::string& flags = "") {
  std::string repo = parent + "/repo";
  fs::create_directories(repo);
  for (auto& e : fs::directory_iterator(rpms_dir())) fs::copy_file(e.path(), repo + "/" + e.path().filename().string());
  createrepo(repo, flags);
  return repo;
}

RepoConfig repo_config(const std::string& id, const std::string& url) {
  RepoConfig rc;
  rc.id = id;
  rc.baseurls = {url};
  return rc;
}

std::vector<std::string> solvable_names(s_Repo* repo) {
  std::vector<std::string> out;
  Id p;
  Solvable* s;
  FOR_REPO_SOLVABLES(repo, p, s) out.push_back(pool_id2str(repo->pool, s->name));
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> requires_of(s_Repo* repo, const std::string& name) {
  std::vector<std::string> out;
  Id p;
  Solvable* s;
  FOR_REPO_SOLVABLES(repo, p, s) {
    if (name != pool_id2str(repo->pool, s->name) || !s->solv_requires) continue;
    for (Id* dp = repo->idarraydata + s->solv_requires; *dp; ++dp)
      if (*dp != SOLVABLE_PREREQMARKER) out.push_back(pool_dep2str(repo->pool, *dp));
  }
  return out;
}

bool has_file(s_Repo* repo, const std::string& path) {
  Dataiterator di;
  dataiterator_init(&di, repo->pool, repo, 0, SOLVABLE_FILELIST, path.c_str(), SEARCH_STRING | SEARCH_FILES);
  bool found = dataiterator_step(&di) != 0;
  dataiterator_free(&di);
  return found;
}

// Loads REPO_DIR (file://) into a fresh pool; returns the package names.
struct Loaded {
  yumda::Pool pool{"x86_64"};
  s_Repo* repo = nullptr;
};

void load(Loaded& l, const MainConfig& main, const RepoConfig& rc, bool filelists, Reporter& rep) {
  Fetcher fetcher{FetchOptions{}};
  RepoMetadata md = fetch_repo_metadata(main, rc, fetcher, false, filelists, rep);
  l.repo = load_repo(l.pool, md, rc, main.cachedir, filelists, rep);
}

// python3's http.server on a free loopback port, stopped with the owner.
struct PythonHttpServer {
  pid_t pid = -1;
  int port = 0;
  explicit PythonHttpServer(const std::string& dir) {
    int s = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    bind(s, reinterpret_cast<sockaddr*>(&a), len);
    getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
    port = ntohs(a.sin_port);
    close(s);
    pid = fork();
    if (pid == 0) {
      int devnull = open("/dev/null", O_WRONLY);
      dup2(devnull, 1);
      dup2(devnull, 2);
      execlp("python3", "python3", "-m", "http.server", std::to_string(port).c_str(), "--bind", "127.0.0.1",
             "--directory", dir.c_str(), nullptr);
      _exit(127);
    }
    for (int i = 0; i < 100; ++i) {  // wait until it accepts
      int c = socket(AF_INET, SOCK_STREAM, 0);
      a.sin_port = htons(static_cast<uint16_t>(port));
      bool up = connect(c, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
      close(c);
      if (up) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  ~PythonHttpServer() { stop(); }
  void stop() {
    if (pid > 0) {
      kill(pid, SIGTERM);
      waitpid(pid, nullptr, 0);
      pid = -1;
    }
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port) + "/repo"; }
};

FetchOptions quick_fetch() {
  FetchOptions o;
  o.retries = 0;
  o.timeout = 5;
  return o;
}

}  // namespace

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

TEST_CASE("repo: a primary whose checksum does not match repomd is an error naming the file") {
  ScratchDir dir;
  std::string repo = make_repo(dir.path);
  // swap the primary for another valid one: parseable, but not what repomd lists
  std::string other = make_repo(dir.path + "/other", "--general-compress-type=gz");
  std::string primary, other_primary;
  for (auto& e : fs::directory_iterator(repo + "/repodata"))
    if (e.path().filename().string().find("-primary.xml") != std::string::npos) primary = e.path();
  for (auto& e : fs::directory_iterator(other + "/repodata"))
    if (e.path().filename().string().find("-primary.xml") != std::string::npos) other_primary = e.path();
  build_rpm(dir.path + "/w", other, pkg_spec("gamma", "1.0"));
  createrepo(other, "--general-compress-type=gz");
  for (auto& e : fs::directory_iterator(other + "/repodata"))
    if (e.path().filename().string().find("-primary.xml") != std::string::npos) other_primary = e.path();
  fs::copy_file(other_primary, primary, fs::copy_options::overwrite_existing);
  MainConfig main;
  main.cachedir = dir.path + "/cache";
  Recorder rep;
  Loaded l;
  std::string msg = error_of([&] { load(l, main, repo_config("bad", "file://" + repo), false, rep); });
  CHECK(msg.find(fs::path(primary).filename().string()) != std::string::npos);
  CHECK(msg.find("does not match") != std::string::npos);
  CHECK(msg.find("repo bad") != std::string::npos);
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

namespace {
using TestServer = yumda::testing::HttpServer;

size_t requests_for(const TestServer& server, const std::string& path) {
  size_t n = 0;
  for (const auto& r : server.log()) n += r.path == path;
  return n;
}
}  // namespace

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

// --- repo_gpgcheck=1: repomd.xml against repomd.xml.asc and the gpgkey= keys.
namespace {

// Signs REPO's repomd.xml with SIGNER (armored, as `gpg --detach-sign --armor`).
void sign_repomd(const std::string& repo, const TestSigner& signer) {
  REQUIRE(signer.detach_sign(repo + "/repodata/repomd.xml", repo + "/repodata/repomd.xml.asc"));
}

// Changes one byte of REPO's repomd.xml (a digit of its revision), keeping it valid rpm-md.
void tamper_repomd(const std::string& repo) {
  std::string path = repo + "/repodata/repomd.xml";
  std::string text = read_file(path);
  size_t at = text.find("<revision>") + 10;
  text[at] = text[at] == '1' ? '2' : '1';
  write_text(path, text);
}

// A repo whose repomd.xml `good` signed, a key `other`, and a cache dir.
struct SignedRepo {
  ScratchDir dir;
  std::string repo = make_repo(dir.path);
  TestSigner good{dir.path, "good"}, other{dir.path, "other"};
  MainConfig main;
  Recorder rep;
  SignedRepo() {
    sign_repomd(repo, good);
    main.cachedir = dir.path + "/cache";
  }
};

RepoConfig signed_repo_config(const std::string& id, const std::string& url, const TestSigner& key) {
  RepoConfig rc = repo_config(id, url);
  rc.repo_gpgcheck = true;
  rc.gpgkeys = {"file://" + key.pubkey};
  return rc;
}

}  // namespace

TEST_CASE("repo: repo_gpgcheck=1 on a local repo loads a signed repomd.xml and refuses the rest") {
  YUMDA_REQUIRE_GPG();
  SignedRepo f;
  auto& [dir, repo, good, other, main, rep] = f;
  const std::string url = "file://" + repo;
  const std::string asc = repo + "/repodata/repomd.xml.asc";
  {
    Loaded l;
    load(l, main, signed_repo_config("local", url, good), false, rep);
    CHECK(solvable_names(l.repo) == std::vector<std::string>{"alpha", "beta"});
  }
  Loaded l;
  std::string msg = error_of([&] { load(l, main, signed_repo_config("local", url, other), false, rep); });
  CHECK(msg == "repomd.xml of repo local is signed with key " + good.key_id() + ", which is not among the keys of file://" +
                   other.pubkey + " (gpgkey=)");
  // gpgcheck's keys are not repo_gpgcheck's switch: without it nothing is checked.
  RepoConfig unchecked = signed_repo_config("local", url, other);
  unchecked.repo_gpgcheck = false;
  CHECK_NOTHROW(load(l, main, unchecked, false, rep));

  write_text(asc, "not a signature\n");
  CHECK_THAT(error_of([&] { load(l, main, signed_repo_config("local", url, good), false, rep); }),
             Catch::StartsWith("repomd.xml of repo local: its signature " + asc + " is not an OpenPGP signature"));
  fs::remove(asc);
  CHECK(error_of([&] { load(l, main, signed_repo_config("local", url, good), false, rep); }) ==
        "repomd.xml of repo local is not signed: " + asc + " does not exist (repo_gpgcheck=1 needs "
        "repodata/repomd.xml.asc beside repomd.xml: sign it with `gpg --detach-sign --armor repodata/repomd.xml`, "
        "or set repo_gpgcheck=0)");
  sign_repomd(repo, good);
  tamper_repomd(repo);
  CHECK_THAT(error_of([&] { load(l, main, signed_repo_config("local", url, good), false, rep); }),
             Catch::StartsWith("repomd.xml of repo local does not match its signature by key " + good.key_id()));
}

TEST_CASE("repo: repo_gpgcheck=1 over http: only a verified repomd.xml enters the cache, -C reuses it") {
  YUMDA_REQUIRE_GPG();
  SignedRepo f;
  auto& [dir, repo, good, other, main, rep] = f;
  Fetcher fetcher{quick_fetch()};
  TestServer server(dir.path);
  RepoConfig rc = signed_repo_config("web", server.url("repo"), good);
  rc.metadata_expire = 0;  // every online run asks the server again
  const std::string cache = repo_cache_dir(main, rc);
  const std::string signed_repomd = read_file(repo + "/repodata/repomd.xml");

  RepoMetadata md = fetch_repo_metadata(main, rc, fetcher, false, false, rep);
  CHECK(read_file(cache + "/repomd.xml") == signed_repomd);
  CHECK(read_file(cache + "/repomd.xml.asc") == read_file(repo + "/repodata/repomd.xml.asc"));
  CHECK(requests_for(server, "/repo/repodata/repomd.xml.asc") == 1);
  {
    Loaded l;
    l.repo = load_repo(l.pool, md, rc, main.cachedir, false, rep);
    CHECK(solvable_names(l.repo) == std::vector<std::string>{"alpha", "beta"});
  }
  auto cache_files = [&] {
    std::vector<std::string> names;
    for (auto& e : fs::directory_iterator(cache)) names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
  };
  const auto good_cache = cache_files();

  // Each refusal leaves the cache as the verified run left it.
  auto refused = [&](const RepoConfig& config) {
    std::string msg = error_of([&] { fetch_repo_metadata(main, config, fetcher, false, false, rep); });
    CHECK(read_file(cache + "/repomd.xml") == signed_repomd);
    CHECK(cache_files() == good_cache);
    return msg;
  };
  SECTION("repomd.xml changed on the server after signing") {
    tamper_repomd(repo);
    CHECK_THAT(refused(rc), Catch::StartsWith("repomd.xml of repo web does not match its signature by key " +
                                              good.key_id() + " (" + server.url("repo/repodata/repomd.xml.asc") + ")"));
  }
  SECTION("signed by a key gpgkey= does not list") {
    sign_repomd(repo, other);
    CHECK_THAT(refused(rc), Catch::StartsWith("repomd.xml of repo web is signed with key " + other.key_id()));
  }
  SECTION("no repomd.xml.asc on the server") {
    fs::remove(repo + "/repodata/repomd.xml.asc");
    CHECK_THAT(refused(rc), Catch::StartsWith("cannot check the signature of repomd.xml of repo web: ") &&
                                Catch::Contains("HTTP 404") && Catch::Contains("or set repo_gpgcheck=0"));
  }
  SECTION("garbage repomd.xml.asc") {
    write_text(repo + "/repodata/repomd.xml.asc", "<html>not found</html>\n");
    CHECK_THAT(refused(rc), Catch::Contains("is not an OpenPGP signature"));
  }
  SECTION("-C: the verified cache loads offline; with other keys it no longer counts") {
    server.stop();
    CHECK_NOTHROW(fetch_repo_metadata(main, rc, fetcher, true, false, rep));
    RepoConfig wrong = signed_repo_config("web", server.url("repo"), other);
    CHECK_THAT(error_of([&] { fetch_repo_metadata(main, wrong, fetcher, true, false, rep); }),
               Catch::StartsWith("repomd.xml of repo web is signed with key " + good.key_id()) &&
                   Catch::EndsWith("(gpgkey=) (in the cache, which -C cannot refresh)"));
  }
  SECTION("a cache made under repo_gpgcheck=0 is not trusted under repo_gpgcheck=1") {
    main.cachedir = dir.path + "/cache-unchecked";
    RepoConfig unchecked = rc;
    unchecked.repo_gpgcheck = false;
    CHECK_NOTHROW(fetch_repo_metadata(main, unchecked, fetcher, false, false, rep));
    const std::string other_cache = repo_cache_dir(main, rc);
    CHECK_FALSE(fs::exists(other_cache + "/repomd.xml.asc"));
    CHECK_THAT(error_of([&] { fetch_repo_metadata(main, rc, fetcher, true, false, rep); }),
               Catch::StartsWith("the cached repomd.xml of repo web was not verified (no " + other_cache +
                                 "/repomd.xml.asc): run `yumda makecache` first"));
    // Online it fetches and verifies the signature, and then -C is content.
    rc.metadata_expire = kNever;
    CHECK_NOTHROW(fetch_repo_metadata(main, rc, fetcher, false, false, rep));
    CHECK(fs::exists(other_cache + "/repomd.xml.asc"));
    CHECK_NOTHROW(fetch_repo_metadata(main, rc, fetcher, true, false, rep));
  }
}

TEST_CASE("install arguments that name package files are local packages, as dnf's", "[repo][commandline]") {
  ScratchDir tmp;
  fs::create_directories(tmp.path + "/dir");
  write_text(tmp.path + "/dir/b-1.rpm", "x");
  write_text(tmp.path + "/dir/a-1.rpm", "x");
  write_text(tmp.path + "/dir/notes", "x");
  const auto cwd = fs::current_path();
  fs::current_path(tmp.path);
  std::vector<std::string> specs = {"git", "dir/*.rpm", "/opt/bin/git", "file://" + tmp.path + "/dir/a-1.rpm",
                                    "./dir/notes", "jq >= 1.6"};
  std::vector<LocalPackage> local;
  std::string missing = error_of([&] {
    std::vector<std::string> s = {"git", "./nope.rpm"};
    take_local_packages(s);
  });
  std::string no_match = error_of([&] {
    std::vector<std::string> s = {"dir/*-2.rpm"};
    take_local_packages(s);
  });
  local = take_local_packages(specs);
  fs::current_path(cwd);
  CHECK(specs == std::vector<std::string>{"git", "/opt/bin/git", "jq >= 1.6"});
  REQUIRE(local.size() == 4);
  CHECK(local[0].arg == "dir/a-1.rpm");  // a glob's matches, sorted
  const std::string real = fs::canonical(tmp.path).string();  // what the cwd reads as
  CHECK(local[0].path == real + "/dir/a-1.rpm");
  CHECK(local[1].arg == "dir/b-1.rpm");
  CHECK(local[2].path == tmp.path + "/dir/a-1.rpm");  // a file:// URL's own path
  CHECK(local[3].path == real + "/dir/notes");
  CHECK(missing == "local package ./nope.rpm does not exist (give the path of an .rpm file)");
  CHECK(no_match == "no file matches dir/*-2.rpm (check the directory and the pattern)");
}

TEST_CASE("a local package file that is not an RPM is named", "[repo][commandline]") {
  ScratchDir tmp;
  write_text(tmp.path + "/junk.rpm", "not an rpm");
  yumda::Pool pool("x86_64");
  std::string err = error_of([&] { add_commandline_repo(pool, {{"./junk.rpm", tmp.path + "/junk.rpm"}}); });
  CHECK(err.starts_with("local package ./junk.rpm cannot be read as an RPM ("));
  CHECK(err.ends_with("): give the path of a binary .rpm file"));
}
