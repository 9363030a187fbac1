// Reads and validates a world file: every problem is collected with its position and key
// path, and no world is returned unless the file is entirely valid.
#include "mirror/scenario/load_world.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <set>
#include <sstream>

#include "did_you_mean.hpp"
#include "yaml_fields.hpp"

namespace mirror::scenario {

namespace {

using Keys = YamlFields::Keys;

const Keys kTopKeys{"preset",     "name",     "description", "start_date", "truth_horizon_days",
                    "categories", "channels", "offers",      "campaigns",  "actions",
                    "segments",   "behaviour", "logging_policy"};
const Keys kCategoryKeys{"name",   "weight",           "price_mean",      "price_sigma",
                         "margin", "season_amplitude", "season_peak_day", "items"};
const Keys kChannelKeys{"name",          "cost",          "notice_rate", "responsiveness",
                        "unsubscribe_rate", "optin_rate"};
const Keys kOfferKeys{"name", "discount"};
const Keys kCampaignKeys{"name", "category"};
const Keys kActionKeys{"name", "channel", "campaign", "offer"};
const Keys kSegmentKeys{"name",          "share",      "visit_rate", "cart_rate",
                        "purchase_rate", "offer_sensitivity", "churn_rate", "type_shares",
                        "fee",           "retention_sensitivity"};
const Keys kBehaviourKeys{
    "purchase_mode",       "heterogeneity",      "recency_cap_days",     "recency_decay",
    "season_amplitude",    "season_peak_day",    "weekly_amplitude",     "weekly_peak_day",
    "persuadable_lift",    "sure_thing_shift",   "lost_cause_shift",     "do_not_disturb_penalty",
    "do_not_disturb_multiplier", "fatigue_half_life_days", "fatigue_strength", "fatigue_notice",
    "unsubscribe_fatigue", "relevance_match",    "relevance_mismatch",   "category_loyalty",
    "cart_trigger_lift",   "cart_memory_days",   "effect_days",          "churn_recency",
    "churn_engagement",    "churn_every_days",   "churn_observed",       "support_rate"};
const Keys kLoggingKeys{"kind",           "name",           "every_days",     "phase_day",
                        "on_cart_abandon", "epsilon",       "default_action", "trigger_action",
                        "winback_action", "winback_after_days", "temperature", "scores"};
const Keys kScoreKeys{"action", "bias", "recency", "fatigue", "cart"};
const Keys kPolicyKinds{"uniform", "epsilon_greedy", "softmax"};
const Keys kPurchaseModes{"funnel", "subscription"};

class WorldLoader : YamlFields {
 public:
  explicit WorldLoader(std::string label) : YamlFields(std::move(label)) {}

  LoadWorldResult load(const std::string& text) {
    LoadWorldResult result;
    if (const auto root = top_map(text, "a world")) {
      root_mark_ = root->Mark();
      read(*root);
    }
    if (errors_.empty()) cross_check();
    if (errors_.empty()) result.world = std::move(w_);
    result.errors = sorted_errors();
    return result;
  }

