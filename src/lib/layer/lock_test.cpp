#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstring>

#include "layer_test_util.hpp"
#include "yumda/error.hpp"
#include "yumda/fs.hpp"
#include "yumda/layer.hpp"

using namespace yumda;
using yumda::testing::ScratchDir;
using yumda::testing::write_text;
using yumda::testing::error_of;

namespace {

// A child that takes the lock, says so on a pipe, and holds it until its
// stdin pipe closes (or HOLD_MS pass).
struct LockHolder {
  pid_t pid = -1;
  int to_child = -1;
  LockHolder(const std::string& root, int hold_ms) {
    int ready[2], go[2];
    REQUIRE(pipe(ready) == 0);
    REQUIRE(pipe(go) == 0);
    pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      close(ready[0]);
      close(go[1]);
      int code = 0;
      {
        LayerLock lock(root, true);
        char c = 'x';
        if (write(ready[1], &c, 1) != 1) code = 1;
        if (hold_ms > 0)
          usleep(static_cast<useconds_t>(hold_ms) * 1000);
        else if (read(go[0], &c, 1) < 0)
          code = 1;
      }
      _exit(code);
    }
    close(ready[1]);
    close(go[0]);
    to_child = go[1];
    char c;
    REQUIRE(read(ready[0], &c, 1) == 1);
    close(ready[0]);
  }
  void release() {
    if (to_child >= 0) close(to_child);
    to_child = -1;
  }
  int wait_exit() {
    release();
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  ~LockHolder() {
    if (pid > 0) wait_exit();
  }
};

}  // namespace

TEST_CASE("a second run on the same layer fails fast with --nowait, naming the holder", "[layer][lock]") {
  ScratchDir dir;
  LockHolder holder(dir.path, 0);
  std::string m = error_of([&] { LayerLock lock(dir.path, false); });
  CHECK(m == "layer " + dir.path + " is in use by another yumda run (pid " + std::to_string(holder.pid) +
                 "); wait for it or drop --nowait");
  CHECK(holder.wait_exit() == 0);
  // Free again once the holder is gone.
  CHECK(error_of([&] { LayerLock lock(dir.path, false); }).empty());
}

TEST_CASE("waiting for the layer lock blocks until the holder is done", "[layer][lock]") {
  ScratchDir dir;
  LockHolder holder(dir.path, 300);
  auto start = std::chrono::steady_clock::now();
  {
    LayerLock lock(dir.path, true);
    auto waited = std::chrono::steady_clock::now() - start;
    CHECK(waited >= std::chrono::milliseconds(150));
    // Taking the lock writes nothing: a failed run leaves the layer byte-identical.
    CHECK(read_file(dir.path + "/.yumda/lock").empty());
  }
  CHECK(holder.wait_exit() == 0);
}

TEST_CASE("one process cannot lock twice without waiting either", "[layer][lock]") {
  ScratchDir dir;
  LayerLock first(dir.path, false);
  // flock locks belong to the open file, so a second open conflicts even here.
  CHECK(error_of([&] { LayerLock second(dir.path, false); }).find("in use by another yumda run") != std::string::npos);
}

TEST_CASE("prepare_root creates a missing root and its .yumda", "[layer][root]") {
  ScratchDir dir;
  std::string root = dir.path + "/layer";
  prepare_root(root);
  CHECK(is_directory(root));
  CHECK(is_directory(root + "/.yumda"));
  prepare_root(root);  // again: fine
  CHECK(is_directory(root + "/.yumda"));
  std::string slashed = dir.path + "/other/";
  prepare_root(slashed);
  CHECK(is_directory(dir.path + "/other/.yumda"));
}

TEST_CASE("prepare_root refuses a root whose parent is missing", "[layer][root]") {
  ScratchDir dir;
  std::string root = dir.path + "/no/such/layer";
  std::string m = error_of([&] { prepare_root(root); });
  CHECK(m.find("parent " + dir.path + "/no/such does not exist") != std::string::npos);
  CHECK_FALSE(path_exists(dir.path + "/no"));
}

TEST_CASE("prepare_root refuses a file as root, or a file in place of .yumda", "[layer][root]") {
  ScratchDir dir;
  std::string root = dir.path + "/layer";
  write_text(root, "not a dir");
  CHECK(error_of([&] { prepare_root(root); }) == "layer directory " + root + " is not a directory (choose another --root)");
  std::string root2 = dir.path + "/layer2";
  write_text(root2 + "/.yumda", "x");
  CHECK(error_of([&] { prepare_root(root2); }).find(root2 + "/.yumda is in the way") != std::string::npos);
}

TEST_CASE("prepare_root refuses a directory it cannot write", "[layer][root]") {
  ScratchDir dir;
  std::string root = dir.path + "/ro";
  make_dirs(root);
  REQUIRE(chmod(root.c_str(), 0555) == 0);
  REQUIRE(chmod(dir.path.c_str(), 0755) == 0);
  const std::string want = "cannot write to layer directory " + root +
                           ": Permission denied (choose another --root or fix its permissions)";
  std::string got;
  if (!yumda::testing::error_as_nobody([&] { prepare_root(root); }, got)) {
    WARN("skipped: cannot drop to uid 65534 here");
    return;
  }
  CHECK(got == want);
  CHECK_FALSE(path_exists(root + "/.yumda"));
}
