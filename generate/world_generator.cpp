// Streams a synthetic world to disk: customers in blocks simulated in parallel from
// counter-based random streams, written in block order, so a seed gives the same bytes
// for any thread count; memory is bounded by the blocks in flight.
#include "mirror/generate/world_generator.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <map>
#include <mutex>
#include <string_view>
#include <thread>

#include "mirror/core/random.hpp"
#include "mirror/results/results_file.hpp"
#include "mirror/results/table_file.hpp"
#include "mirror/generate/world_model.hpp"

namespace mirror::generate {

namespace fs = std::filesystem;
using core::Purpose;
using core::RandomStream;

namespace {

constexpr const char* kRegions[] = {"north", "south", "east", "west"};
constexpr const char* kAgeBands[] = {"18-24", "25-34", "35-44", "45-54", "55+"};

// --- text ------------------------------------------------------------------------------
void put(std::string& out, std::string_view s) { out.append(s.data(), s.size()); }

void put_int(std::string& out, std::int64_t v) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

void put_double(std::string& out, double v) {
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

void put_cents(std::string& out, double amount) {
  const std::int64_t cents = std::llround(amount * 100.0);
  put_int(out, cents / 100);
  const int rest = static_cast<int>(cents % 100);
  out += '.';
  out += static_cast<char>('0' + rest / 10);
  out += static_cast<char>('0' + rest % 10);
}

void put_two(std::string& out, int v) {
  out += static_cast<char>('0' + v / 10);
  out += static_cast<char>('0' + v % 10);
}

// "YYYY-MM-DDT" of every day, for timestamps.
std::vector<std::string> day_prefixes(const std::string& start_date, int days) {
  std::vector<std::string> out;
  int y = std::stoi(start_date.substr(0, 4)), m = std::stoi(start_date.substr(5, 2)),
      d = std::stoi(start_date.substr(8, 2));
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  for (int i = 0; i < days; ++i) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT", y, m, d);
    out.emplace_back(buf);
    const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (++d > kDays[m - 1] + (m == 2 && leap)) {
      d = 1;
      if (++m > 12) m = 1, ++y;
    }
  }
  return out;
}

// --- one block of customers ------------------------------------------------------------
struct Block {
  std::string events, decisions, customers;
  std::int64_t event_rows = 0, decision_rows = 0;
  results::Table truth_customers;
  std::vector<double> purchases, revenue, profit, unsubscribe;  // customers x actions
  // Truth the logs can be checked against, summed in customer order.
  std::vector<double> day_decisions, day_propensity_square_sum, day_expected_counts;
  std::vector<double> segment_days, segment_expected_purchases;
  std::vector<double> value_decisions, value_purchases, value_revenue;
};

class BlockSimulator {
 public:
  BlockSimulator(const WorldModel& model, int days, int horizon, const std::vector<std::string>& prefixes)
      : m_(model), w_(model.world()), days_(days), horizon_(horizon), prefix_(prefixes) {
    for (const auto& c : w_.categories)
      for (int i = 1; i <= c.items; ++i) {
        char buf[16];
        std::snprintf(buf, sizeof buf, "-%04d", i);
        items_.push_back(c.name + buf);
      }
    item_offset_.push_back(0);
    for (const auto& c : w_.categories) item_offset_.push_back(item_offset_.back() + c.items);
    subscription_ = w_.behaviour.purchase_mode == core::WorldBehaviour::PurchaseMode::subscription;
  }

