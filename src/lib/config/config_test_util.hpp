// Helpers shared by the test files beside this one (split from config_test.cpp).
#pragma once
#include <stdlib.h>
#include <catch2/catch.hpp>
#include <algorithm>
#include <filesystem>
#include <set>
#include <sstream>
#include <vector>
#include "test_support.hpp"
#include "yumda/config.hpp"
#include "yumda/error.hpp"
#include "yumda/fs.hpp"
#include "yumda/reporter.hpp"

namespace yumda::testing {


// A config directory on disk: DIR/yumda.conf plus DIR/repos.d/*.repo.
struct ConfDir {
  ScratchDir scratch;
  std::string dir = scratch.path;
  std::string conf = dir + "/yumda.conf";

  void main(const std::string& text) { write_text(conf, "[main]\n" + text); }
  void repo(const std::string& file, const std::string& text) { write_text(dir + "/repos.d/" + file, text); }
  ConfigOptions options() const {
    ConfigOptions o;
    o.config_file = conf;
    o.system_config = dir + "/no-such-system.conf";
    return o;
  }
};

inline std::set<std::string> enabled_ids(const Config& c) {
  std::set<std::string> out;
  for (const auto* r : c.enabled_repos()) out.insert(r->id);
  return out;
}

// load_config, with the warnings it reported.
struct Loaded : Config {
  std::vector<std::string> warnings;
};
inline Loaded load_reporting(const ConfigOptions& o) {
  struct Collect : Reporter {
    std::vector<std::string> seen;
    void warning(const std::string& m) override { seen.push_back(m); }
  } collect;
  Loaded l{load_config(o, collect), {}};
  l.warnings = std::move(collect.seen);
  return l;
}

inline std::string load_error(const ConfigOptions& o) {
  try {
    load_config(o);
  } catch (const UsageError& e) {
    return e.what();
  }
  return "";
}

// Sets an environment variable for one scope.
struct ScopedEnv {
  std::string name;
  std::optional<std::string> old;
  ScopedEnv(const std::string& n, const char* value) : name(n) {
    if (const char* o = getenv(n.c_str())) old = o;
    if (value) setenv(n.c_str(), value, 1);
    else unsetenv(n.c_str());
  }
  ~ScopedEnv() {
    if (old) setenv(name.c_str(), old->c_str(), 1);
    else unsetenv(name.c_str());
  }
};

inline const std::string kRepoA = "[a]\nname=A\nbaseurl=file:///srv/a\n";


}  // namespace yumda::testing
