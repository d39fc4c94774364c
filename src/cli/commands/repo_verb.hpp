// What a verb that reads the repos sets up first: the config from the global
// options, the console reporter and a RepoSession over both. One object,
// because the session keeps references to the other two.
#pragma once
#include <string>

#include "../console_reporter.hpp"
#include "common.hpp"
#include "yumda/install.hpp"

namespace yumda::cli {

struct RepoVerb {
  Config config;
  ConsoleReporter reporter;
  RepoSession session;

  // ROOT: the layer whose packages count as installed ("" for none).
  RepoVerb(GlobalOptions& g, const std::string& root)
      : config(make_config(g)), reporter(g), session(config, root, g.cacheonly, reporter) {}
  Resolver& resolver() { return session.resolver(); }
};

}  // namespace yumda::cli
