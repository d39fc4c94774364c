// RAII owner for a libsolv Queue, shared by the repo and resolve modules.
#pragma once
#include "repo/solv.hpp"

namespace yumda {

class SolvQueue {
 public:
  SolvQueue() { queue_init(&q_); }
  ~SolvQueue() { queue_free(&q_); }
  SolvQueue(const SolvQueue&) = delete;
  SolvQueue& operator=(const SolvQueue&) = delete;
  Queue* get() { return &q_; }
  const Queue* get() const { return &q_; }
  Queue* operator->() { return &q_; }
  int size() const { return q_.count; }
  Id operator[](int i) const { return q_.elements[i]; }
  void push(Id id) { queue_push(&q_, id); }
  void push2(Id a, Id b) { queue_push2(&q_, a, b); }
  void clear() { queue_empty(&q_); }

 private:
  Queue q_;
};

}  // namespace yumda