  void run(std::uint64_t first, std::uint64_t count, Block& b) {
    const int n = m_.action_count();
    const std::size_t segments = w_.segments.size();
    b.day_decisions.assign(days_, 0.0);
    b.day_propensity_square_sum.assign(days_, 0.0);
    b.day_expected_counts.assign(static_cast<std::size_t>(days_) * n, 0.0);
    b.segment_days.assign(segments, 0.0);
    b.segment_expected_purchases.assign(segments, 0.0);
    b.value_decisions.assign(n, 0.0);
    b.value_purchases.assign(n, 0.0);
    b.value_revenue.assign(n, 0.0);
    b.truth_customers.columns = {{"customer", {}, {}},         {"segment", {}, {}},
                                 {"response_type", {}, {}},    {"preferred_category", {}, {}},
                                 {"z", {}, {}},                {"alive_at_end", {}, {}},
                                 {"recency_at_end", {}, {}},   {"fatigue_at_end", {}, {}},
                                 {"consent_at_end", {}, {}}};
    for (auto& c : b.truth_customers.columns) c.numbers.reserve(count);
    for (auto* v : {&b.purchases, &b.revenue, &b.profit, &b.unsubscribe}) v->reserve(count * n);
    std::vector<WorldOutcome> outcomes;
    for (std::uint64_t id = first; id < first + count; ++id) {
      const WorldCustomer c = m_.customer(id);
      id_.clear();
      put(id_, "c");
      put_int(id_, static_cast<std::int64_t>(id + 1));
      write_customer(c, b);
      const WorldCustomerState s = simulate(id, c, b);
      auto& t = b.truth_customers.columns;
      t[0].numbers.push_back(static_cast<double>(id));
      t[1].numbers.push_back(c.segment);
      t[2].numbers.push_back(static_cast<int>(c.type));
      t[3].numbers.push_back(c.preferred_category);
      t[4].numbers.push_back(c.z);
      t[5].numbers.push_back(s.alive ? 1.0 : 0.0);
      t[6].numbers.push_back(s.recency);
      t[7].numbers.push_back(s.fatigue);
      t[8].numbers.push_back(s.consent);
      m_.expected_outcomes(c, s, days_, horizon_, outcomes);
      for (const auto& o : outcomes) {
        b.purchases.push_back(o.purchases);
        b.revenue.push_back(o.revenue);
        b.profit.push_back(o.profit);
        b.unsubscribe.push_back(o.unsubscribe);
      }
    }
  }

 private:
  void write_customer(const WorldCustomer& c, Block& b) {
    auto& o = b.customers;
    put(o, id_);
    o += ',';
    put(o, w_.segments[c.segment].name);
    o += ',';
    put(o, kRegions[c.region]);
    o += ',';
    put(o, kAgeBands[c.age_band]);
    o += ',';
    put_int(o, c.initial_recency);
    o += ',';
    put_int(o, c.check_phase);
    for (std::size_t ch = 0; ch < w_.channels.size(); ++ch) {
      o += ',';
      o += (c.consent >> ch & 1u) ? '1' : '0';
    }
    o += '\n';
  }

  void time_stamp(std::string& o, int day, int seconds) {
    seconds = std::clamp(seconds, 0, 86399);
    put(o, prefix_[day]);
    put_two(o, seconds / 3600);
    o += ':';
    put_two(o, seconds / 60 % 60);
    o += ':';
    put_two(o, seconds % 60);
    o += 'Z';
  }

  // customer_id,timestamp,event_type,amount,channel,item,campaign
  void event(Block& b, int day, int seconds, std::string_view type, double amount = -1,
             std::string_view channel = {}, std::string_view item = {},
             std::string_view campaign = {}) {
    auto& o = b.events;
    put(o, id_);
    o += ',';
    time_stamp(o, day, seconds);
    o += ',';
    put(o, type);
    o += ',';
    if (amount >= 0) put_cents(o, amount);
    o += ',';
    put(o, channel);
    o += ',';
    put(o, item);
    o += ',';
    put(o, campaign);
    o += '\n';
    ++b.event_rows;
  }

  // customer_id,timestamp,arm,policy,channel,message,offer,propensity,cost
  void decision(Block& b, int day, int a, double propensity) {
    auto& o = b.decisions;
    put(o, id_);
    o += ',';
    time_stamp(o, day, 8 * 3600);
    put(o, ",log,");
    put(o, w_.logging.name);
    o += ',';
    if (a > 0) {
      const auto& act = m_.action(a);
      put(o, act.channel);
      o += ',';
      put(o, act.campaign);
      o += ',';
      put(o, act.offer);
    } else {
      put(o, ",,");
    }
    o += ',';
    put_double(o, propensity);
    o += ',';
    if (a > 0) put_double(o, m_.action_cost(a));
    else o += '0';
    o += '\n';
    ++b.decision_rows;
  }

  std::string_view item(int category, double u) const {
    const int items = w_.categories[category].items;
    return items_[item_offset_[category] + std::min(items - 1, static_cast<int>(u * items))];
  }

  int pick_category(const WorldCustomer& c, int day, RandomStream& r) const {
    if (r.uniform() < w_.behaviour.category_loyalty) return c.preferred_category;
    const auto& weights = m_.category_weights(day);
    double u = r.uniform(), acc = 0;
    for (std::size_t k = 0; k < weights.size(); ++k)
      if (u < (acc += weights[k])) return static_cast<int>(k);
    return static_cast<int>(weights.size()) - 1;
  }

