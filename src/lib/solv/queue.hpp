// RAII owner for a libsolv Queue (a growable array of Ids).
#pragma once
#include <vector>

#include "solv/solv.hpp"

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
  const Id* begin() const { return q_.elements; }
  const Id* end() const { return q_.elements + q_.count; }
  std::vector<Id> ids() const { return {begin(), end()}; }
  void push(Id id) { queue_push(&q_, id); }
  void push2(Id a, Id b) { queue_push2(&q_, a, b); }
  void clear() { queue_empty(&q_); }

 private:
  Queue q_;
};

}  // namespace yumda
