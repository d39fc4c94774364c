#include <catch2/catch.hpp>
#include <cstdlib>

#include "test_support.hpp"
#include "yumda/error.hpp"
#include "yumda/fs.hpp"
#include "yumda/layer.hpp"

using namespace yumda;
using yumda::testing::ScratchDir;
using yumda::testing::write_text;

namespace {

InstalledPackage sample(const std::string& name, uint64_t buildtime) {
  InstalledPackage p;
  p.nevra = {name, "2", "1.0", "3.amzn2", "x86_64"};
  p.repo_id = "amzn2-core";
  p.checksum_type = "sha256";
  p.checksum = "abc123";
  p.buildtime = buildtime;
  p.install_size = 4096;
  p.license = "MIT";
  p.vendor = "Amazon";
  p.summary = "a \"quoted\" summary";
  p.url = "https://example.com/" + name;
  p.sourcerpm = name + "-1.0-3.amzn2.src.rpm";
  p.user_installed = false;
  p.provides = {name + " = 2:1.0-3.amzn2", "lib" + name + ".so.1()(64bit)"};
  p.requirements = {"libc.so.6()(64bit)"};
  p.files = {"bin/" + name, "lib/lib" + name + ".so.1"};
  return p;
}

}  // namespace

TEST_CASE("a missing state file is an empty layer", "[layer][state]") {
  ScratchDir dir;
  LayerState s = LayerState::load(dir.path);
  CHECK(s.packages().empty());
  CHECK(s.find("git") == nullptr);
}

TEST_CASE("state round-trips every field and is sorted by name", "[layer][state]") {
  ScratchDir dir;
  LayerState s;
  s.packages().push_back(sample("zlib", 100));
  s.packages().push_back(sample("git", 300));
  s.packages().push_back(sample("curl", 200));
  s.save(dir.path);
  REQUIRE(path_exists(dir.path + "/.yumda/installed.json"));

  LayerState back = LayerState::load(dir.path);
  REQUIRE(back.packages().size() == 3);
  CHECK(back.packages()[0].nevra.name == "curl");
  CHECK(back.packages()[1].nevra.name == "git");
  CHECK(back.packages()[2].nevra.name == "zlib");
  const InstalledPackage* git = back.find("git");
  REQUIRE(git != nullptr);
  InstalledPackage want = sample("git", 300);
  CHECK(git->nevra == want.nevra);
  CHECK(git->repo_id == want.repo_id);
  CHECK(git->checksum_type == want.checksum_type);
  CHECK(git->checksum == want.checksum);
  CHECK(git->buildtime == want.buildtime);
  CHECK(git->install_size == want.install_size);
  CHECK(git->license == want.license);
  CHECK(git->vendor == want.vendor);
  CHECK(git->summary == want.summary);
  CHECK(git->url == want.url);
  CHECK(git->sourcerpm == want.sourcerpm);
  CHECK(git->user_installed == want.user_installed);
  CHECK(git->provides == want.provides);
  CHECK(git->requirements == want.requirements);
  CHECK(git->files == want.files);

  // Stable: saving what was loaded gives the same bytes, whatever the order.
  std::string first = read_file(LayerState::path(dir.path));
  std::reverse(back.packages().begin(), back.packages().end());
  back.save(dir.path);
  CHECK(read_file(LayerState::path(dir.path)) == first);
  CHECK(first.find("\"format_version\": 1") != std::string::npos);

  // File lists are written sorted even when handed over unsorted.
  back.packages()[0].files = {"z/last", "a/first"};
  back.save(dir.path);
  CHECK(LayerState::load(dir.path).find("zlib")->files == std::vector<std::string>{"a/first", "z/last"});
}

