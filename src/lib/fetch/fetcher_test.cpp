// Fetcher: file:// and http downloads checked by size and checksum, failover
// between mirrors, retries with backoff, parallel transfers, on_done, an
// interrupt, what is reported. (Resume and stalls: fetch_resume_test.cpp;
// https: fetch_tls_test.cpp.)
#include <unistd.h>

#include <catch2/catch.hpp>

#include <chrono>
#include <set>
#include <thread>

#include "fetch/fetch_test_support.hpp"
#include "yumda/error.hpp"

using namespace yumda;
using namespace yumda::fetch_test;

TEST_CASE("file:// URLs are copied and checked", "[fetch]") {
  Fixture f;
  std::string data = f.serve("a.rpm", 100000);
  Fetcher fetcher(fast_options());
  auto it = f.item({"file://" + f.served + "/a.rpm"}, "a.rpm", data);
  auto r = fetcher.fetch_all({it});
  REQUIRE(r.size() == 1);
  CHECK(r[0].ok);
  CHECK(r[0].url == "file://" + f.served + "/a.rpm");
  CHECK(read_file(it.dest) == data);
  CHECK(f.no_part_files());
}

TEST_CASE("a missing file:// URL fails with the label and the URL", "[fetch]") {
  Fixture f;
  Fetcher fetcher(fast_options());
  auto it = f.item({"file://" + f.served + "/nope.rpm"}, "nope.rpm", "x");
  auto r = fetcher.fetch_all({it});
  CHECK_FALSE(r[0].ok);
  CHECK(contains(r[0].error, "cannot download pkg-nope.rpm from file://" + f.served + "/nope.rpm: "));
  CHECK(r[0].error.find('\n') == std::string::npos);
  CHECK_FALSE(path_exists(it.dest));
  CHECK(f.no_part_files());
  CHECK_THROWS_WITH(fetcher.fetch(it), Catch::Contains("pkg-nope.rpm"));
}

TEST_CASE("http download verifies size and checksum and reports progress", "[fetch]") {
  Fixture f;
  std::string data = f.serve("a.rpm", 300000);
  HttpServer server(f.served);
  RecordingReporter rep;
  Fetcher fetcher(fast_options(), rep);
  auto it = f.item({server.url("/a.rpm")}, "a.rpm", data);
  fetcher.fetch(it);
  CHECK(read_file(it.dest) == data);
  CHECK(f.no_part_files());
  REQUIRE_FALSE(rep.progress.empty());
  CHECK(rep.progress.back() == std::make_tuple(std::string("pkg-a.rpm"), uint64_t(data.size()), uint64_t(data.size())));
  // Without a size or checksum to check, the file is still kept whole.
  auto unchecked = f.item({server.url("/a.rpm")}, "b.rpm", data, false);
  fetcher.fetch(unchecked);
  CHECK(read_file(unchecked.dest) == data);
}

TEST_CASE("a checksum mismatch keeps neither the file nor the .part", "[fetch]") {
  Fixture f;
  std::string data = f.serve("a.rpm", 50000);
  HttpServer server(f.served);
  Fetcher fetcher(fast_options());
  auto it = f.item({server.url("/a.rpm")}, "a.rpm", data);
  std::string wrong = string_digest("something else", "sha256");
  it.checksum = wrong;
  auto r = fetcher.fetch_all({it});
  CHECK_FALSE(r[0].ok);
  CHECK(contains(r[0].error, "pkg-a.rpm"));
  CHECK(contains(r[0].error, "checksum mismatch: expected sha256 " + wrong + ", got " + string_digest(data, "sha256")));
  CHECK_FALSE(path_exists(it.dest));
  CHECK(f.no_part_files());
  // Not retried on the same URL: the content, not the network, is wrong.
  CHECK(server.requests() == 1);
}

TEST_CASE("a size mismatch fails naming expected and actual sizes", "[fetch]") {
  Fixture f;
  std::string data = f.serve("a.rpm", 50000);
  HttpServer server(f.served);
  Fetcher fetcher(fast_options());
  auto longer = f.item({server.url("/a.rpm")}, "a.rpm", data);
  longer.expected_size = data.size() + 10;
  auto r = fetcher.fetch_all({longer});
  CHECK_FALSE(r[0].ok);
  CHECK(contains(r[0].error, "size mismatch: expected 50010 bytes, got 50000"));
  auto shorter = f.item({server.url("/a.rpm")}, "b.rpm", data);
  shorter.expected_size = 1000;
  r = fetcher.fetch_all({shorter});
  CHECK_FALSE(r[0].ok);
  CHECK(contains(r[0].error, "size mismatch: expected 1000 bytes, got more"));
  CHECK_FALSE(path_exists(longer.dest));
  CHECK_FALSE(path_exists(shorter.dest));
  CHECK(f.no_part_files());
}

