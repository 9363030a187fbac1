// `mirror fidelity`: generate (or read) a world's logs, ingest them, train the LCM, then value
// candidate policies three ways (truth, mirror world, OPE) and score the estimates.
#include "mirror/fidelity/fidelity.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <unordered_map>

#include "mirror/generate/world_generator.hpp"
#include "mirror/ingest/ingest.hpp"
#include "mirror/ingest/profile.hpp"
#include "mirror/results/correlation.hpp"
#include "mirror/results/customer_store.hpp"
#include "mirror/results/table_file.hpp"
#include "mirror/scenario/load_world.hpp"
#include "mirror/twins/lcm.hpp"
#include "mirror/twins/lcm_validation.hpp"

namespace mirror::fidelity {

namespace fs = std::filesystem;

namespace {

core::SyntheticWorldSpec read_world(const std::string& preset_or_path) {
  auto loaded = scenario::load_world(preset_or_path);
  if (!loaded.ok()) {
    std::string message = "the world is invalid:";
    for (const auto& e : loaded.errors) message += "\n" + e.to_string();
    throw std::invalid_argument(message);
  }
  return std::move(*loaded.world);
}

WorldActions world_actions(const core::SyntheticWorldSpec& w) {
  WorldActions out;
  out.actions.push_back("none");
  out.channel_index.push_back(-1);
  for (const auto& a : w.actions) {
    out.actions.push_back(a.name);
    out.channel_index.push_back(a.channel_index);
  }
  for (const auto& c : w.channels) out.channels.push_back(c.name);
  for (const auto& s : w.segments) out.segments.push_back(s.name);
  return out;
}

// The ids written by `mirror generate`: c1, c2, ... for truth rows 0, 1, ...
std::string customer_name(double truth_index) { return "c" + std::to_string(static_cast<long long>(truth_index) + 1); }

const std::vector<std::string>& text_column(const results::Table& t, const std::string& name, const std::string& where) {
  for (const auto& c : t.columns)
    if (c.name == name) return c.strings;
  throw std::runtime_error(where + " has no column " + name);
}

// Per customer of the store: purchase days with their revenue, for the logged rewards.
struct Purchases {
  std::vector<std::vector<std::pair<std::int32_t, double>>> by_customer;  // (world day, amount)
  double sum(std::size_t c, std::int32_t from, std::int32_t to, Metric m) const {
    double s = 0;
    for (const auto& [day, amount] : by_customer[c])
      if (day >= from && day < to) s += m == Metric::kPurchases ? 1.0 : amount;
    return s;
  }
};

struct Truth {
  std::size_t actions = 0;
  int horizon = 0;
  std::int32_t start_day = 0;  // world day the outcomes start (the log's length)
  std::int32_t day0 = 0;       // calendar day of world day 0
  std::vector<double> purchases, revenue;                // truth rows x actions
  std::unordered_map<std::string, std::size_t> row;      // customer id -> truth row
  std::vector<std::uint32_t> consent_at_end;             // per truth row
  std::vector<int> segment;                              // per truth row
  const std::vector<double>& values(Metric m) const { return m == Metric::kPurchases ? purchases : revenue; }
};

Truth read_truth(const std::string& path, const WorldActions& world) {
  Truth t;
  const auto actions = results::read_store_table(path, "/world/actions");
  if (text_column(actions, "name", path + ":/world/actions") != world.actions)
    throw std::runtime_error(path + ": /world/actions differ from the world file's actions");
  t.actions = world.actions.size();
  const auto start = ingest::parse_date(results::read_text_attribute(path, "/", "start_date"));
  if (!start) throw std::runtime_error(path + ": start_date is not YYYY-MM-DD");
  t.day0 = core::day_of(*start);
  t.start_day = static_cast<std::int32_t>(results::read_number_attribute(path, "/", "truth_start_day"));
  t.horizon = static_cast<int>(results::read_number_attribute(path, "/", "truth_horizon_days"));
  std::size_t width = 0;
  t.purchases = results::read_matrix(path, "/outcomes/purchases", width);
  if (width != t.actions) throw std::runtime_error(path + ": /outcomes/purchases is not customers x actions");
  t.revenue = results::read_matrix(path, "/outcomes/revenue", width);
  const auto customers = results::read_store_table(path, "/customers");
  const auto& index = customers.numbers("customer");
  const auto& segment = customers.numbers("segment");
  const auto& consent = customers.numbers("consent_at_end");
  for (std::size_t i = 0; i < index.size(); ++i) {
    t.row[customer_name(index[i])] = i;
    t.segment.push_back(static_cast<int>(segment[i]));
    t.consent_at_end.push_back(static_cast<std::uint32_t>(consent[i]));
  }
  return t;
}

std::string stage_dir(const std::string& out) { return out + ".tmp." + std::to_string(::getpid()); }

}  // namespace

FidelityReport run_fidelity(const FidelityOptions& o) {
  const auto clock = std::chrono::steady_clock::now();
  const auto stage = [&](const std::string& s) {
    if (o.on_stage) o.on_stage(s);
  };
  if (o.out_dir.empty()) throw std::invalid_argument("no output directory");
  if (fs::exists(o.out_dir) && !(fs::is_directory(o.out_dir) && fs::is_empty(o.out_dir)))
    throw std::invalid_argument(o.out_dir + " exists and is not empty");
  if (o.rollouts < 1) throw std::invalid_argument("--rollouts must be at least 1");
  const std::string tmp = stage_dir(o.out_dir);
  fs::remove_all(tmp);
  fs::create_directories(tmp);
  struct Cleanup {
    std::string dir;
    ~Cleanup() {
      std::error_code ec;
      if (!dir.empty()) fs::remove_all(dir, ec);
    }
  } cleanup{tmp};

  for (const char* f : {"world.yaml", "truth.h5", "events.csv", "decisions.csv", "customers.csv"})
    if (!o.logs.empty() && !fs::exists(o.logs + "/" + f))
      throw std::invalid_argument(o.logs + ": not a directory written by `mirror generate` (no " + f + ")");
  // 1. The world's logs; the candidates are checked first, so a typo costs no training.
  const auto spec = read_world(o.logs.empty() ? o.world : o.logs + "/world.yaml");
  const WorldActions world = world_actions(spec);
  {
    const std::vector<std::vector<double>> zeros(world.segments.size(), std::vector<double>(world.actions.size()));
    for (const auto& name : o.policies) parse_policy(name, world, zeros, zeros);
  }
  std::string logs = o.logs;
  if (logs.empty()) {
    stage("generate");
    generate::GenerateOptions g;
    g.world = spec;
    g.customers = o.customers;
    g.days = o.days;
    g.seed = o.seed;
    g.threads = o.threads;
    g.out_dir = tmp + "/world";
    g.world_source = core::world_preset(o.world) ? "preset " + o.world : o.world;
    generate::generate_world(g);
    logs = g.out_dir;
  }
  const Truth truth = read_truth(logs + "/truth.h5", world);

  // 2. One store with the events and the decisions.
  stage("ingest");
  ingest::IngestOptions in;
  in.format = "events";
  in.inputs = {logs + "/events.csv"};
  in.decision_inputs = {logs + "/decisions.csv"};
  in.out = tmp + "/store.h5";
  in.quarantine = tmp + "/store.quarantine.csv";
  in.max_bad_fraction = 0.0;
  in.command_line = "mirror fidelity";
  const auto ingested = ingest::run_ingest(in);
  if (ingested.too_many_bad || ingested.rows_quarantined > 0)
    throw std::runtime_error(logs + ": " + std::to_string(ingested.rows_quarantined) +
                             " rows were quarantined (see " + in.quarantine + ")");
  const results::StoreReader store(in.out);

  // 3. The LCM, trained on the whole log (its last days for early stopping).
  stage("train");
  const auto data = twins::read_lcm_sequences(store, core::day_of(store.meta().last_event));
  if (data.end_day() != truth.day0 + truth.start_day)
    throw std::runtime_error(logs + ": the truth does not start the day after the logs end");
  twins::LcmArtifact model;
  if (!o.model.empty()) {
    model = twins::load_lcm(o.model);
    if (model.config.step_days != 1)
      throw std::invalid_argument(o.model + " steps a week at a time; fidelity compares daily twins: train it with --step day");
    if (model.data_sha256 != data.data_sha256)
      throw std::invalid_argument(o.model + " was not trained on these logs (its data hash differs): train it with "
                                  "`mirror train` on a store of " + logs + " with --calibration-end " +
                                  ingest::format_day(data.end_day() - 1));
  } else {
    twins::LcmConfig config;
    config.epochs = o.epochs;
    config.hidden = o.hidden;
    config.seed = o.seed;
    config.threads = 1;  // bit-reproducible
    config.validation_days = std::min(56, std::max(7, data.days / 4));
    model = twins::train_lcm(data, config, [&](const twins::LcmProgress& p) {
      if (!o.on_training) return;
      char line[160];
      std::snprintf(line, sizeof line, "epoch %d/%d  train loss %.5f  validation loss %.5f%s", p.epoch, p.epochs,
                    p.train_loss, p.validation_loss, p.improved ? " *" : "");
      o.on_training(line);
    });
  }
  twins::save_lcm(model, tmp + "/model.lcm");

  // 4. The mirror world: every action on the truth's first day, from each customer's state.
  stage("mirror");
  const std::size_t A = world.actions.size(), S = world.segments.size();
  std::vector<twins::LcmActionFeatures> features(A);
  for (std::size_t a = 0; a < A; ++a) {
    const bool none = a == 0;
    const auto& act = none ? core::WorldAction{} : spec.actions[a - 1];
    features[a].category =
        twins::lcm_action_features(none ? "" : act.channel, act.campaign, act.offer, data.categories, features[a].data());
  }
  const auto predicted = twins::lcm_action_outcomes(model, data, features, truth.horizon, o.rollouts, o.seed, o.threads);
  const auto& predicted_values = o.metric == Metric::kPurchases ? predicted.purchases : predicted.revenue;
  const auto& true_values = truth.values(o.metric);

  // Customers with a history (the LCM has no state for the others) and a truth row.
  struct Member {
    std::size_t lcm, truth;
    CustomerContext x;
  };
  std::vector<Member> members;
  for (std::size_t c = 0; c < data.size(); ++c) {
    const auto it = truth.row.find(data.ids[c]);
    if (it == truth.row.end() || std::isnan(predicted_values[c * A])) continue;
    const std::size_t i = it->second;
    members.push_back({c, i, {truth.segment[i], truth.consent_at_end[i]}});
  }
  if (members.empty()) throw std::runtime_error("no customer has both a history in the logs and a truth row");

  // Per segment and action, the mean value of "that action where deliverable, else none".
  std::vector<std::vector<double>> mirror_segment(S, std::vector<double>(A, 0.0)), true_segment = mirror_segment;
  std::vector<double> segment_size(S, 0.0);
  for (const auto& m : members) {
    const auto s = static_cast<std::size_t>(m.x.segment);
    segment_size[s] += 1;
    for (std::size_t a = 0; a < A; ++a) {
      const bool ok = a == 0 || (m.x.consent >> world.channel_index[a] & 1u);
      mirror_segment[s][a] += predicted_values[m.lcm * A + (ok ? a : 0)];
      true_segment[s][a] += true_values[m.truth * A + a];  // the truth counts it as none already
    }
  }
  for (std::size_t s = 0; s < S; ++s)
    for (std::size_t a = 0; a < A; ++a)
      if (segment_size[s] > 0) mirror_segment[s][a] /= segment_size[s], true_segment[s][a] /= segment_size[s];

  std::vector<CandidatePolicy> candidates;
  for (const auto& name : o.policies.empty() ? default_policy_names(world) : o.policies)
    candidates.push_back(parse_policy(name, world, mirror_segment, true_segment));

  FidelityReport report;
  report.world = world;
  report.customers = members.size();
  report.horizon_days = truth.horizon;
  report.metric = o.metric;
  std::vector<double> dist;
  for (const auto& p : candidates) {
    PolicyRow row;
    row.name = p.name;
    for (const auto& m : members) {
      policy_distribution(p, world, m.x, dist);
      for (std::size_t a = 0; a < A; ++a) {
        row.truth += dist[a] * true_values[m.truth * A + a];
        row.mirror += dist[a] * predicted_values[m.lcm * A + a];
      }
    }
    row.truth /= static_cast<double>(members.size());
    row.mirror /= static_cast<double>(members.size());
    report.rows.push_back(std::move(row));
  }

  // 5. OPE on the logged decisions whose reward window [t, t + H) lies inside the log.
  stage("ope");
  const auto customers = read_customers(logs + "/customers.csv", world);
  const auto ids = store.dictionary("customer");
  const auto channel_names = store.dictionary("channel"), message_names = store.dictionary("message"),
             offer_names = store.dictionary("offer");
  std::unordered_map<std::string, std::size_t> channel_bit;
  for (std::size_t c = 0; c < world.channels.size(); ++c) channel_bit[world.channels[c]] = c;
  Purchases purchases;
  purchases.by_customer.resize(ids.size());
  std::vector<std::vector<std::pair<std::int32_t, std::uint32_t>>> unsubscribes(ids.size());  // (day, bit)
  store.for_each_event_batch(1 << 16, [&](const core::EventBatch& b) {
    for (std::size_t k = 0; k < b.size(); ++k) {
      const auto day = core::day_of(b.timestamp[k]) - truth.day0;
      const auto type = static_cast<core::EventType>(b.type[k]);
      if (type == core::EventType::kPurchase)
        purchases.by_customer[b.customer[k]].push_back({day, core::from_micros(b.amount[k])});
      if (type == core::EventType::kUnsubscribe && b.channel[k] >= 0) {
        const auto it = channel_bit.find(channel_names[b.channel[k]]);
        if (it != channel_bit.end()) unsubscribes[b.customer[k]].push_back({day, 1u << it->second});
      }
    }
  });
  // Purchase days, as the truth and the LCM count them.
  for (auto& v : purchases.by_customer) {
    std::map<std::int32_t, double> by_day;
    for (const auto& [day, amount] : v) by_day[day] += amount;
    v.assign(by_day.begin(), by_day.end());
  }
  std::unordered_map<std::string, std::size_t> action_of;  // "channel|campaign|offer" -> action
  for (std::size_t a = 1; a < A; ++a) {
    const auto& act = spec.actions[a - 1];
    action_of[act.channel + "|" + act.campaign + "|" + act.offer] = a;
  }
  const auto name = [](const std::vector<std::string>& dict, std::int32_t id) {
    return id >= 0 ? dict[id] : std::string();
  };
  policies::BanditLog log;
  log.action_labels = world.actions;
  log.source = logs + "/decisions.csv";
  std::vector<CustomerContext> round_context;
  const auto decisions = store.read_decisions();
  const std::uint32_t width = static_cast<std::uint32_t>(S + world.channels.size());
  log.context_width = width;
  std::vector<policies::ContextEntry> context;
  for (std::size_t i = 0; i < decisions.size(); ++i) {
    const auto c = decisions.customer[i];
    const std::int32_t t = core::day_of(decisions.timestamp[i]) - truth.day0;
    if (c < 0 || t + truth.horizon > truth.start_day) continue;
    if (o.ope_days > 0 && t < truth.start_day - o.ope_days) continue;
    std::size_t a = 0;
    if (decisions.channel[i] >= 0) {
      const auto key = name(channel_names, decisions.channel[i]) + "|" + name(message_names, decisions.message[i]) +
                       "|" + name(offer_names, decisions.offer[i]);
      const auto it = action_of.find(key);
      if (it == action_of.end()) throw std::runtime_error(log.source + ": a decision no world action matches: " + key);
      a = it->second;
    }
    const auto who = customers.find(ids[c]);
    if (who == customers.end()) throw std::runtime_error(logs + "/customers.csv: no customer " + ids[c]);
    CustomerContext x = who->second;
    for (const auto& [day, bit] : unsubscribes[c])
      if (day < t) x.consent &= ~bit;  // decisions are taken at 08:00, before that day's events
    context.clear();
    context.push_back({static_cast<std::uint32_t>(x.segment), 1.0});
    for (std::size_t ch = 0; ch < world.channels.size(); ++ch)
      if (x.consent >> ch & 1u) context.push_back({static_cast<std::uint32_t>(S + ch), 1.0});
    log.add_round(static_cast<std::int32_t>(a), purchases.sum(c, t, t + truth.horizon, o.metric),
                  decisions.propensity[i], context);
    round_context.push_back(x);
  }
  report.logged_rounds = log.rounds();
  for (double r : log.reward) report.logged_mean_reward += r / static_cast<double>(log.rounds());
  if (log.rounds() == 0) throw std::runtime_error("no logged decision has a whole reward window inside the log");
  policies::OpeOptions ope = o.ope;
  ope.threads = o.threads;
  ope.q_hat = policies::fit_reward_model(log, ope.reward_model).q_hat;
  policies::TargetPolicy target;
  target.actions = static_cast<std::int32_t>(A);
  for (std::size_t p = 0; p < candidates.size(); ++p) {
    target.probability.clear();
    for (const auto& x : round_context) {
      policy_distribution(candidates[p], world, x, dist);
      target.probability.insert(target.probability.end(), dist.begin(), dist.end());
    }
    target.source = candidates[p].name;
    auto r = policies::evaluate_policy(log, target, ope);
    for (const auto& w : r.warnings) report.warnings.push_back(candidates[p].name + ": " + w);
    report.rows[p].ope = std::move(r.estimates);
  }

  // 6. How each method ranks and values the policies against the truth.
  report.methods.push_back("mirror");
  for (auto e : ope.estimators) report.methods.emplace_back(policies::estimator_name(e));
  std::vector<double> truth_values;
  for (const auto& r : report.rows) truth_values.push_back(r.truth);
  const auto best_true = *std::max_element(truth_values.begin(), truth_values.end());
  for (std::size_t k = 0; k < report.methods.size(); ++k) {
    std::vector<double> v;
    double rel = 0;
    for (const auto& r : report.rows) {
      v.push_back(k == 0 ? r.mirror : r.ope[k - 1].estimate);
      rel += std::fabs(v.back() - r.truth) / std::max(std::fabs(r.truth), 1e-12);
    }
    report.rank_correlation.push_back(results::spearman(v, truth_values));
    report.mean_abs_rel_error.push_back(rel / static_cast<double>(v.size()));
    const auto pick = std::max_element(v.begin(), v.end()) - v.begin();
    report.pick_regret.push_back(best_true - truth_values[static_cast<std::size_t>(pick)]);
  }

  // 7. The report file, then the directory in one rename.
  stage("write");
  results::TableFileWriter file(tmp + "/fidelity.h5");
  file.attribute("/", "metric", o.metric == Metric::kPurchases ? "purchases" : "revenue");
  file.attribute("/", "world", spec.name);
  file.attribute("/", "logs", o.logs.empty() ? "generated" : o.logs);
  file.attribute("/", "customers", static_cast<double>(report.customers));
  file.attribute("/", "logged_rounds", static_cast<double>(report.logged_rounds));
  file.attribute("/", "logged_mean_reward", report.logged_mean_reward);
  file.attribute("/", "horizon_days", static_cast<double>(report.horizon_days));
  file.attribute("/", "rollouts", static_cast<double>(o.rollouts));
  file.attribute("/", "epochs", static_cast<double>(o.epochs));
  file.attribute("/", "model", o.model.empty() ? "trained" : o.model);
  file.attribute("/", "ope_days", static_cast<double>(o.ope_days));
  file.attribute("/", "seed", static_cast<double>(o.seed));
  results::Table policies_table;
  std::vector<std::string> names;
  std::vector<double> t_col, m_col;
  for (const auto& r : report.rows) {
    names.push_back(r.name);
    t_col.push_back(r.truth);
    m_col.push_back(r.mirror);
  }
  policies_table.columns.push_back({"policy", {}, names});
  policies_table.columns.push_back({"truth", t_col, {}});
  policies_table.columns.push_back({"mirror", m_col, {}});
  for (std::size_t k = 0; k + 1 < report.methods.size(); ++k) {
    std::vector<double> est, lo, hi;
    for (const auto& r : report.rows) {
      est.push_back(r.ope[k].estimate);
      lo.push_back(r.ope[k].ci_low);
      hi.push_back(r.ope[k].ci_high);
    }
    const auto& m = report.methods[k + 1];
    policies_table.columns.push_back({m, est, {}});
    policies_table.columns.push_back({m + "_low", lo, {}});
    policies_table.columns.push_back({m + "_high", hi, {}});
  }
  file.table("/policies", policies_table);
  results::Table methods_table;
  methods_table.columns.push_back({"method", {}, report.methods});
  methods_table.columns.push_back({"rank_correlation", report.rank_correlation, {}});
  methods_table.columns.push_back({"mean_abs_rel_error", report.mean_abs_rel_error, {}});
  methods_table.columns.push_back({"pick_regret", report.pick_regret, {}});
  file.table("/methods", methods_table);
  results::Table members_table;  // the customers the truth and the mirror values average over
  std::vector<double> member_rows, member_segments;
  for (const auto& m : members) {
    member_rows.push_back(static_cast<double>(m.truth));
    member_segments.push_back(m.x.segment);
  }
  members_table.columns.push_back({"truth_row", member_rows, {}});
  members_table.columns.push_back({"segment", member_segments, {}});
  file.table("/customers", members_table);
  file.commit();

  if (fs::exists(o.out_dir)) fs::remove(o.out_dir);  // empty (checked above)
  fs::rename(tmp, o.out_dir);
  cleanup.dir.clear();
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - clock).count();
  return report;
}

}  // namespace mirror::fidelity
