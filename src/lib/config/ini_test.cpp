#include <catch2/catch.hpp>

#include "config/ini.hpp"
#include "yumda/error.hpp"

using namespace yumda;

namespace {

// The message of the UsageError that parsing TEXT throws ("" if none).
std::string parse_error(const std::string& text) {
  try {
    ini::parse(text, "t.repo");
  } catch (const UsageError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("ini: sections, spacing, comments and continuation lines", "[ini]") {
  auto s = ini::parse(
      "# leading comment\n"
      "[main]\r\n"
      "gpgcheck=1\r\n"
      "; another comment\n"
      "\n"
      "[ repo.a ]\n"
      "name = Repo A \n"
      "baseurl=https://one/\n"
      "  https://two/\n"
      "# a comment inside a value does not end it\n"
      "\thttps://three/\n"
      "empty=\n",
      "t.repo");
  REQUIRE(s.size() == 2);
  CHECK(s[0].name == "main");
  CHECK(s[0].origin == "t.repo:2");
  REQUIRE(s[0].entries.size() == 1);
  CHECK(s[0].entries[0].key == "gpgcheck");
  CHECK(s[0].entries[0].value == "1");
  CHECK(s[1].name == "repo.a");
  REQUIRE(s[1].entries.size() == 3);
  CHECK(s[1].entries[0].value == "Repo A");
  CHECK(s[1].entries[1].value == "https://one/\nhttps://two/\nhttps://three/");
  CHECK(s[1].entries[1].origin == "t.repo:8");
  CHECK(s[1].entries[2].key == "empty");
  CHECK(s[1].entries[2].value.empty());
}

TEST_CASE("ini: every line it does not understand is an error with FILE:LINE", "[ini]") {
  CHECK_THAT(parse_error("[a]\nbaseurl http://x\n"), Catch::StartsWith("t.repo:2: cannot parse 'baseurl http://x'"));
  CHECK_THAT(parse_error("gpgcheck=1\n"), Catch::StartsWith("t.repo:1: 'gpgcheck' is outside any section"));
  CHECK_THAT(parse_error("[a]\nx=1\n\n  y\n"), Catch::StartsWith("t.repo:4: indented line 'y' continues no value"));
  CHECK_THAT(parse_error("[a]\n  y\n"), Catch::StartsWith("t.repo:2: indented line"));
  CHECK_THAT(parse_error("[a]\n[b]\n[a]\n"), Catch::StartsWith("t.repo:3: section [a] is already defined at t.repo:1"));
  CHECK_THAT(parse_error("[a\n"), Catch::StartsWith("t.repo:1: bad section header"));
  CHECK_THAT(parse_error("[]\n"), Catch::StartsWith("t.repo:1: empty section name"));
  CHECK_THAT(parse_error("[a]\n=1\n"), Catch::StartsWith("t.repo:2: '=1' has no key"));
  CHECK(parse_error("[a]\nx=1\n").empty());
}

TEST_CASE("ini: a NUL byte is refused, naming the file, line and key", "[ini]") {
  using namespace std::string_literals;
  // Before #14 "baseurl=http://x\0evil" was accepted, and C code saw only "http://x".
  CHECK(parse_error("[a]\nbaseurl=http://x\0evil\n"s) ==
        "t.repo:2: the value of 'baseurl' has a NUL byte; a config file is text (remove it)");
  CHECK(parse_error("[a]\nx=1\n  more\0\n"s) ==
        "t.repo:3: the value of 'x' has a NUL byte; a config file is text (remove it)");
  CHECK(parse_error("[a]\nba\0d=1\n"s) == "t.repo:2: a NUL byte; a config file is text (remove it)");
  CHECK(parse_error("# \0 in a comment\n[a]\n"s) == "t.repo:1: a NUL byte; a config file is text (remove it)");
}
