// mirror generate's acceptance: same seed same bytes for any thread count; quantities
// recomputed from the logs alone agree with the truth; ingest reads the logs cleanly.
#include "mirror/generate/world_generator.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "mirror/ingest/ingest.hpp"
#include "mirror/results/table_file.hpp"
#include "mirror/scenario/load_world.hpp"
#include "scratch_dir.hpp"

namespace mirror::generate {
namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> out;
  std::string field;
  std::istringstream in(line);
  while (std::getline(in, field, ',')) out.push_back(field);
  if (!line.empty() && line.back() == ',') out.emplace_back();
  return out;
}

// Rows of a CSV (header dropped).
std::vector<std::vector<std::string>> rows(const fs::path& p) {
  std::ifstream in(p);
  std::string line;
  std::getline(in, line);
  std::vector<std::vector<std::string>> out;
  while (std::getline(in, line)) out.push_back(split(line));
  return out;
}

int day_of(const std::string& timestamp) {  // days since 2024-01-01 (the presets' start)
  static const int kCumulative[] = {0, 31, 60, 91, 121, 152, 182, 213, 244, 274, 305, 335};  // 2024
  const int m = std::stoi(timestamp.substr(5, 2)), d = std::stoi(timestamp.substr(8, 2));
  return kCumulative[m - 1] + d - 1;
}

class WorldGeneratorTest : public test_support::ScratchDirTest {
 protected:
  GenerateReport generate(const std::string& world, std::uint64_t customers, int days,
                          std::uint64_t seed, int threads, const std::string& out) {
    GenerateOptions o;
    o.world = *core::world_preset(world);
    o.customers = customers;
    o.days = days;
    o.seed = seed;
    o.threads = threads;
    o.out_dir = path(out);
    o.world_source = "preset " + world;
    return generate_world(o);
  }
};

TEST_F(WorldGeneratorTest, SameSeedSameBytesForAnyThreadCount) {
  for (const auto& world : core::world_preset_names()) {
    generate(world, 2500, 40, 11, 1, world + "_a");
    generate(world, 2500, 40, 11, 2, world + "_b");
    generate(world, 2500, 40, 12, 2, world + "_c");
    for (const char* file : {"events.csv", "decisions.csv", "customers.csv", "world.yaml", "truth.h5"}) {
      const auto a = slurp(dir_ / (world + "_a") / file);
      EXPECT_FALSE(a.empty()) << world << " " << file;
      EXPECT_TRUE(a == slurp(dir_ / (world + "_b") / file)) << world << " " << file;
    }
    EXPECT_NE(slurp(dir_ / (world + "_a") / "events.csv"), slurp(dir_ / (world + "_c") / "events.csv"));
  }
}

TEST_F(WorldGeneratorTest, OutputIsAtomicAndRefusesToOverwrite) {
  fs::create_directories(path("full"));
  std::ofstream(path("full/keep.txt")) << "x";
  EXPECT_THROW(generate("retail", 10, 5, 1, 2, "full"), GenerateError);
  EXPECT_TRUE(fs::exists(path("full/keep.txt")));
  generate("retail", 10, 5, 1, 2, "fresh");
  for (const auto& e : fs::directory_iterator(dir_))
    EXPECT_EQ(e.path().filename().string().find(".tmp."), std::string::npos) << e.path();
}

TEST_F(WorldGeneratorTest, WorldFileReadsBackToTheSameWorld) {
  for (const auto& world : core::world_preset_names()) {
    generate(world, 20, 3, 1, 1, world);
    const auto loaded = scenario::load_world_file(path(world + "/world.yaml"));
    ASSERT_TRUE(loaded.ok()) << (loaded.errors.empty() ? "" : loaded.errors[0].to_string());
    EXPECT_EQ(core::world_to_yaml(*loaded.world), core::world_to_yaml(*core::world_preset(world)));
  }
}

TEST_F(WorldGeneratorTest, IngestReadsTheLogsWithNothingQuarantined) {
  for (const auto& world : core::world_preset_names()) {
    const auto r = generate(world, 1500, 30, 5, 2, world);
    for (const char* format : {"events", "decisions"}) {
      ingest::IngestOptions o;
      o.format = format;
      o.inputs = {path(world + "/" + format + ".csv")};
      o.out = path(world + "_" + format + ".h5");
      const auto report = ingest::run_ingest(o);
      EXPECT_EQ(report.rows_quarantined, 0) << world << " " << format;
      EXPECT_EQ(report.rows_read, std::string(format) == "events" ? r.events : r.decisions);
      EXPECT_FALSE(report.too_many_bad);
    }
  }
}

