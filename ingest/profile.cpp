#include "mirror/ingest/profile.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "mirror/core/calendar.hpp"
#include "mirror/ingest/ingest.hpp"

namespace mirror::ingest {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
using core::kDaysPerWeek;

// Quintile scores 1..5, 5 for the best; equal values share a score. Rows where `eligible`
// is false get 0.
std::vector<double> quintile_scores(const std::vector<double>& value, const std::vector<bool>& eligible,
                                    bool higher_is_better) {
  std::vector<std::size_t> order;
  for (std::size_t i = 0; i < value.size(); ++i)
    if (eligible[i]) order.push_back(i);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return higher_is_better ? value[a] < value[b] : value[a] > value[b];
  });
  std::vector<double> score(value.size(), 0.0);
  const double n = static_cast<double>(order.size());
  for (std::size_t start = 0; start < order.size();) {
    std::size_t end = start;
    while (end < order.size() && value[order[end]] == value[order[start]]) ++end;
    const double s = 1.0 + std::floor(5.0 * static_cast<double>(start) / n);
    for (std::size_t k = start; k < end; ++k) score[order[k]] = s;
    start = end;
  }
  return score;
}

results::Table::Column numbers(std::string name, std::vector<double> values) {
  return {std::move(name), std::move(values), {}};
}

results::Table::Column strings(std::string name, std::vector<std::string> values) {
  return {std::move(name), {}, std::move(values)};
}

}  // namespace

std::string format_day(std::int32_t day) {
  // Civil from days (the inverse of days_from_civil).
  const std::int64_t z = static_cast<std::int64_t>(day) + 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const std::int64_t doe = z - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const std::int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const std::int64_t m = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t y = yoe + era * 400 + (m <= 2);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04lld-%02lld-%02lld", static_cast<long long>(y),
                static_cast<long long>(m), static_cast<long long>(d));
  return buf;
}

