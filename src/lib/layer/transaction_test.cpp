#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <map>
#include <random>

#include "layer/owned_links.hpp"
#include "layer/txn_hook.hpp"
#include "layer_test_util.hpp"
#include "yumda/error.hpp"
#include "yumda/fs.hpp"
#include "yumda/layer.hpp"

using namespace yumda;
using yumda::testing::ScratchDir;
using yumda::testing::error_of;
using yumda::testing::put_file;
using yumda::testing::put_link;
namespace fs = std::filesystem;

namespace {

// yumda's scratch (txn/, the lock) is left out; installed.json is in.
std::map<std::string, std::string> listing(const std::string& root) {
  return yumda::testing::listing(root, {".yumda/txn", ".yumda/lock"});
}

LayerState state_with(const std::string& name) {
  LayerState s;
  InstalledPackage p;
  p.nevra = {name, "", "1", "1", "noarch"};
  s.packages().push_back(p);
  return s;
}

// The "before" layer of the crash test: files in a few dirs, a symlink, state.
void make_before(const std::string& root) {
  for (int d = 0; d < 4; ++d)
    for (int f = 0; f < 10; ++f)
      put_file(root + "/lib" + std::to_string(d) + "/old" + std::to_string(f), "old " + std::to_string(d * 100 + f));
  put_link(root + "/lib0/link", "old0");
  put_file(root + "/bin/tool", "v1", 0755);
  state_with("old").save(root);
}

// The "before" layer beside an empty outside/, and ROOT/lib64 -> outside.
struct BeforeBeside {
  ScratchDir dir;
  std::string root = dir.path + "/layer";
  std::string outside = dir.path + "/outside";
  BeforeBeside() {
    make_before(root);
    fs::create_directories(outside);
    put_link(root + "/lib64", outside);
  }
};

// The change: 96 new or replaced files (those in lib4 and lib5 move with their
// new directory in one step), new dirs with odd modes, symlinks replaced, 15
// removals, new state.
void run_change(const std::string& root) {
  LayerTransaction txn(root);
  const std::string& s = txn.stage_dir();
  for (int d = 0; d < 6; ++d)
    for (int f = 0; f < 16; ++f)
      put_file(s + "/lib" + std::to_string(d) + "/new" + std::to_string(f), "new " + std::to_string(d * 100 + f),
               f % 3 == 0 ? 0755 : 0644);
  put_file(s + "/bin/tool", "v2", 0755);
  put_file(s + "/lib1/old3", "replaced", 0600);
  put_link(s + "/lib0/link", "new0");
  put_link(s + "/lib5/sub/deep/link", "../../new1");
  REQUIRE(chmod((s + "/lib5/sub").c_str(), 0750) == 0);
  std::vector<std::string> removals;
  for (int f = 0; f < 10; ++f) removals.push_back("lib2/old" + std::to_string(f));
  removals.push_back("lib2");
  removals.push_back("lib1/old3");  // also staged: the new copy must survive
  removals.push_back("lib3/old0");
  removals.push_back("lib3/missing");
  removals.push_back("lib1");  // not empty: stays
  txn.remove_paths(removals);
  txn.commit(state_with("new"));
}

int g_kill_at = -1;
void kill_hook(int step) {
  if (step == g_kill_at) raise(SIGKILL);
}
int g_steps = 0;
void count_hook(int step) { g_steps = std::max(g_steps, step); }

// Runs FN in a child; returns true when it was killed by SIGKILL.
template <class Fn>
bool run_child(Fn fn, int kill_after_us = -1) {
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    try {
      fn();
    } catch (...) {
      _exit(2);
    }
    _exit(0);
  }
  if (kill_after_us >= 0) {
    usleep(static_cast<useconds_t>(kill_after_us));
    kill(pid, SIGKILL);
  }
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  if (WIFEXITED(status)) REQUIRE(WEXITSTATUS(status) == 0);
  return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
}

}  // namespace

