#include "yumda/meter.hpp"

#include <catch2/catch.hpp>
#include <vector>

using namespace yumda;

TEST_CASE("MovingRate: a stall makes the rate fall, the resume makes it rise again; the ETA follows it") {
  MovingRate r(3.0);
  r.reset(0, 0);
  CHECK(!r.known());
  CHECK(!r.eta(1000));
  uint64_t bytes = 0;
  double t = 0;
  for (int i = 0; i < 50; ++i) r.sample(t += 0.2, bytes += 200'000);  // 10 s at 1 MB/s
  CHECK(r.rate() == Approx(1'000'000).epsilon(0.01));
  CHECK(*r.eta(5'000'000) == Approx(5.0).epsilon(0.01));
  // the average since the start would still say 1 MB/s after one stalled second; the moving rate does not
  double before = r.rate();
  std::vector<double> stalled;
  for (int i = 0; i < 25; ++i) {
    r.sample(t += 0.2, bytes);  // 5 s, nothing arrives
    stalled.push_back(r.rate());
  }
  CHECK(stalled.front() < before);
  for (size_t i = 1; i < stalled.size(); ++i) CHECK(stalled[i] < stalled[i - 1]);
  CHECK(stalled.back() < 0.25 * before);
  CHECK(*r.eta(5'000'000) > 4 * 5.0);  // the ETA grows as the rate falls
  std::vector<double> resumed;
  for (int i = 0; i < 25; ++i) {
    r.sample(t += 0.2, bytes += 200'000);  // 1 MB/s again
    resumed.push_back(r.rate());
  }
  for (size_t i = 1; i < resumed.size(); ++i) CHECK(resumed[i] > resumed[i - 1]);
  CHECK(r.rate() > 0.75 * 1'000'000);
  // since the start: 30 MB... over 20 s = 0.75 MB/s; the moving rate is nearer the present 1 MB/s
  CHECK(r.rate() > 0.8e6);
}

TEST_CASE("MovingRate: samples too close together count with the next; a first sample is taken whole") {
  MovingRate r(3.0);
  r.reset(10.0, 1000);
  r.sample(10.01, 2000);  // 10 ms: too short to tell
  CHECK(!r.known());
  r.sample(10.5, 51000);
  REQUIRE(r.known());
  CHECK(r.rate() == Approx(100'000));
  r.sample(11.0, 51000);
  CHECK(r.rate() < 100'000);
}

TEST_CASE("cut_to_columns cuts by display columns, never inside a UTF-8 character") {
  CHECK(cut_to_columns("abcdef", 4) == "abcd");
  CHECK(cut_to_columns("abc", 10) == "abc");
  // "café": 5 bytes, 4 columns
  CHECK(cut_to_columns("café au lait", 4) == "café");
  CHECK(cut_to_columns("café", 3) == "caf");
  // wide characters take two columns: a half one does not fit
  CHECK(cut_to_columns("日本語", 4) == "日本");
  CHECK(cut_to_columns("日本語", 5) == "日本");
  // a combining accent takes none and stays with its letter
  CHECK(cut_to_columns("e\xcc\x81x", 1) == "e\xcc\x81");
  // not UTF-8: one column a byte
  CHECK(cut_to_columns("\xff\xfe" "ab", 3) == "\xff\xfe" "a");
  CHECK(cut_to_columns("", 3).empty());
}
