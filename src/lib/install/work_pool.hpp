// A few worker threads for the install's CPU-bound part (verify + decompress +
// write each package), so xz decoding uses every core while downloads go on.
#pragma once
#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "yumda/reporter.hpp"

namespace yumda {

class WorkPool {
 public:
  explicit WorkPool(size_t threads);
  ~WorkPool();  // waits for the workers; never throws
  WorkPool(const WorkPool&) = delete;
  WorkPool& operator=(const WorkPool&) = delete;

  // Queues TASK. Once a task has thrown, later ones are dropped.
  void submit(std::function<void()> task);
  // Waits until every queued task ran; rethrows the first task's exception.
  void wait();
  bool failed();

  // Threads to use: the cores there are, at least 1, at most 8.
  static size_t default_threads();

 private:
  void run();
  std::mutex mu_;
  std::condition_variable wake_, idle_;
  std::deque<std::function<void()>> queue_;
  size_t busy_ = 0;
  bool stop_ = false;
  std::exception_ptr error_;
  std::vector<std::thread> threads_;
};

// Forwards to another Reporter one call at a time (workers report concurrently).
class SerializedReporter : public Reporter {
 public:
  explicit SerializedReporter(Reporter& inner) : inner_(inner) {}
  void warning(const std::string& m) override { std::lock_guard l(mu_); inner_.warning(m); }
  void info(const std::string& m) override { std::lock_guard l(mu_); inner_.info(m); }
  void notice(const std::string& m) override { std::lock_guard l(mu_); inner_.notice(m); }
  void download_progress(const std::string& label, uint64_t done, uint64_t total) override {
    std::lock_guard l(mu_);
    inner_.download_progress(label, done, total);
  }
  void package_done(const std::string& stage, const std::string& nevra) override {
    std::lock_guard l(mu_);
    inner_.package_done(stage, nevra);
  }
  void transaction_start(size_t packages) override {
    std::lock_guard l(mu_);
    inner_.transaction_start(packages);
  }
  void downloads_start(size_t packages, uint64_t bytes) override {
    std::lock_guard l(mu_);
    inner_.downloads_start(packages, bytes);
  }
  void phase_start(const std::string& phase, size_t packages) override {
    std::lock_guard l(mu_);
    inner_.phase_start(phase, packages);
  }

 private:
  Reporter& inner_;
  std::mutex mu_;
};

}  // namespace yumda
