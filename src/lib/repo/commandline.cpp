// Package files named on the command line (`install ./x.rpm`): told apart
// from specs by dnf's rule, globs expanded, and read into the pool as one
// more repo, "@commandline", so they resolve together with the repos.
#include "repo/commandline.hpp"

#include <glob.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>

#include "yumda/error.hpp"
#include "yumda/fetch.hpp"
#include "yumda/fs.hpp"

namespace yumda {

namespace {

bool is_regular_file(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

LocalPackage local_package(const std::string& arg, const std::string& path) {
  if (!is_regular_file(path))
    throw Error("local package " + arg + (path_exists(path) ? " is not a regular file" : " does not exist") +
                " (give the path of an .rpm file)");
  return {arg, std::filesystem::absolute(path).lexically_normal().string()};
}

}  // namespace

std::vector<LocalPackage> take_local_packages(std::vector<std::string>& specs) {
  std::vector<LocalPackage> out;
  std::vector<std::string> rest;
  for (const auto& arg : specs) {
    const bool url = arg.starts_with("file:");
    std::string path = url ? file_url_path(arg) : arg;
    if (url && path.empty())
      throw Error("local package " + arg + ": only a file:// URL of this machine can be read (file:///PATH)");
    // "/opt/bin/git" is a path spec (what provides it), never a host file.
    const bool local = url || arg.ends_with(".rpm") ||
                       (!arg.starts_with("/") && arg.find('/') != std::string::npos && is_regular_file(arg));
    if (!local) {
      rest.push_back(arg);
      continue;
    }
    if (path.find_first_of("*?[") == std::string::npos) {
      out.push_back(local_package(arg, path));
      continue;
    }
    // A quoted glob ('dir/*.rpm'), as the shell would expand it.
    glob_t g{};
    const int rc = ::glob(path.c_str(), GLOB_NOSORT, nullptr, &g);
    std::vector<std::string> matches(g.gl_pathv, g.gl_pathv + (rc == 0 ? g.gl_pathc : 0));
    globfree(&g);
    if (matches.empty()) throw Error("no file matches " + arg + " (check the directory and the pattern)");
    std::sort(matches.begin(), matches.end());
    for (const auto& m : matches) out.push_back(local_package(m, m));
  }
  specs = std::move(rest);
  return out;
}

void add_dep_keys(const std::string& dep, std::vector<std::string>& keys) {
  std::string word;
  for (char c : dep + " ") {
    if (c == ' ' || c == '(' || c == ')') {
      if (!word.empty()) keys.push_back(word);
      word.clear();
    } else {
      word += c;
    }
  }
}

std::vector<Id> add_commandline_repo(Pool& pool, const std::vector<LocalPackage>& packages) {
  std::vector<Id> ids;
  if (packages.empty()) return ids;
  Repo* repo = repo_create(pool.get(), kCommandlineRepo);
  for (const auto& p : packages) {
    Id id = repo_add_rpm(repo, p.path.c_str(), REPO_REUSE_REPODATA | REPO_NO_INTERNALIZE | RPM_ADD_WITH_SHA256SUM);
    if (!id)
      throw Error("local package " + p.arg + " cannot be read as an RPM (" + pool_errstr(pool.get()) +
                  "): give the path of a binary .rpm file");
    if (pool.is_source(id))
      throw Error("local package " + p.arg + " is a source RPM; yumda installs binary packages only");
    ids.push_back(id);
  }
  repo_internalize(repo);
  return ids;
}

}  // namespace yumda
