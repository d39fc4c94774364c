// Scriptlets run in a forked child that isolates itself before exec'ing the
// shell. Everything the child needs (paths, maps, argv, envp) is prepared
// before fork(): between fork and exec only system calls are made, since the
// parent may have had other threads (a malloc lock held at fork time would
// hang the child).
#include "yumda/scripts.hpp"

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

namespace yumda {

namespace {

// What the child reports through its pipe when it cannot get to exec.
enum Step : int { kUnshare = 1, kUserMap, kPrivate, kBindOpt, kExec };

const char* step_text(int step) {
  switch (step) {
    case kUnshare: return "cannot create a private mount namespace";
    case kUserMap: return "cannot map the user into a user namespace";
    case kPrivate: return "cannot make the mounts private";
    case kBindOpt: return "cannot bind-mount the layer at /opt";
    case kExec: return "cannot run /bin/sh";
  }
  return "cannot set up";
}

// "\040" and friends in /proc/self/mountinfo.
std::string unescape(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size()) {
      out += static_cast<char>(std::strtol(s.substr(i + 1, 3).c_str(), nullptr, 8));
      i += 3;
    } else {
      out += s[i];
    }
  }
  return out;
}

bool under(const std::string& path, const char* dir) {
  size_t n = std::strlen(dir);
  return path.compare(0, n, dir) == 0 && (path.size() == n || path[n] == '/');
}

// The mount points to make read-only: all but /opt (ours), /tmp (ours) and
// the kernel's /proc, /sys, /dev (scripts write /dev/null).
std::vector<std::string> mounts_to_protect() {
  std::vector<std::string> out;
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream f(line);
    std::string id, parent, devno, rootfield, mp;
    if (!(f >> id >> parent >> devno >> rootfield >> mp)) continue;
    mp = unescape(mp);
    if (under(mp, "/opt") || under(mp, "/tmp") || under(mp, "/proc") || under(mp, "/sys") || under(mp, "/dev"))
      continue;
    out.push_back(mp);
  }
  return out;
}

bool write_all(const char* path, const char* text) {
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  ssize_t n = write(fd, text, std::strlen(text));
  close(fd);
  return n == static_cast<ssize_t>(std::strlen(text));
}

struct ChildPlan {
  std::string root;  // absolute layer directory
  bool userns = false;
  std::string uid_map, gid_map;
  std::vector<std::string> protect;
};

[[noreturn]] void child(const ChildPlan& plan, const std::vector<char*>& argv, const std::vector<char*>& envp,
                        int report_fd) {
  auto die = [&](int step) {
    int msg[2] = {step, errno};
    (void)!write(report_fd, msg, sizeof msg);
    _exit(127);
  };
  if (unshare(CLONE_NEWNS | (plan.userns ? CLONE_NEWUSER : 0)) != 0) die(kUnshare);
  if (plan.userns) {
    write_all("/proc/self/setgroups", "deny");
    if (!write_all("/proc/self/uid_map", plan.uid_map.c_str()) || !write_all("/proc/self/gid_map", plan.gid_map.c_str()))
      die(kUserMap);
  }
  if (mount(nullptr, "/", nullptr, MS_PRIVATE | MS_REC, nullptr) != 0) die(kPrivate);
  if (mount(plan.root.c_str(), "/opt", nullptr, MS_BIND | MS_REC, nullptr) != 0) die(kBindOpt);
  // Best effort: a mount that refuses to go read-only stays as it is.
  for (const auto& mp : plan.protect) {
    struct statvfs st;
    if (statvfs(mp.c_str(), &st) != 0) continue;
    unsigned long keep = 0;  // flags a user namespace must not drop
    if (st.f_flag & ST_NOSUID) keep |= MS_NOSUID;
    if (st.f_flag & ST_NODEV) keep |= MS_NODEV;
    if (st.f_flag & ST_NOEXEC) keep |= MS_NOEXEC;
    if (st.f_flag & ST_NOATIME) keep |= MS_NOATIME;
    if (st.f_flag & ST_NODIRATIME) keep |= MS_NODIRATIME;
    if (st.f_flag & ST_RELATIME) keep |= MS_RELATIME;
    mount(nullptr, mp.c_str(), nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY | keep, nullptr);
  }
  mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");
  if (chdir("/") != 0) die(kExec);
  int null = open("/dev/null", O_RDONLY);
  if (null >= 0) dup2(null, STDIN_FILENO);
  dup2(STDERR_FILENO, STDOUT_FILENO);  // the caller's stdout may be a JSON document
  execve("/bin/sh", argv.data(), envp.data());
  die(kExec);
  _exit(127);
}