TEST_CASE("a committed transaction moves the stage in, removes, and writes the state", "[layer][txn]") {
  ScratchDir dir;
  std::string root = dir.path;
  make_before(root);
  run_change(root);
  auto after = listing(root);
  CHECK_FALSE(path_exists(root + "/.yumda/txn"));
  CHECK(after.at("bin/tool") == "100755 v2");
  CHECK(after.at("lib1/old3") == "100600 replaced");  // removed and staged: the new copy stays
  CHECK(after.at("lib0/link") == "120777 -> new0");
  CHECK(after.at("lib5/sub/deep/link") == "120777 -> ../../new1");
  CHECK(after.at("lib5/sub") == "40750");
  CHECK(after.at("lib4/new3") == "100755 new 403");
  CHECK(after.at("lib4/new4") == "100644 new 404");
  CHECK(after.at("lib0/old5") == "100644 old 5");  // untouched
  CHECK(after.count("lib3/old0") == 0);
  CHECK(after.count("lib2/old4") == 0);
  CHECK(after.count("lib2/new0") == 1);  // lib2 was re-populated by the stage, so it stays
  CHECK(after.count("lib1/old4") == 1);  // "lib1" removal: not empty, left
  LayerState st = LayerState::load(root);
  REQUIRE(st.packages().size() == 1);
  CHECK(st.packages()[0].nevra.name == "new");
}

TEST_CASE("an uncommitted transaction leaves ROOT exactly as it was", "[layer][txn]") {
  ScratchDir dir;
  make_before(dir.path);
  auto before = listing(dir.path);
  {
    LayerTransaction txn(dir.path);
    put_file(txn.stage_dir() + "/bin/tool", "v2");
    put_file(txn.stage_dir() + "/new/file", "x");
    txn.remove_paths({"lib0/old1"});
    CHECK(path_exists(dir.path + "/.yumda/txn/stage/new/file"));
  }
  CHECK(listing(dir.path) == before);
  CHECK_FALSE(path_exists(dir.path + "/.yumda/txn"));
}

TEST_CASE("conflicts are refused before the commit point", "[layer][txn]") {
  BeforeBeside b;
  const std::string &root = b.root, &outside = b.outside;
  auto before = listing(root);

  SECTION("a file where ROOT has a directory") {
    LayerTransaction txn(root);
    put_file(txn.stage_dir() + "/a-new-file", "x");
    put_file(txn.stage_dir() + "/lib0", "file over a dir");
    std::string m = error_of([&] { txn.commit(state_with("new")); });
    CHECK(m.find("cannot install lib0: " + root + "/lib0 is a directory in the layer") != std::string::npos);
  }
  SECTION("a directory where ROOT has a symlink (never followed)") {
    LayerTransaction txn(root);
    put_file(txn.stage_dir() + "/lib64/libz.so", "x");
    std::string m = error_of([&] { txn.commit(state_with("new")); });
    CHECK(m.find("cannot install directory lib64: " + root + "/lib64 is a symlink") != std::string::npos);
  }
  SECTION("a directory where ROOT has a file") {
    LayerTransaction txn(root);
    put_file(txn.stage_dir() + "/bin/tool/x", "x");
    std::string m = error_of([&] { txn.commit(state_with("new")); });
    CHECK(m.find("cannot install directory bin/tool: " + root + "/bin/tool is a file") != std::string::npos);
  }
  SECTION("a package shipping .yumda") {
    LayerTransaction txn(root);
    put_file(txn.stage_dir() + "/.yumda/installed.json", "{}");
    CHECK(error_of([&] { txn.commit(state_with("new")); }).find("/opt/.yumda") != std::string::npos);
  }
  CHECK(listing(root) == before);
  CHECK_FALSE(path_exists(root + "/.yumda/txn"));
  CHECK(fs::is_empty(outside));
}

