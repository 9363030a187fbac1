// `mirror fidelity` end to end on a tiny generated world: the truth column is the world's
// exact outcomes, OPE of the logging policy itself gives the logged mean, and the report is
// the same for any thread count.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "mirror/results/customer_store.hpp"
#include "mirror/results/table_file.hpp"

#include "mirror_cli.hpp"

namespace fs = std::filesystem;

namespace {

class FidelityCliTest : public mirror::test_support::MirrorCliTest {
 protected:
  static std::string slurp(const std::string& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  std::string command(const std::string& out, int threads) {
    return "fidelity --logs " + path("w") + " --out " + path(out) + " --epochs 2 --rollouts 3 --bootstrap 10" +
           " --metric purchases --policies none,random,sms_ten_off,rule:vip=sms_ten_off,mirror_best" +
           " --quiet --threads " + std::to_string(threads);
  }
};

TEST_F(FidelityCliTest, ValuesPoliciesThreeWaysAgainstTheTruth) {
  auto r = mirror("generate --world retail --customers 600 --days 56 --seed 5 --quiet --out " + path("w"));
  ASSERT_EQ(r.exit_code, 0) << r.out;
  r = mirror(command("f1", 2));
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("method against the truth"), std::string::npos) << r.out;
  for (const char* f : {"store.h5", "model.lcm", "fidelity.h5"}) EXPECT_TRUE(fs::exists(path(std::string("f1/") + f))) << f;
  EXPECT_FALSE(fs::exists(path("f1/world")));  // --logs: the world is not copied

  const auto report = path("f1/fidelity.h5");
  const auto policies = mirror::results::read_store_table(report, "/policies");
  ASSERT_EQ(policies.rows(), 5u);
  EXPECT_EQ(policies.columns[0].strings,
            (std::vector<std::string>{"none", "random", "sms_ten_off", "rule:vip=sms_ten_off", "mirror_best"}));

  // The truth of 'none' and 'sms_ten_off' is the mean of the world's exact outcomes over the
  // compared customers (the truth counts an undeliverable sms as none already).
  std::size_t width = 0;
  const auto outcomes = mirror::results::read_matrix(path("w/truth.h5"), "/outcomes/purchases", width);
  const auto actions = mirror::results::read_store_table(path("w/truth.h5"), "/world/actions");
  std::size_t sms = 0;
  while (actions.columns[0].strings[sms] != "sms_ten_off") ++sms;
  const auto members = mirror::results::read_store_table(report, "/customers");
  const auto& rows = members.numbers("truth_row");
  ASSERT_GT(rows.size(), 400u);
  double none = 0, sms_value = 0;
  for (double i : rows) {
    none += outcomes[static_cast<std::size_t>(i) * width] / static_cast<double>(rows.size());
    sms_value += outcomes[static_cast<std::size_t>(i) * width + sms] / static_cast<double>(rows.size());
  }
  const auto& truth = policies.numbers("truth");
  EXPECT_NEAR(truth[0], none, 1e-12);
  EXPECT_NEAR(truth[2], sms_value, 1e-12);
  EXPECT_GT(truth[2], truth[0]);  // an sms with 10% off sells more in this world

  // 'random' is the logging policy of the retail world (uniform over none and the actions
  // with consent): every importance weight is 1, so IPS is exactly the logged mean reward.
  // This holds only if consent at each decision is rebuilt right from the logs.
  const double logged = mirror::results::read_number_attribute(report, "/", "logged_mean_reward");
  EXPECT_NEAR(policies.numbers("ips")[1], logged, 1e-12);
  EXPECT_NEAR(policies.numbers("snips")[1], logged, 1e-12);

  const auto methods = mirror::results::read_store_table(report, "/methods");
  EXPECT_EQ(methods.columns[0].strings, (std::vector<std::string>{"mirror", "dm", "ips", "snips", "dr", "switch-dr"}));
  for (double rho : methods.numbers("rank_correlation")) EXPECT_TRUE(rho >= -1 && rho <= 1) << rho;
  for (double regret : methods.numbers("pick_regret")) EXPECT_GE(regret, 0.0);

  // Same seed, same report, whatever the thread count.
  r = mirror(command("f2", 1));
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_TRUE(slurp(report) == slurp(path("f2/fidelity.h5")));
}

TEST_F(FidelityCliTest, BadInputIsRefusedAndNothingIsWritten) {
  auto r = mirror("fidelity --world retail --customers 300 --days 28 --epochs 1 --policies sms_eleven_off --out " +
                  path("f"));
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("unknown policy 'sms_eleven_off' (expected one of none, email_newsletter"), std::string::npos)
      << r.out;
  EXPECT_FALSE(fs::exists(path("f")));
  for (const auto& entry : fs::directory_iterator(dir_))  // no temporary directory left behind
    EXPECT_EQ(entry.path().filename().string().find("f.tmp"), std::string::npos) << entry.path();

  r = mirror("fidelity --world retail --logs " + path("w") + " --out " + path("f"));
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("give either --world or --logs"), std::string::npos) << r.out;
  r = mirror("fidelity --world retail --metric profit --out " + path("f"));
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_NE(r.out.find("--metric must be revenue or purchases, not 'profit'"), std::string::npos) << r.out;
}

}  // namespace
