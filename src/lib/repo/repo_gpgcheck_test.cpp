// repo_gpgcheck=1: only a verified repomd.xml is used or enters the cache.
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
