// Data-driven: every tests/scenarios/invalid/NAME.yaml must produce exactly the errors in
// NAME.expected; every file under tests/scenarios/valid/ and scenarios/ must load cleanly.
// MIRROR_UPDATE_GOLDEN=1 rewrites the .expected files (read every change before committing).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "mirror/scenario/load_scenario.hpp"

namespace fs = std::filesystem;
using mirror::scenario::load_scenario_file;

namespace {

std::vector<fs::path> yaml_files(const fs::path& dir) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".yaml") out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

std::string read(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST(GoldenScenarios, InvalidFilesGiveTheirExpectedErrors) {
  const bool update = std::getenv("MIRROR_UPDATE_GOLDEN") != nullptr;
  const auto files = yaml_files("tests/scenarios/invalid");
  EXPECT_GE(files.size(), 20u);
  for (const auto& file : files) {
    const std::string relative = "tests/scenarios/invalid/" + file.filename().string();
    const auto result = load_scenario_file(relative);
    EXPECT_FALSE(result.ok()) << relative << " loaded without errors";
    std::string actual;
    for (const auto& e : result.errors) actual += e.to_string() + "\n";
    auto expected_path = file;
    expected_path.replace_extension(".expected");
    if (update) {
      std::ofstream(expected_path) << actual;
      continue;
    }
    ASSERT_TRUE(fs::exists(expected_path)) << "missing " << expected_path;
    EXPECT_EQ(actual, read(expected_path)) << "in " << relative;
  }
}

TEST(GoldenScenarios, ValidAndShippedFilesLoad) {
  std::vector<fs::path> files = yaml_files("tests/scenarios/valid");
  EXPECT_GE(files.size(), 4u);
  for (const auto& f : yaml_files("scenarios")) files.push_back(f);
  for (const auto& file : files) {
    const auto result = load_scenario_file(file.string());
    std::string errors;
    for (const auto& e : result.errors) {
      // A shipped scenario over a store needs `mirror ingest` (and `mirror train`) first,
      // as its header says; on a clean checkout those files' absence is the one error allowed.
      const bool store_to_ingest = file.parent_path() == "scenarios" &&
                                   ((e.key_path == "population.path" &&
                                     e.message.rfind("no such store", 0) == 0) ||
                                    (e.key_path == "model.path" &&
                                     e.message.rfind("no such model", 0) == 0));
      if (!store_to_ingest) errors += e.to_string() + "\n";
    }
    EXPECT_TRUE(errors.empty()) << errors;
  }
}
