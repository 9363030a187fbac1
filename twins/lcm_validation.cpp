#include "mirror/twins/lcm_validation.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

#include "mirror/core/calendar.hpp"
#include "mirror/core/random.hpp"
#include "lcm_detail.hpp"

namespace mirror::twins {

HoldoutForecast holdout_rows(const HoldoutForecast& f, const std::vector<std::size_t>& rows) {
  HoldoutForecast out;
  for (std::size_t r : rows) {
    out.purchases.push_back(f.purchases.at(r));
    out.purchase_30d.push_back(f.purchase_30d.at(r));
    out.silent_90d.push_back(f.silent_90d.at(r));
  }
  return out;
}

namespace {

using core::kDaysPerWeek;

using detail::in_customer_blocks;
using detail::sigmoid;

// Rank-based AUC (ties averaged).
double auc(const std::vector<double>& score, const std::vector<double>& label) {
  std::vector<std::size_t> order(score.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](auto a, auto b) { return score[a] < score[b]; });
  double rank_sum = 0, positives = 0;
  for (std::size_t i = 0; i < order.size();) {
    std::size_t j = i;
    while (j < order.size() && score[order[j]] == score[order[i]]) ++j;
    const double rank = 0.5 * (i + 1 + j);
    for (std::size_t k = i; k < j; ++k)
      if (label[order[k]] > 0) rank_sum += rank, positives += 1;
    i = j;
  }
  const double negatives = static_cast<double>(score.size()) - positives;
  if (positives == 0 || negatives == 0) return std::nan("");
  return (rank_sum - positives * (positives + 1) / 2) / (positives * negatives);
}

// The logged action of holdout day d, with the affinity as known at the calibration end (the
// holdout's own item events are not history).
const float* holdout_action(const LcmSequences& data, std::size_t c, std::int32_t d, float* out) {
  const float* logged = data.actions_at(c, d);
  std::copy(logged, logged + kLcmActionCount, out);
  const int category = data.promoted[c * data.days + d];
  if (category >= 0) out[kLcmAffinity] = data.affinity(c, data.calibration_days, category);
  return out;
}

}  // namespace

double lcm_purchase_days_per_step(const LcmArtifact& model, const LcmSequences& data, std::size_t c) {
  if (data.step_days == 1) return 1.0;
  constexpr double kPriorSteps = 2;
  double steps = 0, days = 0;
  data.add_purchase_steps(c, data.calibration_days, steps, days);
  return (days + kPriorSteps * model.purchase_days_per_step) / (steps + kPriorSteps);
}

HoldoutActual lcm_holdout_actual(const LcmSequences& data) {
  HoldoutActual a;
  const std::size_t n = data.size();
  a.purchases.assign(n, 0);
  a.purchase_30d.assign(n, 0);
  a.silent_90d.assign(n, 1);
  const auto steps_30 = lcm_window_steps(data.step_days, 30), steps_90 = lcm_window_steps(data.step_days, 90);
  for (std::size_t c = 0; c < n; ++c)
    for (std::int32_t d = data.calibration_days; d < data.days; ++d)
      if (data.events_at(c, d)[kLcmPurchase] > 0) {
        a.purchases[c] += data.purchase_days_at(c, d);
        if (d - data.calibration_days < steps_30) a.purchase_30d[c] = 1;
        if (d - data.calibration_days < steps_90) a.silent_90d[c] = 0;
      }
  return a;
}

