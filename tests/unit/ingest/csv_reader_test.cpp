#include "mirror/ingest/csv_reader.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

namespace mirror::ingest {
namespace {

// Serves a string in small pieces, so records cross the reader's buffer refills.
class StringSource : public ByteSource {
 public:
  StringSource(std::string text, std::size_t piece) : text_(std::move(text)), piece_(piece) {}
  std::size_t read(char* buffer, std::size_t n) override {
    const auto k = std::min({n, piece_, text_.size() - at_});
    std::memcpy(buffer, text_.data() + at_, k);
    at_ += k;
    return k;
  }

 private:
  std::string text_;
  std::size_t piece_;
  std::size_t at_ = 0;
};

struct Record {
  std::vector<std::string> fields;
  std::int64_t line;
  std::string raw;
};

std::vector<Record> read_all(const std::string& text,
                             CsvReader::Separator sep = CsvReader::Separator::kComma,
                             std::size_t piece = 1 << 20) {
  CsvReader reader(std::make_unique<StringSource>(text, piece), sep);
  std::vector<Record> out;
  while (reader.next()) {
    Record r{{}, reader.line(), std::string(reader.raw())};
    for (auto f : reader.fields()) r.fields.emplace_back(f);
    out.push_back(r);
  }
  return out;
}

TEST(CsvReader, SplitsPlainFieldsAndKeepsEmptyOnes) {
  const auto r = read_all("a,b,c\n1,,3\n,,\n");
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[1].fields, (std::vector<std::string>{"1", "", "3"}));
  EXPECT_EQ(r[2].fields, (std::vector<std::string>{"", "", ""}));
  EXPECT_EQ(r[2].line, 3);
}

TEST(CsvReader, QuotedFieldsWithCommasEscapesAndNewlines) {
  const auto r = read_all("id,text\n1,\"a, b\"\n2,\"say \"\"hi\"\"\"\n3,\"two\nlines\"\n4,x\n");
  ASSERT_EQ(r.size(), 5u);
  EXPECT_EQ(r[1].fields[1], "a, b");
  EXPECT_EQ(r[2].fields[1], "say \"hi\"");
  EXPECT_EQ(r[3].fields[1], "two\nlines");
  EXPECT_EQ(r[3].line, 4);
  EXPECT_EQ(r[4].line, 6);  // the quoted newline counts as a line of the file
  EXPECT_EQ(r[2].raw, "2,\"say \"\"hi\"\"\"");
}

TEST(CsvReader, CrlfBlankLinesAndNoFinalNewline) {
  const auto r = read_all("a,b\r\n\r\n1,2\r\n3,4");
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[1].fields, (std::vector<std::string>{"1", "2"}));
  EXPECT_EQ(r[1].line, 3);
  EXPECT_EQ(r[2].fields, (std::vector<std::string>{"3", "4"}));
  EXPECT_EQ(r[2].raw, "3,4");
}

TEST(CsvReader, WhitespaceSeparated) {
  const auto r = read_all(" 00001 19970101  1   11.77\r\n\t2\t3\n",
                          CsvReader::Separator::kWhitespace);
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].fields, (std::vector<std::string>{"00001", "19970101", "1", "11.77"}));
  EXPECT_EQ(r[1].fields, (std::vector<std::string>{"2", "3"}));
}

TEST(CsvReader, RecordsAcrossTinyBufferRefillsAreTheSame) {
  std::string text = "id,name\n";
  for (int i = 0; i < 5000; ++i)
    text += std::to_string(i) + ",\"n," + std::to_string(i) + "\"\n";
  const auto whole = read_all(text);
  const auto pieces = read_all(text, CsvReader::Separator::kComma, 7);
  ASSERT_EQ(whole.size(), 5001u);
  ASSERT_EQ(pieces.size(), whole.size());
  for (std::size_t i = 0; i < whole.size(); ++i) {
    EXPECT_EQ(pieces[i].fields, whole[i].fields);
    EXPECT_EQ(pieces[i].line, whole[i].line);
  }
  EXPECT_EQ(whole[4242].fields[1], "n,4241");
}

}  // namespace
}  // namespace mirror::ingest
