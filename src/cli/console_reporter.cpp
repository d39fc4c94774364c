#include "console_reporter.hpp"

#include <spdlog/spdlog.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdio>

#include "commands.hpp"
#include "yumda/error.hpp"
#include "yumda/fs.hpp"

namespace yumda::cli {

namespace {

// How often the block is redrawn at most (dnf's meter: 10 times a second).
constexpr auto kRedraw = std::chrono::milliseconds(100);

std::string clock_text(double seconds) {
  const auto s = static_cast<unsigned long long>(seconds + 0.5);
  char buf[32];
  if (s >= 3600)
    std::snprintf(buf, sizeof buf, "%llu:%02llu:%02llu", s / 3600, s / 60 % 60, s % 60);
  else
    std::snprintf(buf, sizeof buf, "%02llu:%02llu", s / 60, s % 60);
  return buf;
}

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

// "63 k/s", or dnf's "---  B/s" while too little is known to tell.
std::string rate_text(uint64_t bytes, double seconds) {
  if (seconds < 0.2 || bytes == 0) return "--- B/s";
  return human_size(static_cast<uint64_t>(static_cast<double>(bytes) / seconds)) + "/s";
}

// A finished package (or the total) as dnf prints it: name, rate | size, time.
std::string done_line(const std::string& what, uint64_t bytes, double seconds) {
  char buf[512];
  std::snprintf(buf, sizeof buf, "%-50s %10s | %7s  %s", what.c_str(), rate_text(bytes, seconds).c_str(),
                human_size(bytes).c_str(), clock_text(seconds).c_str());
  return buf;
}

size_t terminal_width() {
  winsize ws{};
  if (::ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  return 80;
}

}  // namespace

ConsoleReporter::ConsoleReporter(const GlobalOptions& g)
    : ConsoleReporter(g.quiet, g.verbose, g.json, isatty(STDERR_FILENO) == 1) {}

ConsoleReporter::ConsoleReporter(bool quiet, bool verbose, bool json, bool tty)
    : quiet_(quiet),
      verbose_(verbose),
      live_(tty && !quiet && !json),
      lines_(!quiet && ((tty && !json) || verbose)) {}

ConsoleReporter::~ConsoleReporter() {
  std::lock_guard l(mu_);
  clear_block();
}

std::string ConsoleReporter::erase_block() {
  if (shown_lines_ == 0) return "";
  // Back to the block's first line, then everything from there down erased.
  std::string out = "\r";
  if (shown_lines_ > 1) out += "\033[" + std::to_string(shown_lines_ - 1) + "A";
  shown_lines_ = 0;
  return out + "\033[J";
}

void ConsoleReporter::clear_block() { std::fputs(erase_block().c_str(), stderr); }

std::vector<std::string> ConsoleReporter::block_lines() const {
  std::vector<std::string> lines;
  if (dl_count_ > 0 && dl_done_ < dl_count_) {
    uint64_t got = 0;
    for (const auto& [_, item] : dl_items_) got += item.done;
    std::string eta = "--:--", rate = "--- B/s";
    if (auto left = dl_rate_.eta(dl_bytes_ >= got ? dl_bytes_ - got : 0)) eta = clock_text(*left);
    if (dl_rate_.known()) rate = human_size(static_cast<uint64_t>(dl_rate_.rate())) + "/s";
    lines.push_back("Downloading (" + std::to_string(dl_done_) + "/" + std::to_string(dl_count_) + ")  " +
                    human_size(got) + " / " + human_size(dl_bytes_) + "  " + rate + "  " + eta + " ETA");
  }
  if (in_count_ > 0 && in_done_ < in_count_)
    lines.push_back("Installing  (" + std::to_string(in_done_) + "/" + std::to_string(in_count_) + ")" +
                    (in_last_.empty() ? "" : "  " + in_last_));
  if (ph_count_ > 0 && ph_done_ < ph_count_)
    lines.push_back(ph_name_ + " (" + std::to_string(ph_done_) + "/" + std::to_string(ph_count_) + ")" +
                    (ph_last_.empty() ? "" : "  " + ph_last_));
  if (lines.empty() && !single_.empty()) lines.push_back(single_);
  return lines;
}

void ConsoleReporter::draw_block(bool force) {
  if (!live_) return;
  const auto now = Clock::now();
  if (!force && now - last_draw_ < kRedraw) return;
  last_draw_ = now;
  const std::vector<std::string> lines = block_lines();
  // A line as wide as the terminal wraps, and the block would no longer
  // know how many lines to take back: cut by columns, not bytes (UTF-8 names).
  const size_t width = terminal_width() - 1;
  std::string out = erase_block();  // one write: no flicker
  for (size_t i = 0; i < lines.size(); ++i) out += (i ? "\n" : "") + cut_to_columns(lines[i], width);
  std::fputs(out.c_str(), stderr);
  shown_lines_ = lines.size();
}

void ConsoleReporter::print_above(const std::string& line) {
  clear_block();
  std::fprintf(stderr, "%s\n", line.c_str());
  draw_block(true);
}

void ConsoleReporter::warning(const std::string& message) {
  if (quiet_) return;
  std::lock_guard l(mu_);
  clear_block();
  spdlog::warn("{}", printable(redact_urls(message)));
  draw_block(true);
}

void ConsoleReporter::notice(const std::string& message) {
  if (quiet_) return;
  std::lock_guard l(mu_);
  clear_block();
  // Line by line: the lines are the message's, anything else in them is escaped.
  size_t start = 0;
  for (size_t nl; (nl = message.find('\n', start)) != std::string::npos; start = nl + 1)
    std::fprintf(stderr, "%s\n", printable(redact_urls(message.substr(start, nl - start))).c_str());
  std::fprintf(stderr, "%s\n", printable(redact_urls(message.substr(start))).c_str());
  draw_block(true);
}

void ConsoleReporter::info(const std::string& message) {
  if (quiet_ || !verbose_) return;
  std::lock_guard l(mu_);
  clear_block();
  spdlog::info("{}", printable(redact_urls(message)));
  draw_block(true);
}

void ConsoleReporter::download_progress(const std::string& label, uint64_t done, uint64_t total) {
  if (!lines_) return;
  std::lock_guard l(mu_);
  if (dl_count_ > 0 && dl_done_ < dl_count_) {
    auto [it, fresh] = dl_items_.try_emplace(label);
    if (fresh) it->second.start = Clock::now();
    it->second.done = done;
    uint64_t got = 0;
    for (const auto& [_, item] : dl_items_) got += item.done;
    dl_rate_.sample(seconds_since(dl_start_), got);
    return draw_block(false);
  }
  if (total && done >= total) {  // finished: nothing left on the line for other output to join
    single_.clear();
    if (in_count_ == in_done_) clear_block();
    return;
  }
  single_ = cut_to_columns(printable(label), 50) + "  " + human_size(done);
  if (total) single_ += " / " + human_size(total);
  draw_block(false);
}

void ConsoleReporter::transaction_start(size_t packages) {
  if (!lines_) return;
  std::lock_guard l(mu_);
  in_count_ = packages;
  in_done_ = 0;
  in_last_.clear();
  single_.clear();
  draw_block(true);
}

void ConsoleReporter::downloads_start(size_t packages, uint64_t bytes) {
  if (!lines_) return;
  std::lock_guard l(mu_);
  dl_count_ = packages;
  dl_done_ = 0;
  dl_bytes_ = bytes;
  dl_start_ = Clock::now();
  dl_rate_.reset(0, 0);
  dl_items_.clear();
  single_.clear();
  draw_block(true);
}

void ConsoleReporter::package_done(const std::string& stage, const std::string& nevra) {
  if (!lines_) return;
  std::lock_guard l(mu_);
  const std::string name = printable(nevra);
  if (stage == "download" && dl_count_ > 0 && dl_done_ < dl_count_) {
    ++dl_done_;
    Item& item = dl_items_[nevra];
    if (item.start == Clock::time_point{}) item.start = dl_start_;
    print_above(done_line("(" + std::to_string(dl_done_) + "/" + std::to_string(dl_count_) + "): " + name,
                          item.done, seconds_since(item.start)));
    if (dl_done_ == dl_count_) {  // dnf's closing rule and total
      uint64_t got = 0;
      for (const auto& [_, i] : dl_items_) got += i.done;
      print_above(std::string(79, '-'));
      print_above(done_line("Total", got, seconds_since(dl_start_)));
    }
    return;
  }
  if (stage == ph_stage_ && ph_count_ > 0 && ph_done_ < ph_count_) {  // the block's line only
    ++ph_done_;
    ph_last_ = name;
    return ph_done_ == ph_count_ ? clear_block() : draw_block(false);
  }
  if (stage == "install" && in_count_ > 0 && in_done_ < in_count_) {
    ++in_done_;
    in_last_ = name;
    char buf[512];
    std::snprintf(buf, sizeof buf, "  Installing : %-60s %zu/%zu", name.c_str(), in_done_, in_count_);
    return print_above(buf);
  }
  char buf[512];
  std::snprintf(buf, sizeof buf, "  %-10s %s", (stage + ":").c_str(), name.c_str());
  print_above(buf);
}

void ConsoleReporter::phase_start(const std::string& phase, size_t packages) {
  if (!lines_) return;
  std::lock_guard l(mu_);
  ph_stage_ = phase;
  ph_name_ = phase == "relocate" ? "Relocating " : phase;
  ph_count_ = packages;
  ph_done_ = 0;
  ph_last_.clear();
  draw_block(true);
}

}  // namespace yumda::cli
