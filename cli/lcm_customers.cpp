#include "lcm_customers.hpp"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include "command.hpp"
#include "mirror/twins/lcm.hpp"

namespace mirror::cli {

namespace {

// MemAvailable of /proc/meminfo in bytes; 0 where it cannot be read.
double available_memory() {
  std::ifstream meminfo("/proc/meminfo");
  for (std::string line; std::getline(meminfo, line);) {
    std::istringstream fields(line);
    std::string key;
    double kib = 0;
    if (fields >> key >> kib && key == "MemAvailable:") return kib * 1024.0;
  }
  return 0;
}

// The LCM holds every customer's days densely, and the store's decisions while it reads
// them; past the memory there is, the kernel would kill the process without a word. The way
// out is a sample.
void check_memory(std::size_t customers, std::int32_t days, double bytes_per_customer_day, std::int64_t decisions) {
  constexpr double kDecisionBytes = 64;                  // a row of core::DecisionBatch
  constexpr double kProcessBytes = 256.0 * 1024 * 1024;  // LibTorch, HDF5 and the rest
  const double per_customer = bytes_per_customer_day * days;
  const double fixed = kDecisionBytes * static_cast<double>(decisions) + kProcessBytes;
  const double need = per_customer * customers + fixed;
  const double available = available_memory();
  constexpr double kUsable = 0.8;  // of what is available
  if (available <= 0 || need <= kUsable * available) return;
  constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;
  auto fit = std::max<std::int64_t>(1, static_cast<std::int64_t>((kUsable * available - fixed) / per_customer));
  std::int64_t unit = 1;  // rounded down to two significant digits
  while (fit / unit >= 100) unit *= 10;
  fit = fit / unit * unit;
  char sizes[160];
  std::snprintf(sizes, sizeof sizes, "needs about %.1f GiB, and %.1f GiB are available", need / kGiB,
                available / kGiB);
  throw std::runtime_error(with_commas(static_cast<std::int64_t>(customers)) + " customers x " + with_commas(days) +
                           " days " + sizes + ": take a random sample with --customers " + std::to_string(fit) +
                           " or fewer");
}

}  // namespace

LcmCustomers choose_lcm_customers(const results::StoreReader& store, std::optional<int> sample, std::uint64_t seed,
                                  double bytes_per_customer_day) {
  LcmCustomers out;
  out.store_customers = store.dictionary("customer").size();
  const std::size_t n = sample ? static_cast<std::size_t>(*sample) : out.store_customers;
  out.indices = twins::lcm_sample_customers(out.store_customers, n, seed);
  check_memory(out.indices.size(), twins::lcm_store_days(store.meta()), bytes_per_customer_day,
               store.decision_count());
  if (out.sampled())
    std::printf("a random sample of %s of the store's %s customers (seed %llu)\n",
                with_commas(static_cast<std::int64_t>(out.indices.size())).c_str(),
                with_commas(static_cast<std::int64_t>(out.store_customers)).c_str(),
                static_cast<unsigned long long>(seed));
  return out;
}

}  // namespace mirror::cli
