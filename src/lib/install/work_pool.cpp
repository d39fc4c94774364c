#include "install/work_pool.hpp"

#include <algorithm>

namespace yumda {

WorkPool::WorkPool(size_t threads) {
  for (size_t i = 0; i < std::max<size_t>(1, threads); ++i) threads_.emplace_back([this] { run(); });
}

WorkPool::~WorkPool() {
  {
    std::lock_guard l(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  for (auto& t : threads_) t.join();
}

size_t WorkPool::default_threads() {
  return std::clamp<size_t>(std::thread::hardware_concurrency(), 1, 8);
}

void WorkPool::submit(std::function<void()> task) {
  {
    std::lock_guard l(mu_);
    if (error_) return;
    queue_.push_back(std::move(task));
  }
  wake_.notify_one();
}

bool WorkPool::failed() {
  std::lock_guard l(mu_);
  return error_ != nullptr;
}

void WorkPool::wait() {
  std::unique_lock l(mu_);
  idle_.wait(l, [this] { return queue_.empty() && busy_ == 0; });
  if (error_) std::rethrow_exception(error_);
}

void WorkPool::run() {
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock l(mu_);
      wake_.wait(l, [this] { return stop_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping
      task = std::move(queue_.front());
      queue_.pop_front();
      ++busy_;
    }
    try {
      task();
    } catch (...) {
      std::lock_guard l(mu_);
      if (!error_) error_ = std::current_exception();
      queue_.clear();  // the install fails anyway: skip the rest
    }
    {
      std::lock_guard l(mu_);
      --busy_;
    }
    idle_.notify_all();
  }
}

}  // namespace yumda
