// The CLI's Reporter: warnings and info on stderr (spdlog), download progress
// only when stderr is a terminal, nothing at all with -q.
#pragma once
#include <chrono>
#include <string>

#include "yumda/reporter.hpp"

namespace yumda::cli {

class ConsoleReporter : public Reporter {
 public:
  ConsoleReporter(bool quiet, bool verbose);
  void warning(const std::string& message) override;
  void info(const std::string& message) override;
  void notice(const std::string& message) override;
  void download_progress(const std::string& label, uint64_t done, uint64_t total) override;
  void package_done(const std::string& stage, const std::string& nevra) override;

 private:
  void clear_progress_line();
  bool quiet_;
  bool verbose_;
  bool tty_;
  bool progress_shown_ = false;
  std::chrono::steady_clock::time_point last_draw_{};
};

}  // namespace yumda::cli
