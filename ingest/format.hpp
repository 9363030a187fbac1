// The per-format adapters of `mirror ingest`: each turns the records of its files into
// events and decisions, or names the reason a record is rejected.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "mirror/ingest/csv_reader.hpp"
#include "mirror/core/customer_log.hpp"
#include "mirror/results/customer_store.hpp"

namespace mirror::ingest {

// Collects what adapters produce and streams it to the store in large batches.
class IngestSink {
 public:
  explicit IngestSink(results::StoreWriter& writer) : writer_(writer) {}

  core::Dictionaries dictionaries;

  std::uint32_t customer(std::string_view id) {
    return static_cast<std::uint32_t>(dictionaries.customer.id(id));
  }
  void event(std::uint32_t customer, core::Timestamp t, core::EventType type, core::Micros amount,
             std::int32_t quantity = 0, std::int32_t channel = -1, std::int32_t item = -1,
             std::int32_t campaign = -1);
  // Adapters push all columns of one decision into decisions(), then call this.
  core::DecisionBatch& decisions() { return decisions_; }
  void decision_pushed(core::Timestamp t);
  void set_context(std::vector<std::string> names);
  const std::vector<std::string>& context_names() const { return context_names_; }

  void flush();
  std::int64_t event_count() const { return events_written_ + events_.size(); }
  std::int64_t decision_count() const { return decisions_written_ + decisions_.size(); }
  core::Timestamp first() const { return first_; }
  core::Timestamp last() const { return last_; }

 private:
  void saw(core::Timestamp t);

  results::StoreWriter& writer_;
  core::EventBatch events_;
  core::DecisionBatch decisions_;
  std::vector<std::string> context_names_;
  std::int64_t events_written_ = 0;
  std::int64_t decisions_written_ = 0;
  core::Timestamp first_ = INT64_MAX;
  core::Timestamp last_ = INT64_MIN;
};

// Finds named columns in a header record; a missing required one is an IngestError.
class ColumnMap {
 public:
  ColumnMap(const std::string& path, const CsvReader& header,
            const std::vector<std::string>& required, const std::vector<std::string>& optional);
  // Index of a column, or -1 for an absent optional one.
  int operator[](const std::string& name) const;
  // Field indices of the required then the optional columns, in the order given, looked up
  // once so that rows need no string hashing.
  const std::vector<int>& declared() const { return declared_; }
  std::size_t width() const { return width_; }

 private:
  std::unordered_map<std::string, int> index_;
  std::vector<int> declared_;
  std::size_t width_ = 0;
};

// Reason texts, shared so counts group across formats.
namespace reason {
inline constexpr std::string_view kFieldCount = "wrong number of fields";
inline constexpr std::string_view kNoCustomer = "missing customer id";
inline constexpr std::string_view kBadTimestamp = "unparseable date or timestamp";
inline constexpr std::string_view kBadNumber = "unparseable number";
inline constexpr std::string_view kNegativeAmount = "negative amount";
inline constexpr std::string_view kUnknownEventType = "unknown event_type";
inline constexpr std::string_view kBadPropensity = "propensity outside (0, 1]";
}  // namespace reason

class Format {
 public:
  virtual ~Format() = default;
  // Inputs in the order they must be read (a format may need lookup files first).
  virtual std::vector<std::string> order_inputs(std::vector<std::string> inputs) const {
    return inputs;
  }
  virtual CsvReader::Separator separator(const std::string&) const {
    return CsvReader::Separator::kComma;
  }
  // Sees the first record of an input; returns true if it was a header. Throws IngestError
  // when the file is not of this format.
  virtual bool begin_input(const std::string& path, const CsvReader& first, IngestSink& sink) = 0;
  // Returns an empty view when the record was accepted, else the reason it was rejected.
  virtual std::string_view row(const CsvReader& r, IngestSink& sink) = 0;
};

std::unique_ptr<Format> make_format(const std::string& name);

}  // namespace mirror::ingest
