#include <cmath>
#include <stdexcept>

#include "mirror/results/run_results.hpp"
#include "mirror/results/stratified.hpp"
#include "moments.hpp"
#include "student_t.hpp"

namespace mirror::results {

DailyTotals& DailyTotals::operator+=(const DailyTotals& o) {
  revenue += o.revenue;
  margin += o.margin;
  cost += o.cost;
  visits += o.visits;
  conversions += o.conversions;
  contacts += o.contacts;
  for (int c = 0; c < core::kChannelCount; ++c) contacts_by_channel[c] += o.contacts_by_channel[c];
  notices += o.notices;
  unsubscribes += o.unsubscribes;
  churned += o.churned;
  active += o.active;
  blocked_by_caps += o.blocked_by_caps;
  blocked_by_consent += o.blocked_by_consent;
  blocked_by_budget += o.blocked_by_budget;
  blocked_by_rules += o.blocked_by_rules;
  return *this;
}

bool is_online_learner(const std::string& policy_kind) {
  return policy_kind == "epsilon_greedy" || policy_kind == "thompson" || policy_kind == "linucb";
}

RegretCurve regret_curve(const std::vector<ArmResult>& arms, std::size_t learner) {
  RegretCurve out;
  // Profit per customer of the arm on each day.
  const auto daily = [](const ArmResult& a) {
    std::vector<double> r;
    const double n = a.customers.empty() ? 1.0 : static_cast<double>(a.customers.size());
    for (const auto& d : a.daily) r.push_back(core::from_micros(d.margin - d.cost) / n);
    return r;
  };
  double best_total = 0.0;
  for (std::size_t a = 0; a < arms.size(); ++a) {
    if (a == learner || is_online_learner(arms[a].policy)) continue;
    const auto r = daily(arms[a]);
    double total = 0.0;
    for (double x : r) total += x;
    if (out.best_fixed_arm.empty() || total > best_total) {
      best_total = total;
      out.best_fixed_arm = arms[a].name;
      out.best_reward = r;
    }
  }
  out.reward = daily(arms[learner]);
  if (out.best_fixed_arm.empty()) return out;
  double cumulative = 0.0;
  for (std::size_t d = 0; d < out.reward.size() && d < out.best_reward.size(); ++d) {
    cumulative += out.best_reward[d] - out.reward[d];
    out.cumulative_regret.push_back(cumulative);
  }
  return out;
}

double metric_value(const CustomerResult& c, core::Metric m) {
  switch (m) {
    case core::Metric::revenue: return core::from_micros(c.revenue);
    case core::Metric::cost: return core::from_micros(c.cost);
    case core::Metric::profit: return c.profit();
    case core::Metric::conversions: return c.conversions;
    case core::Metric::contacts: return c.contacts;
    case core::Metric::unsubscribes: return c.unsubscribes;
    case core::Metric::active_at_end: return c.active_at_end;
  }
  throw std::invalid_argument("unknown metric");
}

namespace {

constexpr double kLevel = 0.975;  // two-sided 95%

// Half-width of the t interval of a mean; 0 when n < 2 (no spread to estimate).
double half_width(const Moments& m) {
  if (m.n < 2) return 0.0;
  return student_t_quantile(kLevel, static_cast<double>(m.n - 1)) *
         std::sqrt(m.variance() / static_cast<double>(m.n));
}

Moments moments(const ArmResult& arm, core::Metric metric) {
  Moments m;
  for (const auto& c : arm.customers) m.add(metric_value(c, metric));
  return m;
}

void paired_uplift(const ArmResult& arm, const ArmResult& control, core::Metric metric,
                   SummaryRow& row) {
  if (arm.customers.size() != control.customers.size())
    throw std::invalid_argument("paired design: arms '" + arm.name + "' and '" + control.name +
                                "' hold different numbers of customers");
  Moments d;
  for (std::size_t i = 0; i < arm.customers.size(); ++i) {
    if (arm.customers[i].customer_id != control.customers[i].customer_id)
      throw std::invalid_argument("paired design: arms '" + arm.name + "' and '" +
                                  control.name + "' hold different customers");
    d.add(metric_value(arm.customers[i], metric) - metric_value(control.customers[i], metric));
  }
  const double h = half_width(d);
  row.uplift = d.mean;
  row.uplift_ci_low = d.mean - h;
  row.uplift_ci_high = d.mean + h;
}

// Welch's interval for a difference of means, with Welch-Satterthwaite degrees of freedom.
void welch_uplift(const Moments& a, const Moments& c, SummaryRow& row) {
  row.uplift = a.mean - c.mean;
  if (a.n < 2 || c.n < 2) {
    row.uplift_ci_low = row.uplift_ci_high = row.uplift;
    return;
  }
  const double va = a.variance() / static_cast<double>(a.n);
  const double vc = c.variance() / static_cast<double>(c.n);
  const double se = std::sqrt(va + vc);
  double h = 0.0;
  if (se > 0.0) {
    const double df = (va + vc) * (va + vc) /
                      (va * va / static_cast<double>(a.n - 1) + vc * vc / static_cast<double>(c.n - 1));
    h = student_t_quantile(kLevel, df) * se;
  }
  row.uplift_ci_low = row.uplift - h;
  row.uplift_ci_high = row.uplift + h;
}

// The stratified design: the post-stratified difference over segments.
void stratified_uplift(const ArmResult& arm, const ArmResult& control, core::Metric metric,
                       SummaryRow& row) {
  const auto columns = [metric](const ArmResult& x, std::vector<double>& v,
                                std::vector<std::int32_t>& s) {
    for (const auto& c : x.customers) {
      v.push_back(metric_value(c, metric));
      s.push_back(c.segment);
    }
  };
  std::vector<double> va, vc;
  std::vector<std::int32_t> sa, sc;
  columns(arm, va, sa);
  columns(control, vc, sc);
  const auto d = stratified_difference(va, sa, vc, sc, 0.95);
  row.uplift = d.mean;
  row.uplift_ci_low = d.low;
  row.uplift_ci_high = d.high;
}

}  // namespace

std::vector<SummaryRow> summarize(const std::vector<ArmResult>& arms, int control_arm,
                                  core::ExperimentSpec::Design design) {
  if (control_arm < 0 || static_cast<std::size_t>(control_arm) >= arms.size())
    throw std::invalid_argument("summarize: control arm out of range");
  const ArmResult& control = arms[control_arm];
  std::vector<SummaryRow> rows;
  for (int a = 0; a < static_cast<int>(arms.size()); ++a) {
    for (int k = 0; k < core::kMetricCount; ++k) {
      const auto metric = static_cast<core::Metric>(k);
      const Moments m = moments(arms[a], metric);
      SummaryRow row;
      row.arm = arms[a].name;
      row.metric = core::metric_name(metric);
      row.n = m.n;
      row.mean = m.mean;
      const double h = half_width(m);
      row.ci_low = m.mean - h;
      row.ci_high = m.mean + h;
      if (a != control_arm) {
        if (design == core::ExperimentSpec::Design::paired)
          paired_uplift(arms[a], control, metric, row);
        else if (design == core::ExperimentSpec::Design::stratified)
          stratified_uplift(arms[a], control, metric, row);
        else
          welch_uplift(m, moments(control, metric), row);
      }
      rows.push_back(std::move(row));
    }
  }
  return rows;
}

}  // namespace mirror::results
