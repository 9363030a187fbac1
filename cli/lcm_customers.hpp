// Which of a store's customers `mirror train` and `mirror validate` read for the LCM: all of
// them, or a random sample (--customers N); and the check that they fit in memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "mirror/results/customer_store.hpp"

namespace mirror::cli {

struct LcmCustomers {
  std::vector<std::size_t> indices;  // the store's dictionary indices, ascending
  std::size_t store_customers = 0;
  bool sampled() const { return indices.size() < store_customers; }
};

// All of the store's customers, or `sample` of them drawn with `seed`
// (twins::lcm_sample_customers; a line says so). Throws, before anything is read, when
// `bytes_per_customer_day` (twins::lcm_bytes_per_customer_day) x the customers x the
// store's days, with the store's decisions read alongside, is over 80% of the memory
// available; the message names a sample that fits.
LcmCustomers choose_lcm_customers(const results::StoreReader& store, std::optional<int> sample, std::uint64_t seed,
                                  double bytes_per_customer_day);

}  // namespace mirror::cli
