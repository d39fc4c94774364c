// RPM %post / %posttrans shell scriptlets, run after the layer commit the way
// Lambda will see the layer: in a child process with a private mount
// namespace (a user namespace too when not root), ROOT bind-mounted at /opt,
// every other mount read-only, a fresh tmpfs on /tmp, PATH=/opt/bin:/usr/bin:/bin,
// LD_LIBRARY_PATH=/opt/lib, cwd /, `/bin/sh -c BODY sh ARG`. The host's files
// are out of the script's reach except through /opt (and /dev, /proc, /sys,
// which stay as they are).
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
// exit code (as rpm warns), and when the isolation cannot be set up (no root
// and no user namespaces, no /opt mount point) every script is reported as
// skipped, with the reason, in one warning. Stdout of the scripts goes to
// stderr, so --json output stays clean.
std::vector<ScriptletResult> run_scriptlets(const std::string& root, const std::vector<Scriptlet>& scripts,
                                            Reporter& reporter);

// The results for SCRIPTS not run, all skipped for REASON (e.g. "--noscripts").
std::vector<ScriptletResult> skip_scriptlets(const std::vector<Scriptlet>& scripts, const std::string& reason);

}  // namespace yumda