Profiles build_profiles(const results::StoreReader& store, const ProfileOptions& options) {
  const auto& meta = store.meta();
  const auto ids = store.dictionary("customer");
  const std::size_t customers = ids.size();
  Profiles out;
  out.first_day = core::day_of(meta.first_event);
  out.last_day = core::day_of(meta.last_event);
  const auto calibration_end = options.calibration_end ? options.calibration_end : meta.calibration_end;
  out.calibration_end_day = calibration_end ? core::day_of(*calibration_end) : out.last_day;
  if (out.calibration_end_day < out.first_day)
    throw IngestError("the calibration end " + format_day(out.calibration_end_day) +
                      " is before the first event (" + format_day(out.first_day) + ")");
  const std::size_t days = static_cast<std::size_t>(out.last_day - out.first_day + 1);
  const std::size_t weeks = (days + 6) / 7;

  std::vector<std::uint16_t> daily(customers * days, 0);
  std::vector<float> spend(customers * days, 0.0f);
  std::vector<double> returned(customers, 0.0), opens(customers, 0.0), clicks(customers, 0.0);
  store.for_each_event_batch(1 << 16, [&](const core::EventBatch& b) {
    for (std::size_t i = 0; i < b.size(); ++i) {
      const std::size_t c = b.customer[i];
      const auto type = static_cast<core::EventType>(b.type[i]);
      const std::size_t d = static_cast<std::size_t>(core::day_of(b.timestamp[i]) - out.first_day);
      switch (type) {
        case core::EventType::kPurchase: {
          auto& n = daily[c * days + d];
          if (n < UINT16_MAX) ++n;
          spend[c * days + d] += static_cast<float>(core::from_micros(b.amount[i]));
          break;
        }
        case core::EventType::kReturn: returned[c] += core::from_micros(b.amount[i]); break;
        case core::EventType::kEmailOpen: opens[c] += 1; break;
        case core::EventType::kClick: clicks[c] += 1; break;
        default: break;
      }
    }
  });
  std::vector<double> sends(customers, 0.0);
  const auto decisions = store.read_decisions();
  for (std::size_t i = 0; i < decisions.size(); ++i)
    if (decisions.customer[i] >= 0 && decisions.channel[i] >= 0) sends[decisions.customer[i]] += 1;

  const std::size_t cal_days = static_cast<std::size_t>(out.calibration_end_day - out.first_day + 1);
  std::vector<std::string> first_purchase(customers), last_purchase(customers);
  std::vector<double> purchases(customers), frequency(customers), recency_days(customers),
      tenure_days(customers), t_x(customers), t_cal(customers), monetary(customers),
      repeat_monetary(customers), total_spend(customers), holdout_purchases(customers),
      holdout_spend(customers), open_rate(customers), click_rate(customers);
  std::vector<bool> active(customers);
  std::vector<std::uint16_t> weekly(customers * weeks, 0);
  for (std::size_t c = 0; c < customers; ++c) {
    const auto* row = &daily[c * days];
    const auto* money = &spend[c * days];
    long first = -1, last = -1;
    double n = 0, total = 0, first_spend = 0;
    for (std::size_t d = 0; d < days; ++d) {
      if (!row[d]) continue;
      auto& w = weekly[c * weeks + d / 7];
      w = static_cast<std::uint16_t>(std::min<int>(UINT16_MAX, w + row[d]));
      if (d < cal_days) {
        if (first < 0) first = static_cast<long>(d), first_spend = money[d];
        last = static_cast<long>(d);
        n += 1;
        total += money[d];
      } else {
        holdout_purchases[c] += 1;
        holdout_spend[c] += money[d];
      }
    }
    active[c] = first >= 0;
    purchases[c] = n;
    total_spend[c] = total;
    open_rate[c] = sends[c] > 0 ? opens[c] / sends[c] : kNaN;
    click_rate[c] = sends[c] > 0 ? clicks[c] / sends[c] : kNaN;
    if (!active[c]) {
      frequency[c] = recency_days[c] = tenure_days[c] = t_x[c] = t_cal[c] = kNaN;
      monetary[c] = repeat_monetary[c] = kNaN;
      continue;
    }
    const double end = static_cast<double>(cal_days - 1);
    first_purchase[c] = format_day(out.first_day + static_cast<std::int32_t>(first));
    last_purchase[c] = format_day(out.first_day + static_cast<std::int32_t>(last));
    frequency[c] = n - 1;  // repeat purchase days
    recency_days[c] = end - static_cast<double>(last);
    tenure_days[c] = end - static_cast<double>(first);
    t_x[c] = static_cast<double>(last - first) / kDaysPerWeek;
    t_cal[c] = tenure_days[c] / kDaysPerWeek;
    monetary[c] = total / n;
    repeat_monetary[c] = n > 1 ? (total - first_spend) / (n - 1) : kNaN;
  }
  const auto r = quintile_scores(recency_days, active, false);
  const auto f = quintile_scores(purchases, active, true);
  const auto m = quintile_scores(monetary, active, true);
  std::vector<std::string> segment(customers);
  std::vector<double> rfm(customers);
  for (std::size_t c = 0; c < customers; ++c) {
    rfm[c] = r[c] + f[c] + m[c];
    segment[c] = active[c] ? "R" + std::to_string(static_cast<int>(r[c])) + "F" +
                                 std::to_string(static_cast<int>(f[c])) + "M" +
                                 std::to_string(static_cast<int>(m[c]))
                           : "none";
  }

  auto& cols = out.table.columns;
  cols.push_back(strings("customer_id", ids));
  cols.push_back(strings("first_purchase", std::move(first_purchase)));
  cols.push_back(strings("last_purchase", std::move(last_purchase)));
  cols.push_back(numbers("purchases", std::move(purchases)));
  cols.push_back(numbers("frequency", std::move(frequency)));
  cols.push_back(numbers("recency_days", std::move(recency_days)));
  cols.push_back(numbers("tenure_days", std::move(tenure_days)));
  cols.push_back(numbers("t_x_weeks", std::move(t_x)));
  cols.push_back(numbers("t_cal_weeks", std::move(t_cal)));
  cols.push_back(numbers("monetary", std::move(monetary)));
  cols.push_back(numbers("repeat_monetary", std::move(repeat_monetary)));
  cols.push_back(numbers("total_spend", std::move(total_spend)));
  cols.push_back(numbers("returned_value", std::move(returned)));
  cols.push_back(numbers("holdout_purchases", std::move(holdout_purchases)));
  cols.push_back(numbers("holdout_spend", std::move(holdout_spend)));
  cols.push_back(numbers("sends", std::move(sends)));
  cols.push_back(numbers("opens", std::move(opens)));
  cols.push_back(numbers("clicks", std::move(clicks)));
  cols.push_back(numbers("open_rate", std::move(open_rate)));
  cols.push_back(numbers("click_rate", std::move(click_rate)));
  cols.push_back(numbers("r_score", r));
  cols.push_back(numbers("f_score", f));
  cols.push_back(numbers("m_score", m));
  cols.push_back(numbers("rfm_score", std::move(rfm)));
  cols.push_back(strings("rfm_segment", std::move(segment)));
  out.sequences.push_back({"daily_purchases", days, std::move(daily)});
  out.sequences.push_back({"weekly_purchases", weeks, std::move(weekly)});
  return out;
}

}  // namespace mirror::ingest
