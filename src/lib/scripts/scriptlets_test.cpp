#include <catch2/catch.hpp>
#include <sched.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "yumda/scripts.hpp"

namespace fs = std::filesystem;
using namespace yumda;

namespace {

struct Warnings : Reporter {
  std::vector<std::string> seen;
  void warning(const std::string& m) override { seen.push_back(m); }
};

std::string slurp(const std::string& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Whether bubblewrap can build its sandbox here at all.
bool namespaces_work() { return std::system("bwrap --unshare-user --ro-bind / / true 2>/dev/null") == 0; }

}  // namespace

TEST_CASE("scriptlets see the layer at /opt; a failure is a result and a warning", "[scripts]") {
  if (!namespaces_work()) {
    WARN("skipped: bubblewrap missing or user namespaces disabled here");
    return;
  }
  char tmpl[] = "/tmp/yumda-scripts-XXXXXX";
  REQUIRE(mkdtemp(tmpl));
  std::string root = tmpl;
  Warnings w;
  std::vector<Scriptlet> s = {{"a-1-1.noarch", "mkdir -p /opt/share && echo \"$1:$LD_LIBRARY_PATH\" > /opt/share/m", 2},
                              {"b-1-1.noarch", "exit 3", 1},
                              {"c-1-1.noarch", "echo to-stdout", 1}};
  auto r = run_scriptlets(root, s, w);
  REQUIRE(r.size() == 3);
  CHECK(r[0].status == ScriptletResult::Status::kOk);
  CHECK(slurp(root + "/share/m") == "2:/opt/lib\n");
  CHECK(r[1].status == ScriptletResult::Status::kFailed);
  CHECK(r[1].exit_code == 3);
  CHECK(r[2].status == ScriptletResult::Status::kOk);
  REQUIRE(w.seen.size() == 1);
  CHECK(w.seen[0].find("b-1-1.noarch") != std::string::npos);
  CHECK(w.seen[0].find("exit status 3") != std::string::npos);
  fs::remove_all(root);
}

TEST_CASE("scriptlets that cannot be set up are listed as skipped", "[scripts]") {
  Warnings w;
  auto r = run_scriptlets("/nonexistent/layer", {{"a-1-1.noarch", "true", 1}, {"b-1-1.noarch", "true", 1}}, w);
  REQUIRE(r.size() == 2);
  for (const auto& x : r) CHECK(x.status == ScriptletResult::Status::kSkipped);
  REQUIRE(w.seen.size() == 1);
  CHECK(w.seen[0].find("a-1-1.noarch, b-1-1.noarch") != std::string::npos);
  auto n = skip_scriptlets({{"c-1-1.noarch", "true", 1}}, "--noscripts");
  REQUIRE(n.size() == 1);
  CHECK(n[0].detail == "--noscripts");
  CHECK(std::string(scriptlet_status_name(n[0].status)) == "skipped");
}

TEST_CASE("without bubblewrap every script is skipped, saying so", "[scripts]") {
  char tmpl[] = "/tmp/yumda-scripts-XXXXXX";
  REQUIRE(mkdtemp(tmpl));
  setenv("YUMDA_BWRAP", "/nonexistent/bwrap", 1);
  Warnings w;
  auto r = run_scriptlets(tmpl, {{"a-1-1.noarch", "touch /opt/ran", 1}}, w);
  unsetenv("YUMDA_BWRAP");
  REQUIRE(r.size() == 1);
  CHECK(r[0].status == ScriptletResult::Status::kSkipped);
  CHECK(r[0].detail.find("bubblewrap (bwrap) is not installed") != std::string::npos);
  REQUIRE(w.seen.size() == 1);
  CHECK(w.seen[0].find("skipped 1 scriptlet(s) of a-1-1.noarch") != std::string::npos);
  CHECK_FALSE(fs::exists(std::string(tmpl) + "/ran"));
  fs::remove_all(tmpl);
}