 private:
  // --- sections --------------------------------------------------------------------------
  void read(const YAML::Node& root) {
    const auto top = entries(root, "", kTopKeys);
    w_ = *core::world_preset("retail");
    bool preset_given = false;
    for (const auto& [k, v] : top)
      if (k.Scalar() == "preset") {
        preset_given = true;
        std::string name;
        text(v, "preset", name);
        if (auto p = core::world_preset(name)) w_ = *p;
        else if (!name.empty())
          error(v, "preset", "unknown preset '" + name + "'" + suggestion(name, core::world_preset_names()));
      }
    bool named = false;
    for (const auto& [k, v] : top) {
      const std::string key = k.Scalar();
      if (key == "name") {
        named = true;
        text(v, key, w_.name);
      } else if (key == "description") {
        text(v, key, w_.description);
      } else if (key == "start_date") {
        text(v, key, w_.start_date);
      } else if (key == "truth_horizon_days") {
        integer(v, key, w_.truth_horizon_days, 1, 365);
      } else if (key == "categories") {
        list(v, key, kCategoryKeys, w_.categories, [&](core::WorldCategory& c, const std::string& f,
                                                        const YAML::Node& x, const std::string& p) {
          if (f == "name") text(x, p, c.name);
          else if (f == "weight") positive(x, p, c.weight);
          else if (f == "price_mean") positive(x, p, c.price_mean);
          else if (f == "price_sigma") number(x, p, c.price_sigma, 0, 5);
          else if (f == "margin") number(x, p, c.margin, -1, 1);
          else if (f == "season_amplitude") number(x, p, c.season_amplitude, 0, 5);
          else if (f == "season_peak_day") integer(x, p, c.season_peak_day, 0, 365);
          else if (f == "items") integer(x, p, c.items, 1, 9999);
        });
      } else if (key == "channels") {
        list(v, key, kChannelKeys, w_.channels, [&](core::WorldChannel& c, const std::string& f,
                                                    const YAML::Node& x, const std::string& p) {
          if (f == "name") text(x, p, c.name);
          else if (f == "cost") non_negative(x, p, c.cost);
          else if (f == "notice_rate") probability(x, p, c.notice_rate);
          else if (f == "responsiveness") non_negative(x, p, c.responsiveness);
          else if (f == "unsubscribe_rate") probability(x, p, c.unsubscribe_rate);
          else if (f == "optin_rate") probability(x, p, c.optin_rate);
        });
        if (w_.channels.size() > 32) error(v, key, "at most 32 channels");
      } else if (key == "offers") {
        list(v, key, kOfferKeys, w_.offers, [&](core::WorldOffer& o, const std::string& f,
                                                const YAML::Node& x, const std::string& p) {
          if (f == "name") text(x, p, o.name);
          else if (f == "discount") number(x, p, o.discount, 0, 1, false, true);
        });
      } else if (key == "campaigns") {
        list(v, key, kCampaignKeys, w_.campaigns, [&](core::WorldCampaign& c, const std::string& f,
                                                      const YAML::Node& x, const std::string& p) {
          if (f == "name") text(x, p, c.name);
          else if (f == "category") text(x, p, c.category);
        });
      } else if (key == "actions") {
        list(v, key, kActionKeys, w_.actions, [&](core::WorldAction& a, const std::string& f,
                                                  const YAML::Node& x, const std::string& p) {
          if (f == "name") text(x, p, a.name);
          else if (f == "channel") text(x, p, a.channel);
          else if (f == "campaign") text(x, p, a.campaign);
          else if (f == "offer") text(x, p, a.offer);
        });
      } else if (key == "segments") {
        list(v, key, kSegmentKeys, w_.segments, [&](core::WorldSegment& s, const std::string& f,
                                                    const YAML::Node& x, const std::string& p) {
          if (f == "name") text(x, p, s.name);
          else if (f == "share") probability(x, p, s.share);
          else if (f == "visit_rate") number(x, p, s.visit_rate, 0, 1, true, true);
          else if (f == "cart_rate") probability(x, p, s.cart_rate);
          else if (f == "purchase_rate") number(x, p, s.purchase_rate, 0, 1, false, true);
          else if (f == "offer_sensitivity") non_negative(x, p, s.offer_sensitivity);
          else if (f == "churn_rate") number(x, p, s.churn_rate, 0, 1, false, true);
          else if (f == "fee") non_negative(x, p, s.fee);
          else if (f == "retention_sensitivity") non_negative(x, p, s.retention_sensitivity);
          else if (f == "type_shares") read_type_shares(x, p, s);
        });
      } else if (key == "behaviour") {
        read_behaviour(v);
      } else if (key == "logging_policy") {
        read_logging(v);
      }
    }
    if (!named && !preset_given) add(root_mark_, "", "missing required key 'name' (or 'preset')");
  }

  void read_type_shares(const YAML::Node& n, const std::string& path, core::WorldSegment& s) {
    if (!n.IsMap()) {
      error(n, path, "expected a map of response types, found " + kind_of(n));
      return;
    }
    s.type_shares = {0, 0, 0, 0};
    const auto& names = core::response_type_names();
    for (const auto& [k, v] : entries(n, path, names)) {
      const auto t = std::find(names.begin(), names.end(), k.Scalar()) - names.begin();
      probability(v, join(path, k.Scalar()), s.type_shares[t]);
    }
  }

