// The description of a synthetic customer world for `mirror generate`: catalogue, channels,
// actions, segments, behaviour parameters and the stochastic logging policy. Plain data,
// read from a world file (scenario module) or a preset; the equations that use it are in
// docs/worlds.md and twins/world_model.cpp.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mirror::core {

// Hidden response types (the uplift literature's four quadrants).
enum class ResponseType : std::uint8_t { persuadable, sure_thing, lost_cause, do_not_disturb };
inline constexpr int kResponseTypeCount = 4;
const char* response_type_name(ResponseType t);
const std::vector<std::string>& response_type_names();

struct WorldCategory {
  std::string name;
  double weight = 1.0;            // relative popularity
  double price_mean = 40.0;       // mean basket value before discount (log-normal)
  double price_sigma = 0.4;       // log-normal sigma
  double margin = 0.4;            // gross margin on the pre-discount price
  double season_amplitude = 0.0;  // popularity x exp(a cos(2 pi (doy - peak) / 365.25))
  int season_peak_day = 0;        // day of the year (0 = 1 January)
  int items = 50;                 // distinct items, named CATEGORY-NNNN
};

struct WorldChannel {
  std::string name;
  double cost = 0.0;              // per contact
  double notice_rate = 0.3;       // P(a contact is noticed) without fatigue
  double responsiveness = 1.0;    // multiplies a persuadable's lift
  double unsubscribe_rate = 0.005;  // P(unsubscribe | noticed) without fatigue
  double optin_rate = 1.0;        // share of customers with consent at the start
};

struct WorldOffer {
  std::string name;
  double discount = 0.0;  // share of the price given away, in [0, 1)
};

struct WorldCampaign {
  std::string name;
  std::string category;  // the category it promotes; "" = generic
};

// One action of the logging policy. "none" (index 0 of the resolved list) is implicit.
struct WorldAction {
  std::string name;
  std::string channel;
  std::string campaign;
  std::string offer;
  // Resolved by resolve_world(): indices into channels, campaigns, offers.
  int channel_index = -1;
  int campaign_index = -1;
  int offer_index = -1;
};

struct WorldSegment {
  std::string name;
  double share = 1.0;
  double visit_rate = 0.05;       // P(visit) at recency 0 for an average customer, no season
  double cart_rate = 0.4;         // P(cart_add | visit)
  double purchase_rate = 0.5;     // P(purchase | cart) without an offer
  double offer_sensitivity = 4.0; // purchase logit per unit of a noticed discount
  double churn_rate = 0.0005;     // hazard per churn check at recency 0
  std::array<double, kResponseTypeCount> type_shares{0.25, 0.25, 0.25, 0.25};
  double fee = 0.0;               // subscription: charged at each weekly renewal
  double retention_sensitivity = 0.0;  // subscription: churn logit per unit of discount
};

struct WorldBehaviour {
  enum class PurchaseMode { funnel, subscription };
  PurchaseMode purchase_mode = PurchaseMode::funnel;
  double heterogeneity = 0.5;        // sigma of a customer's visit logit offset z
  double recency_cap_days = 60;      // recency g(r) = min(r, cap) / cap
  double recency_decay = 1.0;        // visit logit lost at g = 1
  double season_amplitude = 0.2;     // visit logit: a cos(2 pi (doy - peak) / 365.25)
  int season_peak_day = 330;
  double weekly_amplitude = 0.1;     // visit logit: a cos(2 pi (dow - peak) / 7), dow 0 = Monday
  int weekly_peak_day = 5;
  double persuadable_lift = 1.2;     // visit logit gained by a persuadable who noticed
  double sure_thing_shift = 1.0;     // visit logit offset of sure things
  double lost_cause_shift = -1.5;    // visit logit offset of lost causes
  double do_not_disturb_penalty = 0.8;   // visit logit lost by a noticed do-not-disturb
  double do_not_disturb_multiplier = 3.0;  // their unsubscribe and churn hazard on a contact day
  double fatigue_half_life_days = 7;
  double fatigue_strength = 0.3;     // lift x exp(-strength F)
  double fatigue_notice = 0.1;       // notice rate x exp(-k F)
  double unsubscribe_fatigue = 0.4;  // unsubscribe rate x exp(+k F)
  double relevance_match = 1.5;      // lift x this when the campaign's category is preferred
  double relevance_mismatch = 0.5;   // ... when it promotes another category
  double category_loyalty = 0.6;     // P(a visit is about the preferred category)
  double cart_trigger_lift = 0.8;    // lift x (1 + this) with a cart abandoned recently
  int cart_memory_days = 3;
  int effect_days = 1;               // days a noticed contact's effects last
  double churn_recency = 0.0;        // churn logit + this g(r)
  double churn_engagement = 0.0;     // churn logit - this z
  int churn_every_days = 1;          // 7: weekly checks at the renewal day
  bool churn_observed = false;       // write churn events
  double support_rate = 0.001;       // P(support_contact) per active day
};

struct WorldActionScore {
  std::string action;  // an action name or "none"
  double bias = 0.0;
  double recency = 0.0;  // x g(days since last visit)
  double fatigue = 0.0;  // x contact fatigue F
  double cart = 0.0;     // x [cart abandoned within cart_memory_days]
};

struct WorldLoggingPolicy {
  enum class Kind { uniform, epsilon_greedy, softmax };
  Kind kind = Kind::uniform;
  std::string name = "logging";
  int every_days = 7;          // decision days: day % every_days == phase_day
  int phase_day = 0;
  bool on_cart_abandon = true; // also decide the day after a cart abandonment
  // epsilon_greedy: the rule's action with 1 - epsilon + epsilon / K, others epsilon / K.
  double epsilon = 0.2;
  std::string default_action = "none";
  std::string trigger_action = "none";  // when a cart was abandoned recently
  std::string winback_action = "none";  // when the last visit is winback_after_days old
  int winback_after_days = 30;
  // softmax: P(a) proportional to exp(score_a / temperature) over the allowed actions.
  double temperature = 1.0;
  std::vector<WorldActionScore> scores;
};

struct SyntheticWorldSpec {
  std::string name;
  std::string description;
  std::string start_date = "2024-01-01";  // day 0, UTC
  int truth_horizon_days = 14;            // H of the per-customer truth
  std::vector<WorldCategory> categories;
  std::vector<WorldChannel> channels;
  std::vector<WorldOffer> offers;
  std::vector<WorldCampaign> campaigns;
  std::vector<WorldAction> actions;  // without "none"
  std::vector<WorldSegment> segments;
  WorldBehaviour behaviour;
  WorldLoggingPolicy logging;
};

const std::vector<std::string>& world_preset_names();  // retail, crm_fatigue, subscription_churn
std::optional<SyntheticWorldSpec> world_preset(const std::string& name);

// Checks cross-references and ranges that a single key cannot, and resolves the actions'
// indices. Returns "key.path: message" lines; empty when the world is valid.
std::vector<std::string> resolve_world(SyntheticWorldSpec& world);

// The full world as YAML that the world-file loader reads back to the same spec.
std::string world_to_yaml(const SyntheticWorldSpec& world);

// Shortest text that reads back to the same double.
std::string format_number(double v);

}  // namespace mirror::core