TEST_CASE("a corrupt state file is an Error naming the file and the fix", "[layer][state]") {
  ScratchDir dir;
  std::string file = dir.path + "/.yumda/installed.json";
  auto message = [&]() -> std::string {
    try {
      LayerState::load(dir.path);
    } catch (const Error& e) {
      return e.what();
    }
    return "";
  };
  write_text(file, "{\"format_version\": 1, \"packages\": [");
  std::string m = message();
  CHECK(m.find(file) != std::string::npos);
  CHECK(m.find("not valid JSON") != std::string::npos);
  CHECK(m.find("delete it") != std::string::npos);

  write_text(file, "{\"packages\": []}");
  CHECK(message().find("no format_version") != std::string::npos);

  write_text(file, "{\"format_version\": 1, \"packages\": [{\"name\": \"git\"}]}");
  m = message();
  CHECK(m.find("corrupt") != std::string::npos);
  CHECK(m.find(file) != std::string::npos);

  write_text(file, "{\"format_version\": 1, \"packages\": [{\"name\": \"git\", \"version\": 1, \"release\": \"1\"}]}");
  CHECK(message().find("corrupt") != std::string::npos);

  // Found with fuzz_state: a float where a size or time goes was cast unchecked
  // (undefined behaviour; UBSan: "1e+300 is outside the range").
  for (const std::string bad : {"1e300", "-1", "1.5", "\"7\""}) {
    INFO(bad);
    write_text(file, "{\"format_version\": 1, \"packages\": [{\"name\": \"git\", \"version\": \"1\", \"release\": \"1\", "
                     "\"buildtime\": " + bad + "}]}");
    m = message();
    CHECK(m.find("is corrupt: \"buildtime\" is not a whole number >= 0") != std::string::npos);
    CHECK(m.find(file) != std::string::npos);
  }
  write_text(file, "{\"format_version\": 1, \"packages\": [{\"name\": \"git\", \"version\": \"1\", \"release\": \"1\", "
                   "\"relocated\": {\"rewritten\": [{\"path\": \"bin/git\", \"paths\": -2.5}]}}]}");
  CHECK(message().find("\"paths\" is not a whole number >= 0") != std::string::npos);

  write_text(file, "{\"format_version\": 7, \"packages\": []}");
  m = message();
  CHECK(m.find(file) != std::string::npos);
  CHECK(m.find("newer yumda") != std::string::npos);
  CHECK(m.find("upgrade yumda") != std::string::npos);

  write_text(file, "{\"format_version\": 1, \"packages\": []}");
  CHECK(message().empty());
}

TEST_CASE("the zip timestamp: SOURCE_DATE_EPOCH, else the newest buildtime, else 1980", "[layer][state]") {
  const char* saved = std::getenv("SOURCE_DATE_EPOCH");
  std::string keep = saved ? saved : "";
  unsetenv("SOURCE_DATE_EPOCH");
  std::vector<InstalledPackage> pkgs;
  CHECK(reproducible_mtime(pkgs) == 315532800);  // an empty layer: zip's epoch, not 1970
  pkgs.push_back(sample("zlib", 100));
  pkgs.push_back(sample("git", 300));
  CHECK(reproducible_mtime(pkgs) == 300);
  setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
  CHECK(reproducible_mtime(pkgs) == 1700000000);
  setenv("SOURCE_DATE_EPOCH", "yesterday", 1);
  CHECK_THROWS_AS(reproducible_mtime(pkgs), UsageError);
  if (saved) setenv("SOURCE_DATE_EPOCH", keep.c_str(), 1);
  else unsetenv("SOURCE_DATE_EPOCH");
}