TEST_CASE("an upgrade may turn a path it owns from file to directory, back, and to a symlink", "[layer][txn]") {
  // rpm -U does these; before #14 commit() refused each as a conflict.
  BeforeBeside b;
  const std::string &root = b.root, &outside = b.outside;

  SECTION("file -> directory") {
    LayerTransaction txn(root);
    put_file(txn.stage_dir() + "/bin/tool/x", "x");
    txn.replace_paths({"bin/tool"});
    txn.commit(state_with("new"));
    CHECK(fs::is_directory(root + "/bin/tool"));
    CHECK(read_file(root + "/bin/tool/x") == "x");
  }
  SECTION("directory -> file, its old contents removed in the same commit") {
    LayerTransaction txn(root);
    put_file(txn.stage_dir() + "/lib1", "now a file");
    std::vector<std::string> old;
    for (int f = 0; f < 10; ++f) old.push_back("lib1/old" + std::to_string(f));
    txn.remove_paths(old);
    old.push_back("lib1");
    txn.replace_paths(old);
    txn.commit(state_with("new"));
    CHECK(fs::is_regular_file(fs::symlink_status(root + "/lib1")));
    CHECK(read_file(root + "/lib1") == "now a file");
  }
  SECTION("directory -> symlink, and symlink -> directory (never followed)") {
    {
      LayerTransaction txn(root);
      put_link(txn.stage_dir() + "/lib2", "lib3");
      std::vector<std::string> old = {"lib2"};
      for (int f = 0; f < 10; ++f) old.push_back("lib2/old" + std::to_string(f));
      txn.remove_paths({old.begin() + 1, old.end()});
      txn.replace_paths(old);
      txn.commit(state_with("new"));
    }
    CHECK(fs::read_symlink(root + "/lib2") == "lib3");
    CHECK(read_file(root + "/lib3/old0") == "old 300");
    LayerTransaction txn(root);
    put_file(txn.stage_dir() + "/lib64/libz.so", "z");
    txn.replace_paths({"lib64"});
    txn.commit(state_with("newer"));
    CHECK(fs::is_directory(fs::symlink_status(root + "/lib64")));
    CHECK(read_file(root + "/lib64/libz.so") == "z");
  }
  CHECK(fs::is_empty(outside));
  CHECK_FALSE(path_exists(root + "/.yumda/txn"));
}

TEST_CASE("a type change is refused, ROOT unchanged, where the directory keeps what others own", "[layer][txn]") {
  ScratchDir dir;
  std::string root = dir.path + "/layer";
  make_before(root);
  auto before = listing(root);
  {
    LayerTransaction txn(root);
    put_file(txn.stage_dir() + "/lib1", "now a file");
    txn.remove_paths({"lib1/old0"});  // lib1/old1..9 stay (another package's, or the user's)
    txn.replace_paths({"lib1", "lib1/old0"});
    std::string m = error_of([&] { txn.commit(state_with("new")); });
    CHECK(m.find("cannot install lib1: " + root + "/lib1 is a directory in the layer") != std::string::npos);
  }
  CHECK(listing(root) == before);
  CHECK_FALSE(path_exists(root + "/.yumda/txn"));
}

TEST_CASE("removals never go through a symlink and refuse odd paths", "[layer][txn]") {
  ScratchDir dir;
  std::string root = dir.path + "/layer";
  std::string outside = dir.path + "/outside";
  make_before(root);
  put_file(outside + "/precious", "keep me");
  put_link(root + "/lib64", outside);
  {
    LayerTransaction txn(root);
    CHECK(error_of([&] { txn.remove_paths({"../outside/precious"}); }).find("not a plain path") != std::string::npos);
    CHECK(error_of([&] { txn.remove_paths({"/etc/passwd"}); }).find("not a plain path") != std::string::npos);
    CHECK(error_of([&] { txn.remove_paths({".yumda/installed.json"}); }).find("yumda's own state") != std::string::npos);
    txn.remove_paths({"lib64/precious", "lib64"});
    txn.commit(state_with("new"));
  }
  CHECK(read_file(outside + "/precious") == "keep me");
  CHECK_FALSE(path_exists(root + "/lib64"));  // the symlink itself was removed
}

