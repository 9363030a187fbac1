// The HDF5 results file (layout in docs/results-format.md). The only HDF5 user.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "mirror/core/customer_log.hpp"
#include "mirror/results/run_results.hpp"

namespace mirror::results {

// Simulated day 0 of a synthetic population: 2024-01-01 (a Monday), UTC.
inline constexpr core::Timestamp kSimulatedDayZero = 1704067200;

class ResultsFileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Writes `results` to `path` atomically: a temporary file beside it, renamed on success.
// Creates the parent directory. Throws ResultsFileError (and leaves no file) on failure.
void write_results_file(const RunResults& results, const std::string& path);

// What the decision log's indices mean, and the date of simulated day 0.
struct DecisionNames {
  std::vector<std::string> offers;    // by offer index
  std::vector<std::string> messages;  // by message (world category) index
  core::Timestamp start = kSimulatedDayZero;
};

// The delivered (taken) decisions of every arm as the canonical decisions CSV
// (customer_id,timestamp,arm,policy,channel,message,offer,propensity,cost), in day order;
// blocked proposals are in the results file only. Written under a temporary name.
void write_decisions_csv(const RunResults& results, const DecisionNames& names,
                         const std::string& path);

// Reading back, for tests and later commands (`mirror compare`).
std::vector<double> read_column(const std::string& path, const std::string& dataset);
std::vector<std::string> read_strings(const std::string& path, const std::string& dataset);
std::string read_string_attribute(const std::string& path, const std::string& object,
                                  const std::string& attribute);
// An integer attribute (any integer type in the file, converted).
std::int64_t read_integer_attribute(const std::string& path, const std::string& object,
                                    const std::string& attribute);
// Names of the members of a group, sorted.
std::vector<std::string> list_group(const std::string& path, const std::string& group);

}  // namespace mirror::results
