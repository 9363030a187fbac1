// The behaviour equations of a synthetic world (docs/worlds.md): customer traits, one day's
// probabilities, the logging policy's propensities, and the exact expected outcomes that
// `mirror generate` writes as truth.
#pragma once

#include <cstdint>
#include <limits>
#include <vector>

#include "mirror/core/synthetic_world.hpp"

namespace mirror::generate {

inline constexpr int kLongAgo = std::numeric_limits<int>::min() / 2;

// Drawn once per customer from RandomStream(seed, customer, kNoDay, population).
struct WorldCustomer {
  int segment = 0;
  core::ResponseType type = core::ResponseType::persuadable;  // hidden
  double z = 0;                  // hidden visit-logit offset ("engagement"), N(0, h^2)
  int preferred_category = 0;    // hidden
  int initial_recency = 0;       // days since the last visit on day 0 (observable)
  int check_phase = 0;           // churn checks (and renewals) when (day + phase) % every == 0
  std::uint32_t consent = 0;     // bit c: consent on channel c at the start
  int region = 0;                // observable noise attributes
  int age_band = 0;
};

// A customer at the start of a day.
struct WorldCustomerState {
  bool alive = true;
  int recency = 0;        // days since the last visit
  double fatigue = 0;     // decayed count of contacts (the company's log implies it)
  std::uint32_t consent = 0;
  int cart_abandon_day = kLongAgo;
  // The last noticed contact, whose visit effects last behaviour.effect_days.
  int effect_start = kLongAgo;
  int effect_action = 0;  // 0 = none
  double effect_lift = 0; // a persuadable's visit-logit lift fixed on the contact day
  // The last noticed contact with an offer: its discount (and a persuadable's retention)
  // lasts behaviour.effect_days whatever contacts without an offer come in between (a
  // newsletter does not take a coupon back); a newer offer replaces it.
  int offer_start = kLongAgo;
  int offer_action = 0;
};

// What an active noticed contact does on one day.
struct DayEffect {
  double visit_shift = 0;
  double discount = 0;
  double churn_shift = 0;
  bool do_not_disturb_today = false;
};

struct WorldOutcome {
  double purchases = 0;
  double revenue = 0;
  double profit = 0;       // margin after discount, minus the contact's cost
  double unsubscribe = 0;  // P(unsubscribing on the contact day)
};

class WorldModel {
 public:
  // `days` covers the log and the truth window after it.
  WorldModel(const core::SyntheticWorldSpec& world, std::uint64_t seed, int days);

  const core::SyntheticWorldSpec& world() const { return world_; }
  std::uint64_t seed() const { return seed_; }
  int action_count() const { return static_cast<int>(world_.actions.size()) + 1; }  // with none
  // Action a >= 1 is world().actions[a - 1].
  const core::WorldAction& action(int a) const { return world_.actions[a - 1]; }
  double action_cost(int a) const;
  double action_discount(int a) const;

  WorldCustomer customer(std::uint64_t id) const;
  WorldCustomerState initial_state(const WorldCustomer& c) const;

  // --- one day -------------------------------------------------------------------------
  double recency_term(int recency) const;  // g(r) = min(r, cap) / cap
  double visit_probability(const WorldCustomer& c, int recency, int day, const DayEffect& e) const;
  // P(purchase | visit) in the funnel.
  double purchase_given_visit(const WorldCustomer& c, const DayEffect& e) const;
  double churn_hazard(const WorldCustomer& c, int recency, const DayEffect& e) const;
  bool is_check_day(const WorldCustomer& c, int day) const;
  double notice_probability(int a, double fatigue) const;
  double unsubscribe_probability(const WorldCustomer& c, int a, double fatigue) const;
  // The lift a persuadable who notices action a gets, fixed on the contact day.
  double lift(const WorldCustomer& c, int a, double fatigue, bool cart_recent) const;
  DayEffect effect_on(const WorldCustomer& c, const WorldCustomerState& s, int day) const;
  // Action a noticed on `day`: its effects start, and its offer, if it has one, replaces the
  // offer in force.
  void notice(const WorldCustomer& c, int a, int day, WorldCustomerState& s) const;
  bool cart_recent(const WorldCustomerState& s, int day) const;
  // Expected basket value and margin of a purchase on `day` (before discount).
  double expected_basket(const WorldCustomer& c, int day) const;
  double expected_margin(const WorldCustomer& c, int day) const;
  // Category popularity on `day` (sums to 1).
  const std::vector<double>& category_weights(int day) const { return category_weights_[day]; }
  double fatigue_decay() const { return fatigue_decay_; }

  // --- the logging policy --------------------------------------------------------------
  bool is_decision_day(const WorldCustomerState& s, int day) const;
  // P(action a) for every action (0 where the channel has no consent); sums to 1.
  void policy_probabilities(const WorldCustomerState& s, int day, std::vector<double>& out) const;

  // --- truth ---------------------------------------------------------------------------
  // Expected purchases and revenue on `day` if action a is taken (a not deliverable without
  // consent counts as none), averaged over whether the contact is noticed.
  WorldOutcome expected_day(const WorldCustomer& c, const WorldCustomerState& s, int day,
                            int a) const;
  // Expected outcomes over days [start, start + horizon) for each action taken on `start`
  // and nothing after (exact: a recursion over the distribution of recency).
  void expected_outcomes(const WorldCustomer& c, const WorldCustomerState& s, int start,
                         int horizon, std::vector<WorldOutcome>& out) const;

 private:
  struct Path;
  void run_path(const WorldCustomer& c, const WorldCustomerState& s, int start, int horizon,
                const WorldCustomerState& effect_state, WorldOutcome& out) const;
  int action_index(const std::string& name) const;

  core::SyntheticWorldSpec world_;
  std::uint64_t seed_;
  int days_;
  std::vector<double> day_shift_;                       // season + weekday, per day
  std::vector<std::vector<double>> category_weights_;   // per day
  std::vector<double> mixed_basket_, mixed_margin_;     // non-preferred visits, per day
  std::vector<double> segment_visit_logit_, segment_purchase_logit_, segment_churn_logit_;
  std::vector<double> type_shift_;
  double fatigue_decay_ = 1;
  int rule_default_ = 0, rule_trigger_ = 0, rule_winback_ = 0;
  std::vector<double> score_bias_, score_recency_, score_fatigue_, score_cart_;  // per action
};

}  // namespace mirror::generate
