// The validated, immutable description of a scenario: what to simulate, not how.
// Built by mirror::scenario::load_scenario; every later stage reads it and never changes it.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mirror/core/channel.hpp"

namespace mirror::core {

// One latent customer segment of the ground-truth world. Rates are per simulated day.
// The equations that use these numbers are in docs/ground-truth-world.md.
struct SegmentSpec {
  std::string name;
  double share = 0.25;           // population share; the shares of all segments sum to 1
  double visit_rate = 0.05;      // P(visit) on a day without marketing
  double purchase_rate = 0.2;    // P(purchase | visit) without an offer
  double spend_mean = 50.0;      // mean basket value before discount (log-normal)
  double spend_sigma = 0.5;      // log-normal sigma of the basket value
  ChannelArray<double> notice_rate{0.3, 0.9, 0.5};  // P(customer notices a contact), by channel
  double offer_sensitivity = 4.0;  // purchase logit gained per unit of discount (0.10 -> +0.4)
  double persuadable_share = 0.4;  // customers whose visits rise when they notice a contact
  double annoyed_share = 0.1;      // customers whom a noticed contact puts off
  double churn_rate = 0.002;       // daily hazard of leaving for good
};

// A product category a contact can be about (the message of a campaign). Each customer of
// the ground-truth world prefers one category (hidden, drawn by `share`); a persuadable's
// contact lift is multiplied by relevance_match when the contact is about that category
// and by relevance_mismatch when it is about another one. Generic contacts: factor 1.
struct CategorySpec {
  std::string name;
  double share = 1.0;  // share of customers who prefer it; the shares sum to 1
  // LCM twins: the model's product category this message promotes ("none": generic); empty:
  // read from the name as in training (twins::lcm_message_categories).
  std::string store_category;
};

// Parameters of the ground-truth world shared by all segments.
struct WorldSpec {
  std::vector<SegmentSpec> segments;  // at least one; defaults in default_world()
  std::vector<CategorySpec> categories;  // none by default: contacts are generic
  double relevance_match = 1.0;
  double relevance_mismatch = 1.0;
  double contact_lift = 1.5;         // visit logit gained by a persuadable who notices a contact
  double annoyance_penalty = 1.0;    // visit logit lost by an annoyed customer who notices one
  double annoyed_multiplier = 3.0;   // churn and unsubscribe hazard multiplier on a day an
                                     // annoyed customer notices a contact
  double fatigue_half_life_days = 7.0;    // recent-contact memory of a customer
  double fatigue_strength = 0.35;         // lift multiplier exp(-strength * fatigue)
  ChannelArray<double> unsubscribe_rate{0.01, 0.02, 0.01};  // per noticed contact, by channel
  double unsubscribe_fatigue = 0.5;       // unsubscribe hazard multiplier exp(+k * fatigue)
  double heterogeneity = 0.5;             // sigma of a customer's log-normal visit-rate factor
  double gross_margin = 0.4;              // margin on the pre-discount price
};

// The world used when a scenario gives no `world:` section (documented in the reference).
WorldSpec default_world();

struct PopulationSpec {
  enum class Source { synthetic, store };
  Source source = Source::synthetic;
  std::uint32_t size = 10000;  // store: set from the store when the run starts
  std::string path;            // store: the customer store, relative paths resolved
  std::string segment;         // store: only the members of this `mirror segment` segment
};

struct ModelSpec {
  enum class Kind { ground_truth, btyd, lcm };
  Kind kind = Kind::ground_truth;
  std::string btyd_variant = "bg_nbd";  // btyd: bg_nbd or pareto_nbd
  std::string path;                     // lcm: the model file, relative paths resolved
};

struct ChannelSpec {
  Channel channel = Channel::email;
  double cost = 0.0;  // per contact, in currency units
};

struct OfferSpec {
  std::string name;
  double discount = 0.0;  // share of the price given away, in [0, 1)
};

// Contact caps, enforced centrally by the engine whatever the policy proposes.
// A cap of -1 means "no cap". Consent is always respected: a customer who unsubscribed
// from a channel is never contacted on it again in the run.
struct ContactCapsSpec {
  int max_per_day = 1;   // 0 or 1: a twin receives at most one action a day
  int max_per_week = -1; // any channel, rolling 7 days
  ChannelArray<int> max_per_week_by_channel{-1, -1, -1};
  int max_per_month = -1;  // any channel, rolling 30 days
  ChannelArray<int> max_per_month_by_channel{-1, -1, -1};
  // No contact on these weekdays (bit w: weekday w, 0 = Monday; day 0 is a Monday) and
  // on these days of the run.
  std::uint8_t quiet_weekdays = 0;
  std::vector<std::int32_t> quiet_days;  // sorted
  // Marketing budget of the run in currency units, -1 = none: a contact that would take
  // the spend over the budget is not delivered (checked in customer order each day).
  double budget = -1.0;
  ChannelArray<double> budget_by_channel{-1.0, -1.0, -1.0};
  // Not the same offer to a customer twice within this many days (0 = no rule).
  int offer_repeat_days = 0;
};

// One action a policy may choose: a channel, an offer (-1 = none) and a message (a world
// category, -1 = generic).
struct CampaignSpec {
  Channel channel = Channel::email;
  int offer = -1;
  int message = -1;
};

// seed 004: a discount level by predicted value tier.
struct ClvTierSpec {
  double min_value = 0.0;  // predicted margin over value_horizon_days, currency units
  int offer = -1;
};

// One entry of a `rules` policy (docs/policies.md): when its condition holds for a
// customer (and its trigger, if any, is due), it proposes its campaign or holds the
// customer back (act false); among the entries that match, the highest priority wins,
// then the earlier one in the list.
struct RuleSpec {
  enum class Trigger { none, cart_abandon, inactive_days, purchase_anniversary };
  std::string name;
  std::string when;  // a condition over the CRM's fields (segment rule language); "" = always
  Trigger trigger = Trigger::none;
  int inactive_days = 0;   // inactive_days: the N days without a visit
  int within_days = 1;     // triggers: proposed on the due day and the next within_days - 1 days until delivered
  bool act = true;         // false: `then: none`
  CampaignSpec campaign;
  int priority = 0;
  int every_days = 1;      // rules without a trigger: checked on days 0, every_days, ...
  int cooldown_days = 0;   // not again to a customer within this many days of its last delivery
};

struct PolicySpec {
  enum class Kind {
    none,
    batch_and_blast,
    propensity_top_k,
    uplift,
    fatigue_aware,
    clv_tiered_discount,
    epsilon_greedy,
    thompson,
    rules,
    linucb,
  };
  Kind kind = Kind::none;
  // batch_and_blast, propensity_top_k, clv_tiered_discount: the one channel and message
  Channel channel = Channel::email;
  int offer = -1;                 // index into ScenarioSpec::offers; -1 = no offer
  int message = -1;               // index into world.categories; -1 = generic
  int every_days = 7;             // contact on days start_day, start_day + every_days, ...
  int start_day = 0;
  std::vector<int> segments;      // indices into world.segments; empty = everyone
  // uplift, fatigue_aware, epsilon_greedy, thompson: the candidate actions
  std::vector<CampaignSpec> campaigns;
  // propensity_top_k: the top `share` of the arm's customers, or the top `top_k`, each day
  double share = -1.0;
  std::int64_t top_k = -1;
  // fatigue_aware: at most max_per_week messages a week (1 a day); per-campaign daily volume
  int max_per_week = 3;
  std::int64_t campaign_daily_limit = -1;
  double min_score = 0.0;         // fatigue_aware: minimum propensity; uplift: minimum gain
  double unsubscribe_cost = 0.0;  // uplift: value lost per expected unsubscribe
  // clv_tiered_discount
  std::vector<ClvTierSpec> tiers;  // ascending min_value
  double min_churn_risk = 0.0;     // daily churn hazard at least this
  int value_horizon_days = 90;
  // epsilon_greedy, thompson, linucb: "no action" is one of the arms
  // epsilon_greedy, linucb: share of uniform exploration; unset, the kind's default.
  std::optional<double> epsilon;
  // epsilon_greedy explores 10% unless told; linucb explores by its bonus and ties (0).
  double epsilon_or_default() const { return epsilon.value_or(kind == Kind::linucb ? 0.0 : 0.1); }
  bool include_none = true;
  // rules
  std::vector<RuleSpec> rules;
  // thompson: one posterior per segment and arm, or per customer and arm
  enum class LearnPer { segment, customer };
  LearnPer per = LearnPer::segment;
  // linucb: score = theta_a . x + alpha sqrt(x' A_a^-1 x), A_a = ridge I + sum x x'
  double alpha = 1.0;
  double ridge = 1.0;
};

const char* policy_kind_name(PolicySpec::Kind k);

struct ArmSpec {
  std::string name;
  PolicySpec policy;
};

struct ExperimentSpec {
  // stratified: split within each segment, every arm getting the same share of it.
  enum class Design { paired, split, stratified };
  Design design = Design::paired;
  int control = 0;              // index into arms
  double holdout_share = 0.1;   // split and stratified: share of customers in the control arm
  std::vector<ArmSpec> arms;    // at least one
};

const char* design_name(ExperimentSpec::Design d);

// Metrics the summary table can show; all are always computed and stored.
enum class Metric { revenue, cost, profit, conversions, contacts, unsubscribes, active_at_end };
inline constexpr int kMetricCount = 7;
const char* metric_name(Metric m);

struct OutputsSpec {
  std::string results;  // HDF5 path; default "results/<name>.h5"
  std::string decisions_csv;  // the decision log as canonical decisions CSV; "" = none
  // Rows of the decision log kept per arm (in memory, then in the results file); logging
  // stops at the last whole day that fits. 0 = no decision log.
  std::int64_t decisions_max_rows = 1000000;
  // Also sum, per customer, the model's expected margin of every day given the customer's
  // state and the delivered action (the realized profit with each day's draws averaged
  // out). Needs a model that answers expected outcomes (ground_truth); costs one more
  // model evaluation per customer-day.
  bool expected_value = false;
};

struct ScenarioSpec {
  std::string name;
  std::uint64_t seed = 0;
  PopulationSpec population;
  ModelSpec model;
  WorldSpec world;
  int horizon_days = 90;
  std::vector<ChannelSpec> channels;   // channels the scenario may use, at most one per kind
  std::vector<OfferSpec> offers;
  ContactCapsSpec constraints;
  ExperimentSpec experiment;
  std::vector<Metric> metrics;         // shown in the summary table; default: all
  OutputsSpec outputs;

  std::string source_path;  // the file it was read from
  std::string source_text;  // its exact text, stored with the results

  // Cost of one contact on `c`; 0 when the scenario does not list the channel.
  double channel_cost(Channel c) const;
  bool has_channel(Channel c) const;
};

}  // namespace mirror::core
