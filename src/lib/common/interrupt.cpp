#include <atomic>

#include "yumda/error.hpp"
#include "yumda/reporter.hpp"

namespace yumda {

namespace {
std::atomic<bool> g_interrupted{false};
}

bool interrupt_requested() { return g_interrupted.load(std::memory_order_relaxed); }
void request_interrupt() { g_interrupted.store(true, std::memory_order_relaxed); }
void check_interrupt() {
  if (interrupt_requested()) throw Interrupted();
}

}  // namespace yumda