TEST_CASE("a server lying about Content-Length is a size mismatch", "[fetch]") {
  Fixture f;
  std::string data = f.serve("a.rpm", 40000);
  HttpServer server(f.served);
  server.add_fault({"/a.rpm", Fault::WrongLength});
  Fetcher fetcher(fast_options());
  auto r = fetcher.fetch_all({f.item({server.url("/a.rpm")}, "a.rpm", data)});
  CHECK_FALSE(r[0].ok);
  CHECK(contains(r[0].error, "size mismatch: expected 40000 bytes, got 30000"));
  CHECK(f.no_part_files());
}

TEST_CASE("404 and 403 fail over to the next URL without retrying", "[fetch]") {
  Fixture f;
  std::string data = f.serve("a.rpm", 20000);
  HttpServer server(f.served);
  server.add_fault({"/forbidden/", Fault::Status, 403});
  Fetcher fetcher(fast_options());
  auto it = f.item({server.url("/missing/a.rpm"), server.url("/forbidden/a.rpm"), server.url("/a.rpm")}, "a.rpm", data);
  auto r = fetcher.fetch_all({it});
  CHECK(r[0].ok);
  CHECK(r[0].url == server.url("/a.rpm"));
  CHECK(read_file(it.dest) == data);
  CHECK(count_requests(server, "/missing/a.rpm") == 1);
  CHECK(count_requests(server, "/forbidden/a.rpm") == 1);

  auto bad = f.item({server.url("/x/a.rpm"), server.url("/y/a.rpm")}, "b.rpm", data);
  r = fetcher.fetch_all({bad});
  CHECK_FALSE(r[0].ok);
  CHECK(r[0].error == "cannot download pkg-b.rpm from " + server.url("/y/a.rpm") + ": HTTP 404 (tried 2 mirrors)");
}

TEST_CASE("an unreachable mirror fails over to the next one", "[fetch]") {
  Fixture f;
  std::string data = f.serve("a.rpm", 20000);
  int dead_port;
  {
    HttpServer dead(f.served);
    dead_port = dead.port();
  }
  HttpServer server(f.served);
  Fetcher fetcher(fast_options());
  auto it = f.item({"http://127.0.0.1:" + std::to_string(dead_port) + "/a.rpm", server.url("/a.rpm")}, "a.rpm", data);
  fetcher.fetch(it);
  CHECK(read_file(it.dest) == data);
}

TEST_CASE("5xx, 408 and 429 are retried on the same URL with backoff", "[fetch]") {
  Fixture f;
  std::string data = f.serve("a.rpm", 20000);
  HttpServer server(f.served);
  server.add_fault({"/a.rpm", Fault::Status, 500, 0, 2});
  server.add_fault({"/a.rpm", Fault::Status, 429, 0, 1});
  Fetcher fetcher(fast_options());
  auto it = f.item({server.url("/a.rpm")}, "a.rpm", data);
  fetcher.fetch(it);
  CHECK(read_file(it.dest) == data);
  CHECK(count_requests(server, "/a.rpm") == 4);  // 500, 500, 429, 200

  // A server that always answers 503: what the fetcher says, and how many
  // requests it made, with FETCHER_RETRIES and the item's own (when set).
  auto always_503 = [&](int fetcher_retries, std::optional<int> item_retries) {
    HttpServer broken(f.served);
    broken.add_fault({"/", Fault::Status, 503});
    FetchOptions o = fast_options();
    o.retries = fetcher_retries;
    Fetcher f2(o);
    auto item = f.item({broken.url("/a.rpm")}, "c.rpm", data);
    item.retries = item_retries;
    auto r = f2.fetch_all({item});
    CHECK_FALSE(r[0].ok);
    return std::make_pair(replace_all(r[0].error, broken.url("/a.rpm"), "URL"), broken.requests());
  };
  SECTION("until the retries run out") {
    auto [error, requests] = always_503(2, std::nullopt);
    CHECK(error == "cannot download pkg-c.rpm from URL: HTTP 503 (gave up after 2 retries)");
    CHECK(requests == 3);
  }
  SECTION("an item's own retries (its repo's retries=) win over the fetcher's") {
    auto [error, requests] = always_503(5, 1);
    CHECK(error == "cannot download pkg-c.rpm from URL: HTTP 503 (gave up after 1 retry)");
    CHECK(requests == 2);
  }
}