HoldoutForecast lcm_forecast(const LcmArtifact& model, const LcmSequences& data, int rollouts,
                             std::uint64_t seed, int threads) {
  if (rollouts < 1) throw std::invalid_argument("rollouts must be at least 1");
  lcm_check_attributes(model.weights, data.attributes);
  const auto& w = model.weights;
  const int H = w.hidden;
  const std::size_t n = data.size();
  HoldoutForecast f;
  f.purchases.assign(n, 0);
  f.purchase_30d.assign(n, 0);
  f.silent_90d.assign(n, 0);
  const std::size_t R = static_cast<std::size_t>(rollouts);
  const auto steps_30 = lcm_window_steps(data.step_days, 30), steps_90 = lcm_window_steps(data.step_days, 90);
  const auto run = [&](std::size_t begin, std::size_t end) {
    std::vector<float> h(R * H), x(R * kLcmInputs), heads(R * kLcmHeadCount), events(R * kLcmEventCount);
    std::vector<float> start(H), offset_buffer;
    std::vector<LcmHistory> history(R);
    std::vector<int> bought_30(R), bought_90(R);
    for (std::size_t c = begin; c < end; ++c) {
      const std::int32_t birth = data.birth[c] < data.days ? data.birth[c] : -1;
      if (birth < 0 || birth >= data.calibration_days) {
        // No history before the holdout: nothing to forecast from.
        f.silent_90d[c] = f.purchases[c] = f.purchase_30d[c] = std::nan("");
        continue;
      }
      const LcmHistory calibration_history = lcm_warm_up(w, data, c, start.data());
      const float* offsets = lcm_repeated_head_offsets(w, data.attributes, c, R, offset_buffer);
      const double per_step = lcm_purchase_days_per_step(model, data, c);
      // All rollouts of the customer step together, one row each.
      for (std::size_t r = 0; r < R; ++r) {
        std::copy(start.begin(), start.end(), h.begin() + r * H);
        std::copy(data.events_at(c, data.calibration_days - 1),
                  data.events_at(c, data.calibration_days - 1) + kLcmEventCount,
                  events.begin() + r * kLcmEventCount);
        history[r] = calibration_history;
        bought_30[r] = bought_90[r] = 0;
      }
      float today[kLcmActionCount];
      for (std::int32_t d = data.calibration_days; d < data.days; ++d) {
        holdout_action(data, c, d, today);
        for (std::size_t r = 0; r < R; ++r) {
          const float* e = &events[r * kLcmEventCount];
          // x still holds yesterday's inputs, and in them the action taken.
          if (d > data.calibration_days)
            history[r].observe(e, &x[r * kLcmInputs + kLcmActionInputs], data.day(d - 1));
          lcm_inputs(e, today, data.calendar_day(d), data.day(d), history[r], &x[r * kLcmInputs]);
        }
        lcm_step(w, h.data(), x.data(), h.data(), R);
        lcm_heads(w, h.data(), x.data(), heads.data(), R, offsets);
        for (std::size_t r = 0; r < R; ++r) {
          const float* y = &heads[r * kLcmHeadCount];
          float* e = &events[r * kLcmEventCount];
          core::RandomStream rs(seed, c * R + r, d, core::Purpose::purchase);
          std::fill(e, e + kLcmEventCount, 0.0f);
          if (history[r].churned()) continue;  // gone: nothing more happens
          if (rs.uniform() < sigmoid(y[kHeadPurchase])) {
            e[kLcmPurchase] = 1;
            const double log_spend = y[kHeadLogSpend] + w.log_spend_sigma * rs.normal();
            e[kLcmLogSpend] = static_cast<float>(std::max(0.0, log_spend) / 4.0);
            f.purchases[c] += per_step / rollouts;
            const auto k = d - data.calibration_days;
            if (k < steps_30) bought_30[r] = 1;
            if (k < steps_90) bought_90[r] = 1;
          }
          // The other events feed the next day's inputs as the model expects them.
          static constexpr int kOther[][2] = {{kHeadVisit, kLcmVisit},       {kHeadEmailOpen, kLcmEmailOpen},
                                              {kHeadClick, kLcmClick},       {kHeadCartAbandon, kLcmCartAbandon},
                                              {kHeadUnsubscribe, kLcmUnsubscribe}, {kHeadChurn, kLcmChurn}};
          for (const auto& [head, event] : kOther)
            if (rs.uniform() < sigmoid(y[head])) e[event] = 1;
        }
      }
      // Shares of the rollouts, smoothed by half a rollout each way so that a finite number
      // of rollouts never claims certainty (a log-loss of infinity for one surprise).
      double b30 = 0, silent = 0;
      for (std::size_t r = 0; r < R; ++r) b30 += bought_30[r], silent += 1 - bought_90[r];
      f.purchase_30d[c] = (b30 + 0.5) / (rollouts + 1.0);
      f.silent_90d[c] = (silent + 0.5) / (rollouts + 1.0);
    }
  };
  in_customer_blocks(n, threads, run);
  return f;
}

