// RPM %post / %posttrans shell scriptlets, run after the layer commit the way
// Lambda will see the layer, inside bubblewrap (bwrap): an unprivileged uid in
// a user namespace, no capabilities, new pid/net/ipc/uts namespaces, a fresh
// root holding only the layer at /opt (read-write, its .yumda/ read-only),
// read-only /usr, /bin, /lib* and a few /etc files, a private /dev, /tmp and
// /proc; PATH=/opt/bin:/usr/bin:/bin, LD_LIBRARY_PATH=/opt/lib, cwd /,
// `/bin/sh -c BODY sh ARG`. Nothing of the host is writable but the layer.
#pragma once
#include <string>
#include <vector>

#include "yumda/reporter.hpp"

namespace yumda {

struct Scriptlet {
  std::string package;  // NEVRA, for messages
  std::string body;     // shell text
  int arg = 1;          // $1 as rpm passes it: 1 on install, 2 on upgrade
};

struct ScriptletResult {
  enum class Status { kOk, kFailed, kSkipped };
  std::string package;
  Status status = Status::kOk;
  int exit_code = 0;   // kFailed: the shell's exit status (128+N for signal N)
  std::string detail;  // kSkipped: why ("--noscripts", "no user namespaces: ...")
};

const char* scriptlet_status_name(ScriptletResult::Status s);  // "ok", "failed", "skipped"

// Runs SCRIPTS in order with ROOT (the layer directory) at /opt. Never throws
// for a script: a failure is a reporter warning naming the package and the
// exit code (as rpm warns), and when the sandbox cannot be set up (bwrap
// missing, user namespaces disabled) every script is reported as skipped, with
// the reason, in one warning. Stdout of the scripts goes to
// stderr, so --json output stays clean.
std::vector<ScriptletResult> run_scriptlets(const std::string& root, const std::vector<Scriptlet>& scripts,
                                            Reporter& reporter);

// The results for SCRIPTS not run, all skipped for REASON (e.g. "--noscripts").
std::vector<ScriptletResult> skip_scriptlets(const std::vector<Scriptlet>& scripts, const std::string& reason);

}  // namespace yumda
