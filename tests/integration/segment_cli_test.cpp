// `mirror segment` as a user runs it: ingest the CDNOW sample, profile it, segment it, and
// compare the segments with counts taken from the profiles CSV.
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "mirror/results/customer_store.hpp"
#include "mirror/results/results_file.hpp"
#include "mirror_cli.hpp"

namespace fs = std::filesystem;
using mirror::results::list_group;
using mirror::results::read_store_table;

namespace {

const std::string kSample =
    std::string(MIRROR_SOURCE_DIR) + "/../shared/data/cdnow/CDNOW_sample.txt";


// The profiles CSV as rows of named fields (no field of a profile needs quoting).
using CsvRow = std::map<std::string, std::string>;

std::vector<CsvRow> read_csv(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::vector<std::string> header;
  std::vector<CsvRow> rows;
  const auto split = [](const std::string& s) {
    std::vector<std::string> out;
    std::stringstream ss(s);
    std::string field;
    while (std::getline(ss, field, ',')) out.push_back(field);
    if (!s.empty() && s.back() == ',') out.emplace_back();
    return out;
  };
  if (std::getline(in, line)) header = split(line);
  while (std::getline(in, line)) {
    const auto fields = split(line);
    CsvRow row;
    for (std::size_t i = 0; i < header.size() && i < fields.size(); ++i) row[header[i]] = fields[i];
    rows.push_back(std::move(row));
  }
  return rows;
}

double number(const CsvRow& row, const std::string& name) {
  const auto& text = row.at(name);
  return text.empty() ? std::nan("") : std::stod(text);
}

class SegmentCliTest : public mirror::test_support::MirrorCliTest {
 protected:
  // The CDNOW sample ingested into STORE and, when `profile`, profiled into p.csv too.
  std::string cdnow_store(bool profile) {
    const auto store = path("store.h5");
    auto ingest = mirror("ingest --format cdnow --input " + kSample + " --out " + store +
                         " --calibration-end 1997-09-30");
    EXPECT_EQ(ingest.exit_code, 0) << ingest.out;
    if (profile) {
      auto p = mirror("profile " + store + " --out " + path("p.csv"));
      EXPECT_EQ(p.exit_code, 0) << p.out;
    }
    return store;
  }

  bool has_group(const std::string& store, const std::string& name) {
    const auto groups = list_group(store, "/");
    return std::find(groups.begin(), groups.end(), name) != groups.end();
  }
};

}  // namespace

TEST_F(SegmentCliTest, SegmentsAgreeWithTheProfiles) {
  const auto store = cdnow_store(true);
  std::ofstream(path("rules.yaml"))
      << "segments:\n"
         "  - { name: champions, rule: \"rfm_segment == 'R5F5M5'\" }\n"
         "  - { name: at_risk, rule: \"p_alive < 0.3 and total_spend > 100\" }\n"
         "  - name: lapsed_or_new\n"
         "    rule: not (recency_days <= 90) or tenure_days - recency_days < 30\n";
  auto r = mirror("segment " + store + " --rules " + path("rules.yaml") + " --out " +
                  path("segments.csv"));
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("2357 customers, 3 segments"), std::string::npos) << r.out;

  const auto profiles = read_csv(path("p.csv"));
  ASSERT_EQ(profiles.size(), 2357u);
  double champions = 0, at_risk = 0, lapsed_or_new = 0;
  for (const auto& p : profiles) {
    champions += p.at("rfm_segment") == "R5F5M5";
    at_risk += number(p, "p_alive") < 0.3 && number(p, "total_spend") > 100;
    lapsed_or_new += !(number(p, "recency_days") <= 90) ||
                     number(p, "tenure_days") - number(p, "recency_days") < 30;
  }
  EXPECT_GT(champions, 0);
  EXPECT_GT(at_risk, 0);

  const auto table = read_store_table(store, "/segments");
  ASSERT_EQ(table.columns.size(), 4u);
  EXPECT_EQ(table.columns[0].name, "customer_id");
  ASSERT_EQ(table.columns[0].strings.size(), profiles.size());
  for (std::size_t i = 0; i < profiles.size(); ++i)
    ASSERT_EQ(table.columns[0].strings[i], profiles[i].at("customer_id")) << i;
  const auto total = [](const auto& column) {
    double n = 0;
    for (double v : column.numbers) n += v;
    return n;
  };
  EXPECT_EQ(table.columns[1].name, "champions");
  EXPECT_EQ(total(table.columns[1]), champions);
  EXPECT_EQ(total(table.columns[2]), at_risk);
  EXPECT_EQ(total(table.columns[3]), lapsed_or_new);

  const auto csv = read_csv(path("segments.csv"));
  ASSERT_EQ(csv.size(), profiles.size());
  double csv_champions = 0;
  for (const auto& row : csv) csv_champions += row.at("champions") == "1";
  EXPECT_EQ(csv_champions, champions);

  // The printed table shows the same count.
  const auto row = r.out.find("\nchampions ");
  ASSERT_NE(row, std::string::npos) << r.out;
  std::istringstream printed(r.out.substr(row + 1));
  std::string name, count;
  printed >> name >> count;
  EXPECT_EQ(count, std::to_string(static_cast<int>(champions))) << r.out;
}

