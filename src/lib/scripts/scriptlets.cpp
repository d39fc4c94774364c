// Scriptlets run inside bubblewrap (bwrap), the sandbox Flatpak uses: it
// builds a fresh root with pivot_root in new user, pid, mount, net, ipc and
// uts namespaces, drops every capability and sets no_new_privs. yumda used to
// do the mount namespace by hand, which as root left the host reachable
// through /proc/$PPID/root, /proc/1/root, a remount of / and /dev/shm
// (issue #14). Everything the child needs (argv, envp) is prepared before
// fork(): between fork and exec only system calls are made, since the parent
// may have other threads (a malloc lock held at fork time would hang the child).
#include "yumda/scripts.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>

namespace yumda {

namespace {

// Owns a file descriptor.
struct Fd {
  int fd = -1;
  Fd() = default;
  explicit Fd(int f) : fd(f) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }
  void reset() {
    if (fd >= 0) close(fd);
    fd = -1;
  }
};

// The bwrap to run: $YUMDA_BWRAP when set (the tests point it at a missing
// file), else the first `bwrap` on PATH, else /usr/bin/bwrap. Empty: none.
std::string find_bwrap() {
  if (const char* e = std::getenv("YUMDA_BWRAP")) return access(e, X_OK) == 0 ? e : "";
  std::string path = std::getenv("PATH") ? std::getenv("PATH") : "";
  path += ":/usr/bin:/bin";
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find(':', start);
    if (end == std::string::npos) end = path.size();
    std::string dir = path.substr(start, end - start);
    start = end + 1;
    if (dir.empty() || dir[0] != '/') continue;  // never a relative PATH entry
    std::string cand = dir + "/bwrap";
    struct stat st;
    if (stat(cand.c_str(), &st) == 0 && S_ISREG(st.st_mode) && access(cand.c_str(), X_OK) == 0) return cand;
  }
  return "";
}

// bwrap's arguments up to the command: an unprivileged uid, no capabilities,
// a tmpfs root holding read-only /usr, /bin, /lib*, a few /etc files (the
// loader's cache, Debian's /etc/alternatives behind /usr/bin/awk…), private
// /dev, /tmp and /proc, and the layer read-write at /opt with its .yumda/
// read-only (a script must not forge the journal either).
std::vector<std::string> sandbox_args(const std::string& bwrap, const std::string& layer) {
  std::vector<std::string> a = {bwrap,           "--unshare-user", "--uid",          "65534",         "--gid",
                                "65534",         "--unshare-pid",  "--unshare-net",  "--unshare-ipc", "--unshare-uts",
                                "--unshare-cgroup-try", "--cap-drop", "ALL",        "--die-with-parent",
                                "--new-session", "--ro-bind",      "/usr",           "/usr"};
  for (const char* d : {"/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"}) {
    struct stat st;
    if (lstat(d, &st) != 0) continue;
    if (S_ISLNK(st.st_mode)) {  // merged /usr: /bin -> usr/bin
      char target[PATH_MAX];
      ssize_t n = readlink(d, target, sizeof target - 1);
      if (n <= 0) continue;
      a.insert(a.end(), {"--symlink", std::string(target, static_cast<size_t>(n)), d});
    } else if (S_ISDIR(st.st_mode)) {
      a.insert(a.end(), {"--ro-bind", d, d});
    }
  }
  a.insert(a.end(), {"--dir", "/etc"});
  for (const char* f : {"/etc/passwd", "/etc/group", "/etc/nsswitch.conf", "/etc/ld.so.cache", "/etc/ld.so.conf",
                        "/etc/ld.so.conf.d", "/etc/alternatives", "/etc/localtime"})
    a.insert(a.end(), {"--ro-bind-try", f, f});
  a.insert(a.end(), {"--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "--bind", layer, "/opt", "--ro-bind-try",
                     layer + "/.yumda", "/opt/.yumda", "--chdir", "/"});
  return a;
}

