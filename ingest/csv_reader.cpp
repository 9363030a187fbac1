#include "mirror/ingest/csv_reader.hpp"

#include <algorithm>
#include <cstring>

namespace mirror::ingest {

namespace {
constexpr std::size_t kBlock = 1 << 20;
}  // namespace

CsvReader::CsvReader(std::unique_ptr<ByteSource> source, Separator separator)
    : source_(std::move(source)), separator_(separator), buffer_(2 * kBlock) {}

bool CsvReader::fill() {
  if (eof_) return false;
  if (begin_ > 0) {
    std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  if (buffer_.size() - end_ < kBlock) buffer_.resize(buffer_.size() * 2);
  const auto got = source_->read(buffer_.data() + end_, buffer_.size() - end_);
  if (got == 0) eof_ = true;
  end_ += got;
  return got > 0;
}

bool CsvReader::next() {
  for (;;) {
    // Find the end of the record: a newline outside quotes.
    std::size_t scan = begin_;
    bool quoted = false;
    bool has_quote = false;
    std::int64_t newlines_inside = 0;
    std::size_t record_end = std::string::npos;
    for (;;) {
      const char* base = buffer_.data();
      while (scan < end_) {
        if (!quoted) {
          const void* nl = std::memchr(base + scan, '\n', end_ - scan);
          const std::size_t stop = nl ? static_cast<const char*>(nl) - base : end_;
          const void* q = std::memchr(base + scan, '"', stop - scan);
          if (!q) {
            scan = stop;
            if (nl) record_end = stop;
            break;
          }
          has_quote = true;
          quoted = true;
          scan = static_cast<const char*>(q) - base + 1;
        } else {
          const char c = base[scan++];
          if (c == '"') quoted = false;  // "" re-enters quotes on the next character
          else if (c == '\n') ++newlines_inside;
        }
      }
      if (record_end != std::string::npos) break;
      const std::size_t offset = scan - begin_;
      if (!fill()) {
        if (begin_ == end_) return false;
        record_end = end_;  // last record without a newline
        break;
      }
      scan = begin_ + offset;
    }
    std::string_view record(buffer_.data() + begin_, record_end - begin_);
    const std::size_t used = std::min(record_end + 1, end_) - begin_;
    consumed_ += used;
    begin_ += used;
    line_ = next_line_;
    next_line_ += 1 + newlines_inside;
    if (!record.empty() && record.back() == '\r') record.remove_suffix(1);
    raw_ = record;
    if (record.find_first_not_of(" \t") == std::string_view::npos) continue;  // blank line
    if (separator_ == Separator::kWhitespace) split_whitespace(record);
    else if (has_quote) split_quoted(record);
    else split_simple(record);
    return true;
  }
}

void CsvReader::split_simple(std::string_view record) {
  fields_.clear();
  std::size_t start = 0;
  for (;;) {
    const auto comma = record.find(',', start);
    if (comma == std::string_view::npos) {
      fields_.push_back(record.substr(start));
      return;
    }
    fields_.push_back(record.substr(start, comma - start));
    start = comma + 1;
  }
}

void CsvReader::split_quoted(std::string_view record) {
  fields_.clear();
  // Unescaped text goes to unquoted_; reserve so views into it stay valid.
  unquoted_.clear();
  unquoted_.reserve(record.size());
  std::size_t i = 0;
  for (;;) {
    const std::size_t field_start = unquoted_.size();
    bool in_quotes = false;
    while (i < record.size()) {
      const char c = record[i];
      if (in_quotes) {
        if (c == '"') {
          if (i + 1 < record.size() && record[i + 1] == '"') {
            unquoted_.push_back('"');
            ++i;
          } else {
            in_quotes = false;
          }
        } else {
          unquoted_.push_back(c);
        }
      } else if (c == '"') {
        in_quotes = true;
      } else if (c == ',') {
        break;
      } else {
        unquoted_.push_back(c);
      }
      ++i;
    }
    fields_.emplace_back(unquoted_.data() + field_start, unquoted_.size() - field_start);
    if (i >= record.size()) return;
    ++i;  // the comma
  }
}

void CsvReader::split_whitespace(std::string_view record) {
  fields_.clear();
  std::size_t i = 0;
  while (i < record.size()) {
    while (i < record.size() && (record[i] == ' ' || record[i] == '\t')) ++i;
    const std::size_t start = i;
    while (i < record.size() && record[i] != ' ' && record[i] != '\t') ++i;
    if (i > start) fields_.push_back(record.substr(start, i - start));
  }
}

}  // namespace mirror::ingest
