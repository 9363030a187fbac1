// The shipped synthetic worlds (docs/worlds.md), their cross-checks and their YAML form.
#include "mirror/core/synthetic_world.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <set>
#include <sstream>

namespace mirror::core {

const char* response_type_name(ResponseType t) {
  switch (t) {
    case ResponseType::persuadable: return "persuadable";
    case ResponseType::sure_thing: return "sure_thing";
    case ResponseType::lost_cause: return "lost_cause";
    case ResponseType::do_not_disturb: return "do_not_disturb";
  }
  return "?";
}

const std::vector<std::string>& response_type_names() {
  static const std::vector<std::string> names{"persuadable", "sure_thing", "lost_cause",
                                              "do_not_disturb"};
  return names;
}

std::string format_number(double v) {
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

namespace {

WorldCategory category(std::string name, double weight, double price, double sigma, double margin,
                       double season, int peak, int items = 50) {
  WorldCategory c;
  c.name = std::move(name);
  c.weight = weight;
  c.price_mean = price;
  c.price_sigma = sigma;
  c.margin = margin;
  c.season_amplitude = season;
  c.season_peak_day = peak;
  c.items = items;
  return c;
}

WorldChannel channel(std::string name, double cost, double notice, double resp, double unsub,
                     double optin) {
  return {std::move(name), cost, notice, resp, unsub, optin};
}

WorldAction action(std::string name, std::string ch, std::string campaign, std::string offer) {
  WorldAction a;
  a.name = std::move(name);
  a.channel = std::move(ch);
  a.campaign = std::move(campaign);
  a.offer = std::move(offer);
  return a;
}

WorldSegment segment(std::string name, double share, double visit, double cart, double purchase,
                     double sensitivity, double churn,
                     std::array<double, kResponseTypeCount> types) {
  WorldSegment s;
  s.name = std::move(name);
  s.share = share;
  s.visit_rate = visit;
  s.cart_rate = cart;
  s.purchase_rate = purchase;
  s.offer_sensitivity = sensitivity;
  s.churn_rate = churn;
  s.type_shares = types;
  return s;
}

SyntheticWorldSpec retail() {
  SyntheticWorldSpec w;
  w.name = "retail";
  w.description =
      "multi-category shop: seasonality, recency decay, cart-abandonment triggers, "
      "email/sms/push, discounts that convert but cut margin, four response types";
  w.categories = {category("electronics", 1.0, 120, 0.5, 0.25, 0.6, 340),
                  category("apparel", 2.0, 45, 0.4, 0.55, 0.3, 100),
                  category("home", 1.5, 60, 0.45, 0.45, 0.2, 300),
                  category("beauty", 1.5, 25, 0.35, 0.6, 0.2, 45),
                  category("sports", 1.0, 55, 0.4, 0.4, 0.4, 180)};
  w.channels = {channel("email", 0.002, 0.30, 1.0, 0.004, 0.9),
                channel("sms", 0.03, 0.85, 1.3, 0.015, 0.5),
                channel("push", 0.0005, 0.45, 0.7, 0.008, 0.6)};
  w.offers = {{"none", 0.0}, {"ten_off", 0.10}, {"twenty_off", 0.20}};
  w.campaigns = {{"newsletter", ""},
                 {"cart_reminder", ""},
                 {"electronics_deals", "electronics"},
                 {"apparel_new", "apparel"}};
  w.actions = {action("email_newsletter", "email", "newsletter", "none"),
               action("email_ten_off", "email", "newsletter", "ten_off"),
               action("email_cart_reminder", "email", "cart_reminder", "none"),
               action("sms_ten_off", "sms", "newsletter", "ten_off"),
               action("sms_twenty_off", "sms", "electronics_deals", "twenty_off"),
               action("push_apparel", "push", "apparel_new", "none")};
  w.segments = {segment("new", 0.25, 0.03, 0.35, 0.45, 5.0, 0.002, {0.40, 0.10, 0.35, 0.15}),
                segment("regular", 0.45, 0.06, 0.40, 0.50, 4.0, 0.001, {0.35, 0.30, 0.25, 0.10}),
                segment("vip", 0.15, 0.15, 0.50, 0.60, 2.5, 0.0005, {0.15, 0.60, 0.15, 0.10}),
                segment("lapsed", 0.15, 0.01, 0.30, 0.40, 6.0, 0.004, {0.25, 0.05, 0.50, 0.20})};
  w.logging.kind = WorldLoggingPolicy::Kind::uniform;
  w.logging.name = "uniform_random";
  w.logging.every_days = 7;
  w.logging.on_cart_abandon = true;
  return w;
}

SyntheticWorldSpec crm_fatigue() {
  SyntheticWorldSpec w;
  w.name = "crm_fatigue";
  w.description =
      "CRM programme with many campaigns and categories: response falls with contact "
      "frequency and unsubscribes rise with over-contact";
  w.categories = {category("books", 2.0, 18, 0.3, 0.35, 0.3, 340),
                  category("music", 1.0, 15, 0.3, 0.4, 0.2, 340),
                  category("games", 1.0, 50, 0.4, 0.3, 0.5, 330),
                  category("toys", 1.0, 30, 0.4, 0.45, 0.7, 345),
                  category("garden", 0.8, 40, 0.5, 0.5, 0.6, 120),
                  category("kitchen", 1.2, 35, 0.4, 0.5, 0.1, 0),
                  category("pets", 1.0, 28, 0.3, 0.4, 0.0, 0),
                  category("outdoor", 0.8, 70, 0.5, 0.45, 0.5, 170)};
  w.channels = {channel("email", 0.001, 0.35, 1.0, 0.006, 0.95),
                channel("sms", 0.02, 0.80, 1.2, 0.02, 0.4),
                channel("push", 0.0, 0.40, 0.6, 0.01, 0.5)};
  w.offers = {{"none", 0.0}, {"five_off", 0.05}, {"fifteen_off", 0.15}};
  w.campaigns = {{"weekly_digest", ""}};
  for (const auto& c : w.categories) w.campaigns.push_back({c.name + "_promo", c.name});
  w.actions = {action("email_digest", "email", "weekly_digest", "none"),
               action("push_digest", "push", "weekly_digest", "none")};
  for (const auto& c : w.categories)
    w.actions.push_back(action("email_" + c.name, "email", c.name + "_promo", "none"));
  for (const char* c : {"books", "games", "toys", "garden"})
    w.actions.push_back(action(std::string("sms_") + c + "_five_off", "sms",
                               std::string(c) + "_promo", "five_off"));
  w.actions.push_back(action("email_fifteen_off", "email", "weekly_digest", "fifteen_off"));
  w.segments = {segment("engaged", 0.3, 0.08, 0.45, 0.5, 4.0, 0.0008, {0.45, 0.30, 0.10, 0.15}),
                segment("casual", 0.5, 0.03, 0.35, 0.45, 4.0, 0.0015, {0.35, 0.15, 0.30, 0.20}),
                segment("dormant", 0.2, 0.008, 0.3, 0.4, 5.0, 0.003, {0.20, 0.05, 0.50, 0.25})};
  auto& b = w.behaviour;
  b.fatigue_half_life_days = 14;
  b.fatigue_strength = 0.6;
  b.fatigue_notice = 0.25;
  b.unsubscribe_fatigue = 0.6;
  b.relevance_match = 2.0;
  b.relevance_mismatch = 0.3;
  b.category_loyalty = 0.7;
  b.persuadable_lift = 1.4;
  w.logging.kind = WorldLoggingPolicy::Kind::epsilon_greedy;
  w.logging.name = "digest_rule_eps0.3";
  w.logging.every_days = 2;
  w.logging.epsilon = 0.3;
  w.logging.default_action = "email_digest";
  w.logging.trigger_action = "sms_books_five_off";
  w.logging.winback_action = "email_fifteen_off";
  w.logging.winback_after_days = 30;
  return w;
}

SyntheticWorldSpec subscription_churn() {
  SyntheticWorldSpec w;
  w.name = "subscription_churn";
  w.description =
      "streaming subscription: weekly activity, churn hazard from recency and engagement, "
      "CLV tiers, retention offers with tier-dependent effects";
  w.truth_horizon_days = 28;
  w.categories = {category("series", 3.0, 0, 0, 0, 0.1, 20, 200),
                  category("movies", 2.0, 0, 0, 0, 0.2, 350, 300),
                  category("documentaries", 1.0, 0, 0, 0, 0.0, 0, 100),
                  category("kids", 1.0, 0, 0, 0, 0.3, 200, 80)};
  for (auto& c : w.categories) c.price_mean = 1.0, c.price_sigma = 0.0, c.margin = 0.0;
  w.channels = {channel("email", 0.001, 0.35, 1.0, 0.004, 0.95),
                channel("push", 0.0, 0.5, 0.8, 0.01, 0.7),
                channel("sms", 0.03, 0.85, 1.2, 0.02, 0.4)};
  w.offers = {{"none", 0.0}, {"twenty_off", 0.20}, {"fifty_off", 0.50}};
  w.campaigns = {{"checkin", ""}, {"new_releases", "series"}, {"retention", ""}};
  w.actions = {action("email_checkin", "email", "checkin", "none"),
               action("push_new_releases", "push", "new_releases", "none"),
               action("email_retention_20", "email", "retention", "twenty_off"),
               action("sms_retention_50", "sms", "retention", "fifty_off")};
  auto tier = [](std::string name, double share, double fee, double visit, double churn,
                 double retention, std::array<double, kResponseTypeCount> types) {
    WorldSegment s = segment(std::move(name), share, visit, 0, 0, 0, churn, types);
    s.fee = fee;
    s.retention_sensitivity = retention;
    return s;
  };
  w.segments = {tier("bronze", 0.5, 4.99, 0.20, 0.030, 2.0, {0.30, 0.20, 0.40, 0.10}),
                tier("silver", 0.35, 9.99, 0.30, 0.015, 4.0, {0.40, 0.30, 0.20, 0.10}),
                tier("gold", 0.15, 17.99, 0.45, 0.008, 7.0, {0.45, 0.40, 0.05, 0.10})};
  auto& b = w.behaviour;
  b.purchase_mode = WorldBehaviour::PurchaseMode::subscription;
  b.recency_cap_days = 28;
  b.recency_decay = 1.5;
  b.season_amplitude = 0.1;
  b.season_peak_day = 20;
  b.weekly_amplitude = 0.4;
  b.weekly_peak_day = 5;
  b.persuadable_lift = 0.8;
  b.effect_days = 28;
  b.churn_recency = 2.0;
  b.churn_engagement = 0.6;
  b.churn_every_days = 7;
  b.churn_observed = true;
  b.support_rate = 0.002;
  b.category_loyalty = 0.5;
  w.logging.kind = WorldLoggingPolicy::Kind::softmax;
  w.logging.name = "retention_softmax";
  w.logging.every_days = 7;
  w.logging.phase_day = 3;
  w.logging.on_cart_abandon = false;
  w.logging.temperature = 1.0;
  w.logging.scores = {{"none", 1.0, 0.0, 0.0, 0.0},
                      {"email_checkin", 0.0, 1.0, -0.3, 0.0},
                      {"push_new_releases", 0.0, 0.5, -0.3, 0.0},
                      {"email_retention_20", -1.0, 2.5, -0.5, 0.0},
                      {"sms_retention_50", -2.0, 3.0, -0.5, 0.0}};
  return w;
}

bool valid_name(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
  });
}

bool valid_date(const std::string& s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (int i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
  const int m = std::stoi(s.substr(5, 2)), d = std::stoi(s.substr(8, 2));
  return m >= 1 && m <= 12 && d >= 1 && d <= 31;
}

template <class T>
int index_of(const std::vector<T>& items, const std::string& name) {
  for (std::size_t i = 0; i < items.size(); ++i)
    if (items[i].name == name) return static_cast<int>(i);
  return -1;
}

std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

}  // namespace

const std::vector<std::string>& world_preset_names() {
  static const std::vector<std::string> names{"retail", "crm_fatigue", "subscription_churn"};
  return names;
}

std::optional<SyntheticWorldSpec> world_preset(const std::string& name) {
  std::optional<SyntheticWorldSpec> w;
  if (name == "retail") w = retail();
  else if (name == "crm_fatigue") w = crm_fatigue();
  else if (name == "subscription_churn") w = subscription_churn();
  if (w) resolve_world(*w);
  return w;
}

std::vector<std::string> resolve_world(SyntheticWorldSpec& w) {
  std::vector<std::string> errors;
  auto names_unique = [&](const auto& items, const std::string& path) {
    std::set<std::string> seen;
    for (std::size_t i = 0; i < items.size(); ++i) {
      const std::string p = path + "[" + std::to_string(i) + "].name";
      if (!valid_name(items[i].name))
        errors.push_back(p + ": expected a name of letters, digits, '_', '.' or '-'");
      else if (!seen.insert(items[i].name).second)
        errors.push_back(p + ": duplicate name '" + items[i].name + "'");
    }
    if (items.empty()) errors.push_back(path + ": must list at least one entry");
  };
  names_unique(w.categories, "categories");
  names_unique(w.channels, "channels");
  names_unique(w.offers, "offers");
  names_unique(w.campaigns, "campaigns");
  names_unique(w.actions, "actions");
  names_unique(w.segments, "segments");
  if (!valid_date(w.start_date)) errors.push_back("start_date: expected a date YYYY-MM-DD");
  for (std::size_t i = 0; i < w.campaigns.size(); ++i)
    if (!w.campaigns[i].category.empty() && index_of(w.categories, w.campaigns[i].category) < 0)
      errors.push_back("campaigns[" + std::to_string(i) + "].category: unknown category '" +
                       w.campaigns[i].category + "'");
  for (std::size_t i = 0; i < w.actions.size(); ++i) {
    auto& a = w.actions[i];
    const std::string p = "actions[" + std::to_string(i) + "]";
    if (a.name == "none") errors.push_back(p + ".name: 'none' is implicit; choose another name");
    a.channel_index = index_of(w.channels, a.channel);
    a.campaign_index = index_of(w.campaigns, a.campaign);
    a.offer_index = index_of(w.offers, a.offer);
    if (a.channel_index < 0) errors.push_back(p + ".channel: unknown channel '" + a.channel + "'");
    if (a.campaign_index < 0)
      errors.push_back(p + ".campaign: unknown campaign '" + a.campaign + "'");
    if (a.offer_index < 0) errors.push_back(p + ".offer: unknown offer '" + a.offer + "'");
    for (std::size_t j = 0; j < i; ++j)
      if (w.actions[j].channel == a.channel && w.actions[j].campaign == a.campaign &&
          w.actions[j].offer == a.offer)
        errors.push_back(p + ": the same channel, campaign and offer as '" + w.actions[j].name +
                         "' (the log could not tell them apart)");
  }
  double share = 0;
  for (std::size_t i = 0; i < w.segments.size(); ++i) {
    share += w.segments[i].share;
    double types = 0;
    for (double t : w.segments[i].type_shares) types += t;
    if (std::fabs(types - 1.0) > 1e-6)
      errors.push_back("segments[" + std::to_string(i) +
                       "].type_shares: must sum to 1, found " + format_number(types));
  }
  if (!w.segments.empty() && std::fabs(share - 1.0) > 1e-6)
    errors.push_back("segments: shares must sum to 1, found " + format_number(share));
  const auto& l = w.logging;
  auto known_action = [&](const std::string& name, const std::string& path) {
    if (name != "none" && index_of(w.actions, name) < 0)
      errors.push_back(path + ": unknown action '" + name + "'");
  };
  if (l.phase_day < 0 || l.phase_day >= l.every_days)
    errors.push_back("logging_policy.phase_day: must be in [0, every_days)");
  known_action(l.default_action, "logging_policy.default_action");
  known_action(l.trigger_action, "logging_policy.trigger_action");
  known_action(l.winback_action, "logging_policy.winback_action");
  for (std::size_t i = 0; i < l.scores.size(); ++i)
    known_action(l.scores[i].action, "logging_policy.scores[" + std::to_string(i) + "].action");
  return errors;
}

std::string world_to_yaml(const SyntheticWorldSpec& w) {
  std::ostringstream o;
  const auto n = [](double v) { return format_number(v); };
  o << "# A synthetic world for `mirror generate` (docs/worlds.md). Every parameter is listed.\n";
  o << "name: " << w.name << "\n";
  o << "description: " << quoted(w.description) << "\n";
  o << "start_date: " << w.start_date << "\n";
  o << "truth_horizon_days: " << w.truth_horizon_days << "\n";
  o << "categories:\n";
  for (const auto& c : w.categories)
    o << "  - { name: " << c.name << ", weight: " << n(c.weight) << ", price_mean: "
      << n(c.price_mean) << ", price_sigma: " << n(c.price_sigma) << ", margin: " << n(c.margin)
      << ", season_amplitude: " << n(c.season_amplitude)
      << ", season_peak_day: " << c.season_peak_day << ", items: " << c.items << " }\n";
  o << "channels:\n";
  for (const auto& c : w.channels)
    o << "  - { name: " << c.name << ", cost: " << n(c.cost) << ", notice_rate: "
      << n(c.notice_rate) << ", responsiveness: " << n(c.responsiveness)
      << ", unsubscribe_rate: " << n(c.unsubscribe_rate) << ", optin_rate: " << n(c.optin_rate)
      << " }\n";
  o << "offers:\n";
  for (const auto& x : w.offers)
    o << "  - { name: " << x.name << ", discount: " << n(x.discount) << " }\n";
  o << "campaigns:\n";
  for (const auto& c : w.campaigns)
    o << "  - { name: " << c.name << ", category: " << quoted(c.category) << " }\n";
  o << "actions:\n";
  for (const auto& a : w.actions)
    o << "  - { name: " << a.name << ", channel: " << a.channel << ", campaign: " << a.campaign
      << ", offer: " << a.offer << " }\n";
  o << "segments:\n";
  for (const auto& s : w.segments) {
    o << "  - { name: " << s.name << ", share: " << n(s.share) << ", visit_rate: "
      << n(s.visit_rate) << ", cart_rate: " << n(s.cart_rate)
      << ", purchase_rate: " << n(s.purchase_rate)
      << ", offer_sensitivity: " << n(s.offer_sensitivity) << ", churn_rate: " << n(s.churn_rate)
      << ", fee: " << n(s.fee) << ", retention_sensitivity: " << n(s.retention_sensitivity)
      << ",\n      type_shares: { ";
    for (int t = 0; t < kResponseTypeCount; ++t)
      o << (t ? ", " : "") << response_type_names()[t] << ": " << n(s.type_shares[t]);
    o << " } }\n";
  }
  const auto& b = w.behaviour;
  o << "behaviour:\n";
  o << "  purchase_mode: "
    << (b.purchase_mode == WorldBehaviour::PurchaseMode::funnel ? "funnel" : "subscription")
    << "\n";
  o << "  heterogeneity: " << n(b.heterogeneity) << "\n";
  o << "  recency_cap_days: " << n(b.recency_cap_days) << "\n";
  o << "  recency_decay: " << n(b.recency_decay) << "\n";
  o << "  season_amplitude: " << n(b.season_amplitude) << "\n";
  o << "  season_peak_day: " << b.season_peak_day << "\n";
  o << "  weekly_amplitude: " << n(b.weekly_amplitude) << "\n";
  o << "  weekly_peak_day: " << b.weekly_peak_day << "\n";
  o << "  persuadable_lift: " << n(b.persuadable_lift) << "\n";
  o << "  sure_thing_shift: " << n(b.sure_thing_shift) << "\n";
  o << "  lost_cause_shift: " << n(b.lost_cause_shift) << "\n";
  o << "  do_not_disturb_penalty: " << n(b.do_not_disturb_penalty) << "\n";
  o << "  do_not_disturb_multiplier: " << n(b.do_not_disturb_multiplier) << "\n";
  o << "  fatigue_half_life_days: " << n(b.fatigue_half_life_days) << "\n";
  o << "  fatigue_strength: " << n(b.fatigue_strength) << "\n";
  o << "  fatigue_notice: " << n(b.fatigue_notice) << "\n";
  o << "  unsubscribe_fatigue: " << n(b.unsubscribe_fatigue) << "\n";
  o << "  relevance_match: " << n(b.relevance_match) << "\n";
  o << "  relevance_mismatch: " << n(b.relevance_mismatch) << "\n";
  o << "  category_loyalty: " << n(b.category_loyalty) << "\n";
  o << "  cart_trigger_lift: " << n(b.cart_trigger_lift) << "\n";
  o << "  cart_memory_days: " << b.cart_memory_days << "\n";
  o << "  effect_days: " << b.effect_days << "\n";
  o << "  churn_recency: " << n(b.churn_recency) << "\n";
  o << "  churn_engagement: " << n(b.churn_engagement) << "\n";
  o << "  churn_every_days: " << b.churn_every_days << "\n";
  o << "  churn_observed: " << (b.churn_observed ? "true" : "false") << "\n";
  o << "  support_rate: " << n(b.support_rate) << "\n";
  const auto& l = w.logging;
  o << "logging_policy:\n";
  o << "  kind: "
    << (l.kind == WorldLoggingPolicy::Kind::uniform          ? "uniform"
        : l.kind == WorldLoggingPolicy::Kind::epsilon_greedy ? "epsilon_greedy"
                                                             : "softmax")
    << "\n";
  o << "  name: " << l.name << "\n";
  o << "  every_days: " << l.every_days << "\n";
  o << "  phase_day: " << l.phase_day << "\n";
  o << "  on_cart_abandon: " << (l.on_cart_abandon ? "true" : "false") << "\n";
  o << "  epsilon: " << n(l.epsilon) << "\n";
  o << "  default_action: " << l.default_action << "\n";
  o << "  trigger_action: " << l.trigger_action << "\n";
  o << "  winback_action: " << l.winback_action << "\n";
  o << "  winback_after_days: " << l.winback_after_days << "\n";
  o << "  temperature: " << n(l.temperature) << "\n";
  o << "  scores:" << (l.scores.empty() ? " []" : "") << "\n";
  for (const auto& s : l.scores)
    o << "    - { action: " << s.action << ", bias: " << n(s.bias) << ", recency: "
      << n(s.recency) << ", fatigue: " << n(s.fatigue) << ", cart: " << n(s.cart) << " }\n";
  return o.str();
}

}  // namespace mirror::core
