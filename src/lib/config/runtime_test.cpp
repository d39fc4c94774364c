#include <catch2/catch.hpp>
#include <algorithm>

#include "yumda/baseline.hpp"
#include "yumda/error.hpp"
#include "yumda/runtime.hpp"

using namespace yumda;

TEST_CASE("runtime profiles: built in, each with a package set, arches and Lambda runtimes", "[runtime]") {
  CHECK(builtin_runtimes() == std::vector<std::string>{"al1", "al2", "al2023"});
  CHECK(std::string(kDefaultRuntime) == "al2023");
  RuntimeProfile p = load_runtime("al2023");
  CHECK(p.name == "Amazon Linux 2023");
  CHECK(p.architectures == std::vector<std::string>{"x86_64", "aarch64"});
  CHECK(p.has_arch("aarch64"));
  CHECK(p.baseline == "al2023");
  CHECK(p.releasever == "latest");
  CHECK(p.relocate == "auto");
  CHECK(p.reposdir == "<built-in>/runtimes/al2023/repos.d");
  CHECK(p.source == "<built-in>/runtimes/al2023/runtime.conf");
  CHECK(std::find(p.lambda_runtimes.begin(), p.lambda_runtimes.end(), "provided.al2023") != p.lambda_runtimes.end());
  CHECK(std::find(p.lambda_runtimes.begin(), p.lambda_runtimes.end(), "python3.12") != p.lambda_runtimes.end());
  CHECK_FALSE(p.date.empty());
  CHECK_FALSE(p.support.empty());

  RuntimeProfile al2 = load_runtime("al2");
  CHECK(al2.baseline == "al2");
  CHECK(al2.releasever == "2");
  CHECK(std::find(al2.lambda_runtimes.begin(), al2.lambda_runtimes.end(), "provided.al2") != al2.lambda_runtimes.end());
  CHECK(load_runtime("al1").architectures == std::vector<std::string>{"x86_64"});

  // Every profile's package set loads, with a file list for each of its arches (al1 has none).
  for (const auto& id : builtin_runtimes()) {
    RuntimeProfile r = load_runtime(id);
    for (const auto& arch : r.architectures) {
      INFO(id << " " << arch);
      Baseline b = load_baseline(r.baseline, arch);
      CHECK_FALSE(b.packages.empty());
      CHECK(b.files.empty() == (id == "al1"));
    }
  }
}

TEST_CASE("runtime and arch names", "[runtime]") {
  CHECK_THROWS_WITH(load_runtime("al3"), "unknown runtime 'al3' (choose al1, al2, al2023)");
  CHECK_THROWS_AS(load_runtime("../al2"), UsageError);
  CHECK(canonical_arch("arm64") == "aarch64");
  CHECK(canonical_arch("aarch64") == "aarch64");
  CHECK(canonical_arch("amd64") == "x86_64");
  CHECK(canonical_arch("x86_64") == "x86_64");
  for (const char* bad : {"", "ARM64", "i686", "x86-64", "armv7hl"}) {
    INFO(bad);
    CHECK_THROWS_AS(canonical_arch(bad), UsageError);
  }
}