TEST_CASE("backoff grows between retries", "[fetch]") {
  Fixture f;
  std::string data = f.serve("a.rpm", 1000);
  HttpServer server(f.served);
  server.add_fault({"/", Fault::Status, 500, 0, 3});
  FetchOptions o = fast_options();
  o.retry_backoff = 0.1;
  o.retry_backoff_max = 1.0;
  Fetcher fetcher(o);
  auto t0 = std::chrono::steady_clock::now();
  fetcher.fetch(f.item({server.url("/a.rpm")}, "a.rpm", data));
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
  CHECK(ms >= 650);  // 0.1 + 0.2 + 0.4 s
  CHECK(ms < 3000);
}

TEST_CASE("30 files download in parallel over reused connections", "[fetch]") {
  Fixture f;
  HttpServer server(f.served);
  server.set_latency_ms(5);
  std::vector<FetchItem> items;
  for (int i = 0; i < 30; ++i) {
    std::string name = std::to_string(i) + ".rpm";  // not "p" + ...: GCC 12 -O2 -Wrestrict misfires
    items.push_back(f.item({server.url("/" + name)}, name, f.serve(name, 20000 + i * 977, i)));
  }
  FetchOptions o = fast_options();
  o.max_parallel = 4;
  Fetcher fetcher(o);
  std::multiset<size_t> seen;
  auto results = fetcher.fetch_all(items, [&](size_t i, const FetchResult& r) {
    CHECK(r.ok);
    seen.insert(i);
  });
  REQUIRE(results.size() == 30);
  for (size_t i = 0; i < 30; ++i) {
    CHECK(results[i].ok);
    CHECK(results[i].url == items[i].urls[0]);
    CHECK(seen.count(i) == 1);
    CHECK(file_digest(items[i].dest, "sha256") == items[i].checksum);
  }
  CHECK(server.requests() == 30);
  CHECK(server.connections() <= 4);
  // A second batch on the same Fetcher reuses the open connections too.
  for (auto& it : items) it.dest += ".again";
  fetcher.fetch_all(items);
  CHECK(server.connections() <= 4);
}

TEST_CASE("on_done runs on the calling thread as each item finishes", "[fetch]") {
  Fixture f;
  std::string slow = f.serve("slow.rpm", 1000, 1);
  std::string fast = f.serve("fast.rpm", 1000, 2);
  HttpServer server(f.served);
  server.add_fault({"/slow.rpm", Fault::SlowFirstByte, 0, 400});
  Fetcher fetcher(fast_options());
  std::vector<size_t> order;
  auto caller = std::this_thread::get_id();
  std::vector<FetchItem> items = {f.item({server.url("/slow.rpm")}, "slow.rpm", slow),
                                  f.item({server.url("/fast.rpm")}, "fast.rpm", fast),
                                  f.item({server.url("/gone.rpm")}, "gone.rpm", fast)};
  auto results = fetcher.fetch_all(items, [&](size_t i, const FetchResult& r) {
    CHECK(std::this_thread::get_id() == caller);
    // The file is in place by the time we hear of it.
    if (r.ok) CHECK(path_exists(items[i].dest));
    order.push_back(i);
  });
  CHECK(order.size() == 3);
  CHECK(order.back() == 0);
  CHECK(results[0].ok);
  CHECK(results[1].ok);
  CHECK_FALSE(results[2].ok);
}

TEST_CASE("items without URLs or with an unknown checksum type fail alone", "[fetch]") {
  Fixture f;
  std::string data = f.serve("a.rpm", 1000);
  HttpServer server(f.served);
  Fetcher fetcher(fast_options());
  FetchItem none;
  none.dest = f.out + "/none.rpm";
  none.label = "none-1-1.noarch";
  auto odd = f.item({server.url("/a.rpm")}, "odd.rpm", data);
  odd.checksum_type = "crc99";
  auto good = f.item({server.url("/a.rpm")}, "a.rpm", data);
  auto r = fetcher.fetch_all({none, odd, good});
  CHECK(r[0].error == "cannot download none-1-1.noarch: no URL to download it from");
  CHECK(contains(r[1].error, "unknown checksum type 'crc99'"));
  CHECK(r[2].ok);
}