  void read_behaviour(const YAML::Node& n) {
    const std::string path = "behaviour";
    if (!n.IsMap()) {
      error(n, path, "expected a map, found " + kind_of(n));
      return;
    }
    auto& b = w_.behaviour;
    for (const auto& [k, v] : entries(n, path, kBehaviourKeys)) {
      const std::string f = k.Scalar();
      const std::string p = join(path, f);
      if (f == "purchase_mode") {
        std::string mode;
        text(v, p, mode);
        if (mode == "funnel") b.purchase_mode = core::WorldBehaviour::PurchaseMode::funnel;
        else if (mode == "subscription") b.purchase_mode = core::WorldBehaviour::PurchaseMode::subscription;
        else if (!mode.empty())
          error(v, p, "unknown purchase mode '" + mode + "'" + suggestion(mode, kPurchaseModes) +
                          "; available: funnel, subscription");
      } else if (f == "heterogeneity") number(v, p, b.heterogeneity, 0, 5);
      else if (f == "recency_cap_days") number(v, p, b.recency_cap_days, 1, 3650);
      else if (f == "recency_decay") any_number(v, p, b.recency_decay);
      else if (f == "season_amplitude") any_number(v, p, b.season_amplitude);
      else if (f == "season_peak_day") integer(v, p, b.season_peak_day, 0, 365);
      else if (f == "weekly_amplitude") any_number(v, p, b.weekly_amplitude);
      else if (f == "weekly_peak_day") integer(v, p, b.weekly_peak_day, 0, 6);
      else if (f == "persuadable_lift") non_negative(v, p, b.persuadable_lift);
      else if (f == "sure_thing_shift") any_number(v, p, b.sure_thing_shift);
      else if (f == "lost_cause_shift") any_number(v, p, b.lost_cause_shift);
      else if (f == "do_not_disturb_penalty") non_negative(v, p, b.do_not_disturb_penalty);
      else if (f == "do_not_disturb_multiplier") non_negative(v, p, b.do_not_disturb_multiplier);
      else if (f == "fatigue_half_life_days") positive(v, p, b.fatigue_half_life_days);
      else if (f == "fatigue_strength") non_negative(v, p, b.fatigue_strength);
      else if (f == "fatigue_notice") non_negative(v, p, b.fatigue_notice);
      else if (f == "unsubscribe_fatigue") non_negative(v, p, b.unsubscribe_fatigue);
      else if (f == "relevance_match") non_negative(v, p, b.relevance_match);
      else if (f == "relevance_mismatch") non_negative(v, p, b.relevance_mismatch);
      else if (f == "category_loyalty") probability(v, p, b.category_loyalty);
      else if (f == "cart_trigger_lift") non_negative(v, p, b.cart_trigger_lift);
      else if (f == "cart_memory_days") integer(v, p, b.cart_memory_days, 0, 365);
      else if (f == "effect_days") integer(v, p, b.effect_days, 1, 365);
      else if (f == "churn_recency") any_number(v, p, b.churn_recency);
      else if (f == "churn_engagement") any_number(v, p, b.churn_engagement);
      else if (f == "churn_every_days") integer(v, p, b.churn_every_days, 1, 365);
      else if (f == "churn_observed") boolean(v, p, b.churn_observed);
      else if (f == "support_rate") probability(v, p, b.support_rate);
    }
  }

