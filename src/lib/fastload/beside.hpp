// A function run on a thread of its own beside the caller's work (the cold
// scan's check of its input). Kept out of primary_xml.cpp: with the thread
// code there, GCC inlined less of the scanner (+230M instructions on the
// 60k repo, callgrind).
#pragma once
#include <functional>
#include <memory>

namespace yumda {

class Beside {
 public:
  // Starts FN on a thread of its own; an empty FN starts nothing.
  explicit Beside(const std::function<void()>& fn);
  ~Beside();  // joins, dropping what FN threw: wait() is where it is seen
  Beside(const Beside&) = delete;
  Beside& operator=(const Beside&) = delete;
  // Joins FN and throws what it threw.
  void wait();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace yumda
