// The LCM's same-day contact effects on its own log's decision days (lcm_logged.hpp).
#include "mirror/twins/lcm_logged.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <tuple>
#include <utility>

#include "lcm_detail.hpp"

namespace mirror::twins {

using detail::sigmoid;

LcmLoggedDecisions lcm_logged_decisions(const LcmArtifact& model, const LcmSequences& data,
                                        const core::DecisionBatch& decisions, int threads) {
  lcm_check_attributes(model.weights, data.attributes);
  const auto& w = model.weights;
  const std::size_t n = data.size();
  // Each customer's decisions of the calibration period as (step, row), in that order.
  std::vector<std::vector<std::pair<std::int32_t, std::size_t>>> by_customer(n);
  for (std::size_t i = 0; i < decisions.size(); ++i) {
    if (decisions.customer[i] < 0 || static_cast<std::size_t>(decisions.customer[i]) >= n) continue;
    const std::int32_t d = core::day_of(decisions.timestamp[i]) - data.first_day;
    if (d >= 0 && d < data.calibration_days) by_customer[decisions.customer[i]].emplace_back(d, i);
  }
  std::vector<LcmLoggedDecisions> parts(n);
  const auto run = [&](std::size_t begin, std::size_t end) {
    // The mean of expm1 of a log-normal log1p(spend).
    const auto expected_spend = [&](double mu) {
      return std::expm1(mu + 0.5 * w.log_spend_sigma * w.log_spend_sigma);
    };
    std::vector<float> h(w.hidden), h_next(w.hidden), h_none(w.hidden), x(kLcmInputs), x_none(kLcmInputs),
        heads(kLcmHeadCount), offset_buffer;
    for (std::size_t c = begin; c < end; ++c) {
      auto& list = by_customer[c];
      if (list.empty()) continue;
      std::sort(list.begin(), list.end());
      auto& out = parts[c];
      lcm_initial_state(w, data.attributes, c, h.data());
      const float* offsets = lcm_repeated_head_offsets(w, data.attributes, c, 1, offset_buffer);
      LcmHistory history;
      std::size_t k = 0;
      for (std::int32_t d = 0; d < data.calibration_days && k < list.size(); ++d) {
        if (d > 0) history.observe(data, c, d - 1);
        const float* yesterday = d > 0 ? data.events_at(c, d - 1) : nullptr;
        if (history.birth < 0) {  // no state yet: the model says nothing about this day
          while (k < list.size() && list[k].first == d) ++k;
          continue;
        }
        // The day as logged. As in training, the heads read the state after the day's step.
        lcm_inputs(yesterday, data.actions_at(c, d), data.calendar_day(d), data.day(d), history, x.data());
        lcm_step(w, h.data(), x.data(), h_next.data(), 1);
        if (k < list.size() && list[k].first == d) {
          lcm_heads(w, h_next.data(), x.data(), heads.data(), 1, offsets);
          const double p_logged = sigmoid(heads[kHeadPurchase]), spend_logged = expected_spend(heads[kHeadLogSpend]);
          lcm_inputs(yesterday, nullptr, data.calendar_day(d), data.day(d), history, x_none.data());
          lcm_step(w, h.data(), x_none.data(), h_none.data(), 1);  // the same unless the action enters the state
          lcm_heads(w, h_none.data(), x_none.data(), heads.data(), 1, offsets);
          const double p_none = sigmoid(heads[kHeadPurchase]), spend_none = expected_spend(heads[kHeadLogSpend]);
          const float* today = data.events_at(c, d);
          const bool bought = today[kLcmPurchase] > 0;
          const double spent = bought ? std::expm1(4.0 * today[kLcmLogSpend]) : 0.0;
          for (; k < list.size() && list[k].first == d; ++k) {
            const bool none = decisions.channel[list[k].second] < 0;
            out.row.push_back(list[k].second);
            out.customer.push_back(static_cast<std::uint32_t>(c));
            out.p_logged.push_back(none ? p_none : p_logged);
            out.p_none.push_back(p_none);
            out.spend_logged.push_back(none ? spend_none : spend_logged);
            out.spend_none.push_back(spend_none);
            out.bought.push_back(bought);
            out.spent.push_back(spent);
          }
        }
        h.swap(h_next);
      }
    }
  };
  detail::in_customer_blocks(n, threads, run);
  LcmLoggedDecisions all;
  for (const auto& part : parts) {
    all.row.insert(all.row.end(), part.row.begin(), part.row.end());
    all.customer.insert(all.customer.end(), part.customer.begin(), part.customer.end());
    all.p_logged.insert(all.p_logged.end(), part.p_logged.begin(), part.p_logged.end());
    all.p_none.insert(all.p_none.end(), part.p_none.begin(), part.p_none.end());
    all.spend_logged.insert(all.spend_logged.end(), part.spend_logged.begin(), part.spend_logged.end());
    all.spend_none.insert(all.spend_none.end(), part.spend_none.begin(), part.spend_none.end());
    all.bought.insert(all.bought.end(), part.bought.begin(), part.bought.end());
    all.spent.insert(all.spent.end(), part.spent.begin(), part.spent.end());
  }
  return all;
}

std::vector<LcmLoggedEffect> lcm_logged_effects(const LcmLoggedDecisions& logged,
                                                const core::DecisionBatch& decisions,
                                                const std::vector<int>& group_of_customer, int groups) {
  // The log's channels, and the ones that reached each customer anywhere in the log.
  std::set<std::int32_t> channels;
  std::set<std::pair<std::int64_t, std::int32_t>> reached;
  for (std::size_t i = 0; i < decisions.size(); ++i)
    if (decisions.channel[i] >= 0) {
      channels.insert(decisions.channel[i]);
      reached.emplace(decisions.customer[i], decisions.channel[i]);
    }
  using Contact = std::tuple<std::int32_t, std::int32_t, std::int32_t>;
  struct Sums {
    double n = 0, uplift = 0, rate = 0, bought = 0, revenue_uplift = 0, spent = 0, spent2 = 0;
    void add(double b, double s) {
      n += 1;
      bought += b;
      spent += s;
      spent2 += s * s;
    }
    double spent_variance() const { return std::max(0.0, spent2 / n - (spent / n) * (spent / n)); }
  };
  const int pooled = groups > 1 ? groups : -1;  // the index the pooled rows are summed under
  std::map<std::pair<int, Contact>, Sums> contacts;
  std::map<std::pair<int, std::int32_t>, Sums> nones;  // (group, channel that reached them)
  for (std::size_t j = 0; j < logged.size(); ++j) {
    const std::size_t i = logged.row[j];
    const int g = logged.customer[j] < group_of_customer.size() ? group_of_customer[logged.customer[j]] : -1;
    const double bought = logged.bought[j];
    for (int key : {g, pooled}) {
      if (key < 0) continue;
      if (decisions.channel[i] >= 0) {
        auto& s = contacts[{key, Contact{decisions.channel[i], decisions.message[i], decisions.offer[i]}}];
        s.add(bought, logged.spent[j]);
        s.uplift += logged.p_logged[j] - logged.p_none[j];
        s.rate += logged.p_logged[j];
        s.revenue_uplift += logged.p_logged[j] * logged.spend_logged[j] - logged.p_none[j] * logged.spend_none[j];
      } else {
        auto& base = contacts[{key, Contact{-1, -1, -1}}];  // the 'none' row: the base's fit
        base.add(bought, logged.spent[j]);
        base.rate += logged.p_none[j];
        for (std::int32_t ch : channels)
          if (reached.count({decisions.customer[i], ch})) nones[{key, ch}].add(bought, logged.spent[j]);
      }
    }
  }
  std::vector<LcmLoggedEffect> rows;
  for (const auto& [key, s] : contacts) {
    LcmLoggedEffect e;
    e.group = key.first == pooled ? -1 : key.first;
    std::tie(e.channel, e.message, e.offer) = key.second;
    e.contacts = s.n;
    e.lcm_uplift = s.uplift / s.n;
    e.lcm_rate = s.rate / s.n;
    e.actual_rate = s.bought / s.n;
    e.lcm_revenue_uplift = s.revenue_uplift / s.n;
    const auto it = nones.find({key.first, e.channel});
    if (e.channel < 0 || it == nones.end()) {
      e.none_rate = e.contrast = e.contrast_se = std::numeric_limits<double>::quiet_NaN();
      e.revenue_contrast = e.revenue_contrast_se = e.none_rate;
    } else {
      const double m = it->second.n, a = e.actual_rate, b = it->second.bought / m;
      e.none_decisions = m;
      e.none_rate = b;
      e.contrast = a - b;
      e.contrast_se = std::sqrt(a * (1 - a) / s.n + b * (1 - b) / m);
      e.revenue_contrast = s.spent / s.n - it->second.spent / m;
      e.revenue_contrast_se = std::sqrt(s.spent_variance() / s.n + it->second.spent_variance() / m);
    }
    rows.push_back(e);
  }
  return rows;
}

}  // namespace mirror::twins
