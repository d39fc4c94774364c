// Helpers shared by the unit tests: where ../shared is, building tiny RPMs
// with rpmbuild, and making rpm-md repos with createrepo_c.
#pragma once
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <functional>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "yumda/error.hpp"

namespace yumda::testing {

// ../shared beside the checkout (or $YUMDA_SHARED); "" when absent. Tests that
// need it print "skipped: ..." and return, so a machine without it stays green.
inline std::string shared_dir() {
  if (const char* env = std::getenv("YUMDA_SHARED"); env && *env) return env;
  std::string p = std::string(YUMDA_SOURCE_DIR) + "/../shared";
  struct stat st;
  return stat((p + "/fixtures").c_str(), &st) == 0 ? p : "";
}

#define YUMDA_REQUIRE_SHARED(var)                                               \
  const std::string var = ::yumda::testing::shared_dir();                       \
  if (var.empty()) {                                                            \
    WARN("skipped: ../shared/fixtures is absent (set YUMDA_SHARED to run this)"); \
    return;                                                                     \
  }

// The message of the yumda::Error FN throws, or "" when it throws none.
inline std::string error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const yumda::Error& e) {
    return e.what();
  }
  return "";
}

inline std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// Runs CMD with /bin/sh; returns the exit status.
inline int run(const std::string& cmd) {
  int rc = std::system(cmd.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : 128;
}

inline void write_text(const std::string& path, const std::string& text) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

// Builds one binary RPM from SPEC (a whole spec file's text) under WORKDIR and
// copies it into OUTDIR; returns its path. PAYLOAD: "w2.xzdio", "w9.gzdio",
// "w19.zstdio", "w9.bzdio", "w.ufdio".
inline std::string build_rpm(const std::string& workdir, const std::string& outdir, const std::string& spec,
                             const std::string& payload = "w2.xzdio") {
  namespace fs = std::filesystem;
  fs::create_directories(workdir);
  fs::create_directories(outdir);
  std::string spec_path = workdir + "/pkg.spec";
  write_text(spec_path, spec);
  std::string top = workdir + "/top";
  std::string cmd = "rpmbuild -bb --quiet --define " + shell_quote("_topdir " + top) +
                    " --define " + shell_quote("_binary_payload " + payload) +
                    " --define '_build_id_links none' --define 'debug_package %{nil}'"
                    " --define '__os_install_post %{nil}' --define 'source_date_epoch_from_changelog 0'"
                    " --define 'use_source_date_epoch_as_buildtime 1' --define 'clamp_mtime_to_source_date_epoch 1'"
                    " --define '_buildhost yumda-test' " +
                    shell_quote(spec_path) + " >" + shell_quote(workdir + "/rpmbuild.log") + " 2>&1";
  std::string env = "SOURCE_DATE_EPOCH=1700000000 ";
  if (run(env + cmd) != 0) throw std::runtime_error("rpmbuild failed, see " + workdir + "/rpmbuild.log");
  std::string found;
  for (auto& e : fs::recursive_directory_iterator(top + "/RPMS"))
    if (e.path().extension() == ".rpm") {
      fs::path dest = fs::path(outdir) / e.path().filename();
      fs::copy_file(e.path(), dest, fs::copy_options::overwrite_existing);
      found = dest;
    }
  fs::remove_all(top);
  if (found.empty()) throw std::runtime_error("rpmbuild made no RPM in " + workdir);
  return found;
}

// A minimal spec: NAME-VERSION-RELEASE.ARCH with extra preamble lines and an
// %install body that creates files under %{buildroot}; FILES is the %files list.
inline std::string simple_spec(const std::string& name, const std::string& version, const std::string& preamble,
                               const std::string& install, const std::string& files,
                               const std::string& arch = "noarch") {
  return "Name: " + name + "\nVersion: " + version + "\nRelease: 1\nSummary: test package " + name +
         "\nLicense: MIT\nBuildArch: " + arch + "\n" + preamble + "\n%description\ntest package\n\n%install\n" +
         install + "\n\n%files\n" + files + "\n";
}

// createrepo_c over DIR (which holds the RPMs); extra flags e.g. "--no-database".
inline void createrepo(const std::string& dir, const std::string& flags = "") {
  if (run("createrepo_c --quiet " + flags + " " + shell_quote(dir)) != 0)
    throw std::runtime_error("createrepo_c failed on " + dir);
}

// A fresh directory under $TMPDIR, removed at scope exit.
struct ScratchDir {
  std::string path;
  ScratchDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "yumda-test.XXXXXX").string();
    if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    path = tmpl;
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

// A ScratchDir for a fixture built once per run (a function-local static):
// removed when the run exits, by the process that made it only (a forked
// child that exits does not take it from its parent).
struct RunScratchDir : ScratchDir {
  pid_t owner = getpid();
  ~RunScratchDir() {
    if (getpid() != owner) path.clear();  // ~ScratchDir then removes nothing
  }
};

// gpg (and rpmsign, for packages) on PATH: tests that sign skip without them.
inline bool have_gpg() { return run("command -v gpg >/dev/null") == 0; }
inline bool have_rpmsign() { return run("command -v gpg >/dev/null && command -v rpmsign >/dev/null") == 0; }

#define YUMDA_REQUIRE_GPG()                     \
  if (!::yumda::testing::have_gpg()) {          \
    WARN("skipped: gpg is not installed");      \
    return;                                     \
  }

// An RSA key made for one test (no passphrase) in its own GNUPGHOME under DIR,
// its armored public key in DIR/NAME.asc; signs packages and files with it.
struct TestSigner {
  std::string name;
  std::string home;
  std::string pubkey;
  TestSigner(const std::string& dir, const std::string& key_name)
      : name(key_name), home(dir + "/gnupg-" + key_name), pubkey(dir + "/" + key_name + ".asc") {
    std::filesystem::create_directories(home);
    std::filesystem::permissions(home, std::filesystem::perms::owner_all);
    if (gpg("--quiet --passphrase '' --quick-gen-key " + shell_quote(name + " <" + email() + ">") +
            " rsa2048 sign never >/dev/null 2>&1") != 0 ||
        gpg("--armor --export " + shell_quote(email()) + " > " + shell_quote(pubkey)) != 0)
      throw std::runtime_error("gpg could not make the test key " + name + " in " + home);
  }
  std::string email() const { return name + "@yumda.test"; }
  // gpg --batch ARGS with this key's GNUPGHOME; returns the exit status.
  int gpg(const std::string& args) const { return run("GNUPGHOME=" + shell_quote(home) + " gpg --batch " + args); }
  bool sign(const std::string& rpm) const {
    // Debian's rpm points %__gpg at a gpg2 it does not ship.
    return run("GNUPGHOME=" + shell_quote(home) + " rpmsign --addsign --define \"__gpg $(command -v gpg)\" --define " +
               shell_quote("_gpg_name " + email()) + " " + shell_quote(rpm) + " >/dev/null 2>&1") == 0;
  }
  // A detached signature of FILE into OUT (FLAGS e.g. "--armor --digest-algo SHA256").
  bool detach_sign(const std::string& file, const std::string& out, const std::string& flags = "--armor") const {
    return gpg("--yes --local-user " + shell_quote(email()) + " " + flags + " --detach-sign -o " + shell_quote(out) +
               " " + shell_quote(file) + " >/dev/null 2>&1") == 0;
  }
  // The long key id as gpg prints it, lower case (what yumda's messages name).
  std::string key_id() const {
    std::string out = home + "/keyid";
    gpg("--with-colons --list-keys " + shell_quote(email()) + " 2>/dev/null | awk -F: '/^pub/{print tolower($5)}' > " +
        shell_quote(out));
    std::ifstream in(out);
    std::string id;
    std::getline(in, id);
    return id;
  }
};

}  // namespace yumda::testing
