// `mirror generate`: simulates a synthetic world's customers and writes their event log, the
// logging policy's decisions with exact propensities, the customers' observable attributes,
// the truth (HDF5) and the full world file into a directory, atomically.
#pragma once

#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>

#include "mirror/core/synthetic_world.hpp"

namespace mirror::generate {

// Bad options or an output directory that cannot be written: nothing is left behind.
class GenerateError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct GenerateProgress {
  std::uint64_t customers_done = 0;
  std::uint64_t customers_total = 0;
  std::int64_t rows = 0;  // events + decisions written so far
  double elapsed_s = 0;
};

struct GenerateOptions {
  core::SyntheticWorldSpec world;  // resolved (resolve_world)
  std::uint64_t customers = 1000;
  int days = 365;
  std::uint64_t seed = 1;
  int threads = 2;                 // the output does not depend on it
  std::string out_dir;
  std::string world_source;        // "preset retail" or the world file's path (provenance)
  std::function<void(const GenerateProgress&)> on_progress;  // after each block, in order
};

struct GenerateReport {
  std::uint64_t customers = 0;
  int days = 0;
  std::int64_t events = 0;
  std::int64_t decisions = 0;
  std::uint64_t bytes = 0;  // of the CSV files
  double seconds = 0;
};

// Customers are simulated in blocks of this many, each block from its own counter-based
// random streams, and written in block order: the bytes do not depend on `threads`.
inline constexpr std::uint64_t kGenerateBlockCustomers = 1024;

GenerateReport generate_world(const GenerateOptions& options);

}  // namespace mirror::generate
