// Helpers shared by the test files beside this one (split from repo_test.cpp).
#pragma once
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

namespace yumda::testing {


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

inline std::string pkg_spec(const std::string& name, const std::string& version, const std::string& preamble = "") {
  std::string file = "/opt/" + name + "/data.txt";
  return simple_spec(name, version, preamble, "mkdir -p %{buildroot}/opt/" + name + "\necho x > %{buildroot}" + file,
                     file);
}

// A directory of RPMs built once per run; copy it to make repos.
inline const std::string& rpms_dir() {
  static RunScratchDir dir;
  static std::string path = [] {
    build_rpm(dir.path + "/w", dir.path + "/rpms", pkg_spec("alpha", "1.0", "Requires: beta >= 2"));
    build_rpm(dir.path + "/w", dir.path + "/rpms", pkg_spec("beta", "2.0", "Provides: libbeta.so.1()(64bit)"));
    return dir.path + "/rpms";
  }();
  return path;
}

inline std::string make_repo(const std::string& parent, const std::string& flags = "") {
  std::string repo = parent + "/repo";
  std::filesystem::create_directories(repo);
  for (auto& e : std::filesystem::directory_iterator(rpms_dir())) std::filesystem::copy_file(e.path(), repo + "/" + e.path().filename().string());
  createrepo(repo, flags);
  return repo;
}

inline RepoConfig repo_config(const std::string& id, const std::string& url) {
  RepoConfig rc;
  rc.id = id;
  rc.baseurls = {url};
  return rc;
}

inline std::vector<std::string> solvable_names(s_Repo* repo) {
  std::vector<std::string> out;
  Id p;
  Solvable* s;
  FOR_REPO_SOLVABLES(repo, p, s) out.push_back(pool_id2str(repo->pool, s->name));
  std::sort(out.begin(), out.end());
  return out;
}

inline std::vector<std::string> requires_of(s_Repo* repo, const std::string& name) {
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

inline bool has_file(s_Repo* repo, const std::string& path) {
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

inline void load(Loaded& l, const MainConfig& main, const RepoConfig& rc, bool filelists, Reporter& rep) {
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

inline FetchOptions quick_fetch() {
  FetchOptions o;
  o.retries = 0;
  o.timeout = 5;
  return o;
}


using TestServer = yumda::testing::HttpServer;

inline size_t requests_for(const TestServer& server, const std::string& path) {
  size_t n = 0;
  for (const auto& r : server.log()) n += r.path == path;
  return n;
}

}  // namespace yumda::testing
