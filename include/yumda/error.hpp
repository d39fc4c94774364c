// Errors the library raises. Every message is one line meant for the user: it
// names the thing that failed and, where there is one, the fix.
#pragma once
#include <stdexcept>
#include <string>

namespace yumda {

// Process exit codes, stable and documented in README.md.
enum ExitCode : int {
  kExitOk = 0,
  kExitError = 1,
  kExitUsage = 2,
  kExitInterrupted = 130,
};

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message, int exit_code = kExitError)
      : std::runtime_error(message), exit_code_(exit_code) {}
  int exit_code() const { return exit_code_; }

 private:
  int exit_code_;
};

// Bad command line or configuration the user must change.
class UsageError : public Error {
 public:
  explicit UsageError(const std::string& message) : Error(message, kExitUsage) {}
};

// The user pressed Ctrl-C (SIGINT/SIGTERM seen by the pipeline).
class Interrupted : public Error {
 public:
  Interrupted() : Error("interrupted", kExitInterrupted) {}
};

// TEXT with the password of every URL in it ("https://user:secret@host")
// replaced by "***": messages and --json must not print a baseurl's secret.
std::string redact_urls(const std::string& text);

// TEXT fit for one line on a terminal: control characters (a newline or an
// escape sequence in a package's file name) written as \n, \t, \xNN.
std::string printable(const std::string& text);

// errno as text, for messages: "cannot open X: No such file or directory".
std::string errno_text(int err);

}  // namespace yumda
