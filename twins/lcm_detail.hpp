// Helpers the LCM's rollout and evaluation code shares (private to twins).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <thread>
#include <vector>

namespace mirror::twins::detail {

inline double sigmoid(double v) { return 1.0 / (1.0 + std::exp(-v)); }

// Runs fn(begin, end) on `threads` contiguous blocks of customers [0, n). Each customer's
// numbers depend only on its own data and random streams, so the split never changes them.
template <class Fn>
void in_customer_blocks(std::size_t n, int threads, const Fn& fn) {
  const auto t = static_cast<std::size_t>(std::clamp(threads, 1, 256));
  std::vector<std::thread> workers;
  for (std::size_t k = 1; k < t; ++k) workers.emplace_back(fn, n * k / t, n * (k + 1) / t);
  fn(std::size_t{0}, n / t);
  for (auto& worker : workers) worker.join();
}

}  // namespace mirror::twins::detail
