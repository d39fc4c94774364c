// Fetcher when a transfer is cut short: resets, truncated and stalled
// bodies resume with Range, a trickle meets its deadline, a 200 to a Range
// restarts, an earlier run's .part is resumed, time in on_done is not a stall.
#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

#include "fetch/fetch_test_support.hpp"

using namespace yumda;
using namespace yumda::fetch_test;

namespace {

// The body of FAULT's first occurrence is cut short; the download must still
// complete, resumed with a Range request from where the .part ends.
void check_resumed_after(Fault fault, FetchOptions o) {
  Fixture f;
  std::string data = f.serve("a.rpm", 2000000);
  HttpServer server(f.served);
  server.add_fault({"/a.rpm", fault, 0, 10000, 1});  // a stall lasts 10 s
  Fetcher fetcher(o);
  auto it = f.item({server.url("/a.rpm")}, "a.rpm", data);
  auto t0 = std::chrono::steady_clock::now();
  auto r = fetcher.fetch_all({it});
  INFO(r[0].error);
  REQUIRE(r[0].ok);
  CHECK(read_file(it.dest) == data);
  CHECK(f.no_part_files());
  auto log = server.log();
  REQUIRE(log.size() == 2);
  CHECK(log[0].range.empty());
  CHECK(log[1].range.rfind("bytes=", 0) == 0);
  CHECK(log[1].range != "bytes=0-");
  CHECK(log[1].status == 206);
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(8));  // not waiting out the stall
}

}  // namespace

TEST_CASE("a connection reset mid-body resumes with Range", "[fetch]") {
  check_resumed_after(Fault::Reset, fast_options());
}

TEST_CASE("a truncated body resumes with Range", "[fetch]") {
  check_resumed_after(Fault::Truncate, fast_options());
}

TEST_CASE("a stalled transfer times out and resumes with Range", "[fetch]") {
  FetchOptions o = fast_options();
  o.timeout = 2;  // 1 s is too little for the first byte on a loaded machine under ASan
  o.low_speed_limit = 1000;
  check_resumed_after(Fault::Stall, o);
}

TEST_CASE("a trickle that never stalls still ends: each attempt has a deadline, and the retries say why",
          "[fetch]") {
  Fixture f;
  std::string data = f.serve("a.rpm", 5000);
  HttpServer server(f.served);
  FaultRule trickle;
  trickle.prefix = "/a.rpm";
  trickle.fault = Fault::Trickle;
  trickle.delay_ms = 100;  // 10 bytes/s: never silent for the 2 s stall window
  server.add_fault(trickle);
  struct Infos : Reporter {
    std::vector<std::string> lines;
    void info(const std::string& m) override { lines.push_back(m); }
  } rep;
  FetchOptions o = fast_options();
  o.retries = 1;
  o.min_rate = 5000;  // 5000 bytes: 2 s + 1 s for the first attempt
  Fetcher fetcher(o, rep);
  auto r = fetcher.fetch_all({f.item({server.url("/a.rpm")}, "a.rpm", data)});
  REQUIRE_FALSE(r[0].ok);
  CHECK_THAT(r[0].error, Catch::StartsWith("cannot download pkg-a.rpm from " + server.url("/a.rpm") +
                                           ": too slow: not done within 3 s (2 s + "));
  CHECK_THAT(r[0].error, Catch::EndsWith(" bytes at 5000 bytes/s) (gave up after 1 retry)"));
  REQUIRE(rep.lines.size() == 1);
  CHECK(rep.lines[0] == "pkg-a.rpm: " + server.url("/a.rpm") +
                            ": too slow: not done within 3 s (2 s + 5000 bytes at 5000 bytes/s); retry 1 of 1");
  CHECK(f.no_part_files());
}

TEST_CASE("a server that answers 200 to a Range restarts the file from byte 0", "[fetch]") {
  Fixture f;
  std::string data = f.serve("a.rpm", 500000);
  HttpServer server(f.served);
  server.add_fault({"/a.rpm", Fault::Reset, 0, 0, 1});
  server.add_fault({"/a.rpm", Fault::NoRange});
  Fetcher fetcher(fast_options());
  auto it = f.item({server.url("/a.rpm")}, "a.rpm", data);
  fetcher.fetch(it);
  CHECK(read_file(it.dest) == data);
  auto log = server.log();
  REQUIRE(log.size() == 2);
  CHECK_FALSE(log[1].range.empty());
  CHECK(log[1].status == 200);
}

TEST_CASE("a .part left by an earlier run is resumed, and redone when it was bad", "[fetch]") {
  Fixture f;
  std::string data = f.serve("a.rpm", 100000);
  HttpServer server(f.served);
  Fetcher fetcher(fast_options());
  auto it = f.item({server.url("/a.rpm")}, "a.rpm", data);
  write_text(it.dest + ".part", data.substr(0, 60000));
  fetcher.fetch(it);
  CHECK(read_file(it.dest) == data);
  REQUIRE(server.log().size() == 1);
  CHECK(server.log()[0].range == "bytes=60000-");

  auto it2 = f.item({server.url("/a.rpm")}, "b.rpm", data);
  write_text(it2.dest + ".part", std::string(60000, 'x'));  // garbage from somewhere
  fetcher.fetch(it2);
  CHECK(read_file(it2.dest) == data);
  auto log = server.log();
  REQUIRE(log.size() == 3);
  CHECK(log[1].range == "bytes=60000-");
  CHECK(log[2].range.empty());
  CHECK(f.no_part_files());
}

TEST_CASE("time spent in on_done does not count as a stalled download", "[fetch]") {
  Fixture f;
  std::string small = f.serve("small.rpm", 1000, 1);
  std::string big = f.serve("big.rpm", 300000, 2);
  HttpServer server(f.served);
  // small is done at 0.3 s (so big's request has surely gone out), its on_done
  // takes until 7.3 s, and big answers at 7.5 s: 7.5 s after the request, more
  // than the 6 s timeout, but only 0.2 s after we looked again. (Generous
  // numbers: CI runs this under ASan on two busy cores.)
  server.add_fault({"/small.rpm", Fault::SlowFirstByte, 0, 300});
  server.add_fault({"/big.rpm", Fault::SlowFirstByte, 0, 7500});
  FetchOptions o = fast_options();
  o.timeout = 6;
  struct Infos : Reporter {
    std::string all;
    void info(const std::string& m) override { all += m + "\n"; }
  } rep;
  Fetcher fetcher(o, rep);
  std::vector<FetchItem> items = {f.item({server.url("/small.rpm")}, "small.rpm", small),
                                  f.item({server.url("/big.rpm")}, "big.rpm", big)};
  auto results = fetcher.fetch_all(items, [&](size_t i, const FetchResult&) {
    if (i == 0) std::this_thread::sleep_for(std::chrono::milliseconds(7000));  // a slow extraction
  });
  INFO(rep.all);
  CHECK(results[0].ok);
  CHECK(results[1].ok);
  CHECK(count_requests(server, "/big.rpm") == 1);
}
