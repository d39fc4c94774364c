#include "fastload/beside.hpp"

#include <exception>
#include <thread>

namespace yumda {

struct Beside::Impl {
  std::exception_ptr error;
  std::jthread thread;  // last: joined before ERROR goes
};

Beside::Beside(const std::function<void()>& fn) : impl_(std::make_unique<Impl>()) {
  if (!fn) return;
  impl_->thread = std::jthread([fn, impl = impl_.get()] {
    try {
      fn();
    } catch (...) {
      impl->error = std::current_exception();
    }
  });
}

Beside::~Beside() = default;

void Beside::wait() {
  if (impl_->thread.joinable()) impl_->thread.join();
  if (impl_->error) std::rethrow_exception(impl_->error);
}

}  // namespace yumda
