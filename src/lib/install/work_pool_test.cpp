#include <catch2/catch.hpp>

#include <atomic>
#include <stdexcept>

#include "install/work_pool.hpp"

using namespace yumda;

TEST_CASE("work pool runs every task and waits for them", "[pool]") {
  std::atomic<int> n{0};
  WorkPool pool(3);
  for (int i = 0; i < 100; ++i) pool.submit([&n] { ++n; });
  pool.wait();
  CHECK(n == 100);
}

TEST_CASE("work pool rethrows the first failure and drops later tasks", "[pool]") {
  std::atomic<int> after{0};
  WorkPool pool(1);
  pool.submit([] { throw std::runtime_error("package x is corrupt"); });
  CHECK_THROWS_WITH(pool.wait(), "package x is corrupt");
  CHECK(pool.failed());
  pool.submit([&after] { ++after; });
  CHECK_THROWS(pool.wait());
  CHECK(after == 0);
}