LcmActionOutcomes lcm_action_outcomes(const LcmArtifact& model, const LcmSequences& data,
                                      const std::vector<LcmActionFeatures>& actions,
                                      int horizon_days, int rollouts, std::uint64_t seed, int threads) {
  if (rollouts < 1) throw std::invalid_argument("rollouts must be at least 1");
  if (horizon_days < 1) throw std::invalid_argument("the horizon must be at least 1 day");
  if (horizon_days % data.step_days != 0)
    throw std::invalid_argument("a horizon of " + std::to_string(horizon_days) + " days is not a whole number of the model's " +
                                std::to_string(data.step_days) + "-day steps");
  const int horizon_steps = horizon_days / data.step_days;
  if (actions.empty()) throw std::invalid_argument("no action to evaluate");
  lcm_check_attributes(model.weights, data.attributes);
  const auto& w = model.weights;
  const int H = w.hidden;
  const std::size_t n = data.size(), A = actions.size(), R = static_cast<std::size_t>(rollouts);
  const std::size_t rows = A * R;  // row a * R + r
  LcmActionOutcomes out;
  out.actions = A;
  out.purchases.assign(n * A, 0.0);
  out.revenue.assign(n * A, 0.0);
  const std::int32_t d0 = data.calibration_days;
  // Customers [begin, end) with buffers of their own: a customer's numbers depend only on
  // its own streams, so any split into threads gives the same output.
  const auto run = [&](std::size_t begin, std::size_t end) {
    std::vector<float> h(rows * H), x(rows * kLcmInputs), heads(rows * kLcmHeadCount),
        events(rows * kLcmEventCount), start(H), first(A * kLcmActionCount), offset_buffer;
    std::vector<LcmHistory> history(rows);
    for (std::size_t c = begin; c < end; ++c) {
      const std::int32_t birth = data.birth[c] < data.days ? data.birth[c] : -1;
      if (birth < 0 || birth >= d0) {
        std::fill_n(out.purchases.begin() + c * A, A, std::nan(""));
        std::fill_n(out.revenue.begin() + c * A, A, std::nan(""));
        continue;
      }
      const LcmHistory calibration_history = lcm_warm_up(w, data, c, start.data());
      const float* offsets = lcm_repeated_head_offsets(w, data.attributes, c, rows, offset_buffer);
      const double per_step = lcm_purchase_days_per_step(model, data, c);
      for (std::size_t a = 0; a < A; ++a) {
        std::copy(actions[a].inputs.begin(), actions[a].inputs.end(), &first[a * kLcmActionCount]);
        if (actions[a].category >= 0)
          first[a * kLcmActionCount + kLcmAffinity] = data.affinity(c, d0, actions[a].category);
      }
      for (std::size_t row = 0; row < rows; ++row) {
        std::copy(start.begin(), start.end(), h.begin() + row * H);
        std::copy(data.events_at(c, d0 - 1), data.events_at(c, d0 - 1) + kLcmEventCount,
                  events.begin() + row * kLcmEventCount);
        history[row] = calibration_history;
      }
      for (std::int32_t k = 0; k < horizon_steps; ++k) {
        const std::int32_t d = d0 + k;
        for (std::size_t row = 0; row < rows; ++row) {
          const float* e = &events[row * kLcmEventCount];
          const float* action = &first[(row / R) * kLcmActionCount];
          if (k > 0) history[row].observe(e, &x[row * kLcmInputs + kLcmActionInputs], data.day(d - 1));
          lcm_inputs(e, k == 0 ? action : nullptr, data.calendar_day(d), data.day(d), history[row],
                     &x[row * kLcmInputs]);
        }
        lcm_step(w, h.data(), x.data(), h.data(), rows);
        lcm_heads(w, h.data(), x.data(), heads.data(), rows, offsets);
        for (std::size_t row = 0; row < rows; ++row) {
          const std::size_t a = row / R, r = row % R;
          const float* y = &heads[row * kLcmHeadCount];
          float* e = &events[row * kLcmEventCount];
          // The same stream and the same sequence of draws for every action.
          core::RandomStream rs(seed, c * R + r, d, core::Purpose::purchase);
          std::fill(e, e + kLcmEventCount, 0.0f);
          if (history[row].churned()) continue;  // gone: no contact reaches it
          const double p = sigmoid(y[kHeadPurchase]);
          const double log_spend = std::max(0.0, y[kHeadLogSpend] + w.log_spend_sigma * rs.normal());
          out.purchases[c * A + a] += p * per_step / rollouts;
          out.revenue[c * A + a] += p * std::expm1(log_spend) / rollouts;
          if (rs.uniform() < p) {
            e[kLcmPurchase] = 1;
            e[kLcmLogSpend] = static_cast<float>(log_spend / 4.0);
          }
          static constexpr int kOther[][2] = {{kHeadVisit, kLcmVisit},       {kHeadEmailOpen, kLcmEmailOpen},
                                              {kHeadClick, kLcmClick},       {kHeadCartAbandon, kLcmCartAbandon},
                                              {kHeadUnsubscribe, kLcmUnsubscribe}, {kHeadChurn, kLcmChurn}};
          for (const auto& [head, event] : kOther)
            if (rs.uniform() < sigmoid(y[head])) e[event] = 1;
        }
      }
    }
  };
  in_customer_blocks(n, threads, run);
  return out;
}

