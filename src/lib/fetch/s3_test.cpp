#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>
#include <regex>

#include "server/http_server.hpp"
#include "test_support.hpp"
#include "yumda/checksum.hpp"
#include "yumda/error.hpp"
#include "yumda/fetch.hpp"
#include "yumda/fs.hpp"

using namespace yumda;
using yumda::testing::Fault;
using yumda::testing::HttpServer;
using yumda::testing::ScratchDir;
using yumda::testing::write_text;

namespace {

// Sets the AWS variables for one test and puts the old values back after.
class AwsEnv {
 public:
  explicit AwsEnv(const std::map<std::string, std::string>& vars) {
    for (const char* name : {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
                             "AWS_DEFAULT_PROFILE", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_SHARED_CREDENTIALS_FILE",
                             "AWS_CONFIG_FILE", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL", "HOME"}) {
      const char* old = std::getenv(name);
      saved_[name] = old ? std::optional<std::string>(old) : std::nullopt;
      unsetenv(name);
    }
    setenv("HOME", home_.path.c_str(), 1);  // no ~/.aws of the machine's user
    for (auto& [k, v] : vars) setenv(k.c_str(), v.c_str(), 1);
  }
  ~AwsEnv() {
    for (auto& [k, v] : saved_) {
      if (v) setenv(k.c_str(), v->c_str(), 1);
      else unsetenv(k.c_str());
    }
  }
  const std::string& home() const { return home_.path; }

 private:
  ScratchDir home_;
  std::map<std::string, std::optional<std::string>> saved_;
};

FetchOptions fast_options() {
  FetchOptions o;
  o.timeout = 2;
  o.retries = 2;
  o.retry_backoff = 0.01;
  o.retry_backoff_max = 0.05;
  return o;
}

FetchItem item_for(const std::string& url, const std::string& dest, const std::string& data) {
  FetchItem it;
  it.urls = {url};
  it.dest = dest;
  it.label = "s3pkg-1-1.noarch";
  it.expected_size = data.size();
  it.checksum_type = "sha256";
  it.checksum = string_digest(data, "sha256");
  return it;
}

}  // namespace

TEST_CASE("s3:// requests are path-style on the endpoint and signed with SigV4", "[fetch][s3]") {
  ScratchDir dir;
  std::string data(5000, 'q');
  write_text(dir.path + "/srv/bucket/repo/libstdc++-1.rpm", data);
  HttpServer server(dir.path + "/srv");
  AwsEnv env({{"AWS_ACCESS_KEY_ID", "AKIDTEST"},
              {"AWS_SECRET_ACCESS_KEY", "TOPSECRET"},
              {"AWS_SESSION_TOKEN", "SESSIONTOKEN"},
              {"AWS_REGION", "eu-west-3"},
              {"AWS_ENDPOINT_URL_S3", server.url()}});
  Fetcher fetcher(fast_options());
  auto it = item_for("s3://bucket/repo/libstdc++-1.rpm", dir.path + "/out/a.rpm", data);
  fetcher.fetch(it);
  CHECK(read_file(it.dest) == data);
  auto log = server.log();
  REQUIRE(log.size() == 1);
  CHECK(log[0].target == "/bucket/repo/libstdc%2B%2B-1.rpm");
  CHECK(log[0].headers["x-amz-content-sha256"] == "UNSIGNED-PAYLOAD");
  CHECK(log[0].headers["x-amz-security-token"] == "SESSIONTOKEN");
  CHECK(log[0].headers.count("x-amz-date") == 1);
  const std::string auth = log[0].headers["authorization"];
  CHECK(auth.rfind("AWS4-HMAC-SHA256 Credential=AKIDTEST/", 0) == 0);
  CHECK(auth.find("/eu-west-3/s3/aws4_request") != std::string::npos);
  CHECK(auth.find("TOPSECRET") == std::string::npos);
}

TEST_CASE("s3:// without credentials sends an unsigned request", "[fetch][s3]") {
  ScratchDir dir;
  std::string data(3000, 'u');
  write_text(dir.path + "/srv/pub/x.rpm", data);
  HttpServer server(dir.path + "/srv");
  AwsEnv env({});
  FetchOptions o = fast_options();
  o.s3_endpoint = server.url();  // the option wins over the environment
  Fetcher fetcher(o);
  fetcher.fetch(item_for("s3://pub/x.rpm", dir.path + "/out/x.rpm", data));
  auto log = server.log();
  REQUIRE(log.size() == 1);
  CHECK(log[0].headers.count("authorization") == 0);

  server.add_fault({"/pub/", Fault::Status, 403});
  auto r = fetcher.fetch_all({item_for("s3://pub/x.rpm", dir.path + "/out/y.rpm", data)});
  CHECK_FALSE(r[0].ok);
  CHECK(r[0].error ==
        "cannot download s3pkg-1-1.noarch from s3://pub/x.rpm: HTTP 403: access denied and no AWS credentials were "
        "found (set AWS_PROFILE or AWS_ACCESS_KEY_ID)");
}

TEST_CASE("a 403 for signed s3:// says the credentials were refused, without the secret", "[fetch][s3]") {
  ScratchDir dir;
  HttpServer server(dir.path);
  server.add_fault({"/", Fault::Status, 403});
  AwsEnv env(std::map<std::string, std::string>{{"AWS_PROFILE", "ci"}});
  write_text(env.home() + "/.aws/credentials", "[ci]\naws_access_key_id=AKIDCI\naws_secret_access_key=SECRETCI\n");
  FetchOptions o = fast_options();
  o.s3_endpoint = server.url();
  Fetcher fetcher(o);
  auto r = fetcher.fetch_all({item_for("s3://b/k.rpm", dir.path + "/k.rpm", "x")});
  CHECK_FALSE(r[0].ok);
  CHECK(r[0].error.find("HTTP 403: credentials from profile ci in " + env.home() + "/.aws/credentials were refused") !=
        std::string::npos);
  CHECK(r[0].error.find("SECRETCI") == std::string::npos);
  CHECK(server.requests() == 1);  // refused credentials are not retried
}

TEST_CASE("an item's own s3_endpoint wins, and a wrong region is named with the fix", "[fetch][s3]") {
  ScratchDir dir;
  std::string data(1000, 'r');
  write_text(dir.path + "/srv/b/k.rpm", data);
  HttpServer server(dir.path + "/srv");
  AwsEnv env({{"AWS_ACCESS_KEY_ID", "AKID"}, {"AWS_SECRET_ACCESS_KEY", "SECRET"}, {"AWS_REGION", "us-east-1"}});
  FetchOptions o = fast_options();
  o.s3_endpoint = "http://127.0.0.1:1";  // nothing listens there
  Fetcher fetcher(o);
  auto it = item_for("s3://b/k.rpm", dir.path + "/out/k.rpm", data);
  it.s3_endpoint = server.url();
  fetcher.fetch(it);
  CHECK(read_file(it.dest) == data);

  yumda::testing::FaultRule moved;
  moved.prefix = "/b/";
  moved.fault = Fault::Status;
  moved.status = 301;
  moved.headers = "x-amz-bucket-region: eu-north-1\r\n";
  server.add_fault(moved);
  it.dest = dir.path + "/out/k2.rpm";
  auto r = fetcher.fetch_all({it});
  CHECK(r[0].error ==
        "cannot download s3pkg-1-1.noarch from s3://b/k.rpm: HTTP 301: the bucket is in region eu-north-1 "
        "(set AWS_REGION=eu-north-1)");
}

TEST_CASE("a signed s3:// request redirected to another origin is not followed with its credentials",
          "[fetch][s3]") {
  ScratchDir dir;
  std::string data(1000, 'z');
  write_text(dir.path + "/other/b/k.rpm", data);
  HttpServer other(dir.path + "/other");  // another port: another origin
  HttpServer server(dir.path + "/srv");
  yumda::testing::FaultRule away;
  away.prefix = "/b/";
  away.fault = Fault::Status;
  away.status = 307;
  away.headers = "Location: " + other.url("/b/k.rpm") + "\r\n";
  server.add_fault(away);
  AwsEnv env({{"AWS_ACCESS_KEY_ID", "AKIDTEST"},
              {"AWS_SECRET_ACCESS_KEY", "TOPSECRET"},
              {"AWS_SESSION_TOKEN", "SESSIONTOKEN"},
              {"AWS_REGION", "us-east-1"},
              {"AWS_ENDPOINT_URL_S3", server.url()}});
  Fetcher fetcher(fast_options());
  auto r = fetcher.fetch_all({item_for("s3://b/k.rpm", dir.path + "/out/k.rpm", data)});
  for (const auto& rec : other.log()) {
    CHECK(rec.headers.count("x-amz-security-token") == 0);
    CHECK(rec.headers.count("authorization") == 0);
  }
  CHECK(other.requests() == 0);
  CHECK_FALSE(r[0].ok);
  CHECK(r[0].error == "cannot download s3pkg-1-1.noarch from s3://b/k.rpm: HTTP 307: S3 redirected the signed "
                      "request to " + other.url() + " (the endpoint is " + server.url() +
                      "); yumda sends AWS credentials only to the endpoint they are signed for (set AWS_REGION "
                      "or AWS_ENDPOINT_URL_S3 to the bucket's own endpoint)");
  CHECK(server.requests() == 1);  // not retried
  CHECK_FALSE(std::filesystem::exists(dir.path + "/out/k.rpm"));
}

namespace {

// s3rver (npm i -g s3rver) on an ephemeral port, killed at scope exit.
class S3rver {
 public:
  // Its log goes to a file: s3rver dies of EPIPE when its stdout pipe closes.
  explicit S3rver(const std::string& data_dir) {
    std::string log = data_dir + ".log";
    pid_ = fork();
    if (pid_ == 0) {
      int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      dup2(fd, 1);
      dup2(fd, 2);
      execlp("s3rver", "s3rver", "-d", data_dir.c_str(), "-a", "127.0.0.1", "-p", "0", "--configure-bucket", "repo",
             static_cast<char*>(nullptr));
      _exit(127);
    }
    // "S3rver listening on 127.0.0.1:PORT", within 20 s.
    std::regex re("listening on [0-9.]+:([0-9]+)");
    std::smatch m;
    std::string text;
    for (int i = 0; i < 200 && !std::regex_search(text, m, re); ++i) {
      usleep(100000);
      if (path_exists(log)) text = read_file(log);
    }
    if (m.empty()) throw std::runtime_error("s3rver did not start: " + text);
    port_ = std::stoi(m[1]);
  }
  ~S3rver() {
    kill(pid_, SIGTERM);
    waitpid(pid_, nullptr, 0);
  }
  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
};

bool have_program(const std::string& name) {
  return yumda::testing::run("command -v " + name + " >/dev/null 2>&1") == 0;
}

}  // namespace

TEST_CASE("s3:// downloads from a live s3rver with its default credentials", "[fetch][s3][s3rver]") {
  if (!have_program("s3rver") || !have_program("curl")) {
    WARN("skipped: s3rver is not installed (npm i -g s3rver to run this test)");
    return;
  }
  ScratchDir dir;
  S3rver s3(dir.path + "/s3");
  std::string data;
  for (int i = 0; i < 20000; ++i) data += std::to_string(i * 7919) + "\n";
  write_text(dir.path + "/upload.rpm", data);
  // Upload with the curl program, signed the same way.
  using yumda::testing::shell_quote;
  REQUIRE(yumda::testing::run("curl -sSf --aws-sigv4 aws:amz:us-east-1:s3 --user S3RVER:S3RVER "
                              "-H x-amz-content-sha256:UNSIGNED-PAYLOAD -T " +
                              shell_quote(dir.path + "/upload.rpm") + " " + s3.endpoint() +
                              "/repo/Packages/g++-1.0-1.x86_64.rpm >/dev/null") == 0);

  AwsEnv env({{"AWS_ACCESS_KEY_ID", "S3RVER"}, {"AWS_SECRET_ACCESS_KEY", "S3RVER"}, {"AWS_ENDPOINT_URL", s3.endpoint()}});
  Fetcher fetcher(fast_options());
  std::string base = "s3://repo/Packages";
  auto it = item_for(join_url(base, "g++-1.0-1.x86_64.rpm"), dir.path + "/out/g.rpm", data);
  auto r = fetcher.fetch_all({it});
  INFO(r[0].error);
  CHECK(r[0].ok);
  CHECK(read_file(it.dest) == data);

  auto missing = fetcher.fetch_all({item_for(join_url(base, "nope.rpm"), dir.path + "/out/n.rpm", data)});
  CHECK(missing[0].error == "cannot download s3pkg-1-1.noarch from s3://repo/Packages/nope.rpm: HTTP 404");

  AwsEnv bad({{"AWS_ACCESS_KEY_ID", "NOSUCHKEY"}, {"AWS_SECRET_ACCESS_KEY", "WHATEVER"},
              {"AWS_ENDPOINT_URL", s3.endpoint()}});
  Fetcher refused(fast_options());
  auto r2 = refused.fetch_all({item_for(it.urls[0], dir.path + "/out/h.rpm", data)});
  CHECK_FALSE(r2[0].ok);
  CHECK(r2[0].error.find("HTTP 403: credentials from environment") != std::string::npos);
  CHECK(r2[0].error.find("WHATEVER") == std::string::npos);
}
