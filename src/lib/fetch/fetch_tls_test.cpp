// Fetcher over https: an untrusted certificate, sslverify=0, and the item's
// repo's sslverify= against the fetcher's.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <cstdio>
#include <stdexcept>

#include "fetch/fetch_test_support.hpp"

using namespace yumda;
using namespace yumda::fetch_test;

namespace {

// openssl s_server -WWW on a free port with a fresh self-signed certificate,
// serving DIR; killed at scope exit.
class TlsServer {
 public:
  explicit TlsServer(const std::string& dir) {
    using yumda::testing::run;
    using yumda::testing::shell_quote;
    if (run("cd " + shell_quote(dir) +
            " && openssl req -x509 -newkey rsa:2048 -nodes -keyout key.pem -out cert.pem -days 1"
            " -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 >/dev/null 2>&1") != 0)
      throw std::runtime_error("openssl req failed");
    {
      HttpServer probe(dir);  // borrow a free port
      port_ = probe.port();
    }
    pid_ = fork();
    if (pid_ == 0) {
      if (chdir(dir.c_str()) != 0) _exit(127);
      freopen("/dev/null", "w", stdout);
      freopen("/dev/null", "w", stderr);
      std::string port = std::to_string(port_);
      execlp("openssl", "openssl", "s_server", "-quiet", "-accept", port.c_str(), "-cert", "cert.pem", "-key",
             "key.pem", "-WWW", static_cast<char*>(nullptr));
      _exit(127);
    }
    // Ready when it accepts connections (within 10 s).
    for (int i = 0; i < 100 && !accepting(); ++i) usleep(100000);
  }
  bool accepting() const {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(port_));
    bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    close(fd);
    return ok;
  }
  ~TlsServer() {
    kill(pid_, SIGTERM);
    waitpid(pid_, nullptr, 0);
  }
  std::string url(const std::string& path) const { return "https://127.0.0.1:" + std::to_string(port_) + path; }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
};

}  // namespace

TEST_CASE("https: an untrusted certificate fails with a hint; sslverify=0 accepts it", "[fetch][tls]") {
  if (yumda::testing::run("command -v openssl >/dev/null 2>&1") != 0) {
    WARN("skipped: openssl is not installed");
    return;
  }
  Fixture f;
  std::string data = f.serve("a.rpm", 30000);
  TlsServer tls(f.served);
  auto it = f.item({tls.url("/a.rpm")}, "a.rpm", data);
  Fetcher strict(fast_options());
  auto r = strict.fetch_all({it});
  CHECK_FALSE(r[0].ok);
  CHECK(contains(r[0].error, "cannot download pkg-a.rpm from " + tls.url("/a.rpm") + ": "));
  CHECK(contains(r[0].error, "or set sslverify=0 for this repo if you trust the network"));
  FetchOptions o = fast_options();
  o.sslverify = false;
  Fetcher lax(o);
  r = lax.fetch_all({it});
  INFO(r[0].error);
  CHECK(r[0].ok);
  CHECK(read_file(it.dest) == data);
  // The item's repo's sslverify= wins over the fetcher's, both ways.
  std::filesystem::remove(it.dest);
  auto lax_item = it;
  lax_item.sslverify = false;
  CHECK(strict.fetch_all({lax_item})[0].ok);
  auto strict_item = it;
  strict_item.sslverify = true;
  std::filesystem::remove(it.dest);
  CHECK_FALSE(lax.fetch_all({strict_item})[0].ok);
}
