// The synthetic worlds' equations (docs/worlds.md). Every probability the generator samples
// from is computed here, and the truth is computed from the same functions.
#include "mirror/generate/world_model.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "mirror/core/random.hpp"

namespace mirror::generate {

namespace {

constexpr double kTwoPi = 6.283185307179586;

double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }
double logit(double p) { return std::log(p) - std::log1p(-p); }

// Days since 1970-01-01 of a civil date (proleptic Gregorian).
std::int64_t days_from_civil(int y, int m, int d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const std::int64_t yoe = y - era * 400;
  const std::int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

int year_of(std::int64_t days) {
  int y = static_cast<int>(1970 + days / 366);
  while (days_from_civil(y + 1, 1, 1) <= days) ++y;
  return y;
}

double lognormal_mean_margin(const core::WorldCategory& c) { return c.price_mean * c.margin; }

}  // namespace

WorldModel::WorldModel(const core::SyntheticWorldSpec& world, std::uint64_t seed, int days)
    : world_(world), seed_(seed), days_(days) {
  const auto& b = world_.behaviour;
  const int y = std::stoi(world_.start_date.substr(0, 4));
  const int m = std::stoi(world_.start_date.substr(5, 2));
  const int d0 = std::stoi(world_.start_date.substr(8, 2));
  const std::int64_t start = days_from_civil(y, m, d0);
  day_shift_.resize(days);
  category_weights_.resize(days);
  mixed_basket_.resize(days);
  mixed_margin_.resize(days);
  for (int d = 0; d < days; ++d) {
    const std::int64_t t = start + d;
    const int doy = static_cast<int>(t - days_from_civil(year_of(t), 1, 1));
    const int dow = static_cast<int>(((t + 3) % 7 + 7) % 7);  // 1970-01-01 was a Thursday
    day_shift_[d] = b.season_amplitude * std::cos(kTwoPi * (doy - b.season_peak_day) / 365.25) +
                    b.weekly_amplitude * std::cos(kTwoPi * (dow - b.weekly_peak_day) / 7.0);
    auto& w = category_weights_[d];
    w.resize(world_.categories.size());
    double total = 0;
    for (std::size_t k = 0; k < w.size(); ++k) {
      const auto& c = world_.categories[k];
      w[k] = c.weight *
             std::exp(c.season_amplitude * std::cos(kTwoPi * (doy - c.season_peak_day) / 365.25));
      total += w[k];
    }
    double basket = 0, margin = 0;
    for (std::size_t k = 0; k < w.size(); ++k) {
      w[k] /= total;
      basket += w[k] * world_.categories[k].price_mean;
      margin += w[k] * lognormal_mean_margin(world_.categories[k]);
    }
    mixed_basket_[d] = basket;
    mixed_margin_[d] = margin;
  }
  for (const auto& s : world_.segments) {
    segment_visit_logit_.push_back(logit(s.visit_rate));
    segment_purchase_logit_.push_back(logit(s.purchase_rate));
    segment_churn_logit_.push_back(logit(s.churn_rate));
  }
  type_shift_ = {0.0, b.sure_thing_shift, b.lost_cause_shift, 0.0};
  fatigue_decay_ = std::exp2(-1.0 / b.fatigue_half_life_days);
  const auto& l = world_.logging;
  rule_default_ = action_index(l.default_action);
  rule_trigger_ = action_index(l.trigger_action);
  rule_winback_ = action_index(l.winback_action);
  const int n = action_count();
  score_bias_.assign(n, 0.0);
  score_recency_.assign(n, 0.0);
  score_fatigue_.assign(n, 0.0);
  score_cart_.assign(n, 0.0);
  for (const auto& s : l.scores) {
    const int a = action_index(s.action);
    score_bias_[a] = s.bias;
    score_recency_[a] = s.recency;
    score_fatigue_[a] = s.fatigue;
    score_cart_[a] = s.cart;
  }
}

int WorldModel::action_index(const std::string& name) const {
  for (std::size_t i = 0; i < world_.actions.size(); ++i)
    if (world_.actions[i].name == name) return static_cast<int>(i) + 1;
  return 0;
}

double WorldModel::action_cost(int a) const {
  return a == 0 ? 0.0 : world_.channels[action(a).channel_index].cost;
}

double WorldModel::action_discount(int a) const {
  return a == 0 ? 0.0 : world_.offers[action(a).offer_index].discount;
}

WorldCustomer WorldModel::customer(std::uint64_t id) const {
  core::RandomStream r(seed_, id, core::kNoDay, core::Purpose::population);
  WorldCustomer c;
  // Segment and response type by cumulative shares, in file order.
  double u = r.uniform(), acc = 0;
  c.segment = static_cast<int>(world_.segments.size()) - 1;
  for (std::size_t s = 0; s < world_.segments.size(); ++s)
    if (u < (acc += world_.segments[s].share)) {
      c.segment = static_cast<int>(s);
      break;
    }
  const auto& shares = world_.segments[c.segment].type_shares;
  u = r.uniform(), acc = 0;
  c.type = core::ResponseType::do_not_disturb;
  for (int t = 0; t < core::kResponseTypeCount; ++t)
    if (u < (acc += shares[t])) {
      c.type = static_cast<core::ResponseType>(t);
      break;
    }
  c.z = world_.behaviour.heterogeneity * r.normal();
  double total = 0;
  for (const auto& k : world_.categories) total += k.weight;
  u = r.uniform() * total, acc = 0;
  c.preferred_category = static_cast<int>(world_.categories.size()) - 1;
  for (std::size_t k = 0; k < world_.categories.size(); ++k)
    if (u < (acc += world_.categories[k].weight)) {
      c.preferred_category = static_cast<int>(k);
      break;
    }
  const int cap = static_cast<int>(std::ceil(world_.behaviour.recency_cap_days));
  c.initial_recency = static_cast<int>(r.uniform() * (2 * cap + 1));
  c.check_phase = static_cast<int>(r.uniform() * world_.behaviour.churn_every_days);
  for (std::size_t ch = 0; ch < world_.channels.size(); ++ch)
    if (r.uniform() < world_.channels[ch].optin_rate) c.consent |= 1u << ch;
  c.region = static_cast<int>(r.uniform() * 4);
  c.age_band = static_cast<int>(r.uniform() * 5);
  return c;
}

WorldCustomerState WorldModel::initial_state(const WorldCustomer& c) const {
  WorldCustomerState s;
  s.recency = c.initial_recency;
  s.consent = c.consent;
  return s;
}

double WorldModel::recency_term(int recency) const {
  const double cap = world_.behaviour.recency_cap_days;
  return std::min<double>(recency, cap) / cap;
}

double WorldModel::visit_probability(const WorldCustomer& c, int recency, int day,
                                     const DayEffect& e) const {
  return sigmoid(segment_visit_logit_[c.segment] + c.z + type_shift_[static_cast<int>(c.type)] +
                 day_shift_[day] - world_.behaviour.recency_decay * recency_term(recency) +
                 e.visit_shift);
}

double WorldModel::purchase_given_visit(const WorldCustomer& c, const DayEffect& e) const {
  if (world_.behaviour.purchase_mode != core::WorldBehaviour::PurchaseMode::funnel) return 0.0;
  const auto& s = world_.segments[c.segment];
  return s.cart_rate * sigmoid(segment_purchase_logit_[c.segment] + s.offer_sensitivity * e.discount);
}

double WorldModel::churn_hazard(const WorldCustomer& c, int recency, const DayEffect& e) const {
  const auto& b = world_.behaviour;
  const double h = sigmoid(segment_churn_logit_[c.segment] + b.churn_recency * recency_term(recency) -
                           b.churn_engagement * c.z + e.churn_shift);
  return std::min(1.0, e.do_not_disturb_today ? h * b.do_not_disturb_multiplier : h);
}

bool WorldModel::is_check_day(const WorldCustomer& c, int day) const {
  return (day + c.check_phase) % world_.behaviour.churn_every_days == 0;
}

double WorldModel::notice_probability(int a, double fatigue) const {
  return world_.channels[action(a).channel_index].notice_rate *
         std::exp(-world_.behaviour.fatigue_notice * fatigue);
}

double WorldModel::unsubscribe_probability(const WorldCustomer& c, int a, double fatigue) const {
  const auto& b = world_.behaviour;
  const double m = c.type == core::ResponseType::do_not_disturb ? b.do_not_disturb_multiplier : 1.0;
  return std::min(1.0, world_.channels[action(a).channel_index].unsubscribe_rate *
                           std::exp(b.unsubscribe_fatigue * fatigue) * m);
}

double WorldModel::lift(const WorldCustomer& c, int a, double fatigue, bool cart_recent) const {
  const auto& b = world_.behaviour;
  const auto& act = action(a);
  const auto& category = world_.campaigns[act.campaign_index].category;
  double relevance = 1.0;
  if (!category.empty())
    relevance = category == world_.categories[c.preferred_category].name ? b.relevance_match
                                                                         : b.relevance_mismatch;
  return b.persuadable_lift * world_.channels[act.channel_index].responsiveness * relevance *
         std::exp(-b.fatigue_strength * fatigue) * (1.0 + (cart_recent ? b.cart_trigger_lift : 0.0));
}

DayEffect WorldModel::effect_on(const WorldCustomer& c, const WorldCustomerState& s,
                                int day) const {
  DayEffect e;
  const auto active = [&](int action, int start) {
    return action != 0 && day >= start && day < start + world_.behaviour.effect_days;
  };
  if (active(s.offer_action, s.offer_start)) {
    e.discount = action_discount(s.offer_action);
    if (c.type == core::ResponseType::persuadable)
      e.churn_shift = -world_.segments[c.segment].retention_sensitivity * e.discount;
  }
  if (!active(s.effect_action, s.effect_start)) return e;
  if (c.type == core::ResponseType::persuadable) {
    e.visit_shift = s.effect_lift;
  } else if (c.type == core::ResponseType::do_not_disturb) {
    e.visit_shift = -world_.behaviour.do_not_disturb_penalty;
    e.do_not_disturb_today = day == s.effect_start;
  }
  return e;
}

void WorldModel::notice(const WorldCustomer& c, int a, int day, WorldCustomerState& s) const {
  s.effect_lift = lift(c, a, s.fatigue, cart_recent(s, day));
  s.effect_start = day;
  s.effect_action = a;
  if (action_discount(a) > 0) {
    s.offer_start = day;
    s.offer_action = a;
  }
}

bool WorldModel::cart_recent(const WorldCustomerState& s, int day) const {
  return s.cart_abandon_day < day && s.cart_abandon_day >= day - world_.behaviour.cart_memory_days;
}

double WorldModel::expected_basket(const WorldCustomer& c, int day) const {
  const double loyal = world_.behaviour.category_loyalty;
  return loyal * world_.categories[c.preferred_category].price_mean + (1 - loyal) * mixed_basket_[day];
}

double WorldModel::expected_margin(const WorldCustomer& c, int day) const {
  const double loyal = world_.behaviour.category_loyalty;
  return loyal * lognormal_mean_margin(world_.categories[c.preferred_category]) +
         (1 - loyal) * mixed_margin_[day];
}

bool WorldModel::is_decision_day(const WorldCustomerState& s, int day) const {
  const auto& l = world_.logging;
  return day % l.every_days == l.phase_day || (l.on_cart_abandon && s.cart_abandon_day == day - 1);
}

void WorldModel::policy_probabilities(const WorldCustomerState& s, int day,
                                      std::vector<double>& out) const {
  const int n = action_count();
  out.assign(n, 0.0);
  auto allowed = [&](int a) {
    return a == 0 || (s.consent >> action(a).channel_index & 1u) != 0;
  };
  int k = 0;
  for (int a = 0; a < n; ++a) k += allowed(a);
  const auto& l = world_.logging;
  const bool cart = cart_recent(s, day);
  switch (l.kind) {
    case core::WorldLoggingPolicy::Kind::uniform:
      for (int a = 0; a < n; ++a)
        if (allowed(a)) out[a] = 1.0 / k;
      break;
    case core::WorldLoggingPolicy::Kind::epsilon_greedy: {
      int rule = cart ? rule_trigger_ : s.recency >= l.winback_after_days ? rule_winback_ : rule_default_;
      if (!allowed(rule)) rule = 0;
      for (int a = 0; a < n; ++a)
        if (allowed(a)) out[a] = l.epsilon / k;
      out[rule] += 1.0 - l.epsilon;
      break;
    }
    case core::WorldLoggingPolicy::Kind::softmax: {
      const double g = recency_term(s.recency);
      double top = -1e300;
      for (int a = 0; a < n; ++a)
        if (allowed(a)) {
          out[a] = (score_bias_[a] + score_recency_[a] * g + score_fatigue_[a] * s.fatigue +
                    score_cart_[a] * (cart ? 1.0 : 0.0)) /
                   l.temperature;
          top = std::max(top, out[a]);
        }
      double total = 0;
      for (int a = 0; a < n; ++a)
        if (allowed(a)) total += out[a] = std::exp(out[a] - top);
      for (int a = 0; a < n; ++a) out[a] /= total;
      break;
    }
  }
}

WorldOutcome WorldModel::expected_day(const WorldCustomer& c, const WorldCustomerState& s,
                                      int day, int a) const {
  WorldOutcome out;
  if (!s.alive) return out;
  const bool subscription =
      world_.behaviour.purchase_mode == core::WorldBehaviour::PurchaseMode::subscription;
  auto one_path = [&](const WorldCustomerState& e_state, double weight) {
    const DayEffect e = effect_on(c, e_state, day);
    if (subscription) {
      if (!is_check_day(c, day)) return;
      const double renew = 1.0 - churn_hazard(c, s.recency, e);
      const double fee = world_.segments[c.segment].fee * (1.0 - e.discount);
      out.purchases += weight * renew;
      out.revenue += weight * renew * fee;
      out.profit += weight * renew * fee;
    } else {
      const double p = visit_probability(c, s.recency, day, e) * purchase_given_visit(c, e);
      const double basket = expected_basket(c, day);
      out.purchases += weight * p;
      out.revenue += weight * p * basket * (1.0 - e.discount);
      out.profit += weight * p * (expected_margin(c, day) - basket * e.discount);
    }
  };
  const bool deliverable = a > 0 && (s.consent >> action(a).channel_index & 1u) != 0;
  if (!deliverable) {
    one_path(s, 1.0);
    return out;
  }
  const double n = notice_probability(a, s.fatigue);
  WorldCustomerState noticed = s;
  notice(c, a, day, noticed);
  one_path(noticed, n);
  one_path(s, 1.0 - n);
  out.profit -= action_cost(a);
  out.unsubscribe = n * unsubscribe_probability(c, a, s.fatigue);
  return out;
}

void WorldModel::run_path(const WorldCustomer& c, const WorldCustomerState& s, int start,
                          int horizon, const WorldCustomerState& effect_state,
                          WorldOutcome& out) const {
  out = WorldOutcome{};
  if (!s.alive) return;
  const bool subscription =
      world_.behaviour.purchase_mode == core::WorldBehaviour::PurchaseMode::subscription;
  const int cap = static_cast<int>(std::ceil(world_.behaviour.recency_cap_days));
  // The distribution of (recency, alive) as a sparse list sorted by recency; mass lost is
  // the probability of having churned.
  std::vector<std::pair<int, double>> now{{std::min(s.recency, cap), 1.0}}, next;
  now.reserve(horizon + 2);
  next.reserve(horizon + 2);
  const double fee = world_.segments[c.segment].fee;
  for (int k = 0; k < horizon; ++k) {
    const int day = start + k;
    const DayEffect e = effect_on(c, effect_state, day);
    const double buy = purchase_given_visit(c, e);
    const double basket = expected_basket(c, day);
    const double unit_profit = expected_margin(c, day) - basket * e.discount;
    const bool check = is_check_day(c, day);
    next.assign(1, {0, 0.0});
    for (const auto& [r, m] : now) {
      const double pv = visit_probability(c, r, day, e);
      if (!subscription) {
        const double p = m * pv * buy;
        out.purchases += p;
        out.revenue += p * basket * (1.0 - e.discount);
        out.profit += p * unit_profit;
      }
      const double h = check ? churn_hazard(c, r, e) : 0.0;
      if (subscription && check) {
        const double renew = m * (1.0 - h);
        out.purchases += renew;
        out.revenue += renew * fee * (1.0 - e.discount);
        out.profit += renew * fee * (1.0 - e.discount);
      }
      next[0].second += m * (1.0 - h) * pv;
      const int r1 = std::min(r + 1, cap);
      const double stay = m * (1.0 - h) * (1.0 - pv);
      if (next.size() > 1 && next.back().first == r1) next.back().second += stay;
      else next.emplace_back(r1, stay);
    }
    now.swap(next);
  }
}

void WorldModel::expected_outcomes(const WorldCustomer& c, const WorldCustomerState& s,
                                   int start, int horizon, std::vector<WorldOutcome>& out) const {
  const int n = action_count();
  out.assign(n, WorldOutcome{});
  if (!s.alive) {
    for (int a = 1; a < n; ++a)
      if (s.consent >> action(a).channel_index & 1u) out[a].profit = -action_cost(a);
    return;
  }
  WorldOutcome none;
  run_path(c, s, start, horizon, s, none);
  out[0] = none;
  // Sure things and lost causes ignore contacts: without a discount (which leaves the offer
  // in force as it is) a contact changes nothing for them.
  const bool inert = c.type == core::ResponseType::sure_thing || c.type == core::ResponseType::lost_cause;
  for (int a = 1; a < n; ++a) {
    if ((s.consent >> action(a).channel_index & 1u) == 0) {
      out[a] = none;  // not deliverable: the same as doing nothing
      continue;
    }
    const double p = notice_probability(a, s.fatigue);
    WorldOutcome noticed;
    if (inert && action_discount(a) == 0.0) {
      out[a] = none;  // no effect at all: skip the recursion
      out[a].profit -= action_cost(a);
      out[a].unsubscribe = p * unsubscribe_probability(c, a, s.fatigue);
      continue;
    } else {
      WorldCustomerState e = s;
      notice(c, a, start, e);
      run_path(c, s, start, horizon, e, noticed);
    }
    out[a].purchases = p * noticed.purchases + (1 - p) * none.purchases;
    out[a].revenue = p * noticed.revenue + (1 - p) * none.revenue;
    out[a].profit = p * noticed.profit + (1 - p) * none.profit - action_cost(a);
    out[a].unsubscribe = p * unsubscribe_probability(c, a, s.fatigue);
  }
}

}  // namespace mirror::generate