TEST_CASE("each change to the layer is one history entry, kept through a save", "[layer][state][history]") {
  ScratchDir dir;
  LayerState empty;
  LayerState one;
  one.packages().push_back(sample("git", 1));
  one.packages().back().user_installed = true;
  one.packages().push_back(sample("zlib", 1));
  one.record(empty, "install git", {}, 1000);
  REQUIRE(one.history().size() == 1);
  CHECK(one.history()[0].id == 1);
  CHECK(one.history()[0].command == "install git");
  REQUIRE(one.history()[0].items.size() == 2);
  CHECK(one.history()[0].items[0].action == "Install");
  CHECK(one.history()[0].items[0].user_installed);
  CHECK_FALSE(one.history()[0].items[1].user_installed);

  // An upgrade of git and the removal of zlib: Upgrade + Upgraded, Removed.
  LayerState two;
  two.packages().push_back(sample("git", 2));
  two.packages().back().nevra.version = "1.1";
  two.record(one, "upgrade", {{two.packages()[0].nevra.str(), {one.packages()[0].nevra}}}, 2000);
  two.save(dir.path);
  LayerState back = LayerState::load(dir.path);
  REQUIRE(back.history().size() == 2);
  const HistoryEntry* e = back.find_transaction(2);
  REQUIRE(e);
  REQUIRE(e->items.size() == 3);
  CHECK(e->items[0].action == "Upgrade");
  CHECK(e->items[0].nevra.version == "1.1");
  CHECK(e->items[1].action == "Upgraded");
  CHECK(e->items[1].nevra.version == "1.0");
  CHECK(e->items[2].action == "Removed");
  CHECK(e->items[2].nevra.name == "zlib");
  CHECK(e->time == 2000);

  // Nothing changed (a mark): no entry; ids keep counting past the bound.
  LayerState same = back;
  same.record(back, "mark", {}, 3000);
  CHECK(same.history().size() == 2);
  LayerState cur = back;
  for (int i = 0; i < 120; ++i) {
    LayerState next;
    if (cur.packages().empty()) next.packages().push_back(sample("jq", 1));
    next.record(cur, "flip", {}, 4000);
    cur = next;
  }
  CHECK(cur.history().size() == LayerState::kMaxHistory);
  CHECK(cur.history().back().id == 122);
  CHECK(cur.find_transaction(1) == nullptr);
}

TEST_CASE("history: an obsoleted package's row follows the package that took it out, as dnf lists them",
          "[layer][state][history]") {
  LayerState one;
  for (const char* n : {"aa-old", "legacy", "suite"}) one.packages().push_back(sample(n, 1));
  one.record(LayerState{}, "install", {}, 1000);
  // suite 1.1 upgrades suite and obsoletes aa-old; renamed obsoletes legacy
  LayerState two;
  two.packages().push_back(sample("suite", 2));
  two.packages().back().nevra.version = "1.1";
  two.packages().push_back(sample("renamed", 2));
  two.record(one, "upgrade",
             {{two.packages()[0].nevra.str(), {one.packages()[2].nevra, one.packages()[0].nevra}},
              {two.packages()[1].nevra.str(), {one.packages()[1].nevra}}},
             2000);
  std::vector<std::string> rows;
  for (const auto& i : two.history().back().items) rows.push_back(i.action + " " + i.nevra.name);
  CHECK(rows == std::vector<std::string>{"Install renamed", "Obsoleted legacy", "Upgrade suite", "Upgraded suite",
                                         "Obsoleted aa-old"});
}

TEST_CASE("a history with a forged entry is refused, naming the file", "[layer][state][history]") {
  const std::string base = R"({"format_version": 1, "packages": [], "history": )";
  CHECK_THROWS_WITH(LayerState::parse(base + R"([{"id": 2, "packages": []}, {"id": 2, "packages": []}]})", "F"),
                    Catch::Contains("layer state F is corrupt") && Catch::Contains("history ids"));
  CHECK_THROWS_WITH(LayerState::parse(base + R"([{"id": 1, "packages": [{"action": "Explode", "name": "a",
      "version": "1", "release": "1"}]}]})", "F"), Catch::Contains("unknown action"));
  CHECK_THROWS_WITH(LayerState::parse(base + R"([{"id": -1, "packages": []}]})", "F"),
                    Catch::Contains("whole number"));
}
