// What a progress meter computes, apart from drawing it (the CLI draws):
// a moving transfer rate and its ETA, and a line cut to a terminal's width.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

namespace yumda {

// A rate that follows the last few seconds, as dnf's meter does, not the
// average since the start: after a stall it falls, after the stall it rises
// again. Each sample's rate weighs 1 - e^(-dt/tau) against the estimate so far
// (an exponentially weighted average over time, whatever the sample spacing).
class MovingRate {
 public:
  explicit MovingRate(double tau_seconds = 3.0) : tau_(tau_seconds) {}
  // Starts over at time T (seconds, any origin) with BYTES done.
  void reset(double t, uint64_t bytes);
  // BYTES done in all at time T. Samples closer than kMinStep to the last one
  // count with the next: a rate over microseconds means nothing.
  void sample(double t, uint64_t bytes);
  bool known() const { return known_; }
  double rate() const { return rate_; }  // bytes a second; 0 until known()
  // Seconds to move REMAINING bytes at rate(); none while the rate is unknown or 0.
  std::optional<double> eta(uint64_t remaining) const;

  static constexpr double kMinStep = 0.1;

 private:
  double tau_;
  double last_t_ = 0;
  uint64_t last_bytes_ = 0;
  double rate_ = 0;
  bool known_ = false;
};

// The longest head of S (UTF-8) that fits COLS terminal columns: cut between
// characters, never inside one; East Asian wide characters take two columns,
// combining marks none. Bytes that are not UTF-8 count one column each.
std::string cut_to_columns(const std::string& s, size_t cols);

}  // namespace yumda