TEST_CASE("recover() deletes an uncommitted journal and finishes a committed one", "[layer][txn]") {
  ScratchDir dir;
  make_before(dir.path);
  auto before = listing(dir.path);
  // Uncommitted leftovers (a run killed while staging).
  put_file(dir.path + "/.yumda/txn/stage/bin/tool", "half");
  LayerTransaction::recover(dir.path);
  CHECK(listing(dir.path) == before);
  CHECK_FALSE(path_exists(dir.path + "/.yumda/txn"));

  // A run killed right after its commit point: recover() completes it.
  g_kill_at = 1;
  CHECK(run_child([&] {
    detail::set_txn_step_hook(kill_hook);
    run_change(dir.path);
  }));
  CHECK(listing(dir.path) == before);  // nothing applied yet...
  CHECK(path_exists(dir.path + "/.yumda/txn/COMMIT"));
  LayerTransaction::recover(dir.path);  // ...but it is committed
  CHECK(listing(dir.path).at("bin/tool") == "100755 v2");
  CHECK(LayerState::load(dir.path).find("new") != nullptr);
  CHECK_FALSE(path_exists(dir.path + "/.yumda/txn"));
  // A new transaction recovers too.
  put_file(dir.path + "/.yumda/txn/stage/x", "uncommitted");
  { LayerTransaction txn(dir.path); CHECK(fs::is_empty(txn.stage_dir())); }
}

TEST_CASE("kill -9 at any point leaves ROOT before or after, once recovered", "[layer][txn][crash]") {
  // tmpfs when there is one: fsync there is free, and a kill -9 keeps the page
  // cache either way, so the outcome does not depend on the filesystem.
  TempDir dir(is_directory("/dev/shm") ? "/dev/shm" : fs::temp_directory_path().string(), "yumda-crash.");
  std::string ref = dir.path() + "/ref";
  make_before(ref);
  auto before = listing(ref);
  g_steps = 0;
  detail::set_txn_step_hook(count_hook);
  auto t0 = std::chrono::steady_clock::now();
  run_change(ref);
  auto took_us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0).count();
  detail::set_txn_step_hook(nullptr);
  auto after = listing(ref);
  REQUIRE(before != after);
  const int steps = g_steps;
  REQUIRE(steps > 80);

  int n_before = 0, n_after = 0, n_other = 0, n_killed = 0, trial = 0;
  auto check_trial = [&](const std::string& root) {
    LayerTransaction::recover(root);
    auto got = listing(root);
    if (got == before)
      ++n_before;
    else if (got == after)
      ++n_after;
    else
      ++n_other;
    CHECK(!path_exists(root + "/.yumda/txn"));
    fs::remove_all(root);
  };

  // Deterministic: killed right after step K of the commit, for every K...
  for (int k = 1; k <= steps; k += std::max(1, steps / 100)) {
    std::string root = dir.path() + "/t" + std::to_string(trial++);
    make_before(root);
    g_kill_at = k;
    if (run_child([&] { detail::set_txn_step_hook(kill_hook); run_change(root); })) ++n_killed;
    check_trial(root);
  }
  // ...and killed again while recovering from such a kill.
  for (int k = 2; k < steps; k += std::max(1, steps / 10)) {
    std::string root = dir.path() + "/t" + std::to_string(trial++);
    make_before(root);
    g_kill_at = k;
    if (run_child([&] { detail::set_txn_step_hook(kill_hook); run_change(root); })) ++n_killed;
    g_kill_at = 3;
    if (run_child([&] { detail::set_txn_step_hook(kill_hook); LayerTransaction::recover(root); })) ++n_killed;
    check_trial(root);
  }
  // At random moments, staging included.
  std::mt19937 rng(Catch::rngSeed());
  std::uniform_int_distribution<long> when(0, static_cast<long>(took_us) * 3 / 2);
  int n_random = 0;
  while (trial < 200) {
    std::string root = dir.path() + "/t" + std::to_string(trial++);
    make_before(root);
    if (run_child([&] { run_change(root); }, static_cast<int>(when(rng)))) ++n_killed;
    ++n_random;
    check_trial(root);
  }
  WARN("crash test: " << trial << " trials (" << n_random << " at random times over " << took_us
                      << " us, the rest at fixed steps of " << steps << "), " << n_killed << " killed; ended before: "
                      << n_before << ", after: " << n_after << ", neither: " << n_other);
  CHECK(n_other == 0);
  CHECK(n_before > 0);
  CHECK(n_after > 0);
}