  WorldCustomerState simulate(std::uint64_t id, const WorldCustomer& c, Block& b) {
    const auto& beh = w_.behaviour;
    const std::uint64_t seed = m_.seed();
    const int n = m_.action_count();
    WorldCustomerState s = m_.initial_state(c);
    std::vector<double>& probs = probs_;
    for (int day = 0; day < days_; ++day) {
      if (!s.alive && beh.churn_observed) {
        // The company knows: no more decisions, and nothing happens.
        b.segment_days[c.segment] += days_ - day;
        break;
      }
      int a = 0;
      if (m_.is_decision_day(s, day)) {
        m_.policy_probabilities(s, day, probs);
        RandomStream r(seed, id, day, Purpose::logging_policy);
        const double u = r.uniform();
        double acc = 0, square = 0;
        a = -1;
        for (int k = 0; k < n; ++k) {
          square += probs[k] * probs[k];
          if (a < 0 && probs[k] > 0 && u < (acc += probs[k])) a = k;
        }
        if (a < 0)  // rounding: the last allowed action
          for (int k = n - 1; k >= 0 && a < 0; --k)
            if (probs[k] > 0) a = k;
        decision(b, day, a, probs[a]);
        b.day_decisions[day] += 1;
        b.day_propensity_square_sum[day] += square;
        for (int k = 0; k < n; ++k) b.day_expected_counts[static_cast<std::size_t>(day) * n + k] += probs[k];
        // The value of "always k where allowed, else none" on this decision.
        const WorldOutcome none = m_.expected_day(c, s, day, 0);
        for (int k = 0; k < n; ++k) {
          const bool allowed = k == 0 || (s.consent >> m_.action(k).channel_index & 1u);
          const WorldOutcome o = allowed && k > 0 ? m_.expected_day(c, s, day, k) : none;
          b.value_decisions[k] += 1;
          b.value_purchases[k] += o.purchases;
          b.value_revenue[k] += o.revenue;
        }
      }
      const bool contacted = a > 0;
      if (!s.alive) {  // churned unseen: contacts reach nobody
        if (!contacted) b.segment_days[c.segment] += 1;
        s.fatigue = (s.fatigue + (contacted ? 1.0 : 0.0)) * m_.fatigue_decay();
        continue;
      }
      RandomStream detail(seed, id, day, Purpose::event_detail);
      bool noticed = false;
      int open_time = 8 * 3600;
      std::string_view channel, campaign;
      if (contacted) {
        RandomStream r(seed, id, day, Purpose::notice);
        noticed = r.uniform() < m_.notice_probability(a, s.fatigue);
        if (noticed) {
          const auto& act = m_.action(a);
          channel = act.channel;
          campaign = act.campaign;
          m_.notice(c, a, day, s);
          open_time += 60 + static_cast<int>(detail.uniform() * 3000);
          if (act.channel == "email") event(b, day, open_time, "email_open", -1, channel, {}, campaign);
        }
      }
      const DayEffect e = m_.effect_on(c, s, day);
      const double pv = m_.visit_probability(c, s.recency, day, e);
      const double buy = m_.purchase_given_visit(c, e);
      const bool check = m_.is_check_day(c, day);
      const double hazard = check ? m_.churn_hazard(c, s.recency, e) : 0.0;
      if (!contacted) {
        b.segment_days[c.segment] += 1;
        b.segment_expected_purchases[c.segment] += subscription_ ? (check ? 1.0 - hazard : 0.0) : pv * buy;
      }
      RandomStream visit_stream(seed, id, day, Purpose::visit);
      const bool visited = visit_stream.uniform() < pv;
      if (visited) {
        int t = 9 * 3600 + static_cast<int>(detail.uniform() * 13 * 3600);
        if (noticed) event(b, day, t, "click", -1, channel, {}, campaign);
        event(b, day, t + 1, "visit", -1, channel, {}, campaign);
        RandomStream spend(seed, id, day, Purpose::spend);
        const int category = pick_category(c, day, spend);
        const int views = subscription_ ? 1 : 1 + static_cast<int>(spend.uniform() * 3);
        std::string_view last;
        for (int v = 0; v < views; ++v) {
          t += 30 + static_cast<int>(detail.uniform() * 270);
          last = item(category, spend.uniform());
          event(b, day, t, "view", -1, {}, last, {});
        }
        if (!subscription_) {
          RandomStream r(seed, id, day, Purpose::purchase);
          const auto& seg = w_.segments[c.segment];
          const bool cart = r.uniform() < seg.cart_rate;
          if (cart) {
            t += 30 + static_cast<int>(detail.uniform() * 120);
            event(b, day, t, "cart_add", -1, {}, last, {});
            const double p_buy = buy / seg.cart_rate;
            t += 30 + static_cast<int>(detail.uniform() * 300);
            if (r.uniform() < p_buy) {
              const auto& cat = w_.categories[category];
              const double sigma = cat.price_sigma;
              const double price = cat.price_mean * std::exp(sigma * spend.normal() - sigma * sigma / 2);
              event(b, day, t, "purchase", price * (1.0 - e.discount), channel, last, campaign);
            } else {
              event(b, day, t, "cart_abandon", -1, {}, last, {});
              s.cart_abandon_day = day;
            }
          }
        }
      }
      if (noticed) {
        RandomStream r(seed, id, day, Purpose::unsubscribe);
        if (r.uniform() < m_.unsubscribe_probability(c, a, s.fatigue)) {
          event(b, day, open_time + 60 + static_cast<int>(detail.uniform() * 540), "unsubscribe", -1,
                channel, {}, campaign);
          s.consent &= ~(1u << m_.action(a).channel_index);
        }
      }
      if (detail.uniform() < beh.support_rate)
        event(b, day, 9 * 3600 + static_cast<int>(detail.uniform() * 12 * 3600), "support_contact");
      if (check) {
        RandomStream r(seed, id, day, Purpose::churn);
        if (r.uniform() < hazard) {
          s.alive = false;
          if (beh.churn_observed) event(b, day, 86340, "churn");
        } else if (subscription_) {
          const auto& seg = w_.segments[c.segment];
          event(b, day, 86370, "purchase", seg.fee * (1.0 - e.discount), {}, "plan_" + seg.name, {});
        }
      }
      s.recency = visited ? 0 : std::min(s.recency + 1, 1 << 20);
      s.fatigue = (s.fatigue + (contacted ? 1.0 : 0.0)) * m_.fatigue_decay();
    }
    return s;
  }

