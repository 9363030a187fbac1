// `mirror validate`: a behaviour model's holdout forecasts against what customers did.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <functional>
#include <iostream>
#include <map>
#include <unordered_map>

#include "command.hpp"
#include "lcm_customers.hpp"
#include "mirror/scenario/load_world.hpp"
#include "mirror/results/correlation.hpp"
#include "mirror/ingest/ingest.hpp"
#include "mirror/ingest/profile.hpp"
#include "mirror/results/results_file.hpp"
#include "mirror/results/table_file.hpp"
#include "mirror/twins/btyd_validation.hpp"
#include "mirror/twins/lcm_logged.hpp"
#include "mirror/twins/lcm_validation.hpp"

namespace mirror::cli {

namespace po = boost::program_options;

namespace {

results::Table::Column numbers(std::string name, std::vector<double> values) {
  return {std::move(name), std::move(values), {}};
}

void print_validation(const twins::BtydValidation& v, const std::string& model) {
  std::printf("holdout (%.0f days) repeat purchases of %lld customers: actual %.0f, %s %.1f (%+.1f%%)\n",
              v.holdout_days, static_cast<long long>(v.customers), v.holdout_actual,
              model.c_str(), v.holdout_expected,
              100.0 * (v.holdout_expected - v.holdout_actual) / std::max(1.0, v.holdout_actual));
  std::printf("per customer: MAE %.3f, RMSE %.3f\n\n", v.mae, v.rmse);
  std::printf("by calibration frequency x   customers   actual mean   model mean\n");
  for (std::size_t b = 0; b < v.by_x_customers.size(); ++b) {
    if (v.by_x_customers[b] == 0) continue;
    const bool last = b + 1 == v.by_x_customers.size();
    std::printf("  %2zu%-26s %9.0f %13.3f %12.3f\n", b, last ? "+" : "", v.by_x_customers[b],
                v.by_x_actual[b], v.by_x_expected[b]);
  }
  std::printf("\ncumulative repeat purchases by week   actual      model\n");
  const std::size_t weeks = v.tracking_actual.size();
  for (std::size_t w = 0; w < weeks; ++w) {
    const bool shown = (w + 1) % 13 == 0 || w + 1 == weeks ||
                       static_cast<std::int32_t>(w + 1) == v.calibration_weeks;
    if (!shown) continue;
    std::printf("  week %3zu%s %27.0f %10.1f\n", w + 1,
                static_cast<std::int32_t>(w + 1) == v.calibration_weeks ? " (calibration end)" : "                  ",
                v.tracking_actual[w], v.tracking_model[w]);
  }
}

void store_validation(const std::string& path, const twins::BtydValidation& v,
                      const twins::BtydScoreReport& fit) {
  results::Table summary;
  summary.columns.push_back({"metric", {}, {"customers", "holdout_days", "holdout_actual",
                                            "holdout_expected", "mae", "rmse", "log_likelihood"}});
  const double ll = fit.model == "bg_nbd" ? fit.bg_nbd.log_likelihood : fit.pareto_nbd.log_likelihood;
  summary.columns.push_back(numbers("value", {static_cast<double>(v.customers), v.holdout_days,
                                              v.holdout_actual, v.holdout_expected, v.mae, v.rmse, ll}));
  results::write_store_table(path, "/validation/" + fit.model + "/summary", summary);
  results::Table tracking;
  std::vector<double> week(v.tracking_actual.size());
  for (std::size_t w = 0; w < week.size(); ++w) week[w] = static_cast<double>(w + 1);
  tracking.columns.push_back(numbers("week", week));
  tracking.columns.push_back(numbers("actual_cumulative", v.tracking_actual));
  tracking.columns.push_back(numbers("model_cumulative", v.tracking_model));
  results::write_store_table(path, "/validation/" + fit.model + "/tracking", tracking);
  results::Table by_x;
  std::vector<double> x(v.by_x_customers.size());
  for (std::size_t b = 0; b < x.size(); ++b) x[b] = static_cast<double>(b);
  by_x.columns.push_back(numbers("calibration_frequency", x));
  by_x.columns.push_back(numbers("customers", v.by_x_customers));
  by_x.columns.push_back(numbers("actual_mean", v.by_x_actual));
  by_x.columns.push_back(numbers("model_mean", v.by_x_expected));
  results::write_store_table(path, "/validation/" + fit.model + "/by_frequency", by_x);
}

void print_scores_side_by_side(const twins::HoldoutScores& lcm, const twins::HoldoutScores& btyd,
                               const std::string& baseline) {
  std::printf("%-34s %12s %12s\n", "holdout metric", "LCM", baseline.c_str());
  const auto row = [](const char* name, double a, double b) {
    std::printf("%-34s %12.4f %12.4f\n", name, a, b);
  };
  row("customers", lcm.customers, btyd.customers);
  row("repeat purchases: actual", lcm.actual_total, btyd.actual_total);
  row("repeat purchases: forecast", lcm.forecast_total, btyd.forecast_total);
  row("per-customer MAE", lcm.mae, btyd.mae);
  row("per-customer RMSE", lcm.rmse, btyd.rmse);
  row("next-30-day purchase log-loss", lcm.log_loss_30d, btyd.log_loss_30d);
  row("next-30-day purchase AUC", lcm.auc_30d, btyd.auc_30d);
  row("churn (silent 90 days) accuracy", lcm.churn_accuracy, btyd.churn_accuracy);
  row("churn precision", lcm.churn_precision, btyd.churn_precision);
  row("churn recall", lcm.churn_recall, btyd.churn_recall);
  row("churn F1", lcm.churn_f1, btyd.churn_f1);
  std::printf("\ncalibration of P(purchase in 30 days) by decile: predicted / actual\n");
  for (int d = 0; d < 10; ++d)
    std::printf("  decile %2d   LCM %.3f / %.3f   %s %.3f / %.3f\n", d + 1, lcm.decile_predicted[d],
                lcm.decile_actual[d], baseline.c_str(), btyd.decile_predicted[d], btyd.decile_actual[d]);
}

results::Table scores_table(const twins::HoldoutScores& s) {
  results::Table t;
  t.columns.push_back({"metric", {}, {"customers", "actual_total", "forecast_total", "mae", "rmse",
                                      "log_loss_30d", "auc_30d", "churn_accuracy", "churn_precision",
                                      "churn_recall", "churn_f1"}});
  t.columns.push_back(numbers("value", {s.customers, s.actual_total, s.forecast_total, s.mae, s.rmse,
                                        s.log_loss_30d, s.auc_30d, s.churn_accuracy, s.churn_precision,
                                        s.churn_recall, s.churn_f1}));
  return t;
}

// The LCM's same-day effect of the log's own contacts beside the log's randomised contrast
// (twins/lcm_logged.hpp), per group of customers (group_names; -1 = in no group) and pooled;
// printed, stored at `table_path` and returned. `rename` maps a contact's
// "channel/message/offer" to the name to show (empty: the label itself). Prints nothing and
// returns an empty table when the log has no contact on a day the model covers; says so and
// returns one for a weekly model (a week's contacts are one step to it).
results::Table report_logged_effects(const twins::LcmArtifact& model, const twins::LcmSequences& data,
                                     const results::StoreReader& store, const std::string& store_path,
                                     const std::vector<int>& group_of_customer,
                                     const std::vector<std::string>& group_names,
                                     const std::function<std::string(const std::string&)>& rename,
                                     const std::string& table_path) {
  if (data.step_days != 1) {
    std::printf("\n(the log's same-day contrasts need a model of daily steps)\n");
    return {};
  }
  const auto decisions = store.read_decisions();
  const auto logged = twins::lcm_logged_decisions(model, data, decisions, 2);
  const auto rows = twins::lcm_logged_effects(logged, decisions, group_of_customer,
                                              static_cast<int>(group_names.size()));
  results::Table t;
  if (std::none_of(rows.begin(), rows.end(), [](const auto& r) { return r.channel >= 0; })) return t;
  const auto channels = store.dictionary("channel"), messages = store.dictionary("message"),
             offers = store.dictionary("offer");
  const auto name = [](const std::vector<std::string>& dictionary, std::int32_t id) {
    return id >= 0 ? dictionary[id] : std::string();
  };
  std::printf("\nSame-day effect of the log's own contacts, on its decision days after each customer's first event:\n"
              "the LCM's P(purchase) (revenue) with the contact minus without it, beside the log's randomised\n"
              "contrast: the purchase rate (revenue per decision) on those days minus the one on the 'none'\n"
              "decision days of customers the channel reached in the log, +- one standard error. The 'none'\n"
              "rows hold the model's base on the 'none' days (LCM rate) against what happened (actual).\n");
  std::printf("%-10s %-32s %9s %11s %13s %9s %9s %9s %10s %16s\n", "segment", "action", "contacts", "LCM d purch",
              "log d purch", "+- s.e.", "LCM rate", "actual", "LCM d rev", "log d rev +- s.e.");
  std::vector<std::string> segment, action;
  std::vector<double> contacts, uplift, contrast, se, lcm_rate, actual, nones, none_rate, revenue_uplift,
      revenue_contrast, revenue_se, pooled_uplift, pooled_contrast;
  for (const auto& r : rows) {
    const std::string label = r.channel < 0 ? "none"
                                            : name(channels, r.channel) + "/" + name(messages, r.message) + "/" +
                                                  name(offers, r.offer);
    const std::string renamed = rename(label), shown = renamed.empty() ? label : renamed;
    segment.push_back(r.group < 0 ? "all" : group_names[r.group]);
    action.push_back(shown);
    contacts.push_back(r.contacts);
    uplift.push_back(r.lcm_uplift);
    contrast.push_back(r.contrast);
    se.push_back(r.contrast_se);
    lcm_rate.push_back(r.lcm_rate);
    actual.push_back(r.actual_rate);
    nones.push_back(r.none_decisions);
    none_rate.push_back(r.none_rate);
    revenue_uplift.push_back(r.lcm_revenue_uplift);
    revenue_contrast.push_back(r.revenue_contrast);
    revenue_se.push_back(r.revenue_contrast_se);
    if (r.channel >= 0 && (r.group < 0 || group_names.size() == 1)) {
      pooled_uplift.push_back(r.lcm_uplift);
      pooled_contrast.push_back(r.contrast);
    }
    char log_purchases[32] = "            -         -", log_revenue[32] = "        -";
    if (!std::isnan(r.contrast)) {
      std::snprintf(log_purchases, sizeof log_purchases, "%+13.5f %9.5f", r.contrast, r.contrast_se);
      std::snprintf(log_revenue, sizeof log_revenue, "%+9.4f %6.4f", r.revenue_contrast, r.revenue_contrast_se);
    }
    std::printf("%-10s %-32s %9.0f %11.5f %s %9.5f %9.5f %10.4f %s\n", segment.back().c_str(), shown.c_str(),
                r.contacts, r.lcm_uplift, log_purchases, r.lcm_rate, r.actual_rate, r.lcm_revenue_uplift, log_revenue);
  }
  // Mostly the strong contacts' rows decide it: their contrasts have the smallest errors.
  std::printf("Scale of the LCM's purchase uplifts on the log's contrasts, all customers (slope through 0; "
              "1 = the same size): %.3f\n", results::slope_through_origin(pooled_contrast, pooled_uplift));
  t.columns.push_back({"segment", {}, segment});
  t.columns.push_back({"action", {}, action});
  t.columns.push_back(numbers("contacts", contacts));
  t.columns.push_back(numbers("lcm_uplift", uplift));
  t.columns.push_back(numbers("log_contrast", contrast));
  t.columns.push_back(numbers("log_contrast_se", se));
  t.columns.push_back(numbers("lcm_rate", lcm_rate));
  t.columns.push_back(numbers("actual_rate", actual));
  t.columns.push_back(numbers("none_decisions", nones));
  t.columns.push_back(numbers("none_rate", none_rate));
  t.columns.push_back(numbers("lcm_revenue_uplift", revenue_uplift));
  t.columns.push_back(numbers("log_revenue_contrast", revenue_contrast));
  t.columns.push_back(numbers("log_revenue_contrast_se", revenue_se));
  results::write_store_table(store_path, table_path, t);
  return t;
}

// `mirror validate --model MODEL.lcm STORE`: the LCM and BG/NBD side by side.
int validate_lcm(const std::string& model_path, const std::string& store_path,
                 const ingest::ProfileOptions& profile_options, int rollouts, std::uint64_t seed,
                 std::optional<int> sample) {
  const results::StoreReader store(store_path);
  auto profiles = ingest::build_profiles(store, profile_options);
  if (profiles.last_day <= profiles.calibration_end_day)
    throw std::invalid_argument(store_path + " has no holdout after " +
                                ingest::format_day(profiles.calibration_end_day));
  const auto model = twins::load_lcm(model_path);
  twins::LcmReadOptions read;
  read.calibration_end_day = profiles.calibration_end_day;
  read.step_days = model.config.step_days;
  const auto customers = choose_lcm_customers(store, sample, seed, twins::lcm_bytes_per_customer_day(false));
  if (customers.sampled()) read.customers = &customers.indices;
  const auto data = twins::read_lcm_sequences(store, read);
  if (data.data_sha256 == model.data_sha256)
    std::printf("note: the model was trained on this store's data (holdout days excluded)\n");
  if (data.days == data.calibration_days)
    throw std::invalid_argument(store_path + " has no whole week of holdout after " +
                                ingest::format_day(profiles.calibration_end_day) + " for a weekly model");
  // A weekly model's holdout is its whole weeks and its windows are whole weeks; the baseline
  // is scored over the same days.
  const int step = data.step_days;
  const double days_30 = twins::lcm_window_steps(step, 30) * step, days_90 = twins::lcm_window_steps(step, 90) * step;
  const std::int32_t last_day = data.end_day() - 1;
  const auto fit = twins::add_btyd_scores(profiles.table, {});
  const auto actual = twins::lcm_holdout_actual(data);
  const auto lcm = twins::lcm_forecast(model, data, rollouts, seed, 2);
  auto btyd = twins::btyd_forecast(profiles.table, fit, last_day - profiles.calibration_end_day, days_30, days_90);
  if (customers.sampled()) btyd = twins::holdout_rows(btyd, customers.indices);  // the same customers as the LCM's
  std::vector<bool> include(data.size());
  for (std::size_t c = 0; c < include.size(); ++c) include[c] = !std::isnan(btyd.purchases[c]);
  const auto lcm_scores = twins::score_holdout(lcm, actual, include);
  const auto btyd_scores = twins::score_holdout(btyd, actual, include);
  std::printf("%s: calibration to %s, holdout to %s; LCM %s (%d rollouts)\n", store_path.c_str(),
              ingest::format_day(profiles.calibration_end_day).c_str(), ingest::format_day(last_day).c_str(),
              model_path.c_str(), rollouts);
  if (step != 1)
    std::printf("weekly steps: the holdout is %d whole weeks; the 30-day scores are over %.0f days, churn over %.0f "
                "(both models)\n",
                data.days - data.calibration_days, days_30, days_90);
  std::printf("\n");
  print_scores_side_by_side(lcm_scores, btyd_scores, "BG/NBD");
  results::write_store_table(store_path, "/validation/lcm/summary", scores_table(lcm_scores));
  results::write_store_table(store_path, "/validation/lcm/bg_nbd_summary", scores_table(btyd_scores));
  report_logged_effects(model, data, store, store_path, std::vector<int>(data.size(), 0), {"all"},
                        [](const std::string&) { return std::string(); }, "/validation/lcm/logged_contacts");
  std::printf("\nwritten to %s:/validation/lcm\n", store_path.c_str());
  return kOk;
}

// Rows of per-segment means (true and predicted purchases and revenue), printed as they are
// added and stored as one table.
struct SegmentMeans {
  SegmentMeans(const char* label, const char* tp, const char* pp, const char* tr, const char* pr) {
    std::printf("%-10s %-28s %9s %13s %13s %13s %13s\n", "segment", label, "customers", tp, pp, tr, pr);
  }
  void add(const std::string& s, const std::string& a, double n, std::array<double, 4> v) {
    segment.push_back(s);
    action.push_back(a);
    customers.push_back(n);
    for (int k = 0; k < 4; ++k) values[k].push_back(v[k]);
    std::printf("%-10s %-28s %9.0f %13.5f %13.5f %13.4f %13.4f\n", s.c_str(), a.c_str(), n, v[0], v[1], v[2], v[3]);
  }
  // Columns segment, customers and the four means, their names ending in `suffix`.
  results::Table table(const std::string& suffix) const {
    results::Table t;
    t.columns.push_back({"segment", {}, segment});
    t.columns.push_back(numbers("customers", customers));
    const char* names[] = {"true_purchases", "predicted_purchases", "true_revenue", "predicted_revenue"};
    for (int k = 0; k < 4; ++k) t.columns.push_back(numbers(names[k] + suffix, values[k]));
    return t;
  }
  std::vector<std::string> segment, action;
  std::vector<double> customers;
  std::array<std::vector<double>, 4> values;  // true and predicted purchases, true and predicted revenue
};

// A truth.h5 of another world, or of another run of the same one, starts the same day and
// would give numbers all the same. Its decisions per day are the log's fingerprint: they must
// be the store's.
void check_truth_is_the_stores(const std::string& truth_path, const std::string& store_path, std::int32_t first_day) {
  const auto daily = results::read_store_table(truth_path, "/checks/daily");
  const auto& day = daily.numbers("day");
  const auto& decisions = daily.numbers("decisions");
  std::map<std::int32_t, std::int64_t> in_store;  // calendar day -> decisions
  for (double t : results::read_column(store_path, "/decisions/timestamp"))  // not the other columns
    ++in_store[core::day_of(static_cast<core::Timestamp>(t))];
  for (std::size_t i = 0; i < day.size(); ++i) {
    const auto d = first_day + static_cast<std::int32_t>(day[i]);
    const auto it = in_store.find(d);
    const std::int64_t stored = it == in_store.end() ? 0 : it->second;
    if (stored != static_cast<std::int64_t>(decisions[i]))
      throw std::invalid_argument(truth_path + " is not the truth of " + store_path + "'s log: on " +
                                  ingest::format_day(d) + " its world made " +
                                  with_commas(static_cast<std::int64_t>(decisions[i])) + " decisions, the store holds " +
                                  with_commas(stored) + " (give the truth.h5 that `mirror generate` wrote beside the "
                                  "events and decisions ingested into the store)");
    if (it != in_store.end()) in_store.erase(it);
  }
  if (!in_store.empty())
    throw std::invalid_argument(truth_path + " is not the truth of " + store_path + "'s log: the store holds " +
                                with_commas(in_store.begin()->second) + " decisions on " +
                                ingest::format_day(in_store.begin()->first) + ", a day its world did not log");
}

// `mirror validate --model MODEL.lcm --truth truth.h5 STORE`: on a generated world, the
// LCM's predicted uplift of every action over 'none' against the world's exact one, per
// segment. The store holds the world's logs (events and decisions); the prediction starts
// the day after them, where the truth's outcomes start.
int validate_lcm_uplift(const std::string& model_path, const std::string& store_path,
                        const std::string& truth_path, int rollouts, std::uint64_t seed, std::optional<int> sample) {
  const results::StoreReader store(store_path);
  const auto model = twins::load_lcm(model_path);
  twins::LcmReadOptions read;  // the whole log is history here
  read.calibration_end_day = core::day_of(store.meta().last_event);
  read.step_days = model.config.step_days;
  const auto chosen = choose_lcm_customers(store, sample, seed, twins::lcm_bytes_per_customer_day(false));
  if (chosen.sampled()) read.customers = &chosen.indices;
  const auto data = twins::read_lcm_sequences(store, read);
  const auto start = ingest::parse_date(results::read_text_attribute(truth_path, "/", "start_date"));
  const auto truth_day = static_cast<std::int32_t>(results::read_number_attribute(truth_path, "/", "truth_start_day"));
  const int horizon = static_cast<int>(results::read_number_attribute(truth_path, "/", "truth_horizon_days"));
  if (!start || core::day_of(*start) + truth_day != data.end_day())
    throw std::invalid_argument(truth_path + ": its outcomes do not start the day after " + store_path +
                                "'s data (" + ingest::format_day(data.end_day() - 1) + ")");
  check_truth_is_the_stores(truth_path, store_path, core::day_of(*start));

  // World actions as the LCM's inputs; row 0 is 'none'.
  const auto actions = results::read_store_table(truth_path, "/world/actions");
  const auto& names = actions.columns.at(0).strings;
  const auto column = [&](const std::string& name) -> const std::vector<std::string>& {
    for (const auto& c : actions.columns)
      if (c.name == name) return c.strings;
    throw std::invalid_argument(truth_path + ": /world/actions has no column " + name);
  };
  const auto& channels = column("channel");
  const auto& messages = column("campaign");
  const auto& offers = column("offer");
  const std::size_t A = names.size();
  std::vector<twins::LcmActionFeatures> features(A);
  for (std::size_t a = 0; a < A; ++a)  // row 0 is 'none', with an empty channel
    features[a].category = twins::lcm_action_features(a == 0 ? "" : channels[a], messages[a], offers[a],
                                                      data.categories, features[a].data());

  std::size_t width = 0;
  const auto true_purchases = results::read_matrix(truth_path, "/outcomes/purchases", width);
  if (width != A) throw std::invalid_argument(truth_path + ": /outcomes/purchases is not customers x actions");
  const auto true_revenue = results::read_matrix(truth_path, "/outcomes/revenue", width);
  const auto customers = results::read_store_table(truth_path, "/customers");
  const auto& truth_index = customers.numbers("customer");
  const auto& truth_segment = customers.numbers("segment");
  const auto segment_names = results::read_store_table(truth_path, "/world/segments").columns.at(0).strings;
  // An action on a channel the customer has no consent for at the end of the log is not
  // deliverable: the truth counts it as 'none', and so does the prediction.
  const auto world = scenario::load_world_text(results::read_text_attribute(truth_path, "/", "world"),
                                               truth_path + ":/world");
  if (!world.ok()) throw std::invalid_argument(truth_path + ": its world description is invalid");
  const auto& world_actions = world.world->actions;  // /world/actions without its 'none' row
  if (world_actions.size() + 1 != A)
    throw std::invalid_argument(truth_path + ": /world/actions does not list its world's actions");
  std::vector<int> channel_bit(A, -1);  // the consent bit of each action's channel
  for (std::size_t a = 1; a < A; ++a) {
    if (world_actions[a - 1].name != names[a])
      throw std::invalid_argument(truth_path + ": /world/actions row " + std::to_string(a) + " is " + names[a] +
                                  ", its world's action " + world_actions[a - 1].name);
    channel_bit[a] = world_actions[a - 1].channel_index;
  }
  const auto& consent = customers.numbers("consent_at_end");
  std::unordered_map<std::string, std::size_t> truth_row;  // customer id -> row
  for (std::size_t i = 0; i < truth_index.size(); ++i)
    truth_row["c" + std::to_string(static_cast<long long>(truth_index[i]) + 1)] = i;

  std::printf("%s: %zu customers, %zu actions, %d days from %s; LCM %s (%d rollouts)\n\n",
              truth_path.c_str(), data.size(), A, horizon,
              ingest::format_day(data.end_day()).c_str(), model_path.c_str(), rollouts);
  const auto predicted = twins::lcm_action_outcomes(model, data, features, horizon, rollouts, seed, 2);

  // Mean uplift per (segment, action): customers with history in the store and in the truth.
  const std::size_t S = segment_names.size();
  std::vector<double> count(S, 0), tp(S * A, 0), pp(S * A, 0), tr(S * A, 0), pr(S * A, 0), reach(S * A, 0);
  for (std::size_t c = 0; c < data.size(); ++c) {
    const auto it = truth_row.find(data.ids[c]);
    if (it == truth_row.end() || std::isnan(predicted.purchases[c * A])) continue;
    const std::size_t i = it->second, s = static_cast<std::size_t>(truth_segment[i]);
    count[s] += 1;
    tp[s * A] += true_purchases[i * A];  // column 0 holds the levels with no action
    tr[s * A] += true_revenue[i * A];
    pp[s * A] += predicted.purchases[c * A];
    pr[s * A] += predicted.revenue[c * A];
    const auto consented = static_cast<std::uint32_t>(consent[i]);
    for (std::size_t a = 1; a < A; ++a) {
      tp[s * A + a] += true_purchases[i * A + a] - true_purchases[i * A];
      tr[s * A + a] += true_revenue[i * A + a] - true_revenue[i * A];
      if ((consented >> channel_bit[a] & 1u) == 0) continue;  // predicted uplift 0, as 'none'
      reach[s * A + a] += 1;
      pp[s * A + a] += predicted.purchases[c * A + a] - predicted.purchases[c * A];
      pr[s * A + a] += predicted.revenue[c * A + a] - predicted.revenue[c * A];
    }
  }
  // The levels the uplifts are added to (column 0 of the sums): a model that misses a
  // segment's own rate at the end of the log usually misses its uplifts there too.
  const auto add_rows = [&](SegmentMeans& rows, std::size_t first_action, std::size_t end_action) {
    for (std::size_t s = 0; s < S; ++s) {
      if (count[s] == 0) continue;
      for (std::size_t a = first_action; a < end_action; ++a) {
        const std::size_t k = s * A + a;
        rows.add(segment_names[s], a == 0 ? "none" : names[a], count[s],
                 {tp[k] / count[s], pp[k] / count[s], tr[k] / count[s], pr[k] / count[s]});
      }
    }
  };
  SegmentMeans levels("with no action", "true purch", "LCM purch", "true rev", "LCM rev");
  add_rows(levels, 0, 1);
  results::write_store_table(store_path, "/validation/lcm_uplift/levels", levels.table(""));
  std::printf("\n");
  SegmentMeans uplift("action", "true d purch", "LCM d purch", "true d rev", "LCM d rev");
  add_rows(uplift, 1, A);
  const auto& tp_col = uplift.values[0];
  const auto& pp_col = uplift.values[1];
  const auto& tr_col = uplift.values[2];
  const auto& pr_col = uplift.values[3];
  const double r_purchases = results::pearson(tp_col, pp_col), r_revenue = results::pearson(tr_col, pr_col);
  const double k_purchases = results::slope_through_origin(tp_col, pp_col);
  const double k_revenue = results::slope_through_origin(tr_col, pr_col);
  std::printf("\nPearson correlation of true and predicted segment-level uplift over %zu (segment, action) pairs:\n"
              "  purchases %.4f\n  revenue   %.4f\n",
              tp_col.size(), r_purchases, r_revenue);
  // A correlation is blind to size: uplifts all half the truth correlate perfectly.
  std::printf("Scale of the predicted uplifts (least-squares slope on the true ones through 0; 1 = the same size):\n"
              "  purchases %.3f\n  revenue   %.3f\n",
              k_purchases, k_revenue);
  auto table = uplift.table("_uplift");
  table.columns.insert(table.columns.begin() + 1, {"action", {}, uplift.action});
  results::write_store_table(store_path, "/validation/lcm_uplift/by_segment", table);
  results::Table summary;
  summary.columns.push_back({"metric", {}, {"pairs", "horizon_days", "rollouts", "correlation_purchases",
                                            "correlation_revenue", "scale_purchases", "scale_revenue"}});
  summary.columns.push_back(numbers("value", {static_cast<double>(tp_col.size()), static_cast<double>(horizon),
                                              static_cast<double>(rollouts), r_purchases, r_revenue,
                                              k_purchases, k_revenue}));
  results::write_store_table(store_path, "/validation/lcm_uplift/summary", summary);
  // How the uplifts above came about: the same-day effects on the log's own decision days.
  std::vector<int> group(data.size(), -1);
  for (std::size_t c = 0; c < data.size(); ++c)
    if (const auto it = truth_row.find(data.ids[c]); it != truth_row.end())
      group[c] = static_cast<int>(truth_segment[it->second]);
  std::unordered_map<std::string, std::string> action_name;  // "channel/campaign/offer" -> name
  for (std::size_t a = 1; a < A; ++a) action_name[channels[a] + "/" + messages[a] + "/" + offers[a]] = names[a];
  const auto logged = report_logged_effects(model, data, store, store_path, group, segment_names,
                                            [&](const std::string& label) {
                                              const auto it = action_name.find(label);
                                              return it == action_name.end() ? std::string() : it->second;
                                            },
                                            "/validation/lcm_uplift/logged_contacts");
  // The log's contrasts are what an A/B readout of the log gives per segment; beside them,
  // the LCM's uplifts on the same days. Both against the true uplifts above, once scaled,
  // as those are, to every customer of the segment (the ones the channel cannot reach at the
  // end of the log gain nothing).
  if (logged.rows() > 0) {
    std::map<std::pair<std::string, std::string>, std::size_t> row_of;  // (segment, action) -> logged row
    for (std::size_t i = 0; i < logged.rows(); ++i)
      row_of[{logged.columns[0].strings[i], logged.columns[1].strings[i]}] = i;
    std::array<std::vector<double>, 6> v;  // true, log, LCM for purchases, then for revenue
    for (std::size_t k = 0; k < uplift.segment.size(); ++k) {
      const auto it = row_of.find({uplift.segment[k], uplift.action[k]});
      if (it == row_of.end() || std::isnan(logged.numbers("log_contrast")[it->second])) continue;
      const std::size_t i = it->second;
      const auto s_index = static_cast<std::size_t>(
          std::find(segment_names.begin(), segment_names.end(), uplift.segment[k]) - segment_names.begin());
      const auto a_index = static_cast<std::size_t>(std::find(names.begin(), names.end(), uplift.action[k]) - names.begin());
      const double share = reach[s_index * A + a_index] / count[s_index];
      v[0].push_back(tp_col[k]);
      v[1].push_back(share * logged.numbers("log_contrast")[i]);
      v[2].push_back(share * logged.numbers("lcm_uplift")[i]);
      v[3].push_back(tr_col[k]);
      v[4].push_back(share * logged.numbers("log_revenue_contrast")[i]);
      v[5].push_back(share * logged.numbers("lcm_revenue_uplift")[i]);
    }
    std::printf("Pearson correlation with the true uplift (the table before) over %zu (segment, action) pairs,\n"
                "each times the share of the segment the channel reaches at the end of the log:\n"
                "  purchases: the log's contrasts %.4f, the LCM's same-day uplifts %.4f\n"
                "  revenue:   the log's contrasts %.4f, the LCM's same-day uplifts %.4f\n",
                v[0].size(), results::pearson(v[0], v[1]), results::pearson(v[0], v[2]),
                results::pearson(v[3], v[4]), results::pearson(v[3], v[5]));
  }
  std::printf("\nwritten to %s:/validation/lcm_uplift\n", store_path.c_str());
  return kOk;
}

}  // namespace

int validate_command(const Args& args) {
  po::options_description options("validate options");
  options.add_options()("help,h", "show this help")(
      "model", po::value<std::string>()->default_value("btyd"),
      "the model to validate: btyd, or an LCM file written by `mirror train`")(
      "rollouts", po::value<int>()->default_value(20), "LCM: simulated futures per customer")(
      "seed", po::value<std::uint64_t>()->default_value(1), "LCM: seed of the rollouts")(
      "store", po::value<std::string>(), "the store written by `mirror ingest`")(
      "truth", po::value<std::string>(),
      "LCM: a generated world's truth.h5 (STORE holds its logs): true against predicted uplift")(
      "btyd", po::value<std::string>()->default_value("bg_nbd"), "bg_nbd or pareto_nbd")(
      "calibration-end", po::value<std::string>(),
      "YYYY-MM-DD (default: the store's); the days after it are the holdout")(
      "customers", po::value<int>(),
      "LCM: validate on a random sample of this many of the store's customers (drawn with --seed)");
  po::positional_options_description positional;
  positional.add("store", 1);
  po::variables_map vm;
  if (int rc = parse_options("validate", "--model btyd|MODEL.lcm STORE [--truth truth.h5] [options]", args, options,
                             positional, vm);
      rc >= 0)
    return rc;
  if (!vm.count("store")) return usage_error("validate: missing STORE");
  const auto path = vm["store"].as<std::string>();
  const auto model = vm["model"].as<std::string>();
  ingest::ProfileOptions profile_options;
  if (int rc = read_calibration_end("validate", vm, profile_options.calibration_end); rc >= 0) return rc;
  std::optional<int> sample;
  if (vm.count("customers")) {
    if (model == "btyd") return usage_error("validate: --customers needs --model MODEL.lcm");
    sample = vm["customers"].as<int>();
    if (*sample < 1) return usage_error("validate: --customers must be at least 1");
  }
  try {
    if (vm.count("truth")) {
      if (model == "btyd") return usage_error("validate: --truth needs --model MODEL.lcm");
      return validate_lcm_uplift(model, path, vm["truth"].as<std::string>(), vm["rollouts"].as<int>(),
                                 vm["seed"].as<std::uint64_t>(), sample);
    }
    if (model != "btyd")
      return validate_lcm(model, path, profile_options, vm["rollouts"].as<int>(),
                          vm["seed"].as<std::uint64_t>(), sample);
    const results::StoreReader store(path);
    auto profiles = ingest::build_profiles(store, profile_options);
    const auto calibration_days = profiles.calibration_end_day - profiles.first_day + 1;
    if (profiles.last_day <= profiles.calibration_end_day) {
      std::cerr << "mirror: validate: " << path << " has no holdout: its data ends "
                << ingest::format_day(profiles.last_day) << ", the calibration ends "
                << ingest::format_day(profiles.calibration_end_day)
                << "; ingest with an earlier --calibration-end or pass one here\n";
      return kBadInput;
    }
    twins::BtydScoreOptions score_options;
    score_options.model = vm["btyd"].as<std::string>();
    const auto fit = twins::add_btyd_scores(profiles.table, score_options);
    const auto v = twins::validate_btyd(profiles.table, profiles.sequences.at(0), calibration_days, fit);
    std::printf("%s: calibration %s..%s, holdout to %s\n", path.c_str(),
                ingest::format_day(profiles.first_day).c_str(),
                ingest::format_day(profiles.calibration_end_day).c_str(),
                ingest::format_day(profiles.last_day).c_str());
    print_validation(v, fit.model == "bg_nbd" ? "BG/NBD" : "Pareto/NBD");
    store_validation(path, v, fit);
    std::printf("\nwritten to %s:/validation/%s\n", path.c_str(), fit.model.c_str());
  } catch (const std::exception& e) {
    std::cerr << "mirror: validate failed: " << e.what() << "\n";
    return kBadInput;
  }
  return kOk;
}

}  // namespace mirror::cli
