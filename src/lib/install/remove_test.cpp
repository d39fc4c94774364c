#include <catch2/catch.hpp>

#include "yumda/error.hpp"
#include "yumda/remove.hpp"

using namespace yumda;

namespace {

InstalledPackage pkg(const std::string& name, std::vector<std::string> reqs, bool user, std::vector<std::string> provides = {}) {
  InstalledPackage p;
  p.nevra = {name, "", "1.0", "1", "x86_64"};
  p.provides = std::move(provides);
  p.provides.push_back(name + " = 1.0-1");
  p.requirements = std::move(reqs);
  p.user_installed = user;
  p.files = {"share/" + name + "/file"};
  return p;
}

std::vector<std::string> names(const std::vector<InstalledPackage>& v) {
  std::vector<std::string> out;
  for (const auto& p : v) out.push_back(p.nevra.name);
  std::sort(out.begin(), out.end());
  return out;
}

LayerState layer() {
  LayerState s;
  s.packages() = {pkg("git", {"libcurl.so.4()(64bit)", "perl-Git >= 1.0", "libc.so.6()(64bit)"}, true),
                  pkg("libcurl", {"libc.so.6()(64bit)"}, false, {"libcurl.so.4()(64bit)"}),
                  pkg("perl-Git", {"perl"}, false), pkg("perl", {}, false), pkg("sox", {"libc.so.6()(64bit)"}, true)};
  return s;
}

}  // namespace

TEST_CASE("remove takes dependents and unneeded dependencies, keeps what was asked for", "[remove]") {
  auto plan = plan_remove(layer(), {"libcurl"});
  CHECK(names(plan.named) == std::vector<std::string>{"libcurl"});
  CHECK(names(plan.dependents) == std::vector<std::string>{"git"});
  CHECK(names(plan.unneeded) == std::vector<std::string>{"perl", "perl-Git"});

  auto git = plan_remove(layer(), {"git"});
  CHECK(git.dependents.empty());
  CHECK(names(git.unneeded) == std::vector<std::string>{"libcurl", "perl", "perl-Git"});

  auto keep = plan_remove(layer(), {"git"}, /*clean_deps=*/false);
  CHECK(keep.size() == 1);
  // A requirement no layer package provides (libc: the runtime's) never pulls anything out.
  CHECK(plan_remove(layer(), {"sox"}).size() == 1);
}

TEST_CASE("remove matches globs and refuses unknown names", "[remove]") {
  CHECK(names(plan_remove(layer(), {"perl*"}).named) == std::vector<std::string>{"perl", "perl-Git"});
  CHECK_THROWS_WITH(plan_remove(layer(), {"nope"}), Catch::Contains("No match for argument: nope"));
}