// The logs alone, against the truth file: base purchase rates per segment, the logging
// policy's propensities per day, and the value of every action by inverse propensity
// weighting.
void check_logs_against_truth(const fs::path& dir, int days, bool deterministic_propensities) {
  const std::string truth = (dir / "truth.h5").string();
  // customers.csv: segment and the consent each channel starts with.
  std::map<std::string, std::string> segment;
  std::map<std::string, std::vector<int>> consent;  // day from which a channel is off
  std::vector<std::string> channels;
  {
    std::ifstream in(dir / "customers.csv");
    std::string header;
    std::getline(in, header);
    const auto names = split(header);
    for (std::size_t i = 6; i < names.size(); ++i) channels.push_back(names[i].substr(0, names[i].size() - 6));
    for (const auto& r : rows(dir / "customers.csv")) {
      segment[r[0]] = r[1];
      auto& off = consent[r[0]];
      for (std::size_t i = 6; i < r.size(); ++i) off.push_back(r[i] == "1" ? 1 << 30 : -1);
    }
  }
  auto channel_index = [&](const std::string& name) {
    return static_cast<int>(std::find(channels.begin(), channels.end(), name) - channels.begin());
  };
  std::map<std::pair<std::string, int>, int> purchases;  // (customer, day) -> purchases
  for (const auto& e : rows(dir / "events.csv")) {
    const int d = day_of(e[1]);
    if (e[2] == "purchase") ++purchases[{e[0], d}];
    if (e[2] == "unsubscribe") {
      auto& off = consent[e[0]][channel_index(e[4])];
      off = std::min(off, d + 1);  // decisions are taken at 08:00, before the day's events
    }
  }
  const auto decisions = rows(dir / "decisions.csv");

  // 1. Purchase rate per segment on days without a contact.
  std::map<std::string, double> days_without, bought_without;
  std::map<std::string, std::set<int>> contact_days;
  for (const auto& d : decisions)
    if (!d[4].empty()) contact_days[d[0]].insert(day_of(d[1]));
  for (const auto& [c, s] : segment) days_without[s] += days - contact_days[c].size();
  for (const auto& [key, n] : purchases)
    if (!contact_days[key.first].count(key.second)) bought_without[segment[key.first]] += n;
  const auto seg = results::read_store_table(truth, "/checks/segments");
  for (std::size_t i = 0; i < seg.rows(); ++i) {
    const std::string name = seg.columns[0].strings[i];
    const double n = seg.columns[1].numbers[i], expected = seg.columns[2].numbers[i];
    EXPECT_EQ(n, days_without[name]) << name;
    const double sd = std::sqrt(std::max(expected, 1.0));  // purchases are rare: Poisson-like
    EXPECT_NEAR(bought_without[name], expected, 4.5 * sd)
        << name << ": observed rate " << bought_without[name] / n << ", true " << expected / n;
  }

  // 2. Logged propensities per day: their sum, and how often each action was chosen.
  std::vector<double> logged_sum(days), count(days);
  std::size_t width = 0;
  const auto expected_counts = results::read_matrix(truth, "/checks/daily_expected_action_counts", width);
  const auto actions = results::read_store_table(truth, "/world/actions");
  std::map<std::tuple<std::string, std::string, std::string>, int> action_of;
  for (std::size_t a = 0; a < actions.rows(); ++a)
    action_of[{actions.columns[1].strings[a], actions.columns[2].strings[a], actions.columns[3].strings[a]}] =
        static_cast<int>(a);
  std::vector<double> chosen(days * width, 0.0);
  for (const auto& d : decisions) {
    const int day = day_of(d[1]);
    logged_sum[day] += std::stod(d[7]);
    count[day] += 1;
    chosen[day * width + action_of.at({d[4], d[5], d[6]})] += 1;
  }
  const auto daily = results::read_store_table(truth, "/checks/daily");
  double chi2 = 0;
  int cells = 0;
  for (int day = 0; day < days; ++day) {
    EXPECT_EQ(count[day], daily.columns[1].numbers[day]) << day;
    const double expected = daily.columns[2].numbers[day];
    if (deterministic_propensities) EXPECT_NEAR(logged_sum[day], expected, 1e-6 * (1 + expected)) << day;
    else EXPECT_NEAR(logged_sum[day], expected, 5 * std::sqrt(count[day]) / 2 + 1e-9) << day;
    for (std::size_t a = 0; a < width; ++a) {
      const double e = expected_counts[day * width + a];
      if (e < 5) continue;
      chi2 += std::pow(chosen[day * width + a] - e, 2) / e;
      ++cells;
    }
  }
  // Chi-square with about `cells` degrees of freedom: mean cells, sd sqrt(2 cells).
  EXPECT_LT(chi2, cells + 5 * std::sqrt(2.0 * cells)) << cells << " cells";

  // 3. Each action's value (purchases on the decision day) by IPS, for the target "this
  //    action where the customer has consent for its channel, else none".
  const auto value = results::read_store_table(truth, "/checks/logged_value");
  std::vector<double> ips_sum(width, 0.0), ips_square(width, 0.0);
  const double n = static_cast<double>(decisions.size());
  for (const auto& d : decisions) {
    const int day = day_of(d[1]);
    const int taken = action_of.at({d[4], d[5], d[6]});
    const auto it = purchases.find({d[0], day});
    const double reward = it == purchases.end() ? 0.0 : it->second;
    const double p = std::stod(d[7]);
    for (std::size_t a = 0; a < width; ++a) {
      int target = static_cast<int>(a);
      if (a > 0 && consent[d[0]][channel_index(actions.columns[1].strings[a])] <= day) target = 0;
      const double term = target == taken ? reward / p : 0.0;
      ips_sum[a] += term;
      ips_square[a] += term * term;
    }
  }
  for (std::size_t a = 0; a < width; ++a) {
    const double estimate = ips_sum[a] / n;
    const double se = std::sqrt((ips_square[a] / n - estimate * estimate) / n);
    const double truth_value = value.columns[2].numbers[a] / value.columns[1].numbers[a];
    EXPECT_EQ(value.columns[1].numbers[a], n);
    EXPECT_NEAR(estimate, truth_value, 4.5 * se + 1e-12)
        << value.columns[0].strings[a] << ": IPS " << estimate << " +- " << se;
  }
  // The effect of the most effective action over none, with its own standard error.
  std::size_t best = 1;
  for (std::size_t a = 1; a < width; ++a)
    if (value.columns[2].numbers[a] > value.columns[2].numbers[best]) best = a;
  double diff_sum = 0, diff_square = 0;
  for (const auto& d : decisions) {
    const int day = day_of(d[1]);
    const int taken = action_of.at({d[4], d[5], d[6]});
    const auto it = purchases.find({d[0], day});
    const double reward = it == purchases.end() ? 0.0 : it->second;
    const double p = std::stod(d[7]);
    int target = static_cast<int>(best);
    if (consent[d[0]][channel_index(actions.columns[1].strings[best])] <= day) target = 0;
    const double term = (target == taken ? reward / p : 0.0) - (taken == 0 ? reward / p : 0.0);
    diff_sum += term;
    diff_square += term * term;
  }
  const double effect = diff_sum / n;
  const double effect_se = std::sqrt((diff_square / n - effect * effect) / n);
  const double true_effect = (value.columns[2].numbers[best] - value.columns[2].numbers[0]) / n;
  EXPECT_GT(true_effect, 0);
  EXPECT_NEAR(effect, true_effect, 4.5 * effect_se) << value.columns[0].strings[best];
}

