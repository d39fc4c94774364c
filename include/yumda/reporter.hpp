// How the library talks to its caller without printing: the CLI implements
// Reporter (stderr, progress bars, --json); tests record what was reported.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace yumda {

class Reporter {
 public:
  virtual ~Reporter() = default;
  // Something the user should know about that does not stop the job.
  virtual void warning(const std::string& message) { (void)message; }
  // Something shown at normal verbosity (not with -q) that is not a warning:
  // a key imported for the first time, as dnf shows it.
  virtual void notice(const std::string& message) { (void)message; }
  // A step of the job ("Loading repository lambda2"), for verbose output.
  virtual void info(const std::string& message) { (void)message; }
  // Bytes of one download so far; total is 0 when unknown.
  virtual void download_progress(const std::string& label, uint64_t done, uint64_t total) {
    (void)label, (void)done, (void)total;
  }
  // A transaction's packages are about to be fetched and installed: how many
  // the plan installs (each then ends in package_done("install", ...)).
  virtual void transaction_start(size_t packages) { (void)packages; }
  // Of the packages asked for, these must be downloaded (the others are in
  // the cache or a local repo): how many and their bytes. Each one then
  // reports download_progress under its NEVRA and package_done("download").
  virtual void downloads_start(size_t packages, uint64_t bytes) { (void)packages, (void)bytes; }
  // A stage after the installs that can take a while ("relocate": rewriting
  // the paths compiled into the packages' files) starts on PACKAGES packages;
  // each then ends in package_done(PHASE, ...).
  virtual void phase_start(const std::string& phase, size_t packages) { (void)phase, (void)packages; }
  // One package finished a stage ("download", "install", a phase's).
  virtual void package_done(const std::string& stage, const std::string& nevra) {
    (void)stage, (void)nevra;
  }
};

// A Reporter that drops everything.
inline Reporter& null_reporter() {
  static Reporter r;
  return r;
}

// Set by the CLI's signal handler; long loops in the library poll it and
// throw Interrupted, so a Ctrl-C unwinds through the RAII owners.
bool interrupt_requested();
void request_interrupt();
void check_interrupt();  // throws Interrupted when requested

}  // namespace yumda
