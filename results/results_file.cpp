// The HDF5 results file; layout in docs/results-format.md.
#include "mirror/results/results_file.hpp"

#include "h5_io.hpp"

#include <algorithm>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <functional>

namespace mirror::results {

namespace {

using namespace h5;

void write_meta(H5::H5File& file, const RunResults& r) {
  auto meta = file.createGroup("/meta");
  const auto& m = r.meta;
  string_attribute(meta, "scenario_path", m.scenario_path);
  string_attribute(meta, "scenario_text", m.scenario_text);
  string_attribute(meta, "scenario_sha256", m.scenario_sha256);
  string_attribute(meta, "scenario_name", m.scenario_name);
  string_attribute(meta, "version", m.version);
  string_attribute(meta, "git_commit", m.git_commit);
  string_attribute(meta, "design", m.design);
  string_attribute(meta, "control_arm", m.control_arm);
  string_attribute(meta, "written_at", utc_now());
  number_attribute(meta, "seed", H5::PredType::NATIVE_UINT64, m.seed);
  number_attribute(meta, "threads", kI32, static_cast<std::int32_t>(m.threads));
  number_attribute(meta, "shards", kI32, static_cast<std::int32_t>(m.shards));
  number_attribute(meta, "wall_time_s", kF64, m.wall_time_s);
  number_attribute(meta, "horizon_days", kI32, m.horizon_days);
  number_attribute(meta, "population", kU32, m.population);
  std::vector<std::string> arms;
  for (const auto& a : r.arms) arms.push_back(a.name);
  strings_attribute(meta, "arms", arms);

  auto world = file.createGroup("/meta/world");
  const auto& w = r.world;
  number_attribute(world, "contact_lift", kF64, w.contact_lift);
  number_attribute(world, "annoyance_penalty", kF64, w.annoyance_penalty);
  number_attribute(world, "annoyed_multiplier", kF64, w.annoyed_multiplier);
  number_attribute(world, "fatigue_half_life_days", kF64, w.fatigue_half_life_days);
  number_attribute(world, "fatigue_strength", kF64, w.fatigue_strength);
  number_attribute(world, "unsubscribe_fatigue", kF64, w.unsubscribe_fatigue);
  number_attribute(world, "heterogeneity", kF64, w.heterogeneity);
  number_attribute(world, "gross_margin", kF64, w.gross_margin);
  doubles_attribute(world, "unsubscribe_rate",
                    {w.unsubscribe_rate[0], w.unsubscribe_rate[1], w.unsubscribe_rate[2]});
  strings_attribute(world, "channels", {"email", "sms", "push"});

  auto seg = file.createGroup("/meta/world/segments");
  const auto& s = w.segments;
  using S = core::SegmentSpec;
  string_column(seg, "name", s, [](const S& x) { return x.name; });
  typed_column(seg, "share", kF64, s, [](const S& x) { return x.share; });
  typed_column(seg, "visit_rate", kF64, s, [](const S& x) { return x.visit_rate; });
  typed_column(seg, "purchase_rate", kF64, s, [](const S& x) { return x.purchase_rate; });
  typed_column(seg, "spend_mean", kF64, s, [](const S& x) { return x.spend_mean; });
  typed_column(seg, "spend_sigma", kF64, s, [](const S& x) { return x.spend_sigma; });
  typed_column(seg, "notice_rate_email", kF64, s, [](const S& x) { return x.notice_rate[0]; });
  typed_column(seg, "notice_rate_sms", kF64, s, [](const S& x) { return x.notice_rate[1]; });
  typed_column(seg, "notice_rate_push", kF64, s, [](const S& x) { return x.notice_rate[2]; });
  typed_column(seg, "offer_sensitivity", kF64, s, [](const S& x) { return x.offer_sensitivity; });
  typed_column(seg, "persuadable_share", kF64, s, [](const S& x) { return x.persuadable_share; });
  typed_column(seg, "annoyed_share", kF64, s, [](const S& x) { return x.annoyed_share; });
  typed_column(seg, "churn_rate", kF64, s, [](const S& x) { return x.churn_rate; });
}

void write_arm(H5::H5File& file, const ArmResult& arm) {
  file.createGroup("/arms/" + arm.name);
  auto daily = file.createGroup("/arms/" + arm.name + "/daily");
  const auto& d = arm.daily;
  using D = DailyTotals;
  const auto money = [](core::Micros m) { return core::from_micros(m); };
  typed_column(daily, "day", kI32, d, [](const D& x) { return x.day; });
  typed_column(daily, "revenue", kF64, d, [&](const D& x) { return money(x.revenue); });
  typed_column(daily, "margin", kF64, d, [&](const D& x) { return money(x.margin); });
  typed_column(daily, "cost", kF64, d, [&](const D& x) { return money(x.cost); });
  typed_column(daily, "visits", kI64, d, [](const D& x) { return x.visits; });
  typed_column(daily, "conversions", kI64, d, [](const D& x) { return x.conversions; });
  typed_column(daily, "contacts", kI64, d, [](const D& x) { return x.contacts; });
  typed_column(daily, "contacts_email", kI64, d, [](const D& x) { return x.contacts_by_channel[0]; });
  typed_column(daily, "contacts_sms", kI64, d, [](const D& x) { return x.contacts_by_channel[1]; });
  typed_column(daily, "contacts_push", kI64, d, [](const D& x) { return x.contacts_by_channel[2]; });
  typed_column(daily, "notices", kI64, d, [](const D& x) { return x.notices; });
  typed_column(daily, "unsubscribes", kI64, d, [](const D& x) { return x.unsubscribes; });
  typed_column(daily, "churned", kI64, d, [](const D& x) { return x.churned; });
  typed_column(daily, "active", kI64, d, [](const D& x) { return x.active; });
  typed_column(daily, "blocked_by_caps", kI64, d, [](const D& x) { return x.blocked_by_caps; });
  typed_column(daily, "blocked_by_consent", kI64, d, [](const D& x) { return x.blocked_by_consent; });
  typed_column(daily, "blocked_by_budget", kI64, d, [](const D& x) { return x.blocked_by_budget; });
  typed_column(daily, "blocked_by_rules", kI64, d, [](const D& x) { return x.blocked_by_rules; });

  auto customers = file.createGroup("/arms/" + arm.name + "/customers");
  const auto& c = arm.customers;
  using C = CustomerResult;
  typed_column(customers, "customer_id", H5::PredType::NATIVE_UINT64, c,
               [](const C& x) { return x.customer_id; });
  typed_column(customers, "segment", kI32, c, [](const C& x) { return x.segment; });
  typed_column(customers, "effect_type", kI32, c, [](const C& x) { return x.effect_type; });
  typed_column(customers, "revenue", kF64, c, [&](const C& x) { return money(x.revenue); });
  typed_column(customers, "margin", kF64, c, [&](const C& x) { return money(x.margin); });
  typed_column(customers, "cost", kF64, c, [&](const C& x) { return money(x.cost); });
  typed_column(customers, "profit", kF64, c, [](const C& x) { return x.profit(); });
  typed_column(customers, "visits", kU32, c, [](const C& x) { return x.visits; });
  typed_column(customers, "conversions", kU32, c, [](const C& x) { return x.conversions; });
  typed_column(customers, "contacts", kU32, c, [](const C& x) { return x.contacts; });
  typed_column(customers, "unsubscribes", kU32, c, [](const C& x) { return x.unsubscribes; });
  typed_column(customers, "active_at_end", H5::PredType::NATIVE_UINT8, c,
               [](const C& x) { return x.active_at_end; });
  if (!c.empty() && !std::isnan(c.front().expected_margin))
    typed_column(customers, "expected_profit", kF64, c,
                 [](const C& x) { return x.expected_profit(); });

  auto group = file.openGroup("/arms/" + arm.name);
  string_attribute(group, "policy", arm.policy);
  number_attribute(group, "budget_exhausted_day", kI32, arm.budget_exhausted_day);
  auto decisions = file.createGroup("/arms/" + arm.name + "/decisions");
  number_attribute(decisions, "days_logged", kI32, arm.decisions_days_logged);
  number_attribute(decisions, "truncated", H5::PredType::NATIVE_UINT8,
                   static_cast<std::uint8_t>(arm.decisions_truncated ? 1 : 0));
  std::vector<std::string> statuses;
  for (int k = 0; k < core::kDecisionStatusCount; ++k)
    statuses.emplace_back(core::decision_status_name(static_cast<core::DecisionStatus>(k)));
  strings_attribute(decisions, "status_names", statuses);
  const auto& r = arm.decisions;
  using R = core::DecisionRecord;
  typed_column(decisions, "customer_id", H5::PredType::NATIVE_UINT64, r,
               [](const R& x) { return x.customer_id; });
  typed_column(decisions, "day", kI32, r, [](const R& x) { return x.day; });
  typed_column(decisions, "channel", kI32, r, [](const R& x) { return std::int32_t{x.channel}; });
  typed_column(decisions, "message", kI32, r, [](const R& x) { return std::int32_t{x.message}; });
  typed_column(decisions, "offer", kI32, r, [](const R& x) { return std::int32_t{x.offer}; });
  typed_column(decisions, "propensity", kF64, r,
               [](const R& x) { return x.propensity; });
  typed_column(decisions, "status", kU8, r,
               [](const R& x) { return static_cast<std::uint8_t>(x.status); });
  typed_column(decisions, "cost", kF64, r, [&](const R& x) { return money(x.cost); });
}

void write_summary(H5::H5File& file, const std::vector<SummaryRow>& rows) {
  auto g = file.createGroup("/summary");
  using R = SummaryRow;
  string_column(g, "arm", rows, [](const R& x) { return x.arm; });
  string_column(g, "metric", rows, [](const R& x) { return x.metric; });
  typed_column(g, "n", kI64, rows, [](const R& x) { return x.n; });
  typed_column(g, "mean", kF64, rows, [](const R& x) { return x.mean; });
  typed_column(g, "ci_low", kF64, rows, [](const R& x) { return x.ci_low; });
  typed_column(g, "ci_high", kF64, rows, [](const R& x) { return x.ci_high; });
  typed_column(g, "uplift", kF64, rows, [](const R& x) { return x.uplift; });
  typed_column(g, "uplift_ci_low", kF64, rows, [](const R& x) { return x.uplift_ci_low; });
  typed_column(g, "uplift_ci_high", kF64, rows, [](const R& x) { return x.uplift_ci_high; });
}

// /qini: one row per ranking arm; the curves under /arms/<arm>/qini.
void write_qini(H5::H5File& file, const std::vector<ArmQini>& rows) {
  if (rows.empty()) return;
  for (const auto& q : rows) {
    auto g = file.createGroup("/arms/" + q.arm + "/qini");
    column(g, "share", kF64, q.truth.share.data(), q.truth.share.size());
    column(g, "true_uplift", kF64, q.truth.uplift.data(), q.truth.uplift.size());
    column(g, "perfect_uplift", kF64, q.perfect.uplift.data(), q.perfect.uplift.size());
    column(g, "realized_share", kF64, q.realized.share.data(), q.realized.share.size());
    column(g, "realized_uplift", kF64, q.realized.uplift.data(), q.realized.uplift.size());
  }
  auto g = file.createGroup("/qini");
  using Q = ArmQini;
  string_column(g, "arm", rows, [](const Q& x) { return x.arm; });
  string_column(g, "score", rows, [](const Q& x) { return x.score; });
  typed_column(g, "auuc_true", kF64, rows, [](const Q& x) { return x.truth.auuc; });
  typed_column(g, "auuc_perfect", kF64, rows, [](const Q& x) { return x.perfect.auuc; });
  typed_column(g, "auuc_random", kF64, rows, [](const Q& x) { return x.truth.random_auuc; });
  typed_column(g, "auuc_realized", kF64, rows, [](const Q& x) { return x.realized.auuc; });
  typed_column(g, "auuc_realized_random", kF64, rows,
               [](const Q& x) { return x.realized.random_auuc; });
}

void write_true_value(H5::H5File& file, const std::vector<TrueValue>& rows) {
  if (rows.empty()) return;
  auto g = file.createGroup("/true_value");
  using T = TrueValue;
  string_column(g, "arm", rows, [](const T& x) { return x.arm; });
  typed_column(g, "replications", kI32, rows,
               [](const T& x) { return static_cast<std::int32_t>(x.replications); });
  typed_column(g, "value", kF64, rows, [](const T& x) { return x.value; });
  typed_column(g, "value_se", kF64, rows, [](const T& x) { return x.value_se; });
  typed_column(g, "uplift", kF64, rows, [](const T& x) { return x.uplift; });
  typed_column(g, "uplift_se", kF64, rows, [](const T& x) { return x.uplift_se; });
  typed_column(g, "run_value", kF64, rows, [](const T& x) { return x.run_value; });
  typed_column(g, "run_error", kF64, rows, [](const T& x) { return x.run_error; });
  typed_column(g, "run_uplift", kF64, rows, [](const T& x) { return x.run_uplift; });
  typed_column(g, "run_uplift_error", kF64, rows, [](const T& x) { return x.run_uplift_error; });
  typed_column(g, "run_expected_value", kF64, rows, [](const T& x) { return x.run_expected_value; });
  typed_column(g, "run_expected_error", kF64, rows, [](const T& x) { return x.run_expected_error; });
}

}  // namespace

void write_decisions_csv(const RunResults& results, const DecisionNames& names,
                         const std::string& path) {
  namespace fs = std::filesystem;
  const std::string tmp = path + ".tmp";
  {
    std::FILE* out = std::fopen(tmp.c_str(), "w");
    if (out == nullptr) throw ResultsFileError(path + ": cannot write the decision log");
    std::fputs("customer_id,timestamp,arm,policy,channel,message,offer,propensity,cost\n", out);
    const auto name = [](const std::vector<std::string>& list, int i) -> const char* {
      return i >= 0 && static_cast<std::size_t>(i) < list.size() ? list[i].c_str() : "";
    };
    const char* channels[] = {"email", "sms", "push"};
    // Rows in day order across arms, as a production log would be.
    std::int32_t last_day = -1;
    for (const auto& arm : results.arms)
      for (const auto& d : arm.decisions) last_day = std::max(last_day, d.day);
    std::vector<std::size_t> at(results.arms.size(), 0);
    for (std::int32_t day = 0; day <= last_day; ++day) {
      char date[32];
      const auto t = names.start + static_cast<std::int64_t>(day) * core::kSecondsPerDay;
      const std::time_t tt = static_cast<std::time_t>(t);
      std::tm tm{};
      gmtime_r(&tt, &tm);
      std::strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", &tm);
      for (std::size_t a = 0; a < results.arms.size(); ++a) {
        const auto& arm = results.arms[a];
        auto& i = at[a];
        for (; i < arm.decisions.size() && arm.decisions[i].day == day; ++i) {
          const auto& d = arm.decisions[i];
          if (d.status != core::DecisionStatus::delivered) continue;  // not taken
          std::fprintf(out, "%llu,%s,%s,%s,%s,%s,%s,%.15g,%.6f\n",
                       static_cast<unsigned long long>(d.customer_id), date, arm.name.c_str(),
                       arm.policy.c_str(), d.channel >= 0 ? channels[d.channel] : "",
                       name(names.messages, d.message), name(names.offers, d.offer),
                       d.propensity, core::from_micros(d.cost));
        }
      }
    }
    const bool ok = std::fflush(out) == 0 && !std::ferror(out);
    std::fclose(out);
    if (!ok) {
      std::error_code ec;
      fs::remove(tmp, ec);
      throw ResultsFileError(path + ": cannot write the decision log");
    }
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) throw ResultsFileError(path + ": " + ec.message());
}

void write_results_file(const RunResults& results, const std::string& path) {
  h5::write_file_atomically(path, "results", [&](H5::H5File& file) {
    write_meta(file, results);
    file.createGroup("/arms");
    for (std::size_t a = 0; a < results.arms.size(); ++a) {
      const auto& arm = results.arms[a];
      write_arm(file, arm);
      if (!is_online_learner(arm.policy)) continue;
      const auto curve = regret_curve(results.arms, a);
      auto g = file.createGroup("/arms/" + arm.name + "/regret");
      string_attribute(g, "best_fixed_arm", curve.best_fixed_arm);
      column(g, "reward", kF64, curve.reward.data(), curve.reward.size());
      column(g, "best_fixed_reward", kF64, curve.best_reward.data(), curve.best_reward.size());
      column(g, "cumulative_regret", kF64, curve.cumulative_regret.data(),
             curve.cumulative_regret.size());
    }
    write_summary(file, results.summary);
    write_qini(file, results.qini);
    write_true_value(file, results.true_value);
  });
}

namespace {
template <class T>
T read_from(const std::string& path, const std::string& what,
            const std::function<T(H5::H5File&)>& body) {
  T out{};
  h5::read_file(path, what, [&](H5::H5File& f) { out = body(f); });
  return out;
}
}  // namespace

std::vector<double> read_column(const std::string& path, const std::string& dataset) {
  return read_from<std::vector<double>>(path, dataset, [&](H5::H5File& f) {
    return h5::read_numbers<double>(f.openDataSet(dataset), h5::kF64);
  });
}

std::vector<std::string> read_strings(const std::string& path, const std::string& dataset) {
  return read_from<std::vector<std::string>>(
      path, dataset, [&](H5::H5File& f) { return h5::read_strings(f.openDataSet(dataset)); });
}

std::string read_string_attribute(const std::string& path, const std::string& object,
                                  const std::string& attribute) {
  return read_from<std::string>(path, object + "@" + attribute, [&](H5::H5File& f) {
    return h5::read_string_attribute(f.openGroup(object), attribute);
  });
}

std::int64_t read_integer_attribute(const std::string& path, const std::string& object,
                                    const std::string& attribute) {
  return read_from<std::int64_t>(path, object + "@" + attribute, [&](H5::H5File& f) {
    std::int64_t value = 0;
    f.openGroup(object).openAttribute(attribute).read(h5::kI64, &value);
    return value;
  });
}

std::vector<std::string> list_group(const std::string& path, const std::string& group) {
  return read_from<std::vector<std::string>>(path, group, [&](H5::H5File& f) {
    auto g = f.openGroup(group);
    std::vector<std::string> names;
    for (hsize_t i = 0; i < g.getNumObjs(); ++i) names.push_back(g.getObjnameByIdx(i));
    std::sort(names.begin(), names.end());
    return names;
  });
}

}  // namespace mirror::results
