// BTYD models against the published CDNOW and donations fits, closed-form identities and
// simulated populations with known parameters. Published figures: /work/shared/data/README.md.
#include "mirror/twins/btyd.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>

using namespace mirror::twins;

namespace {

// ---- data loading: the shared data sets live beside the repository, never inside it.

std::string data_path(const std::string& relative) {
  return std::string(MIRROR_SOURCE_DIR) + "/../shared/data/" + relative;
}

struct Table {
  std::vector<std::string> header;
  std::vector<std::vector<double>> rows;
  std::size_t column(const std::string& name) const {
    for (std::size_t i = 0; i < header.size(); ++i)
      if (header[i] == name) return i;
    throw std::runtime_error("no column '" + name + "'");
  }
};

// False (and the test fails at the caller's ASSERT) when the file is missing or malformed.
bool load_csv(const std::string& relative, Table* table, std::string* error) {
  const auto path = data_path(relative);
  std::ifstream in(path);
  if (!in) {
    *error = "missing data file " + path + " (see /work/shared/data/README.md)";
    return false;
  }
  std::string line;
  std::getline(in, line);
  // Some of the files have CRLF line ends.
  const auto strip_cr = [](std::string& l) {
    if (!l.empty() && l.back() == '\r') l.pop_back();
  };
  strip_cr(line);
  std::stringstream head(line);
  for (std::string cell; std::getline(head, cell, ',');) table->header.push_back(cell);
  for (int line_no = 2; std::getline(in, line); ++line_no) {
    strip_cr(line);
    if (line.empty()) continue;
    std::vector<double> row;
    std::stringstream cells(line);
    for (std::string cell; std::getline(cells, cell, ',');) {
      try {
        row.push_back(std::stod(cell));
      } catch (const std::exception&) {
        *error = path + ":" + std::to_string(line_no) + ": not a number: '" + cell + "'";
        return false;
      }
    }
    if (row.size() != table->header.size()) {
      *error = path + ":" + std::to_string(line_no) + ": expected " +
               std::to_string(table->header.size()) + " columns";
      return false;
    }
    table->rows.push_back(std::move(row));
  }
  return true;
}

#define LOAD_OR_FAIL(table, relative)                                   \
  Table table;                                                          \
  {                                                                     \
    std::string load_error;                                             \
    ASSERT_TRUE(load_csv(relative, &table, &load_error)) << load_error; \
  }

std::vector<RfSummary> cdnow_summaries(const Table& t) {
  const auto x = t.column("frequency"), t_x = t.column("recency"), cal = t.column("T");
  std::vector<RfSummary> data;
  for (const auto& row : t.rows) data.push_back({row[x], row[t_x], row[cal]});
  return data;
}

std::vector<BgBbPattern> donation_patterns(const Table& t) {
  const auto x = t.column("x"), t_x = t.column("t.x"), n = t.column("n.cal"),
             count = t.column("custs");
  std::vector<BgBbPattern> data;
  for (const auto& row : t.rows)
    data.push_back({static_cast<int>(row[x]), static_cast<int>(row[t_x]), static_cast<int>(row[n]),
                    row[count]});
  return data;
}

void expect_within_percent(double actual, double published, double percent, const char* what) {
  EXPECT_NEAR(actual, published, std::abs(published) * percent / 100.0)
      << what << ": fitted " << actual << " vs published " << published;
}

// ---- Gauss hypergeometric function

TEST(Hypergeometric2F1, ElementaryClosedForms) {
  for (double z : {-3.0, -0.5, 0.3, 0.95, 0.9999}) {
    const double log_form = -std::log1p(-z) / z;
    EXPECT_NEAR(hypergeometric_2f1(1.0, 1.0, 2.0, z), log_form, 1e-12 * log_form) << z;
    EXPECT_NEAR(hypergeometric_2f1(0.7, 2.3, 2.3, z), std::pow(1.0 - z, -0.7),
                1e-12 * std::pow(1.0 - z, -0.7))
        << z;
  }
  const double w = 0.99;
  EXPECT_NEAR(hypergeometric_2f1(0.5, 0.5, 1.5, w * w), std::asin(w) / w, 1e-12);
  EXPECT_DOUBLE_EQ(hypergeometric_2f1(0.3, 0.4, 0.5, 0.0), 1.0);
}

TEST(Hypergeometric2F1, MatchesMpmathReferenceValues) {
  // mpmath.hyp2f1 at 30 digits.
  struct Case {
    double a, b, c, z, value;
  };
  const Case cases[] = {
      {0.3, 0.7, 1.9, 0.97, 1.2191341766438875639},
      {0.553, 1.606, 2.159, 0.999, 5.5125453643938121333},
      {2.5, 1.5, 3.5, 0.95, 13.925720900108687889},
      {0.243, 2.426, 2.219, 0.9466, 2.3923990549048060439},
      {1.2, -0.4, 0.6, -5.0, 2.790403725954088201},
      {3.1, 1.7, 4.1, -0.8, 0.45813189739689930654},
      {5.0, 3.0, 6.0, 0.5, 5.4212933375474970405},
      {1.0, 1.0, 2.0, 0.9999, 9.2112614981261053793},
  };
  for (const auto& c : cases)
    EXPECT_NEAR(hypergeometric_2f1(c.a, c.b, c.c, c.z), c.value, 1e-11 * std::abs(c.value))
        << c.a << " " << c.b << " " << c.c << " " << c.z;
}

TEST(Hypergeometric2F1, OutsideTheDomainIsNaN) {
  EXPECT_TRUE(std::isnan(hypergeometric_2f1(1.0, 1.0, 2.0, 1.0)));
  EXPECT_TRUE(std::isnan(hypergeometric_2f1(1.0, 1.0, -2.0, 0.5)));
}

// ---- input validation

TEST(BtydValidation, RejectsEmptyAndInconsistentSummaries) {
  EXPECT_THROW(fit_bg_nbd({}), std::invalid_argument);
  EXPECT_THROW(fit_pareto_nbd({}), std::invalid_argument);
  EXPECT_THROW(fit_bg_nbd({{-1.0, 0.0, 10.0}}), std::invalid_argument);
  EXPECT_THROW(fit_bg_nbd({{2.0, 11.0, 10.0}}), std::invalid_argument);  // t_x > T
  EXPECT_THROW(fit_bg_nbd({{0.0, 3.0, 10.0}}), std::invalid_argument);   // t_x without x
  EXPECT_THROW(fit_pareto_nbd({{1.5, 3.0, 10.0}}), std::invalid_argument);
  EXPECT_THROW(fit_bg_nbd({{1.0, 3.0, std::nan("")}}), std::invalid_argument);
  EXPECT_THROW(bg_nbd_p_alive({1, 1, 1, 1}, 2.0, 5.0, 4.0), std::invalid_argument);
  EXPECT_THROW(bg_nbd_p_alive({-1, 1, 1, 1}, 2.0, 3.0, 4.0), std::invalid_argument);
  try {
    fit_bg_nbd({{1.0, 2.0, 10.0}, {2.0, 11.0, 10.0}});
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    // The message locates the bad row and says which rule it breaks.
    EXPECT_NE(std::string(e.what()).find("customer 1"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("t_x"), std::string::npos) << e.what();
  }
}

TEST(BtydValidation, RejectsBadSpendAndPatterns) {
  EXPECT_THROW(fit_gamma_gamma({}), std::invalid_argument);
  EXPECT_THROW(fit_gamma_gamma({{0.0, 0.0}, {0.0, 0.0}}), std::invalid_argument);
  EXPECT_THROW(fit_gamma_gamma({{2.0, -5.0}}), std::invalid_argument);
  EXPECT_THROW(fit_bg_bb({}), std::invalid_argument);
  EXPECT_THROW(fit_bg_bb({{2, 7, 6, 10.0}}), std::invalid_argument);  // t_x > n
  EXPECT_THROW(fit_bg_bb({{3, 2, 6, 10.0}}), std::invalid_argument);  // x > t_x
  EXPECT_THROW(fit_bg_bb({{0, 0, 6, 0.0}}), std::invalid_argument);   // no customers
  EXPECT_THROW(fit_bg_bb({{1, 1, 6, -1.0}}), std::invalid_argument);
}

// ---- BG/NBD on CDNOW (Fader, Hardie & Lee 2005)

const FitResult<BgNbdParams>& cdnow_bg_nbd_fit(const std::vector<RfSummary>& data) {
  static const auto fit = fit_bg_nbd(data);
  return fit;
}

TEST(BgNbdCdnow, ReproducesPublishedFit) {
  LOAD_OR_FAIL(table, "cdnow/cdnow_customers_summary.csv");
  const auto data = cdnow_summaries(table);
  ASSERT_EQ(data.size(), 2357u);
  const auto& fit = cdnow_bg_nbd_fit(data);
  std::printf("[ BG/NBD  ] r=%.4f alpha=%.4f a=%.4f b=%.4f LL=%.4f iterations=%d converged=%d\n",
              fit.params.r, fit.params.alpha, fit.params.a, fit.params.b, fit.log_likelihood,
              fit.iterations, fit.converged);
  EXPECT_TRUE(fit.converged);
  expect_within_percent(fit.params.r, 0.243, 1.0, "r");
  expect_within_percent(fit.params.alpha, 4.414, 1.0, "alpha");
  expect_within_percent(fit.params.a, 0.793, 1.0, "a");
  expect_within_percent(fit.params.b, 2.426, 1.0, "b");
  EXPECT_NEAR(fit.log_likelihood, -9582.43, 0.01);
  EXPECT_NEAR(bg_nbd_log_likelihood(fit.params, data), fit.log_likelihood, 1e-9);
}

TEST(BgNbdCdnow, HoldoutForecastIsCloseToActual) {
  LOAD_OR_FAIL(table, "cdnow/cdnow_customers_summary.csv");
  LOAD_OR_FAIL(cbs, "cdnow/BTYD_cdnowSummary_cbs.csv");
  const auto data = cdnow_summaries(table);
  const auto& fit = cdnow_bg_nbd_fit(data);
  double forecast = 0.0, unconditional = 0.0, actual = 0.0, calibration = 0.0;
  for (const auto& c : data) {
    forecast += bg_nbd_conditional_expected_transactions(fit.params, 39.0, c.x, c.t_x, c.t_cal);
    unconditional += bg_nbd_expected_transactions(fit.params, c.t_cal + 39.0) -
                     bg_nbd_expected_transactions(fit.params, c.t_cal);
    calibration += c.x;
  }
  for (const auto& row : cbs.rows) actual += row[cbs.column("x.star")];
  std::printf(
      "[ BG/NBD  ] weeks 40-78: conditional forecast %.1f, unconditional %.1f, actual %.0f "
      "(calibration %.0f)\n",
      forecast, unconditional, actual, calibration);
  EXPECT_DOUBLE_EQ(actual, 1882.0);
  EXPECT_DOUBLE_EQ(calibration, 2457.0);
  // The model under-forecasts this holdout by about 12% (1,654 of 1,882), and so does the
  // Pareto/NBD (1,666): CDNOW's customers without a repeat purchase came back more than
  // either model expects, most of all those with x = 1 or 2 (0.70 and 1.39 per customer
  // actual vs 0.52 and 1.04 forecast). Hence 15%, not 10%; see docs/btyd.md.
  EXPECT_NEAR(forecast, actual, 0.15 * actual);
  EXPECT_LT(forecast, actual);
  EXPECT_NEAR(unconditional, actual, 0.15 * actual);
}

TEST(BgNbdCdnow, CumulativeTrackingFollowsTheCohort) {
  // Sum over customers of E[X(78 - first purchase)]; first purchases in weeks 0..12 of 1997,
  // so each customer's first-purchase week is 39 - T (calibration ends at week 39).
  LOAD_OR_FAIL(table, "cdnow/cdnow_customers_summary.csv");
  LOAD_OR_FAIL(tracking, "cdnow/BTYD_cdnowSummary_cu_tracking.csv");
  const auto data = cdnow_summaries(table);
  const auto& fit = cdnow_bg_nbd_fit(data);
  const double week_end = 78.0;
  double expected_78 = 0.0;
  for (const auto& c : data) {
    const double birth = 39.0 - c.t_cal;  // 38.86-week T here means a birth just after week 0
    expected_78 += bg_nbd_expected_transactions(fit.params, std::max(0.0, week_end - birth));
  }
  const double actual_78 = tracking.rows.back()[tracking.column("cum_repeat_transactions")];
  std::printf("[ BG/NBD  ] cumulative repeat transactions to week 78: %.0f expected vs %.0f\n",
              expected_78, actual_78);
  EXPECT_NEAR(expected_78, actual_78, 0.05 * actual_78);
}

// ---- Pareto/NBD on CDNOW

TEST(ParetoNbdCdnow, ReproducesPublishedFit) {
  LOAD_OR_FAIL(table, "cdnow/cdnow_customers_summary.csv");
  const auto data = cdnow_summaries(table);
  const auto fit = fit_pareto_nbd(data);
  std::printf("[ Pareto  ] r=%.4f alpha=%.4f s=%.4f beta=%.4f LL=%.4f iterations=%d converged=%d\n",
              fit.params.r, fit.params.alpha, fit.params.s, fit.params.beta, fit.log_likelihood,
              fit.iterations, fit.converged);
  EXPECT_TRUE(fit.converged);
  expect_within_percent(fit.params.r, 0.553, 1.0, "r");
  expect_within_percent(fit.params.alpha, 10.578, 1.0, "alpha");
  expect_within_percent(fit.params.s, 0.606, 1.0, "s");
  expect_within_percent(fit.params.beta, 11.669, 1.0, "beta");
  EXPECT_NEAR(fit.log_likelihood, -9594.98, 0.01);

  double forecast = 0.0;
  for (const auto& c : data)
    forecast += pareto_nbd_conditional_expected_transactions(fit.params, 39.0, c.x, c.t_x, c.t_cal);
  std::printf("[ Pareto  ] weeks 40-78 conditional forecast %.1f vs actual 1882\n", forecast);
  EXPECT_NEAR(forecast, 1882.0, 0.15 * 1882.0);  // the same under-forecast as the BG/NBD
}

// ---- Gamma-Gamma on CDNOW

TEST(GammaGammaCdnow, ReproducesPublishedFit) {
  LOAD_OR_FAIL(table, "cdnow/cdnow_customers_summary_with_transactions.csv");
  std::vector<SpendSummary> data;
  for (const auto& row : table.rows)
    data.push_back({row[table.column("x")], row[table.column("zbar")]});
  const auto fit = fit_gamma_gamma(data);
  std::printf("[ GammaGm ] p=%.4f q=%.4f gamma=%.4f LL=%.4f iterations=%d converged=%d\n",
              fit.params.p, fit.params.q, fit.params.gamma, fit.log_likelihood, fit.iterations,
              fit.converged);
  EXPECT_TRUE(fit.converged);
  expect_within_percent(fit.params.p, 6.25, 1.0, "p");
  expect_within_percent(fit.params.q, 3.74, 1.0, "q");
  expect_within_percent(fit.params.gamma, 15.44, 1.0, "gamma");

  // The conditional mean shrinks m_x toward the population mean, more so for small x.
  const double population = fit.params.p * fit.params.gamma / (fit.params.q - 1.0);
  EXPECT_NEAR(gamma_gamma_conditional_expected_average_spend(fit.params, 0.0, 0.0), population,
              1e-12);
  const double one = gamma_gamma_conditional_expected_average_spend(fit.params, 1.0, 100.0);
  const double ten = gamma_gamma_conditional_expected_average_spend(fit.params, 10.0, 100.0);
  EXPECT_GT(one, population);
  EXPECT_GT(ten, one);
  EXPECT_LT(ten, 100.0);
  std::printf("[ GammaGm ] population mean spend %.2f; m_x=100 with x=1 -> %.2f, x=10 -> %.2f\n",
              population, one, ten);
}

// ---- BG/BB on the donations data (Fader, Hardie & Shang 2010)

TEST(BgBbDonations, ReproducesPublishedFitAndPAlive) {
  LOAD_OR_FAIL(table, "donations_bgbb/BTYD_donationsSummary_rf_matrix.csv");
  const auto data = donation_patterns(table);
  double cohort = 0.0;
  for (const auto& p : data) cohort += p.count;
  ASSERT_DOUBLE_EQ(cohort, 11104.0);
  const auto fit = fit_bg_bb(data);
  std::printf(
      "[ BG/BB   ] alpha=%.4f beta=%.4f gamma=%.4f delta=%.4f LL=%.4f iterations=%d "
      "converged=%d\n",
      fit.params.alpha, fit.params.beta, fit.params.gamma, fit.params.delta, fit.log_likelihood,
      fit.iterations, fit.converged);
  EXPECT_TRUE(fit.converged);
  expect_within_percent(fit.params.alpha, 1.204, 1.0, "alpha");
  expect_within_percent(fit.params.beta, 0.750, 1.0, "beta");
  expect_within_percent(fit.params.gamma, 0.657, 1.0, "gamma");
  expect_within_percent(fit.params.delta, 2.783, 1.0, "delta");
  EXPECT_NEAR(fit.log_likelihood, -33225.58, 0.01);

  // "Alive in 2002": calibration opportunities are 1996..2001 (n = 6), so 2002 is n + 1.
  const double p00 = bg_bb_p_alive(fit.params, 0, 0, 6);
  const double p24 = bg_bb_p_alive(fit.params, 2, 4, 6);
  const double p66 = bg_bb_p_alive(fit.params, 6, 6, 6);
  std::printf("[ BG/BB   ] P(alive in 2002): (0,0) %.4f  (2,4) %.4f  (6,6) %.4f\n", p00, p24, p66);
  EXPECT_NEAR(p00, 0.11, 0.005);
  EXPECT_NEAR(p24, 0.59, 0.005);
  EXPECT_NEAR(p66, 0.93, 0.005);

  // Unconditional expected donations per year for the whole cohort.
  const std::string annual_path =
      data_path("donations_bgbb/BTYD_donationsSummary_x_star_and_annual_trans.txt");
  std::ifstream annual_file(annual_path);
  ASSERT_TRUE(annual_file) << "missing data file " << annual_path;
  std::vector<double> published;
  for (std::string line; std::getline(annual_file, line);) {
    if (line.rfind("annual.trans", 0) != 0) continue;
    std::stringstream values(line.substr(line.find(':') + 1));
    for (double v; values >> v;) published.push_back(v);
  }
  ASSERT_EQ(published.size(), 11u) << annual_path << ": expected 11 annual counts";
  std::printf("[ BG/BB   ] year  expected  actual\n");
  for (int t = 1; t <= 11; ++t) {
    const double expected = cohort * (bg_bb_expected_transactions(fit.params, t) -
                                      bg_bb_expected_transactions(fit.params, t - 1));
    std::printf("[ BG/BB   ] %d  %8.0f  %6.0f\n", 1995 + t, expected, published[t - 1]);
    if (t <= 6) {
      EXPECT_NEAR(expected, published[t - 1], 0.10 * published[t - 1]) << 1995 + t;
    }
  }

  // Holdout: 2002..2006 forecasts per pattern against the realised x.star.
  double forecast = 0.0;
  for (const auto& p : data)
    forecast += p.count * bg_bb_conditional_expected_transactions(fit.params, 5, p.x, p.t_x, p.n);
  const double holdout_actual =
      published[6] + published[7] + published[8] + published[9] + published[10];
  std::printf("[ BG/BB   ] 2002-2006 forecast %.0f vs actual %.0f\n", forecast, holdout_actual);
  EXPECT_NEAR(forecast, holdout_actual, 0.10 * holdout_actual);
}

TEST(BgBbIdentities, PatternProbabilitiesSumToOne) {
  // Each (x, t_x) pattern stands for C(t_x - 1, x - 1) binary purchase strings.
  const BgBbParams p{1.204, 0.750, 0.657, 2.783};
  for (int n : {1, 3, 6, 10}) {
    double total = 0.0;
    for (int t_x = 0; t_x <= n; ++t_x)
      for (int x = (t_x == 0 ? 0 : 1); x <= t_x; ++x) {
        const double strings = t_x == 0 ? 1.0
                                        : std::round(std::exp(std::lgamma(t_x) - std::lgamma(x) -
                                                              std::lgamma(t_x - x + 1)));
        total += strings * std::exp(bg_bb_log_likelihood(p, {{x, t_x, n, 1.0}}));
      }
    EXPECT_NEAR(total, 1.0, 1e-12) << "n=" << n;
  }
}

TEST(BgBbIdentities, ExpectationsMatchThePapersClosedForms) {
  for (const BgBbParams& p :
       {BgBbParams{1.204, 0.750, 0.657, 2.783}, BgBbParams{2.0, 3.0, 1.7, 4.0}}) {
    const auto lg = [](double v) { return std::lgamma(v); };
    EXPECT_EQ(bg_bb_expected_transactions(p, 0), 0.0);
    EXPECT_EQ(bg_bb_conditional_expected_transactions(p, 0, 2, 4, 6), 0.0);
    for (int n : {1, 6, 11}) {
      // FHS 2010 eq. (9)
      const double closed = p.alpha / (p.alpha + p.beta) * p.delta / (p.gamma - 1.0) *
                            (1.0 - std::exp(lg(p.gamma + p.delta) - lg(p.gamma + p.delta + n) +
                                            lg(1.0 + p.delta + n) - lg(1.0 + p.delta)));
      EXPECT_NEAR(bg_bb_expected_transactions(p, n), closed, 1e-12);
    }
    // FHS 2010 eq. (13) for x = 2, t_x = 4, n = 6, n* = 5.
    const int x = 2, t_x = 4, n = 6, n_star = 5;
    const double likelihood = std::exp(bg_bb_log_likelihood(p, {{x, t_x, n, 1.0}}));
    const auto lbeta = [&](double a, double b) { return lg(a) + lg(b) - lg(a + b); };
    const double closed =
        std::exp(lbeta(p.alpha + x + 1, p.beta + n - x) - lbeta(p.alpha, p.beta)) / likelihood *
        p.delta / (p.gamma - 1.0) * std::exp(lg(p.gamma + p.delta) - lg(1.0 + p.delta)) *
        (std::exp(lg(1.0 + p.delta + n) - lg(p.gamma + p.delta + n)) -
         std::exp(lg(1.0 + p.delta + n + n_star) - lg(p.gamma + p.delta + n + n_star)));
    EXPECT_NEAR(bg_bb_conditional_expected_transactions(p, n_star, x, t_x, n), closed, 1e-12);
    EXPECT_GE(bg_bb_p_alive(p, x, t_x, n), 0.0);
    EXPECT_LE(bg_bb_p_alive(p, x, t_x, n), 1.0);
  }
}

// ---- closed-form identities of the continuous-time models

TEST(BgNbdIdentities, PAliveAndExpectations) {
  const BgNbdParams p{0.243, 4.414, 0.793, 2.426};
  EXPECT_EQ(bg_nbd_p_alive(p, 0.0, 0.0, 38.86), 1.0);
  for (double x : {1.0, 2.0, 5.0, 20.0})
    for (double t_x : {0.0, 5.0, 20.0, 38.0}) {
      const double alive = bg_nbd_p_alive(p, x, t_x, 38.86);
      EXPECT_GE(alive, 0.0);
      EXPECT_LE(alive, 1.0);
      // A later last purchase can only make the customer more likely alive.
      EXPECT_GE(bg_nbd_p_alive(p, x, std::min(t_x + 1.0, 38.86), 38.86), alive);
    }
  // Purchase at T means the customer was alive at T.
  EXPECT_NEAR(bg_nbd_p_alive(p, 3.0, 38.86, 38.86), 1.0 / (1.0 + p.a / (p.b + 2.0)), 1e-15);
  EXPECT_EQ(bg_nbd_expected_transactions(p, 0.0), 0.0);
  EXPECT_EQ(bg_nbd_conditional_expected_transactions(p, 0.0, 2.0, 10.0, 38.86), 0.0);
  // The derivative of E[X(t)] at 0 is the mean purchase rate r / alpha.
  const double h = 1e-6;
  EXPECT_NEAR(bg_nbd_expected_transactions(p, h) / h, p.r / p.alpha, 1e-5);
  // A brand-new customer (x = 0, T -> 0) is forecast like the unconditional model.
  EXPECT_NEAR(bg_nbd_conditional_expected_transactions(p, 30.0, 0.0, 0.0, 1e-12),
              bg_nbd_expected_transactions(p, 30.0), 1e-9);
  // Continuous through a = 1, where the formulas divide by a - 1.
  const BgNbdParams one{0.5, 5.0, 1.0, 2.0}, near{0.5, 5.0, 1.0 + 1e-5, 2.0};
  EXPECT_NEAR(bg_nbd_expected_transactions(one, 20.0), bg_nbd_expected_transactions(near, 20.0),
              1e-4);
}

TEST(ParetoNbdIdentities, PAliveAndExpectations) {
  const ParetoNbdParams p{0.553, 10.578, 0.606, 11.669};
  for (double x : {0.0, 1.0, 2.0, 5.0, 20.0})
    for (double t_x : {0.0, 5.0, 20.0, 38.0}) {
      if (x == 0.0 && t_x > 0.0) continue;
      const double alive = pareto_nbd_p_alive(p, x, t_x, 38.86);
      EXPECT_GE(alive, 0.0);
      EXPECT_LE(alive, 1.0);
    }
  EXPECT_NEAR(pareto_nbd_p_alive(p, 4.0, 30.0, 30.0), 1.0, 1e-15);  // a purchase at T
  EXPECT_EQ(pareto_nbd_expected_transactions(p, 0.0), 0.0);
  EXPECT_EQ(pareto_nbd_conditional_expected_transactions(p, 0.0, 2.0, 10.0, 38.86), 0.0);
  const double h = 1e-6;
  EXPECT_NEAR(pareto_nbd_expected_transactions(p, h) / h, p.r / p.alpha, 1e-5);
  // The likelihood's two 2F1 branches (alpha >= beta, alpha < beta) meet at alpha = beta.
  const std::vector<RfSummary> few{{0, 0, 30}, {3, 12.5, 30}, {7, 29, 35}};
  const ParetoNbdParams below{0.5, 8.0 - 1e-9, 0.7, 8.0}, above{0.5, 8.0 + 1e-9, 0.7, 8.0};
  EXPECT_NEAR(pareto_nbd_log_likelihood(below, few), pareto_nbd_log_likelihood(above, few), 1e-7);
  // Continuous through s = 1.
  EXPECT_NEAR(pareto_nbd_expected_transactions({0.5, 8.0, 1.0, 8.0}, 50.0),
              pareto_nbd_expected_transactions({0.5, 8.0, 1.0 + 1e-7, 8.0}, 50.0), 1e-6);
}

// ---- simulated populations with known parameters

struct Simulated {
  std::vector<RfSummary> calibration;
  std::vector<double> holdout;  // transactions in (T, T + holdout_length]
};

double draw_beta(std::mt19937_64& rng, double a, double b) {
  const double u = std::gamma_distribution<double>(a, 1.0)(rng);
  const double v = std::gamma_distribution<double>(b, 1.0)(rng);
  return u / (u + v);
}

// BG/NBD story: Poisson purchases at lambda ~ Gamma(r, alpha); after each purchase the customer
// dies with probability p ~ Beta(a, b).
Simulated simulate_bg_nbd(const BgNbdParams& p, int customers, double holdout_length,
                          std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  std::uniform_real_distribution<double> calibration_length(52.0, 156.0);
  Simulated sim;
  for (int i = 0; i < customers; ++i) {
    const double lambda = std::gamma_distribution<double>(p.r, 1.0 / p.alpha)(rng);
    const double dropout = draw_beta(rng, p.a, p.b);
    const double t_cal = calibration_length(rng);
    std::exponential_distribution<double> gap(lambda);
    RfSummary c{0.0, 0.0, t_cal};
    double holdout = 0.0;
    for (double t = gap(rng); t <= t_cal + holdout_length; t += gap(rng)) {
      if (t <= t_cal) {
        c.x += 1.0;
        c.t_x = t;
      } else {
        holdout += 1.0;
      }
      if (uniform(rng) < dropout) break;
    }
    sim.calibration.push_back(c);
    sim.holdout.push_back(holdout);
  }
  return sim;
}

TEST(BgNbdSimulated, RecoversKnownParameters) {
  const BgNbdParams truth{0.8, 8.0, 1.5, 4.0};
  const auto sim = simulate_bg_nbd(truth, 10000, 0.0, 20240611);
  const auto fit = fit_bg_nbd(sim.calibration);
  const double ll_truth = bg_nbd_log_likelihood(truth, sim.calibration);
  std::printf("[ BG/NBD sim ] r=%.4f alpha=%.4f a=%.4f b=%.4f LL=%.3f (truth LL %.3f)\n",
              fit.params.r, fit.params.alpha, fit.params.a, fit.params.b, fit.log_likelihood,
              ll_truth);
  EXPECT_TRUE(fit.converged);
  // The MLE beats the truth, but not by more than sampling explains: 2 * LL gain is
  // chi-square with 4 degrees of freedom, 99.9% quantile 18.47.
  EXPECT_GE(fit.log_likelihood, ll_truth);
  EXPECT_LT(2.0 * (fit.log_likelihood - ll_truth), 18.47);
  // Loose bounds for sampling error at this size; the likelihood-ratio check above is the
  // sharp one (the dropout parameters a, b are the least well identified).
  expect_within_percent(fit.params.r, truth.r, 10.0, "r");
  expect_within_percent(fit.params.alpha, truth.alpha, 10.0, "alpha");
  expect_within_percent(fit.params.a, truth.a, 25.0, "a");
  expect_within_percent(fit.params.b, truth.b, 25.0, "b");
}

TEST(BgNbdSimulated, ForecastsMatchSimulatedHoldout) {
  const BgNbdParams truth{0.8, 8.0, 1.5, 4.0};
  const double holdout_length = 52.0;
  const auto sim = simulate_bg_nbd(truth, 20000, holdout_length, 7);
  // E[sum (Y - E[Y | data])] = 0 exactly, so the total error is within 5 of its own
  // standard deviations (estimated from the residuals).
  double residual = 0.0, squares = 0.0, total = 0.0;
  for (std::size_t i = 0; i < sim.calibration.size(); ++i) {
    const auto& c = sim.calibration[i];
    const double e =
        bg_nbd_conditional_expected_transactions(truth, holdout_length, c.x, c.t_x, c.t_cal);
    residual += sim.holdout[i] - e;
    squares += (sim.holdout[i] - e) * (sim.holdout[i] - e);
    total += sim.holdout[i];
  }
  std::printf("[ BG/NBD sim ] holdout actual %.0f, residual %.1f, sd %.1f\n", total, residual,
              std::sqrt(squares));
  EXPECT_LT(std::abs(residual), 5.0 * std::sqrt(squares));

  // Unconditional: mean of X(52) over a population equals E[X(52)].
  std::mt19937_64 rng(99);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  double sum = 0.0, sum_sq = 0.0;
  const int n = 50000;
  for (int i = 0; i < n; ++i) {
    const double lambda = std::gamma_distribution<double>(truth.r, 1.0 / truth.alpha)(rng);
    const double dropout = draw_beta(rng, truth.a, truth.b);
    std::exponential_distribution<double> gap(lambda);
    double count = 0.0;
    for (double t = gap(rng); t <= 52.0; t += gap(rng)) {
      count += 1.0;
      if (uniform(rng) < dropout) break;
    }
    sum += count;
    sum_sq += count * count;
  }
  const double mean = sum / n, se = std::sqrt((sum_sq / n - mean * mean) / n);
  EXPECT_NEAR(bg_nbd_expected_transactions(truth, 52.0), mean, 5.0 * se);
}

TEST(ParetoNbdSimulated, ForecastsMatchSimulatedHoldout) {
  // Pareto/NBD story: Poisson purchases at lambda ~ Gamma(r, alpha) until an exponential
  // lifetime at mu ~ Gamma(s, beta) ends.
  const ParetoNbdParams truth{0.55, 10.5, 0.6, 11.7};
  std::mt19937_64 rng(31337);
  std::uniform_real_distribution<double> calibration_length(30.0, 40.0);
  double residual = 0.0, squares = 0.0;
  std::vector<RfSummary> calibration;
  for (int i = 0; i < 8000; ++i) {
    const double lambda = std::gamma_distribution<double>(truth.r, 1.0 / truth.alpha)(rng);
    const double mu = std::gamma_distribution<double>(truth.s, 1.0 / truth.beta)(rng);
    const double lifetime = std::exponential_distribution<double>(mu)(rng);
    const double t_cal = calibration_length(rng);
    std::exponential_distribution<double> gap(lambda);
    RfSummary c{0.0, 0.0, t_cal};
    double holdout = 0.0;
    for (double t = gap(rng); t <= std::min(lifetime, t_cal + 39.0); t += gap(rng)) {
      if (t <= t_cal) {
        c.x += 1.0;
        c.t_x = t;
      } else {
        holdout += 1.0;
      }
    }
    const double e = pareto_nbd_conditional_expected_transactions(truth, 39.0, c.x, c.t_x, t_cal);
    residual += holdout - e;
    squares += (holdout - e) * (holdout - e);
    calibration.push_back(c);
  }
  EXPECT_LT(std::abs(residual), 5.0 * std::sqrt(squares));
  // The fit on this sample beats the truth by no more than sampling explains.
  const auto fit = fit_pareto_nbd(calibration);
  const double ll_truth = pareto_nbd_log_likelihood(truth, calibration);
  std::printf("[ Pareto sim ] r=%.4f alpha=%.4f s=%.4f beta=%.4f LL gain %.3f\n", fit.params.r,
              fit.params.alpha, fit.params.s, fit.params.beta, fit.log_likelihood - ll_truth);
  EXPECT_TRUE(fit.converged);
  EXPECT_GE(fit.log_likelihood, ll_truth);
  EXPECT_LT(2.0 * (fit.log_likelihood - ll_truth), 18.47);
}

// ---- CLV

TEST(Clv, DiscountedSumOfPeriodForecastsTimesSpend) {
  const BgNbdParams tx{0.243, 4.414, 0.793, 2.426};
  const ParetoNbdParams pareto{0.553, 10.578, 0.606, 11.669};
  const GammaGammaParams spend{6.25, 3.74, 15.44};
  const RfSummary customer{4.0, 30.0, 38.86};
  const double m_x = 30.0;
  const double e_spend = gamma_gamma_conditional_expected_average_spend(spend, 4.0, m_x);
  // Undiscounted, the periods telescope to the whole-horizon forecast.
  const ClvHorizon flat{13, 4.0, 0.0};
  EXPECT_NEAR(bg_nbd_clv(tx, spend, customer, m_x, flat),
              e_spend * bg_nbd_conditional_expected_transactions(tx, 52.0, 4.0, 30.0, 38.86), 1e-9);
  EXPECT_NEAR(
      pareto_nbd_clv(pareto, spend, customer, m_x, flat),
      e_spend * pareto_nbd_conditional_expected_transactions(pareto, 52.0, 4.0, 30.0, 38.86), 1e-9);
  // One period: exactly the discounted single forecast.
  EXPECT_NEAR(bg_nbd_clv(tx, spend, customer, m_x, {1, 52.0, 0.1}),
              e_spend * bg_nbd_conditional_expected_transactions(tx, 52.0, 4.0, 30.0, 38.86) / 1.1,
              1e-9);
  const double discounted = bg_nbd_clv(tx, spend, customer, m_x, {13, 4.0, 0.01});
  EXPECT_LT(discounted, bg_nbd_clv(tx, spend, customer, m_x, flat));
  EXPECT_GT(discounted, 0.0);
  EXPECT_EQ(bg_nbd_clv(tx, spend, customer, m_x, {0, 4.0, 0.01}), 0.0);
  EXPECT_THROW(bg_nbd_clv(tx, spend, customer, m_x, {13, 0.0, 0.01}), std::invalid_argument);
  std::printf("[ CLV     ] x=4 t_x=30 T=38.86 m_x=30: 52-week CLV %.2f (1%% per 4 weeks)\n",
              discounted);
}

}  // namespace
