#include "console_reporter.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdio>

#include "yumda/error.hpp"
#include "yumda/fs.hpp"

namespace yumda::cli {

ConsoleReporter::ConsoleReporter(bool quiet, bool verbose)
    : quiet_(quiet), verbose_(verbose), tty_(isatty(STDERR_FILENO) == 1) {}

void ConsoleReporter::clear_progress_line() {
  if (progress_shown_) {
    std::fputs("\r\033[K", stderr);
    progress_shown_ = false;
  }
}

void ConsoleReporter::warning(const std::string& message) {
  if (quiet_) return;
  clear_progress_line();
  spdlog::warn("{}", printable(redact_urls(message)));
}

void ConsoleReporter::notice(const std::string& message) {
  if (quiet_) return;
  clear_progress_line();
  // Line by line: the lines are the message's, anything else in them is escaped.
  size_t start = 0;
  for (size_t nl; (nl = message.find('\n', start)) != std::string::npos; start = nl + 1)
    std::fprintf(stderr, "%s\n", printable(redact_urls(message.substr(start, nl - start))).c_str());
  std::fprintf(stderr, "%s\n", printable(redact_urls(message.substr(start))).c_str());
}

void ConsoleReporter::info(const std::string& message) {
  if (quiet_ || !verbose_) return;
  clear_progress_line();
  spdlog::info("{}", printable(redact_urls(message)));
}

void ConsoleReporter::download_progress(const std::string& label, uint64_t done, uint64_t total) {
  if (quiet_ || !tty_) return;
  auto now = std::chrono::steady_clock::now();
  if (now - last_draw_ < std::chrono::milliseconds(100) && done != total) return;
  last_draw_ = now;
  std::string line = label.substr(0, 50) + "  " + human_size(done);
  if (total) line += " / " + human_size(total);
  std::fprintf(stderr, "\r\033[K%s", line.c_str());
  progress_shown_ = true;
}

void ConsoleReporter::package_done(const std::string& stage, const std::string& nevra) {
  if (quiet_) return;
  clear_progress_line();
  if (verbose_ || tty_) std::fprintf(stderr, "  %-10s %s\n", (stage + ":").c_str(), nevra.c_str());
}

}  // namespace yumda::cli