TEST_CASE("an interrupt stops the downloads and removes the .part files", "[fetch]") {
  // request_interrupt() cannot be undone, so this runs in a child process.
  Fixture f;
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    int code = 0;
    try {
      std::string fast = f.serve("fast.rpm", 1000, 1);
      std::string slow = f.serve("slow.rpm", 2000000, 2);
      HttpServer server(f.served);
      server.add_fault({"/slow", Fault::Stall, 0, 5000});
      FetchOptions o = fast_options();
      o.timeout = 30;
      Fetcher fetcher(o);
      std::vector<FetchItem> items = {f.item({server.url("/slow.rpm")}, "slow1.rpm", slow),
                                      f.item({server.url("/slow.rpm")}, "slow2.rpm", slow),
                                      f.item({server.url("/fast.rpm")}, "fast.rpm", fast)};
      try {
        fetcher.fetch_all(items, [&](size_t i, const FetchResult&) {
          // Let the slow ones write part of their body first.
          std::this_thread::sleep_for(std::chrono::milliseconds(300));
          if (i == 2) request_interrupt();
        });
        code = 10;  // no exception
      } catch (const Interrupted&) {
        if (!f.no_part_files()) code = 11;
        else if (path_exists(items[0].dest) || path_exists(items[1].dest)) code = 12;
        else if (!path_exists(items[2].dest)) code = 13;
      }
    } catch (...) {
      code = 14;
    }
    _exit(code);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}

TEST_CASE("retries and failovers are reported as info, and a throwing reporter stops the fetch", "[fetch]") {
  Fixture f;
  std::string data = f.serve("a.rpm", 300000);
  HttpServer server(f.served);
  server.add_fault({"/a.rpm", Fault::Status, 503, 0, 1});
  struct InfoReporter : Reporter {
    std::vector<std::string> infos;
    bool throw_on_progress = false;
    void info(const std::string& m) override { infos.push_back(m); }
    void download_progress(const std::string&, uint64_t, uint64_t) override {
      if (throw_on_progress) throw std::runtime_error("progress bar broke");
    }
  } rep;
  Fetcher fetcher(fast_options(), rep);
  fetcher.fetch(f.item({server.url("/gone.rpm"), server.url("/a.rpm")}, "a.rpm", data));
  REQUIRE(rep.infos.size() == 2);
  CHECK(rep.infos[0] == "pkg-a.rpm: " + server.url("/gone.rpm") + ": HTTP 404; trying the next mirror");
  CHECK(rep.infos[1] == "pkg-a.rpm: " + server.url("/a.rpm") + ": HTTP 503; retry 1 of 3");

  rep.throw_on_progress = true;
  CHECK_THROWS_WITH(fetcher.fetch_all({f.item({server.url("/a.rpm")}, "b.rpm", data)}), "progress bar broke");
  CHECK(f.no_part_files());
  CHECK_FALSE(path_exists(f.out + "/b.rpm"));
}

// Not run by default: ./test_fetch "[bench]"
TEST_CASE("benchmark: 60 files over a 40 ms latency link", "[.][bench]") {
  Fixture f;
  HttpServer server(f.served);
  server.set_latency_ms(40);
  std::vector<FetchItem> items;
  for (int i = 0; i < 60; ++i) {
    std::string name = std::to_string(i) + ".rpm";  // not "p" + ...: GCC 12 -O2 -Wrestrict misfires
    items.push_back(f.item({server.url("/" + name)}, name, f.serve(name, 256 * 1024, i)));
  }
  for (int parallel : {1, 4, 8, 16}) {
    for (auto& it : items) ::unlink(it.dest.c_str());
    FetchOptions o;
    o.max_parallel = parallel;
    Fetcher fetcher(o);
    size_t conns = server.connections();
    auto t0 = std::chrono::steady_clock::now();
    auto results = fetcher.fetch_all(items);
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
    for (auto& r : results) CHECK(r.ok);
    WARN("max_parallel=" << parallel << ": " << ms << " ms for 60 x 256 KiB, " << server.connections() - conns
                         << " connections");
  }
}