  void read_logging(const YAML::Node& n) {
    const std::string path = "logging_policy";
    if (!n.IsMap()) {
      error(n, path, "expected a map, found " + kind_of(n));
      return;
    }
    auto& l = w_.logging;
    for (const auto& [k, v] : entries(n, path, kLoggingKeys)) {
      const std::string f = k.Scalar();
      const std::string p = join(path, f);
      if (f == "kind") {
        std::string kind;
        text(v, p, kind);
        if (kind == "uniform") l.kind = core::WorldLoggingPolicy::Kind::uniform;
        else if (kind == "epsilon_greedy") l.kind = core::WorldLoggingPolicy::Kind::epsilon_greedy;
        else if (kind == "softmax") l.kind = core::WorldLoggingPolicy::Kind::softmax;
        else if (!kind.empty())
          error(v, p, "unknown logging policy '" + kind + "'" + suggestion(kind, kPolicyKinds) +
                          "; available: uniform, epsilon_greedy, softmax");
      } else if (f == "name") text(v, p, l.name);
      else if (f == "every_days") integer(v, p, l.every_days, 1, 365);
      else if (f == "phase_day") integer(v, p, l.phase_day, 0, 364);
      else if (f == "on_cart_abandon") boolean(v, p, l.on_cart_abandon);
      else if (f == "epsilon") number(v, p, l.epsilon, 0, 1, true, false);
      else if (f == "default_action") text(v, p, l.default_action);
      else if (f == "trigger_action") text(v, p, l.trigger_action);
      else if (f == "winback_action") text(v, p, l.winback_action);
      else if (f == "winback_after_days") integer(v, p, l.winback_after_days, 0, 36500);
      else if (f == "temperature") positive(v, p, l.temperature);
      else if (f == "scores") {
        if (v.IsSequence() && v.size() == 0) l.scores.clear();
        else
          list(v, p, kScoreKeys, l.scores, [&](core::WorldActionScore& s, const std::string& g,
                                                 const YAML::Node& x, const std::string& q) {
            if (g == "action") text(x, q, s.action);
            else if (g == "bias") any_number(x, q, s.bias);
            else if (g == "recency") any_number(x, q, s.recency);
            else if (g == "fatigue") any_number(x, q, s.fatigue);
            else if (g == "cart") any_number(x, q, s.cart);
          });
      }
    }
  }

  // Checks across sections, located at the deepest key path recorded while reading (or at
  // the file's start when the problem lies in the preset's own values).
  void cross_check() {
    std::map<std::string, Keys> names;
    for (const auto& c : w_.categories) names["category"].push_back(c.name);
    for (const auto& c : w_.channels) names["channel"].push_back(c.name);
    for (const auto& c : w_.campaigns) names["campaign"].push_back(c.name);
    for (const auto& c : w_.offers) names["offer"].push_back(c.name);
    names["action"].push_back("none");
    for (const auto& c : w_.actions) names["action"].push_back(c.name);
    for (const auto& problem : core::resolve_world(w_)) {
      const auto colon = problem.find(": ");
      std::string path = problem.substr(0, colon);
      std::string message = problem.substr(colon + 2);
      // "unknown channel 'x'": suggest a close name.
      for (const auto& [kind, candidates] : names) {
        const std::string prefix = "unknown " + kind + " '";
        if (message.rfind(prefix, 0) == 0) {
          const std::string word = message.substr(prefix.size(), message.size() - prefix.size() - 1);
          message += suggestion(word, candidates);
        }
      }
      YAML::Mark mark = root_mark_;
      for (std::string p = path; !p.empty();) {
        if (auto it = marks_.find(p); it != marks_.end()) {
          mark = it->second;
          break;
        }
        const auto cut = p.find_last_of(".[");
        p = cut == std::string::npos ? "" : p.substr(0, cut);
      }
      add(mark, path, message);
    }
  }

  core::SyntheticWorldSpec w_;
  YAML::Mark root_mark_;
};

}  // namespace

LoadWorldResult load_world_text(const std::string& text, const std::string& label) {
  return WorldLoader(label).load(text);
}

LoadWorldResult load_world_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    LoadWorldResult r;
    r.errors.push_back({path, 0, 0, "", "cannot read the world file"});
    return r;
  }
  std::ostringstream text;
  text << in.rdbuf();
  return load_world_text(text.str(), path);
}

LoadWorldResult load_world(const std::string& preset_or_path) {
  if (auto w = core::world_preset(preset_or_path)) {
    LoadWorldResult r;
    r.world = std::move(w);
    return r;
  }
  if (!std::filesystem::exists(preset_or_path)) {
    LoadWorldResult r;
    r.errors.push_back({preset_or_path, 0, 0, "",
                        "neither a preset nor a world file" +
                            suggestion(preset_or_path, core::world_preset_names()) +
                            "; presets: retail, crm_fatigue, subscription_churn"});
    return r;
  }
  return load_world_file(preset_or_path);
}

}  // namespace mirror::scenario