TEST_F(WorldGeneratorTest, RetailLogsRecoverTheTruth) {
  generate("retail", 20000, 60, 2024, 2, "retail");
  check_logs_against_truth(dir_ / "retail", 60, /*deterministic_propensities=*/true);
}

TEST_F(WorldGeneratorTest, CrmLogsRecoverTheTruth) {
  generate("crm_fatigue", 6000, 60, 7, 2, "crm");
  check_logs_against_truth(dir_ / "crm", 60, /*deterministic_propensities=*/false);
}

TEST_F(WorldGeneratorTest, TruthHasEveryCustomerAndAction) {
  generate("subscription_churn", 3000, 50, 3, 2, "sub");
  const std::string truth = path("sub/truth.h5");
  std::size_t width = 0;
  const auto revenue = results::read_matrix(truth, "/outcomes/revenue", width);
  EXPECT_EQ(width, core::world_preset("subscription_churn")->actions.size() + 1);
  EXPECT_EQ(revenue.size(), 3000 * width);
  const auto customers = results::read_store_table(truth, "/customers");
  EXPECT_EQ(customers.rows(), 3000u);
  EXPECT_EQ(results::read_text_attribute(truth, "/", "world_name"), "subscription_churn");
  EXPECT_EQ(results::read_number_attribute(truth, "/", "truth_start_day"), 50);
  // Churn is logged in this world, and alive customers pay at renewals.
  int churned = 0;
  for (const auto& e : rows(path("sub/events.csv"))) churned += e[2] == "churn";
  int dead = 0;
  for (double alive : customers.columns[5].numbers) dead += alive == 0;
  EXPECT_EQ(churned, dead);
  EXPECT_GT(dead, 100);
}

}  // namespace
}  // namespace mirror::generate
