// A streaming CSV reader: one record at a time from a ByteSource, fields as views into its
// buffer. Handles quoted fields ("a, b" and "" escapes), CRLF, and whitespace-separated files.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "mirror/ingest/byte_source.hpp"

namespace mirror::ingest {

class CsvReader {
 public:
  enum class Separator { kComma, kWhitespace };

  CsvReader(std::unique_ptr<ByteSource> source, Separator separator);

  // Moves to the next non-empty record; false at the end. Views from the previous record
  // become invalid.
  bool next();

  std::size_t size() const { return fields_.size(); }
  std::string_view operator[](std::size_t i) const { return fields_[i]; }
  const std::vector<std::string_view>& fields() const { return fields_; }
  // The record as it was in the file, without its line end.
  std::string_view raw() const { return raw_; }
  // Line of the file where the record starts (1-based).
  std::int64_t line() const { return line_; }
  std::uint64_t bytes_consumed() const { return consumed_; }

 private:
  bool fill();
  void split_simple(std::string_view record);
  void split_quoted(std::string_view record);
  void split_whitespace(std::string_view record);

  std::unique_ptr<ByteSource> source_;
  Separator separator_;
  std::vector<char> buffer_;
  std::size_t begin_ = 0;  // start of unread bytes
  std::size_t end_ = 0;    // end of valid bytes
  bool eof_ = false;
  std::vector<std::string_view> fields_;
  std::string unquoted_;   // storage for fields that had escapes
  std::string_view raw_;
  std::int64_t next_line_ = 1;
  std::int64_t line_ = 0;
  std::uint64_t consumed_ = 0;
};

}  // namespace mirror::ingest