  const WorldModel& m_;
  const core::SyntheticWorldSpec& w_;
  int days_;
  int horizon_;
  const std::vector<std::string>& prefix_;
  std::vector<std::string> items_;
  std::vector<int> item_offset_;
  bool subscription_ = false;
  std::string id_;
  std::vector<double> probs_;
};

// --- files -----------------------------------------------------------------------------
class OutputFile {
 public:
  OutputFile(const fs::path& path) : path_(path), f_(std::fopen(path.c_str(), "wb")) {
    if (!f_) throw GenerateError(path.string() + ": cannot create");
    std::setvbuf(f_, nullptr, _IOFBF, 1 << 20);
  }
  ~OutputFile() {
    if (f_) std::fclose(f_);
  }
  void write(const std::string& s) {
    if (!s.empty() && std::fwrite(s.data(), 1, s.size(), f_) != s.size())
      throw GenerateError(path_.string() + ": write failed (disk full?)");
    bytes_ += s.size();
  }
  void close() {
    const bool bad = std::fclose(f_) != 0;
    f_ = nullptr;
    if (bad) throw GenerateError(path_.string() + ": write failed (disk full?)");
  }
  std::uint64_t bytes() const { return bytes_; }

 private:
  fs::path path_;
  std::FILE* f_;
  std::uint64_t bytes_ = 0;
};

void add(std::vector<double>& total, const std::vector<double>& part) {
  if (total.empty()) total.assign(part.size(), 0.0);
  for (std::size_t i = 0; i < part.size(); ++i) total[i] += part[i];
}

}  // namespace

GenerateReport generate_world(const GenerateOptions& o) {
  const auto started = std::chrono::steady_clock::now();
  if (o.customers == 0) throw GenerateError("--customers must be at least 1");
  if (o.days < 1 || o.days > 36500) throw GenerateError("--days must be in [1, 36500]");
  if (o.out_dir.empty()) throw GenerateError("--out is required");
  const fs::path out(o.out_dir);
  std::error_code ec;
  if (fs::exists(out, ec) && !(fs::is_directory(out, ec) && fs::is_empty(out, ec)))
    throw GenerateError(o.out_dir + ": exists and is not an empty directory; choose another --out");
  const fs::path tmp = out.string() + ".tmp." + std::to_string(::getpid());
  fs::remove_all(tmp, ec);
  fs::create_directories(tmp, ec);
  if (ec) throw GenerateError(tmp.string() + ": cannot create: " + ec.message());

  const auto& w = o.world;
  const int horizon = w.truth_horizon_days;
  const WorldModel model(w, o.seed, o.days + horizon);
  const auto prefixes = day_prefixes(w.start_date, o.days);
  const int n = model.action_count();
  std::vector<std::string> action_names{"none"};
  for (const auto& a : w.actions) action_names.push_back(a.name);

  GenerateReport report;
  report.customers = o.customers;
  report.days = o.days;
  try {
    OutputFile events(tmp / "events.csv"), decisions(tmp / "decisions.csv"),
        customers(tmp / "customers.csv");
    events.write("customer_id,timestamp,event_type,amount,channel,item,campaign\n");
    decisions.write("customer_id,timestamp,arm,policy,channel,message,offer,propensity,cost\n");
    std::string header = "customer_id,segment,region,age_band,days_since_last_visit,check_phase";
    for (const auto& ch : w.channels) header += "," + ch.name + "_optin";
    customers.write(header + "\n");
    {
      OutputFile yaml(tmp / "world.yaml");
      yaml.write(core::world_to_yaml(w));
      yaml.close();
    }
    results::TableFileWriter truth((tmp / "truth.h5").string());
    const std::string yaml_text = core::world_to_yaml(w);
    truth.attribute("/", "world", yaml_text);
    truth.attribute("/", "world_name", w.name);
    truth.attribute("/", "world_source", o.world_source);
    truth.attribute("/", "seed", std::to_string(o.seed));
    truth.attribute("/", "customers", static_cast<double>(o.customers));
    truth.attribute("/", "days", o.days);
    truth.attribute("/", "start_date", w.start_date);
    truth.attribute("/", "truth_start_day", o.days);
    truth.attribute("/", "truth_horizon_days", horizon);
    truth.attribute("/", "customer_id_format", "c{customer + 1}");

    // Blocks are simulated by `threads` workers and written here in order; at most
    // 2 x threads blocks wait, which bounds memory.
    const std::uint64_t block_count = (o.customers + kGenerateBlockCustomers - 1) / kGenerateBlockCustomers;
    const int threads = std::max(1, std::min<int>(o.threads, static_cast<int>(block_count)));
    const std::uint64_t window = 2 * static_cast<std::uint64_t>(threads);
    std::mutex mutex;
    std::condition_variable changed;
    std::map<std::uint64_t, Block> ready;
    std::uint64_t next_claim = 0, next_write = 0;
    bool stop = false;
    std::exception_ptr failure;
    auto worker = [&] {
      BlockSimulator sim(model, o.days, horizon, prefixes);
      for (;;) {
        std::uint64_t b;
        {
          std::unique_lock lock(mutex);
          changed.wait(lock, [&] { return stop || next_claim >= block_count || next_claim < next_write + window; });
          if (stop || next_claim >= block_count) return;
          b = next_claim++;
        }
        Block block;
        try {
          const std::uint64_t first = b * kGenerateBlockCustomers;
          sim.run(first, std::min(kGenerateBlockCustomers, o.customers - first), block);
        } catch (...) {
          std::lock_guard lock(mutex);
          if (!failure) failure = std::current_exception();
          stop = true;
          changed.notify_all();
          return;
        }
        std::lock_guard lock(mutex);
        ready.emplace(b, std::move(block));
        changed.notify_all();
      }
    };
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) pool.emplace_back(worker);
    auto join = [&] {
      {
        std::lock_guard lock(mutex);
        stop = true;
        changed.notify_all();
      }
      for (auto& t : pool)
        if (t.joinable()) t.join();
    };

    std::vector<double> day_decisions, day_square, day_counts, seg_days, seg_expected,
        value_decisions, value_purchases, value_revenue;
    try {
      for (std::uint64_t b = 0; b < block_count; ++b) {
        Block block;
        {
          std::unique_lock lock(mutex);
          changed.wait(lock, [&] { return stop || ready.count(b); });
          if (failure) std::rethrow_exception(failure);
          block = std::move(ready.at(b));
          ready.erase(b);
          next_write = b + 1;
          changed.notify_all();
        }
        events.write(block.events);
        decisions.write(block.decisions);
        customers.write(block.customers);
        report.events += block.event_rows;
        report.decisions += block.decision_rows;
        truth.append_rows("/customers", block.truth_customers);
        truth.append_matrix("/outcomes/purchases", action_names, block.purchases);
        truth.append_matrix("/outcomes/revenue", action_names, block.revenue);
        truth.append_matrix("/outcomes/profit", action_names, block.profit);
        truth.append_matrix("/outcomes/unsubscribe", action_names, block.unsubscribe);
        add(day_decisions, block.day_decisions);
        add(day_square, block.day_propensity_square_sum);
        add(day_counts, block.day_expected_counts);
        add(seg_days, block.segment_days);
        add(seg_expected, block.segment_expected_purchases);
        add(value_decisions, block.value_decisions);
        add(value_purchases, block.value_purchases);
        add(value_revenue, block.value_revenue);
        if (o.on_progress) {
          GenerateProgress p;
          p.customers_done = std::min(o.customers, (b + 1) * kGenerateBlockCustomers);
          p.customers_total = o.customers;
          p.rows = report.events + report.decisions;
          p.elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
          o.on_progress(p);
        }
      }
    } catch (...) {
      join();
      throw;
    }
    join();

    truth.attribute("/customers", "response_type_names", "persuadable,sure_thing,lost_cause,do_not_disturb");
    truth.attribute("/outcomes", "horizon_days", horizon);
    truth.attribute("/outcomes", "meaning",
                    "expected outcome over days [truth_start_day, +horizon_days) when the column's "
                    "action is taken on truth_start_day and none after; profit is margin after "
                    "discount minus the contact cost");
    results::Table daily;
    std::vector<double> day_index(o.days);
    for (int d = 0; d < o.days; ++d) day_index[d] = d;
    daily.columns = {{"day", day_index, {}},
                     {"decisions", day_decisions, {}},
                     {"expected_logged_propensity_sum", day_square, {}}};
    truth.table("/checks/daily", daily);
    truth.append_matrix("/checks/daily_expected_action_counts", action_names, day_counts);
    results::Table segments;
    std::vector<std::string> seg_names;
    for (const auto& s : w.segments) seg_names.push_back(s.name);
    segments.columns = {{"segment", {}, seg_names},
                        {"customer_days_without_contact", seg_days, {}},
                        {"expected_purchases", seg_expected, {}}};
    truth.table("/checks/segments", segments);
    results::Table value;
    value.columns = {{"action", {}, action_names},
                     {"decisions", value_decisions, {}},
                     {"expected_purchases", value_purchases, {}},
                     {"expected_revenue", value_revenue, {}}};
    truth.table("/checks/logged_value", value);
    results::Table seg_table;
    seg_table.columns = {{"name", {}, seg_names}};
    truth.table("/world/segments", seg_table);
    results::Table actions;
    std::vector<std::string> channel, campaign, offer;
    std::vector<double> cost, discount;
    for (int a = 0; a < n; ++a) {
      channel.push_back(a ? model.action(a).channel : "");
      campaign.push_back(a ? model.action(a).campaign : "");
      offer.push_back(a ? model.action(a).offer : "");
      cost.push_back(model.action_cost(a));
      discount.push_back(model.action_discount(a));
    }
    actions.columns = {{"name", {}, action_names}, {"channel", {}, channel},
                       {"campaign", {}, campaign}, {"offer", {}, offer},
                       {"cost", cost, {}},         {"discount", discount, {}}};
    truth.table("/world/actions", actions);
    truth.commit();
    events.close();
    decisions.close();
    customers.close();
    report.bytes = events.bytes() + decisions.bytes() + customers.bytes();
  } catch (const results::ResultsFileError& e) {
    fs::remove_all(tmp, ec);
    throw GenerateError(e.what());
  } catch (...) {
    fs::remove_all(tmp, ec);
    throw;
  }
  if (fs::exists(out, ec)) fs::remove(out, ec);  // an empty directory
  fs::rename(tmp, out, ec);
  if (ec) {
    std::error_code ignored;
    fs::remove_all(tmp, ignored);
    throw GenerateError(o.out_dir + ": cannot move the finished output into place: " + ec.message());
  }
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return report;
}

}  // namespace mirror::generate
