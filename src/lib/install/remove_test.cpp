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
  p.files = {"share/" + name, "share/" + name + "/file"};
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

TEST_CASE("remove weighs versions and rich dependencies as libsolv does", "[remove]") {
  LayerState s;
  auto api = [](const std::string& name, const std::string& version) {
    InstalledPackage p = pkg(name, {}, false, {"api = " + version});
    return p;
  };
  s.packages() = {pkg("viewer", {"fontcfg"}, true), pkg("fontcfg", {"(font-x or font-none)"}, false),
                  pkg("font-x", {}, false), pkg("other", {}, true), pkg("app2", {"api >= 2"}, true),
                  api("old-api", "1"), api("new-api", "2")};
  s.packages()[5].user_installed = true;  // old-api was asked for
  // font-x meets fontcfg's (font-x or font-none): it stays while fontcfg does.
  CHECK(plan_remove(s, {"other"}).size() == 1);
  auto fx = plan_remove(s, {"font-x"});
  // viewer needs fontcfg; fontcfg was pulled in for viewer only: dnf (libdnf's
  // reasons) lists it as an unused dependency, as libsolv's cleandeps says.
  CHECK(names(fx.dependents) == std::vector<std::string>{"viewer"});
  CHECK(names(fx.unneeded) == std::vector<std::string>{"fontcfg"});
  CHECK(names(plan_remove(s, {"viewer"}).unneeded) == std::vector<std::string>{"font-x", "fontcfg"});
  // old-api's api = 1 does not meet app2's api >= 2.
  auto na = plan_remove(s, {"new-api"});
  CHECK(names(na.dependents) == std::vector<std::string>{"app2"});
  CHECK(na.unneeded.empty());
}

TEST_CASE("remove takes the spec forms install takes", "[remove]") {
  CHECK(names(plan_remove(layer(), {"git-1.0-1"}).named) == std::vector<std::string>{"git"});
  CHECK(names(plan_remove(layer(), {"git-1.0-1.x86_64"}).named) == std::vector<std::string>{"git"});
  CHECK(names(plan_remove(layer(), {"sox.x86_64"}).named) == std::vector<std::string>{"sox"});
  CHECK(names(plan_remove(layer(), {"sox-1*"}).named) == std::vector<std::string>{"sox"});
  CHECK(names(plan_remove(layer(), {"libcurl.so.4()(64bit)"}).named) == std::vector<std::string>{"libcurl"});
  CHECK(names(plan_remove(layer(), {"/opt/share/sox/file"}).named) == std::vector<std::string>{"sox"});
  CHECK(names(plan_remove(layer(), {"/opt/share/sox/"}).named) == std::vector<std::string>{"sox"});
  CHECK_THROWS_WITH(plan_remove(layer(), {"git-2.0"}), Catch::Contains("No match for argument: git-2.0"));
}

TEST_CASE("remove honours clean_requirements_on_remove and protected_packages", "[remove]") {
  Config config;
  config.main.clean_requirements_on_remove = false;
  CHECK(plan_remove(config, Baseline{}, layer(), {"git"}).size() == 1);
  config.main.clean_requirements_on_remove = true;
  config.main.protected_packages = {"perl*"};
  // perl-Git would go as unneeded, and libcurl's removal would take git: both refused.
  CHECK_THROWS_WITH(plan_remove(config, Baseline{}, layer(), {"git"}),
                    Catch::Contains("removing the following protected packages: perl"));
  config.main.protected_packages = {"git"};
  CHECK_THROWS_WITH(plan_remove(config, Baseline{}, layer(), {"libcurl"}),
                    Catch::Equals("The operation would result in removing the following protected packages: git"));
  CHECK(plan_remove(config, Baseline{}, layer(), {"sox"}).size() == 1);
}
