// The customer store (store.h5): ingested events and decisions, their dictionaries,
// provenance, and the tables computed from them (profiles). Layout in docs/store-format.md.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "mirror/core/customer_log.hpp"

namespace mirror::results {

struct StoreInput {
  std::string path;
  std::uint64_t bytes = 0;
  std::string sha256;
  std::int64_t rows_read = 0;
  std::int64_t rows_accepted = 0;
  std::int64_t rows_quarantined = 0;
};

struct StoreMeta {
  std::string format;
  std::string command_line;
  std::string version;
  std::string git_commit;
  std::string written_at;                       // filled by the writer
  std::optional<core::Timestamp> calibration_end;
  core::Timestamp first_event = 0;              // over events and decisions
  core::Timestamp last_event = 0;
  std::vector<StoreInput> inputs;
  std::map<std::string, std::int64_t> quarantined_by_reason;
  std::int64_t rows_read = 0;
  std::int64_t rows_accepted = 0;
  std::int64_t rows_quarantined = 0;
  std::vector<std::string> context_names;       // columns of DecisionBatch::context
};

// A table of named columns of equal length, for profiles and reports.
struct Table {
  struct Column {
    std::string name;
    std::vector<double> numbers;       // used when `strings` is empty
    std::vector<std::string> strings;
  };
  std::vector<Column> columns;
  std::size_t rows() const;
  // The numbers of column `name`; throws std::invalid_argument naming a missing column.
  const std::vector<double>& numbers(const std::string& name) const;
};

// Streams batches into a temporary file; commit() adds meta and dictionaries and renames it
// into place. Destroyed without commit(), it leaves nothing behind.
class StoreWriter {
 public:
  explicit StoreWriter(const std::string& path);
  ~StoreWriter();
  StoreWriter(const StoreWriter&) = delete;
  StoreWriter& operator=(const StoreWriter&) = delete;

  void append(const core::EventBatch& events);
  void append(const core::DecisionBatch& decisions, std::size_t context_width);
  // Static customer attributes, one row per customer in the customer dictionary's order
  // (a "customer" column and one per attribute), written as /attributes at commit().
  void set_attributes(Table attributes);
  void commit(StoreMeta meta, const core::Dictionaries& dictionaries);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

class StoreReader {
 public:
  explicit StoreReader(const std::string& path);  // throws ResultsFileError
  ~StoreReader();

  const StoreMeta& meta() const;
  // "customer", "channel", "item", "campaign", "arm", "policy", "message", "offer".
  std::vector<std::string> dictionary(const std::string& name) const;
  std::int64_t event_count() const;
  std::int64_t decision_count() const;
  // Calls `consume` with consecutive batches of at most `batch_rows` events, in order.
  void for_each_event_batch(std::size_t batch_rows,
                            const std::function<void(const core::EventBatch&)>& consume) const;
  core::DecisionBatch read_decisions() const;
  // The static customer attributes (StoreWriter::set_attributes); no columns without them.
  Table attributes() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Replaces (or adds) group `group` of an existing store with `table` and, when given, a
// customers x steps matrix of counts per named sequence, atomically.
struct CountMatrix {
  std::string name;
  std::size_t steps = 0;
  std::vector<std::uint16_t> counts;  // row-major, customers x steps
};
void write_store_table(const std::string& path, const std::string& group, const Table& table,
                       const std::vector<CountMatrix>& matrices = {});
Table read_store_table(const std::string& path, const std::string& group);

// Writes `table` as CSV (header row; NaN as an empty field; text quoted when needed),
// atomically. Throws ResultsFileError.
void write_table_csv(const Table& table, const std::string& path);

}  // namespace mirror::results