HoldoutForecast btyd_forecast(const results::Table& profiles, const BtydScoreReport& fit,
                              double holdout_days, double days_30, double days_90) {
  const auto& x = profiles.numbers("frequency");
  const auto& t_x = profiles.numbers("t_x_weeks");
  const auto& t_cal = profiles.numbers("t_cal_weeks");
  const auto& p_alive = profiles.numbers("p_alive");
  const std::size_t n = x.size();
  HoldoutForecast f;
  f.purchases.assign(n, std::nan(""));
  f.purchase_30d.assign(n, std::nan(""));
  f.silent_90d.assign(n, std::nan(""));
  const bool bg = fit.model == "bg_nbd";
  for (std::size_t i = 0; i < n; ++i) {
    if (!(t_cal[i] > 0)) continue;
    const double w = holdout_days / kDaysPerWeek;
    f.purchases[i] =
        bg ? bg_nbd_conditional_expected_transactions(fit.bg_nbd.params, w, x[i], t_x[i], t_cal[i])
           : pareto_nbd_conditional_expected_transactions(fit.pareto_nbd.params, w, x[i], t_x[i], t_cal[i]);
    // An alive customer buys nothing in (T, T + t] with the posterior NBD probability
    // ((alpha + T) / (alpha + T + t))^(r + x); a dead one never buys. For Pareto/NBD the
    // lifetime could also end inside the window, which this leaves out (a slight
    // overestimate of buying).
    const double r = bg ? fit.bg_nbd.params.r : fit.pareto_nbd.params.r;
    const double alpha = bg ? fit.bg_nbd.params.alpha : fit.pareto_nbd.params.alpha;
    const auto none_in = [&](double days) {
      const double t = days / kDaysPerWeek;
      return std::pow((alpha + t_cal[i]) / (alpha + t_cal[i] + t), r + x[i]);
    };
    f.purchase_30d[i] = p_alive[i] * (1.0 - none_in(days_30));
    f.silent_90d[i] = 1.0 - p_alive[i] * (1.0 - none_in(days_90));
  }
  return f;
}

HoldoutScores score_holdout(const HoldoutForecast& f, const HoldoutActual& a,
                            const std::vector<bool>& include) {
  HoldoutScores s;
  std::vector<double> p30, y30;
  double tp = 0, fp = 0, fn = 0, tn = 0, squared = 0;
  for (std::size_t c = 0; c < include.size(); ++c) {
    if (!include[c] || std::isnan(f.purchases[c])) continue;
    s.customers += 1;
    s.actual_total += a.purchases[c];
    s.forecast_total += f.purchases[c];
    const double e = f.purchases[c] - a.purchases[c];
    s.mae += std::abs(e);
    squared += e * e;
    const double p = std::clamp(f.purchase_30d[c], 1e-6, 1.0 - 1e-6);
    s.log_loss_30d -= a.purchase_30d[c] > 0 ? std::log(p) : std::log(1.0 - p);
    p30.push_back(f.purchase_30d[c]);
    y30.push_back(a.purchase_30d[c]);
    const bool predicted_silent = f.silent_90d[c] >= 0.5;
    const bool silent = a.silent_90d[c] > 0;
    tp += predicted_silent && silent;
    fp += predicted_silent && !silent;
    fn += !predicted_silent && silent;
    tn += !predicted_silent && !silent;
  }
  if (s.customers == 0) throw std::invalid_argument("no customer to score");
  s.mae /= s.customers;
  s.rmse = std::sqrt(squared / s.customers);
  s.log_loss_30d /= s.customers;
  s.auc_30d = auc(p30, y30);
  s.churn_accuracy = (tp + tn) / s.customers;
  s.churn_precision = tp + fp > 0 ? tp / (tp + fp) : std::nan("");
  s.churn_recall = tp + fn > 0 ? tp / (tp + fn) : std::nan("");
  s.churn_f1 = 2 * tp + fp + fn > 0 ? 2 * tp / (2 * tp + fp + fn) : std::nan("");
  std::vector<std::size_t> order(p30.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](auto i, auto j) { return p30[i] < p30[j]; });
  s.decile_predicted.assign(10, 0);
  s.decile_actual.assign(10, 0);
  std::vector<double> count(10, 0);
  for (std::size_t k = 0; k < order.size(); ++k) {
    const std::size_t decile = std::min<std::size_t>(9, 10 * k / order.size());
    s.decile_predicted[decile] += p30[order[k]];
    s.decile_actual[decile] += y30[order[k]];
    count[decile] += 1;
  }
  for (int d = 0; d < 10; ++d)
    if (count[d] > 0) s.decile_predicted[d] /= count[d], s.decile_actual[d] /= count[d];
  return s;
}

}  // namespace mirror::twins