TEST_F(SegmentCliTest, BadRulesAreLocatedAndNothingIsWritten) {
  const auto store = cdnow_store(false);
  std::ofstream(path("rules.yaml"))
      << "segments:\n"
         "  - { name: champions, rule: \"rfm_segment == 'R5F5M5'\" }\n";
  auto unprofiled = mirror("segment " + store + " --rules " + path("rules.yaml"));
  EXPECT_EQ(unprofiled.exit_code, 2);
  EXPECT_NE(unprofiled.out.find("has no profiles; run `mirror profile " + store + "` first"),
            std::string::npos)
      << unprofiled.out;

  ASSERT_EQ(mirror("profile " + store).exit_code, 0);
  std::ofstream(path("bad.yaml")) << "segments:\n"
                                     "  - { name: champions, rule: \"rfm_segmnt == 'R5F5M5'\" }\n"
                                     "  - name: at_risk\n"
                                     "    rule: p_alive < 0.3 and total_spend > '100'\n"
                                     "  - { name: broken, rule: \"clv_365d > 500 and\" }\n";
  auto bad = mirror("segment " + store + " --rules " + path("bad.yaml") + " --out " +
                    path("segments.csv"));
  EXPECT_EQ(bad.exit_code, 2);
  const std::string file = path("bad.yaml");
  EXPECT_EQ(bad.out, file +
                         ":2:31: segments[0].rule: unknown field 'rfm_segmnt' (did you mean "
                         "'rfm_segment'?)\n" +
                         file +
                         ":4:43: segments[1].rule: expected a number to compare with the number "
                         "field 'total_spend', found the string '100'\n" +
                         file +
                         ":5:46: segments[2].rule: expected a field name, a number, a quoted "
                         "string or '(', found the end of the rule\n");
  EXPECT_FALSE(has_group(store, "segments"));
  EXPECT_FALSE(fs::exists(path("segments.csv")));

  std::ofstream(path("dup.yaml")) << "segments:\n"
                                     "  - { name: a, rule: \"p_alive < 0.3\" }\n"
                                     "  - { name: a, rule: \"p_alive > 0.3\" }\n";
  auto dup = mirror("segment " + store + " --rules " + path("dup.yaml"));
  EXPECT_EQ(dup.exit_code, 2);
  EXPECT_EQ(dup.out, path("dup.yaml") +
                         ":3:13: segments[1].name: duplicate segment name 'a' (first at line 2)\n");
  EXPECT_EQ(mirror("segment " + store).exit_code, 2);  // no --rules
  EXPECT_EQ(mirror("segment " + store + " --rules " + path("missing.yaml")).exit_code, 2);
  EXPECT_FALSE(has_group(store, "segments"));
}