// Runs one script; returns the result, or a skipped result when the child
// could not isolate itself (SETUP_FAILED set).
ScriptletResult run_one(const ChildPlan& plan, const Scriptlet& s, bool& setup_failed) {
  ScriptletResult r;
  r.package = s.package;
  std::string arg = std::to_string(s.arg);
  std::string sh = "sh", dash_c = "-c";
  std::vector<char*> argv = {sh.data(), dash_c.data(), const_cast<char*>(s.body.c_str()), sh.data(), arg.data(), nullptr};
  std::vector<std::string> env = {"PATH=/opt/bin:/usr/bin:/bin", "LD_LIBRARY_PATH=/opt/lib", "HOME=/tmp", "LANG=C",
                                  "RPM_INSTALL_PREFIX=/opt"};
  std::vector<char*> envp;
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);

  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    r.status = ScriptletResult::Status::kSkipped;
    r.detail = std::string("cannot create a pipe: ") + std::strerror(errno);
    setup_failed = true;
    return r;
  }
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    child(plan, argv, envp, fds[1]);
  }
  close(fds[1]);
  if (pid < 0) {
    close(fds[0]);
    r.status = ScriptletResult::Status::kSkipped;
    r.detail = std::string("cannot fork: ") + std::strerror(errno);
    setup_failed = true;
    return r;
  }
  int msg[2] = {0, 0};
  ssize_t n;
  do n = read(fds[0], msg, sizeof msg);
  while (n < 0 && errno == EINTR);
  close(fds[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (n == static_cast<ssize_t>(sizeof msg)) {
    r.status = ScriptletResult::Status::kSkipped;
    r.detail = std::string(step_text(msg[0])) + ": " + std::strerror(msg[1]);
    setup_failed = true;
    return r;
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return r;
  r.status = ScriptletResult::Status::kFailed;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
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
  ChildPlan plan;
  char abs[PATH_MAX];
  // Every script from FIRST on is skipped for REASON, in one warning naming them.
  auto skip_rest = [&](size_t first, const std::string& reason, std::vector<ScriptletResult>& out) {
    std::vector<Scriptlet> rest(scripts.begin() + static_cast<long>(first), scripts.end());
    std::string names;
    for (const auto& s : rest) names += (names.empty() ? "" : ", ") + s.package;
    reporter.warning("skipped " + std::to_string(rest.size()) + " scriptlet(s) of " + names + ": " + reason +
                     "; run as root or enable user namespaces, or pass --noscripts");
    for (auto& s : skip_scriptlets(rest, reason)) out.push_back(std::move(s));
  };
  std::vector<ScriptletResult> out;
  if (!realpath(root.c_str(), abs)) {
    skip_rest(0, "layer directory " + root + ": " + std::strerror(errno), out);
    return out;
  }
  plan.root = abs;
  plan.userns = geteuid() != 0;
  plan.uid_map = "0 " + std::to_string(geteuid()) + " 1";
  plan.gid_map = "0 " + std::to_string(getegid()) + " 1";
  plan.protect = mounts_to_protect();

  for (size_t i = 0; i < scripts.size(); ++i) {
    bool setup_failed = false;
    ScriptletResult r = run_one(plan, scripts[i], setup_failed);
    if (setup_failed) {
      skip_rest(i, r.detail + (plan.userns ? " (not root; user namespaces may be disabled)" : ""), out);
      return out;
    }
    if (r.status == ScriptletResult::Status::kFailed)
      reporter.warning("%post scriptlet of " + r.package + " failed, exit status " + std::to_string(r.exit_code));
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace yumda