TEST_CASE("a forged journal, a .yumda symlink or a symlinked state never reach outside ROOT", "[layer][txn][hostile]") {
  ScratchDir dir;
  std::string root = dir.path + "/layer";
  std::string outside = dir.path + "/outside";
  make_before(root);
  put_file(outside + "/x", "keep me");
  // A committed journal naming ../outside/x (issue #14): recover() refuses it.
  put_file(root + "/.yumda/txn/COMMIT", "commit\n");
  put_file(root + "/.yumda/txn/removals.json", "[\"../outside/x\"]\n");
  CHECK(error_of([&] { LayerTransaction::recover(root); }).find("not a path inside the layer") != std::string::npos);
  CHECK(read_file(outside + "/x") == "keep me");
  put_file(root + "/.yumda/txn/removals.json", "[\"bin/../../outside/x\", \"/abs\"]\n");
  CHECK(error_of([&] { LayerTransaction::recover(root); }).find("not a path inside the layer") != std::string::npos);
  CHECK(read_file(outside + "/x") == "keep me");
  fs::remove_all(root + "/.yumda/txn");

  // installed.json as a symlink: not followed.
  fs::rename(root + "/.yumda/installed.json", outside + "/state.json");
  put_link(root + "/.yumda/installed.json", outside + "/state.json");
  CHECK(error_of([&] { LayerState::load(root); }).find("symlink") != std::string::npos);
  fs::remove(root + "/.yumda/installed.json");
  fs::rename(outside + "/state.json", root + "/.yumda/installed.json");

  // .yumda as a symlink: the lock, recover() and load() refuse it; an
  // uncommitted txn/ in its target is left alone.
  fs::rename(root + "/.yumda", outside + "/meta");
  put_link(root + "/.yumda", outside + "/meta");
  put_file(outside + "/meta/txn/keep", "not ours");
  CHECK(error_of([&] { LayerLock lock(root, false); }).find(".yumda is a symlink") != std::string::npos);
  CHECK(error_of([&] { LayerTransaction::recover(root); }).find(".yumda is a symlink") != std::string::npos);
  CHECK(error_of([&] { LayerState::load(root); }).find(".yumda is a symlink") != std::string::npos);
  CHECK(read_file(outside + "/meta/txn/keep") == "not ours");
  CHECK_FALSE(path_exists(outside + "/meta/lock"));

  // ROOT itself a symlink: refused up front.
  put_link(dir.path + "/rootlink", outside);
  CHECK(error_of([&] { prepare_root(dir.path + "/rootlink"); }).find("is a symlink") != std::string::npos);
  CHECK(error_of([&] { LayerLock lock(dir.path + "/rootlink/", false); }).find("is a symlink") != std::string::npos);
}

TEST_CASE("a symlink is followed only where it leads strictly beneath the layer", "[layer][links]") {
  using detail::link_beneath;
  CHECK(link_beneath("lib", "lib64") == "lib64");
  CHECK(link_beneath("lib", "/opt/lib64/") == "lib64");
  CHECK(link_beneath("sub/lib", "../lib64") == "lib64");
  CHECK(link_beneath("sub/lib", "./deeper/x") == "sub/deeper/x");
  CHECK_FALSE(link_beneath("lib", "/etc"));
  CHECK_FALSE(link_beneath("lib", "../../etc"));
  CHECK_FALSE(link_beneath("lib", "../sentinel"));
  CHECK_FALSE(link_beneath("lib", "."));            // the layer root itself
  CHECK_FALSE(link_beneath("lib", "/opt"));
  CHECK_FALSE(link_beneath("sub/lib", "x/../y"));   // depends on whether x is a symlink
  CHECK_FALSE(link_beneath("lib", ""));
}

