// The CLI's Reporter: warnings and info on stderr (spdlog), nothing at all
// with -q. On a terminal (not with --json) a live block at the bottom of
// stderr shows a transaction's downloads (count, bytes, rate, ETA) and
// installs; each finished package gets a line of its own above it, dnf's way.
#pragma once
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "yumda/meter.hpp"
#include "yumda/reporter.hpp"

namespace yumda::cli {

struct GlobalOptions;

class ConsoleReporter : public Reporter {
 public:
  // -q: errors only; --json: no progress; the block only when stderr is a terminal.
  explicit ConsoleReporter(const GlobalOptions& g);
  ConsoleReporter(bool quiet, bool verbose, bool json, bool tty);
  ~ConsoleReporter() override;  // takes the block off the screen (an error follows)
  ConsoleReporter(const ConsoleReporter&) = delete;
  ConsoleReporter& operator=(const ConsoleReporter&) = delete;

  void warning(const std::string& message) override;
  void info(const std::string& message) override;
  void notice(const std::string& message) override;
  void download_progress(const std::string& label, uint64_t done, uint64_t total) override;
  void transaction_start(size_t packages) override;
  void downloads_start(size_t packages, uint64_t bytes) override;
  void package_done(const std::string& stage, const std::string& nevra) override;
  void phase_start(const std::string& phase, size_t packages) override;

 private:
  using Clock = std::chrono::steady_clock;
  struct Item {
    uint64_t done = 0;
    Clock::time_point start{};
  };
  // Everything below is under mu_: the download loop and the install
  // workers report at the same time, and the screen is one.
  std::string erase_block();  // the escapes that take the block off the screen
  void clear_block();
  void draw_block(bool force);
  std::vector<std::string> block_lines() const;
  void print_above(const std::string& line);  // a permanent line, the block redrawn under it
  std::mutex mu_;
  const bool quiet_;
  const bool verbose_;
  const bool live_;   // the block: a terminal, not -q, not --json
  const bool lines_;  // the per-package lines: live_, or -v
  size_t shown_lines_ = 0;  // lines of the block on the screen now
  Clock::time_point last_draw_{};
  // A download outside a transaction (repo metadata): one line while it runs.
  std::string single_;
  // The transaction's downloads.
  size_t dl_count_ = 0, dl_done_ = 0;
  uint64_t dl_bytes_ = 0;
  Clock::time_point dl_start_{};
  MovingRate dl_rate_;  // the live line's rate and ETA: the last few seconds, as dnf's
  std::map<std::string, Item> dl_items_;  // by NEVRA: bytes so far
  // The transaction's installs.
  size_t in_count_ = 0, in_done_ = 0;
  std::string in_last_;
  // A phase after the installs (relocation): its name, count and the last done.
  std::string ph_stage_, ph_name_, ph_last_;
  size_t ph_count_ = 0, ph_done_ = 0;
};

}  // namespace yumda::cli
