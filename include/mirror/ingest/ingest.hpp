// `mirror ingest`: reads event and decision logs in one of several formats into a store.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "mirror/core/customer_log.hpp"
#include "mirror/results/customer_store.hpp"

namespace mirror::ingest {

// Unreadable input, a wrong header, or a bad option: the ingest stops and writes nothing.
class IngestError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The formats `--format` accepts, in the order `mirror ingest --help` lists them.
const std::vector<std::string>& ingest_formats();

struct IngestOptions {
  std::string format;
  std::vector<std::string> inputs;
  std::vector<std::string> decision_inputs;  // canonical decisions CSVs read after `inputs`
  std::string attributes;        // static customer attributes (customer_attributes.hpp); optional
  std::string attributes_id = "customer_id";  // their file's customer id column
  std::vector<std::string> attributes_text;   // their columns kept as text (codes)
  std::string out;               // the store (HDF5)
  std::string quarantine;        // CSV of rejected rows; default: OUT with .quarantine.csv
  double max_bad_fraction = 0.01;
  std::optional<core::Timestamp> calibration_end;
  std::string command_line;      // stored as provenance
  // Called now and then with the rows and (uncompressed) bytes read of the current input.
  std::function<void(const std::string& input, std::int64_t rows, std::uint64_t bytes)>
      on_progress;
};

// Per input: path, size, sha256 and row counts, as stored in the store's /meta/inputs.
using InputReport = results::StoreInput;

struct IngestReport {
  std::vector<InputReport> inputs;
  std::map<std::string, std::int64_t> quarantined_by_reason;
  std::int64_t rows_read = 0;
  std::int64_t rows_accepted = 0;
  std::int64_t rows_quarantined = 0;
  std::int64_t customers = 0;
  std::int64_t events = 0;
  std::int64_t decisions = 0;
  std::string quarantine_path;
  // With IngestOptions::attributes: the attribute columns stored, the store's customers
  // without a row in the file, and the file's rows for customers without events.
  std::vector<std::string> attribute_names;
  std::int64_t customers_without_attributes = 0;
  std::int64_t attribute_rows_unmatched = 0;
  double bad_fraction() const {
    return rows_read ? static_cast<double>(rows_quarantined) / rows_read : 0.0;
  }
  bool too_many_bad = false;     // then nothing was written but the quarantine file
};

// Reads every input, writes the store atomically (unless too many rows were bad) and the
// quarantine file. Throws IngestError for unreadable input or a bad header.
IngestReport run_ingest(const IngestOptions& options);

// Parses "YYYY-MM-DD" as midnight UTC; nullopt if malformed.
std::optional<core::Timestamp> parse_date(const std::string& text);

}  // namespace mirror::ingest