TEST_CASE("a package's directory symlink leading inside the layer is followed; no other symlink is", "[layer][txn][links]") {
  // rpm installs lib/x through an owned lib -> lib64 into lib64/x (issue #14).
  ScratchDir dir;
  const std::string root = dir.path + "/layer", outside = dir.path + "/outside";
  put_file(root + "/lib64/old", "old");
  put_link(root + "/lib", "lib64");
  put_link(root + "/out", outside);
  fs::create_directories(outside);
  state_with("linkdir").save(root);
  const std::map<std::string, std::string> owned = {
      {"lib", "linkdir-1-1.noarch"}, {"lib64", "linkdir-1-1.noarch"}, {"out", "outlink-1-1.noarch"}};
  auto before = listing(root);

  SECTION("a file staged through the owned symlink lands in its target; the removal goes there too") {
    {
      LayerTransaction txn(root);
      txn.own_paths(owned);
      put_file(txn.stage_dir() + "/lib/new", "new");
      txn.place_symlinks({}, nullptr);
      CHECK(txn.placed({"lib/new", "lib", "bin/x"}) == std::vector<std::string>{"lib64/new", "lib", "bin/x"});
      txn.commit(state_with("b"));
    }
    CHECK(fs::read_symlink(root + "/lib") == "lib64");
    CHECK(read_file(root + "/lib64/new") == "new");
    LayerTransaction txn(root);
    txn.own_paths(owned);
    txn.remove_paths({"lib/new"});
    txn.commit(state_with("linkdir"));
    CHECK_FALSE(path_exists(root + "/lib64/new"));
    CHECK(read_file(root + "/lib64/old") == "old");
    CHECK(fs::read_symlink(root + "/lib") == "lib64");
  }
  SECTION("the transaction's own symlink: what was staged where it goes moves to its target") {
    LayerTransaction txn(root);
    txn.own_paths(owned);
    put_file(txn.stage_dir() + "/lib32/f", "f");
    put_file(txn.stage_dir() + "/lib64/g", "g");
    txn.place_symlinks({{"lib32", "lib64", "linkdir2-1-1.noarch", {}}, {"lib32/g.so", "g", "b-1-1.noarch", {}}},
                       nullptr);
    CHECK(fs::read_symlink(txn.stage_dir() + "/lib32") == "lib64");
    CHECK(txn.placed({"lib32/f", "lib32/g.so"}) == std::vector<std::string>{"lib64/f", "lib64/g.so"});
    txn.commit(state_with("new"));
    CHECK(read_file(root + "/lib64/f") == "f");
    CHECK(fs::read_symlink(root + "/lib64/g.so") == "g");
    CHECK(fs::read_symlink(root + "/lib32") == "lib64");
  }
  SECTION("two packages' different files meeting in the target conflict") {
    LayerTransaction txn(root);
    put_file(txn.stage_dir() + "/lib32/f", "one");
    put_file(txn.stage_dir() + "/lib64/f", "two");
    std::string m = error_of([&] { txn.place_symlinks({{"lib32", "lib64", "l-1-1.noarch", {}}}, nullptr); });
    CHECK(m == "file /opt/lib64/f conflicts between an earlier package and an earlier package");
  }
  SECTION("an owned symlink leading out of the layer is refused, nothing written") {
    {
      LayerTransaction txn(root);
      txn.own_paths(owned);
      put_file(txn.stage_dir() + "/out/pwned", "x");
      std::string m = error_of([&] { txn.place_symlinks({}, [](const std::string&) { return "b-1-1.noarch"; }); });
      CHECK(m == "package b-1-1.noarch installs into the symlink /opt/out of package outlink-1-1.noarch, which leads "
                 "to " + outside + ", outside the layer; yumda writes through a package's directory symlink only "
                 "within the layer");
    }
    CHECK(fs::is_empty(outside));
    CHECK(listing(root) == before);
  }
  SECTION("a symlink nobody owns is not followed: refused before the commit point; removals skip it") {
    {
      LayerTransaction txn(root);
      put_file(txn.stage_dir() + "/lib/new", "new");
      txn.place_symlinks({}, nullptr);
      CHECK(txn.placed({"lib/new"}) == std::vector<std::string>{"lib/new"});
      CHECK(error_of([&] { txn.commit(state_with("b")); }).find("lib is a symlink in the layer") != std::string::npos);
    }
    CHECK(listing(root) == before);
    LayerTransaction txn(root);
    txn.remove_paths({"lib/old"});
    txn.commit(state_with("linkdir"));
    CHECK(read_file(root + "/lib64/old") == "old");
  }
}