std::vector<char*> pointers(std::vector<std::string>& v) {
  std::vector<char*> out;
  for (auto& s : v) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

// Runs ARGV with ENVP, stdin from /dev/null and stdout to OUT_FD (stderr to
// ERR_FD); returns the wait status, or -1 (errno set) when it cannot fork.
int spawn(const std::vector<char*>& argv, const std::vector<char*>& envp, int out_fd, int err_fd) {
  int null = open("/dev/null", O_RDWR | O_CLOEXEC);
  if (null < 0) return -1;
  Fd null_owner(null);
  pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    dup2(null, STDIN_FILENO);
    dup2(out_fd < 0 ? null : out_fd, STDOUT_FILENO);
    if (err_fd >= 0) dup2(err_fd, STDERR_FILENO);
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  return status;
}

std::vector<std::string> script_env() {
  return {"PATH=/opt/bin:/usr/bin:/bin", "LD_LIBRARY_PATH=/opt/lib", "HOME=/tmp", "LANG=C", "RPM_INSTALL_PREFIX=/opt"};
}

// Empty when bwrap can build the sandbox and run /bin/sh in it; else why not
// (bwrap's own first line of complaint, control characters dropped).
std::string probe(std::vector<std::string> args) {
  args.insert(args.end(), {"/bin/sh", "-c", "exit 0"});
  auto argv = pointers(args);
  auto env = script_env();
  auto envp = pointers(env);
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return std::string("cannot create a pipe: ") + std::strerror(errno);
  Fd rd(fds[0]), wr(fds[1]);
  // The pipe holds bwrap's few lines of error (far below its capacity), so
  // reading after the wait cannot deadlock.
  int status = spawn(argv, envp, -1, wr.fd);
  int err = errno;
  wr.reset();
  if (status < 0) return std::string("cannot start ") + args[0] + ": " + std::strerror(err);
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return "";
  std::string text;
  char buf[512];
  ssize_t n;
  while (text.size() < 4096 && (n = read(rd.fd, buf, sizeof buf)) > 0) text.append(buf, static_cast<size_t>(n));
  std::string line = text.substr(0, text.find('\n'));
  for (auto& c : line)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  if (line.empty()) line = "exit status " + std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
  return "bubblewrap cannot set up the sandbox (" + line + ")";
}

}  // namespace

const char* scriptlet_status_name(ScriptletResult::Status s) {
  switch (s) {
    case ScriptletResult::Status::kOk: return "ok";
    case ScriptletResult::Status::kFailed: return "failed";
    case ScriptletResult::Status::kSkipped: return "skipped";
  }
  return "unknown";
}

std::vector<ScriptletResult> skip_scriptlets(const std::vector<Scriptlet>& scripts, const std::string& reason) {
  std::vector<ScriptletResult> out;
  for (const auto& s : scripts) {
    ScriptletResult r;
    r.package = s.package;
    r.status = ScriptletResult::Status::kSkipped;
    r.detail = reason;
    out.push_back(r);
  }
  return out;
}

std::vector<ScriptletResult> run_scriptlets(const std::string& root, const std::vector<Scriptlet>& scripts,
                                            Reporter& reporter) {
  if (scripts.empty()) return {};
  // Every script is skipped for REASON, in one warning naming them.
  auto skip_all = [&](const std::string& reason) {
    std::string names;
    for (const auto& s : scripts) names += (names.empty() ? "" : ", ") + s.package;
    reporter.warning("skipped " + std::to_string(scripts.size()) + " scriptlet(s) of " + names + ": " + reason +
                     "; install bubblewrap (bwrap) with user namespaces enabled, or pass --noscripts");
    return skip_scriptlets(scripts, reason);
  };
  char abs[PATH_MAX];
  if (!realpath(root.c_str(), abs)) return skip_all("layer directory " + root + ": " + std::strerror(errno));
  std::string bwrap = find_bwrap();
  if (bwrap.empty()) return skip_all("bubblewrap (bwrap) is not installed, and scriptlets run only in its sandbox");
  auto base = sandbox_args(bwrap, abs);
  if (std::string why = probe(base); !why.empty()) return skip_all(why);

  std::vector<ScriptletResult> out;
  for (const auto& s : scripts) {
    ScriptletResult r;
    r.package = s.package;
    auto args = base;
    args.insert(args.end(), {"/bin/sh", "-c", s.body, "sh", std::to_string(s.arg)});
    auto argv = pointers(args);
    auto env = script_env();
    auto envp = pointers(env);
    // The script's stdout goes to stderr: the caller's stdout may be a JSON document.
    int status = spawn(argv, envp, STDERR_FILENO, -1);
    if (status < 0) {
      r.status = ScriptletResult::Status::kFailed;
      r.exit_code = 127;
      r.detail = std::string("cannot start bwrap: ") + std::strerror(errno);
    } else if (!(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
      r.status = ScriptletResult::Status::kFailed;
      r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    if (r.status == ScriptletResult::Status::kFailed)
      reporter.warning("%post scriptlet of " + r.package + " failed, exit status " + std::to_string(r.exit_code));
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace yumda
