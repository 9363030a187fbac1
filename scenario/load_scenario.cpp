// Reads and validates a scenario: every problem is collected with its position and key path,
// and no spec is returned unless the file is entirely valid.
#include "mirror/scenario/load_scenario.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <optional>
#include <sstream>

#include "did_you_mean.hpp"
#include "file_text.hpp"
#include "yaml_fields.hpp"
#include "mirror/ingest/segment_rules.hpp"
#include "mirror/policies/rules_policy.hpp"
#include "mirror/twins/lcm.hpp"

namespace mirror::scenario {

std::string ScenarioError::to_string() const {
  std::ostringstream out;
  out << file;
  if (line > 0) out << ":" << line << ":" << column;
  out << ": ";
  if (!key_path.empty()) out << key_path << ": ";
  out << message;
  return out.str();
}

namespace {

using core::Channel;
using Keys = YamlFields::Keys;

const Keys kTopKeys{"name",        "seed",    "population", "model",       "horizon_days",
                    "world",       "channels", "offers",    "constraints", "experiment",
                    "metrics",     "outputs"};
const Keys kPopulationKeys{"source", "size", "path", "segment"};
const Keys kModelKeys{"kind", "variant", "path"};
const Keys kWorldKeys{"contact_lift",        "annoyance_penalty", "annoyed_multiplier",
                      "fatigue_half_life_days", "fatigue_strength", "unsubscribe_rate",
                      "unsubscribe_fatigue", "heterogeneity",     "gross_margin",
                      "segments",            "categories",        "relevance_match",
                      "relevance_mismatch"};
const Keys kCategoryKeys{"name", "share", "store_category"};
const Keys kSegmentKeys{"name",          "share",          "visit_rate",        "purchase_rate",
                        "spend_mean",    "spend_sigma",    "notice_rate",       "offer_sensitivity",
                        "persuadable_share", "annoyed_share", "churn_rate"};
const Keys kChannelKeys{"cost"};
const Keys kOfferKeys{"discount"};
const Keys kConstraintKeys{"max_per_day",       "max_per_week",     "max_per_week_by_channel",
                           "max_per_month",     "max_per_month_by_channel", "quiet_weekdays",
                           "quiet_days",        "budget",           "budget_by_channel",
                           "offer_repeat_days"};
const Keys kWeekdays{"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"};
const Keys kExperimentKeys{"design", "control", "holdout_share", "arms"};
const Keys kArmKeys{"name", "policy"};
const Keys kPolicyKeys{"kind",           "channel",         "offer",       "message",
                       "every_days",     "start_day",       "segments",    "campaigns",
                       "share",          "top_k",           "max_per_week", "campaign_daily_limit",
                       "min_propensity", "min_gain",        "unsubscribe_cost", "tiers",
                       "min_churn_risk", "value_horizon_days", "epsilon",  "include_none",
                       "rules",          "per",             "alpha",        "ridge"};
const Keys kCampaignKeys{"channels", "offers", "messages"};
const Keys kTierKeys{"min_value", "offer"};
const Keys kOutputKeys{"results", "decisions", "decisions_max_rows", "expected_value"};
const Keys kChannelNames{"email", "sms", "push"};
const Keys kPolicyKinds{"none",   "batch_and_blast",    "propensity_top_k", "uplift",
                        "fatigue_aware", "clv_tiered_discount", "epsilon_greedy", "thompson",
                        "rules",  "linucb"};
// The keys each policy kind takes besides `kind`.
const std::vector<std::pair<std::string, Keys>> kPolicyKindKeys{
    {"none", {}},
    {"batch_and_blast", {"channel", "offer", "message", "every_days", "start_day", "segments"}},
    {"propensity_top_k", {"channel", "offer", "message", "every_days", "start_day", "share", "top_k"}},
    {"uplift", {"campaigns", "every_days", "start_day", "min_gain", "unsubscribe_cost"}},
    {"fatigue_aware", {"campaigns", "every_days", "start_day", "max_per_week",
                       "campaign_daily_limit", "min_propensity"}},
    {"clv_tiered_discount", {"channel", "message", "every_days", "start_day", "tiers",
                             "min_churn_risk", "value_horizon_days"}},
    {"epsilon_greedy", {"campaigns", "every_days", "start_day", "epsilon", "include_none"}},
    {"thompson", {"campaigns", "every_days", "start_day", "include_none", "per"}},
    {"linucb", {"campaigns", "every_days", "start_day", "include_none", "alpha", "ridge", "epsilon"}},
    {"rules", {"rules"}},
};
const Keys kLearnPer{"segment", "customer"};
const Keys kRuleKeys{"name", "when", "on", "days", "within_days", "then", "priority",
                     "every_days", "cooldown_days"};
const Keys kRuleTriggers{"cart_abandon", "inactive_days", "purchase_anniversary"};
const Keys kThenKeys{"channel", "offer", "message"};
const Keys kDesigns{"paired", "split", "stratified"};
const Keys kModelKinds{"ground_truth", "btyd", "lcm"};
const Keys kBtydVariants{"bg_nbd", "pareto_nbd"};
const Keys kSources{"synthetic", "store"};

Keys metric_names() {
  Keys out;
  for (int k = 0; k < core::kMetricCount; ++k) out.push_back(core::metric_name(static_cast<core::Metric>(k)));
  return out;
}

bool valid_name(const std::string& s) {
  if (s.empty()) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
  });
}

class Loader : YamlFields {
 public:
  using YamlFields::YamlFields;

  LoadResult load(const std::string& text) {
    LoadResult result;
    text_ = &text;
    if (const auto root = top_map(text, "a scenario")) read_scenario(*root);
    if (errors_.empty()) {
      spec_.source_text = text;
      result.spec = std::move(spec_);
    }
    result.errors = sorted_errors();
    return result;
  }

 private:
  bool read_name(const YAML::Node& n, const std::string& path, std::string& out) {
    if (!text(n, path, out)) return false;
    if (valid_name(out)) return true;
    error(n, path, "expected a name of letters, digits, '_', '.' or '-', found '" + out + "'");
    return false;
  }

  // A map keyed by channel name; `read` handles each value.
  template <class Read>
  void channel_map(const YAML::Node& n, const std::string& path, Read read) {
    if (!expect_map(n, path)) return;
    for (const auto& [k, v] : entries(n, path, kChannelNames, "channel"))
      read(*core::channel_from_name(k.Scalar()), v, join(path, k.Scalar()));
  }

  // --- sections -----------------------------------------------------------------------
  void read_scenario(const YAML::Node& root) {
    const auto top = entries(root, "", kTopKeys);
    if (const auto* n = find(top, "name")) read_name(*n, "name", spec_.name);
    else missing(root, "", "name");
    if (const auto* n = find(top, "seed")) unsigned_integer(*n, "seed", spec_.seed);
    else spec_.seed = 1;
    if (const auto* n = find(top, "population")) read_population(*n);
    if (const auto* n = find(top, "model")) read_model(*n);
    root_node_ = root;
    check_model_and_population();
    if (const auto* n = find(top, "horizon_days")) integer(*n, "horizon_days", spec_.horizon_days, 1, 3650);
    spec_.world = core::default_world();
    if (const auto* n = find(top, "world")) read_world(*n);
    if (const auto* n = find(top, "channels")) read_channels(*n);
    if (const auto* n = find(top, "offers")) read_offers(*n);
    if (const auto* n = find(top, "constraints")) read_constraints(*n);
    if (const auto* n = find(top, "experiment")) read_experiment(*n);
    else missing(root, "", "experiment");
    if (const auto* n = find(top, "metrics")) read_metrics(*n);
    else
      for (int k = 0; k < core::kMetricCount; ++k) spec_.metrics.push_back(static_cast<core::Metric>(k));
    spec_.outputs.results = "results/" + spec_.name + ".h5";
    if (const auto* n = find(top, "outputs")) read_outputs(*n);
  }

  void read_population(const YAML::Node& n) {
    if (!expect_map(n, "population")) return;
    population_node_ = n;
    const auto e = entries(n, "population", kPopulationKeys);
    auto& pop = spec_.population;
    if (const auto* s = find(e, "source")) {
      std::string v;
      if (text(*s, "population.source", v)) {
        if (v == "store") pop.source = core::PopulationSpec::Source::store;
        else if (v != "synthetic")
          error(*s, "population.source",
                "unknown population source '" + v + "'" + suggestion(v, kSources) +
                    "; available: synthetic, store");
      }
    }
    const bool store = pop.source == core::PopulationSpec::Source::store;
    if (const auto* s = find(e, "size")) {
      if (store)
        error(*s, "population.size", "a store population is every customer of the store; remove size");
      else
        integer(*s, "population.size", pop.size, 1, 100000000);
    }
    if (const auto* s = find(e, "path")) {
      std::string v;
      if (!store) {
        error(*s, "population.path", "only a store population has a path (source: store)");
      } else if (text(*s, "population.path", v)) {
        pop.path = resolve_file(*s, "population.path", v, "store", "`mirror ingest`");
      }
    } else if (store) {
      error(n, "population", "a store population needs path: the store written by `mirror ingest`");
    }
    if (const auto* s = find(e, "segment")) {
      std::string v;
      if (!store)
        error(*s, "population.segment", "only a store population has segments (source: store)");
      else if (text(*s, "population.segment", v)) {
        if (!valid_name(v))
          error(*s, "population.segment", "expected a segment name (letters, digits, _ . -), found '" + v + "'");
        else
          pop.segment = v;
      }
    }
  }

  void read_model(const YAML::Node& n) {
    if (!expect_map(n, "model")) return;
    model_node_ = n;
    const auto e = entries(n, "model", kModelKeys);
    auto& model = spec_.model;
    if (const auto* k = find(e, "kind")) {
      std::string v;
      if (text(*k, "model.kind", v)) {
        if (v == "btyd") model.kind = core::ModelSpec::Kind::btyd;
        else if (v == "lcm") model.kind = core::ModelSpec::Kind::lcm;
        else if (v != "ground_truth")
          error(*k, "model.kind",
                "unknown model kind '" + v + "'" + suggestion(v, kModelKinds) +
                    "; available: ground_truth, btyd, lcm");
      }
    }
    if (const auto* k = find(e, "variant")) {
      std::string v;
      if (model.kind != core::ModelSpec::Kind::btyd)
        error(*k, "model.variant", "only the btyd model has a variant");
      else if (text(*k, "model.variant", v)) {
        if (std::find(kBtydVariants.begin(), kBtydVariants.end(), v) == kBtydVariants.end())
          error(*k, "model.variant",
                "unknown BTYD variant '" + v + "'" + suggestion(v, kBtydVariants) +
                    "; available: bg_nbd, pareto_nbd");
        else
          model.btyd_variant = v;
      }
    }
    const bool lcm = model.kind == core::ModelSpec::Kind::lcm;
    if (const auto* k = find(e, "path")) {
      std::string v;
      if (!lcm)
        error(*k, "model.path", "only the lcm model has a path");
      else if (text(*k, "model.path", v))
        model.path = resolve_file(*k, "model.path", v, "model", "`mirror train`");
      if (!model.path.empty()) check_daily_model(*k, model.path);
    } else if (lcm) {
      error(n, "model", "the lcm model needs path: the model written by `mirror train`");
    }
  }

  // A path relative to the scenario file, so a scenario runs from any directory; an error
  // when there is no such file.
  std::string resolve_file(const YAML::Node& node, const std::string& key, const std::string& value,
                           const std::string& what, const std::string& writer) {
    namespace fs = std::filesystem;
    const fs::path dir = fs::path(label_).parent_path();
    const fs::path resolved = fs::path(value).is_absolute() || dir.empty() ? fs::path(value) : dir / value;
    if (!fs::is_regular_file(resolved)) {
      error(node, key, "no such " + what + " '" + resolved.string() + "' (write one with " + writer + ")");
      return "";
    }
    return resolved.string();
  }

  // Twins step a day: a weekly LCM cannot drive them.
  void check_daily_model(const YAML::Node& node, const std::string& path) {
    try {
      if (twins::lcm_model_step_days(path) != 1)
        error(node, "model.path", "the model '" + path + "' steps a week at a time, and twins step a day: "
                                  "train one with `mirror train --step day` (the default)");
    } catch (const std::exception& e) {
      error(node, "model.path", e.what());
    }
  }

  // The model must fit the population: BTYD twins are a store's customers, and the
  // ground-truth world makes its own.
  void check_model_and_population() {
    const bool store = spec_.population.source == core::PopulationSpec::Source::store;
    const bool fitted = spec_.model.kind != core::ModelSpec::Kind::ground_truth;
    if (fitted && !store)
      error(model_node_.value_or(*root_node_), "model.kind",
            "the btyd and lcm models need a store population (population: { source: store, path: ... })");
    if (store && !fitted)
      error(population_node_.value_or(*root_node_), "population.source",
            "a store population needs a model fitted to it (model: { kind: btyd } or { kind: lcm, path: ... })");
    if (spec_.model.kind == core::ModelSpec::Kind::lcm && !spec_.population.segment.empty())
      error(population_node_.value_or(*root_node_), "population.segment",
            "segment filters work with the btyd model only, for now");
  }

  void read_world(const YAML::Node& n) {
    if (!expect_map(n, "world")) return;
    auto& w = spec_.world;
    for (const auto& [k, v] : entries(n, "world", kWorldKeys)) {
      const std::string key = k.Scalar();
      const std::string path = join("world", key);
      if (key == "contact_lift") non_negative(v, path, w.contact_lift);
      else if (key == "annoyance_penalty") non_negative(v, path, w.annoyance_penalty);
      else if (key == "annoyed_multiplier") non_negative(v, path, w.annoyed_multiplier);
      else if (key == "fatigue_half_life_days") positive(v, path, w.fatigue_half_life_days);
      else if (key == "fatigue_strength") non_negative(v, path, w.fatigue_strength);
      else if (key == "unsubscribe_fatigue") non_negative(v, path, w.unsubscribe_fatigue);
      else if (key == "heterogeneity") number(v, path, w.heterogeneity, 0.0, 5.0);
      else if (key == "gross_margin") probability(v, path, w.gross_margin);
      else if (key == "unsubscribe_rate")
        channel_map(v, path, [&](Channel c, const YAML::Node& x, const std::string& p) {
          probability(x, p, w.unsubscribe_rate[core::index_of(c)]);
        });
      else if (key == "segments") read_segments(v);
      else if (key == "categories") read_categories(v);
      else if (key == "relevance_match") non_negative(v, path, w.relevance_match);
      else if (key == "relevance_mismatch") non_negative(v, path, w.relevance_mismatch);
    }
  }

  void read_categories(const YAML::Node& n) {
    const std::string path = "world.categories";
    if (!expect_list(n, path)) return;
    if (n.size() == 0 || n.size() > 127) {
      error(n, path, "must list 1 to 127 categories, found " + std::to_string(n.size()));
      return;
    }
    std::vector<core::CategorySpec> categories;
    double total = 0.0;
    bool complete = true;
    for (std::size_t i = 0; i < n.size(); ++i) {
      const std::string p = index(path, i);
      if (!expect_map(n[i], p)) {
        complete = false;
        continue;
      }
      core::CategorySpec c;
      c.share = 1.0 / static_cast<double>(n.size());
      const auto e = entries(n[i], p, kCategoryKeys);
      if (const auto* x = find(e, "name")) {
        if (read_name(*x, join(p, "name"), c.name)) {
          for (const auto& other : categories)
            if (other.name == c.name) error(*x, join(p, "name"), "duplicate category name '" + c.name + "'");
        } else {
          complete = false;
        }
      } else {
        missing(n[i], p, "name");
        complete = false;
      }
      if (const auto* x = find(e, "share")) complete &= number(*x, join(p, "share"), c.share, 0.0, 1.0);
      if (const auto* x = find(e, "store_category")) read_store_category(*x, join(p, "store_category"), c);
      total += c.share;
      categories.push_back(c);
    }
    if (complete && std::fabs(total - 1.0) > 1e-6)
      error(n, path, "category shares must sum to 1, found " + format(total));
    spec_.world.categories = std::move(categories);
  }

  // The LCM's product category a message promotes: one the model was trained with, or none.
  void read_store_category(const YAML::Node& n, const std::string& path, core::CategorySpec& c) {
    std::string v;
    if (!text(n, path, v)) return;
    if (spec_.model.kind != core::ModelSpec::Kind::lcm) {
      error(n, path, "only LCM twins read a store category (model: { kind: lcm, path: ... })");
      return;
    }
    if (spec_.model.path.empty()) return;  // the model's own error is reported
    if (v != "none") {
      try {
        if (!model_categories_) model_categories_ = twins::lcm_model_categories(spec_.model.path);
      } catch (const std::exception& e) {
        error(n, path, std::string("cannot read the model's categories: ") + e.what());
        return;
      }
      const auto& known = *model_categories_;
      if (known.empty()) {
        error(n, path, "the model '" + spec_.model.path +
                           "' lists no product categories (its store had no 'category-id' item names, or it "
                           "was trained before models kept them: train it again); use none");
        return;
      }
      if (std::find(known.begin(), known.end(), v) == known.end()) {
        std::string list;
        for (const auto& k : known) list += (list.empty() ? "" : ", ") + k;
        error(n, path, "unknown store category '" + v + "'" + suggestion(v, known) + "; the model knows: " +
                           list + ", or none");
        return;
      }
    }
    c.store_category = v;
  }

  void read_segments(const YAML::Node& n) {
    const std::string path = "world.segments";
    if (!expect_list(n, path)) return;
    if (n.size() == 0) {
      error(n, path, "must list at least one segment");
      return;
    }
    if (n.size() > 255) {
      error(n, path, "at most 255 segments, found " + std::to_string(n.size()));
      return;
    }
    std::vector<core::SegmentSpec> segments;
    bool complete = true;
    double total_share = 0.0;
    for (std::size_t i = 0; i < n.size(); ++i) {
      const YAML::Node s = n[i];
      const std::string p = index(path, i);
      core::SegmentSpec seg;
      if (!expect_map(s, p)) {
        complete = false;
        continue;
      }
      const auto e = entries(s, p, kSegmentKeys);
      if (const auto* x = find(e, "name")) {
        if (read_name(*x, join(p, "name"), seg.name)) {
          for (const auto& other : segments)
            if (other.name == seg.name)
              error(*x, join(p, "name"), "duplicate segment name '" + seg.name + "'");
        } else {
          complete = false;
        }
      } else {
        missing(s, p, "name");
        complete = false;
      }
      for (const auto& [k, v] : e) {
        const std::string key = k.Scalar();
        const std::string q = join(p, key);
        if (key == "share") complete &= number(v, q, seg.share, 0.0, 1.0);
        else if (key == "visit_rate") probability(v, q, seg.visit_rate);
        else if (key == "purchase_rate") probability(v, q, seg.purchase_rate);
        else if (key == "spend_mean") positive(v, q, seg.spend_mean);
        else if (key == "spend_sigma") number(v, q, seg.spend_sigma, 0.0, 5.0);
        else if (key == "offer_sensitivity") non_negative(v, q, seg.offer_sensitivity);
        else if (key == "persuadable_share") probability(v, q, seg.persuadable_share);
        else if (key == "annoyed_share") probability(v, q, seg.annoyed_share);
        else if (key == "churn_rate") probability(v, q, seg.churn_rate);
        else if (key == "notice_rate")
          channel_map(v, q, [&](Channel c, const YAML::Node& x, const std::string& r) {
            probability(x, r, seg.notice_rate[core::index_of(c)]);
          });
      }
      if (seg.persuadable_share + seg.annoyed_share > 1.0 + 1e-9)
        error(s, p, "persuadable_share + annoyed_share must be at most 1, found " +
                        format(seg.persuadable_share + seg.annoyed_share));
      total_share += seg.share;
      segments.push_back(seg);
    }
    if (complete && std::fabs(total_share - 1.0) > 1e-6)
      error(n, path, "segment shares must sum to 1, found " + format(total_share));
    spec_.world.segments = std::move(segments);
  }

  void read_channels(const YAML::Node& n) {
    channel_map(n, "channels", [&](Channel c, const YAML::Node& v, const std::string& p) {
      core::ChannelSpec ch;
      ch.channel = c;
      if (v.IsMap()) {
        const auto e = entries(v, p, kChannelKeys);
        if (const auto* x = find(e, "cost")) non_negative(*x, join(p, "cost"), ch.cost);
      } else if (!v.IsNull()) {
        expect_map(v, p);
      }
      spec_.channels.push_back(ch);
    });
  }

  void read_offers(const YAML::Node& n) {
    if (!expect_map(n, "offers")) return;
    for (const auto& [k, v] : named_entries(n, "offers", "offer")) {
      const std::string p = join("offers", k.Scalar());
      core::OfferSpec offer;
      if (!read_name(k, p, offer.name)) continue;
      if (v.IsMap()) {
        const auto e = entries(v, p, kOfferKeys);
        if (const auto* x = find(e, "discount"))
          number(*x, join(p, "discount"), offer.discount, 0.0, 1.0, false, true);
      } else if (!v.IsNull()) {
        expect_map(v, p);
      }
      spec_.offers.push_back(offer);
    }
  }

  void read_cap(const YAML::Node& n, const std::string& path, int& out) {
    integer(n, path, out, -1, 1000000, " (-1 means no cap)");
  }

  void read_constraints(const YAML::Node& n) {
    if (!expect_map(n, "constraints")) return;
    auto& c = spec_.constraints;
    for (const auto& [k, v] : entries(n, "constraints", kConstraintKeys)) {
      const std::string key = k.Scalar();
      const std::string path = join("constraints", key);
      if (key == "max_per_day") {
        integer(v, path, c.max_per_day, 0, 1, " (a twin receives at most one action a day)");
      } else if (key == "max_per_week") {
        read_cap(v, path, c.max_per_week);
      } else if (key == "max_per_week_by_channel") {
        channel_map(v, path, [&](Channel ch, const YAML::Node& x, const std::string& p) {
          read_cap(x, p, c.max_per_week_by_channel[core::index_of(ch)]);
        });
      } else if (key == "max_per_month") {
        read_cap(v, path, c.max_per_month);
      } else if (key == "max_per_month_by_channel") {
        channel_map(v, path, [&](Channel ch, const YAML::Node& x, const std::string& p) {
          read_cap(x, p, c.max_per_month_by_channel[core::index_of(ch)]);
        });
      } else if (key == "quiet_weekdays") {
        if (!expect_list(v, path)) continue;
        for (std::size_t i = 0; i < v.size(); ++i) {
          std::string d;
          if (!text(v[i], index(path, i), d)) continue;
          const auto it = std::find(kWeekdays.begin(), kWeekdays.end(), d);
          if (it == kWeekdays.end())
            error(v[i], index(path, i), "unknown weekday '" + d + "'" + suggestion(d, kWeekdays) +
                                            "; day 0 of a run is a Monday");
          else
            c.quiet_weekdays |= static_cast<std::uint8_t>(1u << (it - kWeekdays.begin()));
        }
      } else if (key == "quiet_days") {
        if (!expect_list(v, path)) continue;
        for (std::size_t i = 0; i < v.size(); ++i) {
          std::int32_t d = 0;
          if (integer(v[i], index(path, i), d, 0, spec_.horizon_days - 1, " (days of the run, from 0)"))
            c.quiet_days.push_back(d);
        }
      } else if (key == "budget") {
        non_negative(v, path, c.budget);
      } else if (key == "budget_by_channel") {
        channel_map(v, path, [&](Channel ch, const YAML::Node& x, const std::string& p) {
          non_negative(x, p, c.budget_by_channel[core::index_of(ch)]);
        });
      } else if (key == "offer_repeat_days") {
        integer(v, path, c.offer_repeat_days, 0, 365, " (0 = no rule)");
      }
    }
  }

  void read_experiment(const YAML::Node& n) {
    if (!expect_map(n, "experiment")) return;
    auto& ex = spec_.experiment;
    const auto e = entries(n, "experiment", kExperimentKeys);
    if (const auto* d = find(e, "design")) {
      std::string v;
      if (text(*d, "experiment.design", v)) {
        if (v == "paired") ex.design = core::ExperimentSpec::Design::paired;
        else if (v == "split") ex.design = core::ExperimentSpec::Design::split;
        else if (v == "stratified") ex.design = core::ExperimentSpec::Design::stratified;
        else error(*d, "experiment.design", "unknown design '" + v + "'" + suggestion(v, kDesigns) + "; expected paired, split or stratified");
      }
    }
    if (const auto* h = find(e, "holdout_share")) {
      if (ex.design == core::ExperimentSpec::Design::paired)
        error(*h, "experiment.holdout_share",
              "applies only to design: split or stratified (in the paired design every customer is in every arm)");
      else
        number(*h, "experiment.holdout_share", ex.holdout_share, 0.0, 1.0, true, true);
    }
    if (const auto* a = find(e, "arms")) read_arms(*a);
    else missing(n, "experiment", "arms");
    if (const auto* c = find(e, "control")) {
      std::string v;
      if (text(*c, "experiment.control", v)) {
        Keys names;
        for (const auto& arm : ex.arms) names.push_back(arm.name);
        const auto it = std::find(names.begin(), names.end(), v);
        if (it != names.end()) ex.control = static_cast<int>(it - names.begin());
        else if (!names.empty())
          error(*c, "experiment.control", "unknown arm '" + v + "'" + suggestion(v, names));
      }
    }
  }

  void read_arms(const YAML::Node& n) {
    const std::string path = "experiment.arms";
    if (!expect_list(n, path)) return;
    if (n.size() == 0) {
      error(n, path, "must list at least one arm");
      return;
    }
    for (std::size_t i = 0; i < n.size(); ++i) {
      const YAML::Node a = n[i];
      const std::string p = index(path, i);
      if (!expect_map(a, p)) continue;
      core::ArmSpec arm;
      const auto e = entries(a, p, kArmKeys);
      if (const auto* x = find(e, "name")) {
        if (read_name(*x, join(p, "name"), arm.name))
          for (const auto& other : spec_.experiment.arms)
            if (other.name == arm.name)
              error(*x, join(p, "name"), "duplicate arm name '" + arm.name + "'");
      } else {
        missing(a, p, "name");
      }
      if (const auto* x = find(e, "policy")) read_policy(*x, join(p, "policy"), arm.policy);
      else missing(a, p, "policy");
      spec_.experiment.arms.push_back(std::move(arm));
    }
  }

  void read_policy(const YAML::Node& n, const std::string& path, core::PolicySpec& policy) {
    if (!expect_map(n, path)) return;
    const auto e = entries(n, path, kPolicyKeys);
    const auto* kind = find(e, "kind");
    if (kind == nullptr) {
      missing(n, path, "kind");
      return;
    }
    std::string k;
    if (!text(*kind, join(path, "kind"), k)) return;
    const auto known = std::find(kPolicyKinds.begin(), kPolicyKinds.end(), k);
    if (known == kPolicyKinds.end()) {
      error(*kind, join(path, "kind"), "unknown policy kind '" + k + "'" + suggestion(k, kPolicyKinds));
      return;
    }
    using Kind = core::PolicySpec::Kind;
    policy.kind = static_cast<Kind>(known - kPolicyKinds.begin());
    const Keys* allowed = nullptr;
    for (const auto& [name, keys] : kPolicyKindKeys)
      if (name == k) allowed = &keys;
    for (const auto& [key, v] : e)
      if (key.Scalar() != "kind" &&
          std::find(allowed->begin(), allowed->end(), key.Scalar()) == allowed->end())
        error(key, join(path, key.Scalar()), "not allowed for policy kind '" + k + "'");
    if (policy.kind == Kind::none) return;
    const bool scores = policy.kind == Kind::propensity_top_k || policy.kind == Kind::uplift ||
                        policy.kind == Kind::fatigue_aware ||
                        policy.kind == Kind::clv_tiered_discount;
    if (scores && spec_.model.kind != core::ModelSpec::Kind::ground_truth)
      error(*kind, join(path, "kind"),
            "policy kind '" + k +
                "' scores customers with the model's expected outcomes under actions; only "
                "model kind 'ground_truth' answers that so far");
    const auto has = [&](const char* key) {
      return std::find(allowed->begin(), allowed->end(), key) != allowed->end();
    };
    // Scoring policies decide daily unless told otherwise.
    policy.every_days = policy.kind == Kind::batch_and_blast || policy.kind == Kind::clv_tiered_discount ? 7 : 1;
    if (has("channel")) {
      if (const auto* c = find(e, "channel")) read_channel_ref(*c, join(path, "channel"), policy.channel);
      else missing(n, path, "channel");
    }
    if (const auto* o = find(e, "offer"); o && has("offer")) read_offer_ref(*o, join(path, "offer"), policy.offer);
    if (const auto* m = find(e, "message"); m && has("message"))
      read_message_ref(*m, join(path, "message"), policy.message);
    if (const auto* x = find(e, "every_days")) integer(*x, join(path, "every_days"), policy.every_days, 1, 3650);
    if (const auto* x = find(e, "start_day"))
      integer(*x, join(path, "start_day"), policy.start_day, 0, spec_.horizon_days - 1,
              " (the horizon is " + std::to_string(spec_.horizon_days) + " days)");
    if (const auto* x = find(e, "segments"); x && has("segments"))
      read_segment_refs(*x, join(path, "segments"), policy.segments);
    if (has("campaigns")) {
      if (const auto* x = find(e, "campaigns")) read_campaigns(*x, join(path, "campaigns"), policy.campaigns);
      else missing(n, path, "campaigns");
    }
    if (policy.kind == Kind::propensity_top_k) {
      const auto* share = find(e, "share");
      const auto* top = find(e, "top_k");
      if ((share == nullptr) == (top == nullptr))
        error(share ? *share : (top ? *top : n), path, "give exactly one of share and top_k");
      if (share) number(*share, join(path, "share"), policy.share, 0.0, 1.0);
      if (top) integer(*top, join(path, "top_k"), policy.top_k, 0, 100000000);
    }
    if (const auto* x = find(e, "max_per_week"); x && has("max_per_week"))
      integer(*x, join(path, "max_per_week"), policy.max_per_week, 1, 7);
    if (const auto* x = find(e, "campaign_daily_limit"); x && has("campaign_daily_limit"))
      integer(*x, join(path, "campaign_daily_limit"), policy.campaign_daily_limit, 0, 100000000);
    if (const auto* x = find(e, "min_propensity"); x && has("min_propensity"))
      probability(*x, join(path, "min_propensity"), policy.min_score);
    if (const auto* x = find(e, "min_gain"); x && has("min_gain"))
      non_negative(*x, join(path, "min_gain"), policy.min_score);
    if (const auto* x = find(e, "unsubscribe_cost"); x && has("unsubscribe_cost"))
      non_negative(*x, join(path, "unsubscribe_cost"), policy.unsubscribe_cost);
    if (const auto* x = find(e, "min_churn_risk"); x && has("min_churn_risk"))
      probability(*x, join(path, "min_churn_risk"), policy.min_churn_risk);
    if (const auto* x = find(e, "value_horizon_days"); x && has("value_horizon_days"))
      integer(*x, join(path, "value_horizon_days"), policy.value_horizon_days, 1, 3650);
    if (policy.kind == Kind::clv_tiered_discount) {
      if (const auto* x = find(e, "tiers")) read_tiers(*x, join(path, "tiers"), policy.tiers);
      else missing(n, path, "tiers");
    }
    if (const auto* x = find(e, "epsilon"); x && has("epsilon")) {
      double v = 0;
      if (number(*x, join(path, "epsilon"), v, 0.0, 1.0)) policy.epsilon = v;
    }
    if (policy.kind == Kind::rules) {
      if (const auto* x = find(e, "rules")) read_rules(*x, join(path, "rules"), policy.rules);
      else missing(n, path, "rules");
    }
    if (const auto* x = find(e, "alpha"); x && has("alpha"))
      non_negative(*x, join(path, "alpha"), policy.alpha);
    if (const auto* x = find(e, "ridge"); x && has("ridge"))
      positive(*x, join(path, "ridge"), policy.ridge);
    if (const auto* x = find(e, "per"); x && has("per")) {
      std::string v;
      if (text(*x, join(path, "per"), v)) {
        const auto at = std::find(kLearnPer.begin(), kLearnPer.end(), v);
        if (at == kLearnPer.end())
          error(*x, join(path, "per"), "expected segment or customer, found '" + v + "'" + suggestion(v, kLearnPer));
        else
          policy.per = static_cast<core::PolicySpec::LearnPer>(at - kLearnPer.begin());
      }
    }
    if (const auto* x = find(e, "include_none"); x && has("include_none"))
      boolean(*x, join(path, "include_none"), policy.include_none);
  }

  // rules: [{ name, when, on, days, within_days, then, priority, every_days, cooldown_days }]
  void read_rules(const YAML::Node& n, const std::string& path, std::vector<core::RuleSpec>& out) {
    if (!expect_list(n, path)) return;
    if (n.size() == 0 || n.size() > 1000) {
      error(n, path, "must list 1 to 1000 rules, found " + std::to_string(n.size()));
      return;
    }
    for (std::size_t i = 0; i < n.size(); ++i) {
      const std::string p = index(path, i);
      if (!expect_map(n[i], p)) continue;
      const auto e = entries(n[i], p, kRuleKeys);
      core::RuleSpec r;
      r.name = "rule_" + std::to_string(i);
      if (const auto* x = find(e, "name"); x && read_name(*x, join(p, "name"), r.name))
        for (const auto& other : out)
          if (other.name == r.name) error(*x, join(p, "name"), "duplicate rule name '" + r.name + "'");
      const auto* on = find(e, "on");
      if (on != nullptr) {
        std::string v;
        if (text(*on, join(p, "on"), v)) {
          const auto it = std::find(kRuleTriggers.begin(), kRuleTriggers.end(), v);
          if (it == kRuleTriggers.end())
            error(*on, join(p, "on"), "unknown trigger '" + v + "'" + suggestion(v, kRuleTriggers) +
                                          "; available: cart_abandon, inactive_days, purchase_anniversary");
          else
            r.trigger = static_cast<core::RuleSpec::Trigger>(1 + (it - kRuleTriggers.begin()));
        }
      }
      using Trigger = core::RuleSpec::Trigger;
      const auto whole = [&](const char* key, int& into, long long lo, long long hi) {
        if (const auto* x = find(e, key)) integer(*x, join(p, key), into, lo, hi);
      };
      if (const auto* x = find(e, "days"); x && r.trigger != Trigger::inactive_days)
        error(*x, join(p, "days"), "only the trigger 'on: inactive_days' has days");
      else if (r.trigger == Trigger::inactive_days && x == nullptr)
        error(n[i], p, "the trigger 'on: inactive_days' needs days: the days without a visit");
      else
        whole("days", r.inactive_days, 1, 3650);
      if (const auto* x = find(e, "within_days"); x && on == nullptr)
        error(*x, join(p, "within_days"), "only triggers (on: ...) have within_days");
      else
        whole("within_days", r.within_days, 1, 365);
      if (const auto* x = find(e, "every_days"); x && on != nullptr)
        error(*x, join(p, "every_days"),
              "a trigger (on: ...) is checked every day; every_days is for rules without one");
      else
        whole("every_days", r.every_days, 1, 3650);
      whole("cooldown_days", r.cooldown_days, 0, 3650);
      whole("priority", r.priority, -1000000, 1000000);
      if (const auto* x = find(e, "when")) read_condition(*x, join(p, "when"), r.when);
      if (const auto* x = find(e, "then")) read_then(*x, join(p, "then"), r);
      else missing(n[i], p, "then");
      out.push_back(std::move(r));
    }
  }

  // A rule's condition, checked against the fields the CRM observes; errors inside it point
  // at their column when the text sits unchanged on one line of the file.
  void read_condition(const YAML::Node& n, const std::string& path, std::string& out) {
    if (!n.IsScalar()) {
      error(n, path, "expected a condition such as \"recency_days > 30\", found " + kind_of(n));
      return;
    }
    out = n.Scalar();
    auto parsed = ingest::parse_segment_rule(out);
    std::vector<ingest::RuleError> problems;
    if (!parsed.ok()) problems.push_back(*parsed.error);
    else problems = parsed.rule->check(policies::crm_rule_fields());
    if (problems.empty()) problems = check_segment_names(*parsed.rule);
    const YAML::Mark mark = n.Mark();
    const int start = condition_column(mark, out);
    for (const auto& p : problems) {
      if (start > 0) {
        YAML::Mark at = mark;
        at.column = start + p.column - 2;
        add(at, path, p.message);
      } else {
        add(mark, path, p.message + " (at column " + std::to_string(p.column) + " of the condition)");
      }
    }
  }

  // Segment labels exist in the ground-truth world only, and a name that is not one of its
  // segments would silently match nobody.
  std::vector<ingest::RuleError> check_segment_names(const ingest::SegmentRule& rule) const {
    std::vector<ingest::RuleError> out;
    const auto fields = rule.fields();
    if (std::find(fields.begin(), fields.end(), "segment") == fields.end()) return out;
    if (spec_.model.kind != core::ModelSpec::Kind::ground_truth) {
      out.push_back({1, "the field 'segment' needs model kind 'ground_truth' (other models give no segment labels)"});
      return out;
    }
    Keys names;
    for (const auto& s : spec_.world.segments) names.push_back(s.name);
    for (const auto& t : rule.texts_compared_with("segment"))
      if (std::find(names.begin(), names.end(), t.value) == names.end()) {
        std::string hint = suggestion(t.value, names);
        if (hint.empty()) {
          hint = " (world segments:";
          for (const auto& n : names) hint += " " + n;
          hint += ")";
        }
        out.push_back({t.column, "unknown segment '" + t.value + "'" + hint});
      }
    return out;
  }

  // The file column (1-based) of the condition's first character when the file holds it
  // unchanged on one line (plain, or quoted without escapes); 0 otherwise.
  int condition_column(const YAML::Mark& mark, const std::string& text) const {
    if (mark.pos < 0 || mark.column < 0 || text.find('\n') != std::string::npos) return 0;
    const auto pos = static_cast<std::size_t>(mark.pos);
    const std::string& file = *text_;
    if (pos >= file.size()) return 0;
    const char first = file[pos];
    if (first == '"' || first == '\'') {
      const std::size_t end = pos + 1 + text.size();
      if (file.compare(pos + 1, text.size(), text) == 0 && end < file.size() && file[end] == first)
        return mark.column + 2;
      return 0;
    }
    return file.compare(pos, text.size(), text) == 0 ? mark.column + 1 : 0;
  }

  // then: none, or a campaign { channel, offer, message }.
  void read_then(const YAML::Node& n, const std::string& path, core::RuleSpec& r) {
    if (n.IsScalar() && n.Scalar() == "none") {
      r.act = false;
      return;
    }
    if (!n.IsMap()) {
      error(n, path, "expected a campaign { channel, offer, message } or none, found " + kind_of(n));
      return;
    }
    const auto e = entries(n, path, kThenKeys);
    if (const auto* c = find(e, "channel")) read_channel_ref(*c, join(path, "channel"), r.campaign.channel);
    else missing(n, path, "channel");
    if (const auto* o = find(e, "offer"); o && !(o->IsScalar() && o->Scalar() == "none"))
      read_offer_ref(*o, join(path, "offer"), r.campaign.offer);
    if (const auto* m = find(e, "message")) read_message_ref(*m, join(path, "message"), r.campaign.message);
  }

  // campaigns: { channels: [...], offers: [...], messages: [...] }: their cross product.
  // The offer `none` is no offer; without messages, contacts are generic.
  void read_campaigns(const YAML::Node& n, const std::string& path,
                      std::vector<core::CampaignSpec>& out) {
    if (!expect_map(n, path)) return;
    const auto e = entries(n, path, kCampaignKeys);
    std::vector<Channel> channels;
    std::vector<int> offers{-1}, messages{-1};
    if (const auto* x = find(e, "channels")) {
      if (expect_list(*x, join(path, "channels")))
        for (std::size_t i = 0; i < x->size(); ++i) {
          Channel c = Channel::email;
          const std::size_t before = errors_.size();
          read_channel_ref((*x)[i], index(join(path, "channels"), i), c);
          if (errors_.size() == before) channels.push_back(c);
        }
    } else {
      missing(n, path, "channels");
    }
    const auto list = [&](const char* key, std::vector<int>& into, auto read_one) {
      const auto* x = find(e, key);
      if (x == nullptr || !expect_list(*x, join(path, key))) return;
      into.clear();
      for (std::size_t i = 0; i < x->size(); ++i) {
        int v = -1;
        const std::size_t before = errors_.size();
        read_one((*x)[i], index(join(path, key), i), v);
        if (errors_.size() == before) into.push_back(v);
      }
    };
    list("offers", offers, [&](const YAML::Node& x, const std::string& p, int& v) {
      if (x.IsScalar() && x.Scalar() == "none") v = -1;
      else read_offer_ref(x, p, v);
    });
    list("messages", messages, [&](const YAML::Node& x, const std::string& p, int& v) {
      read_message_ref(x, p, v);
    });
    for (Channel c : channels)
      for (int o : offers)
        for (int m : messages) out.push_back({c, o, m});
    if (out.empty() && channels.empty() && find(e, "channels") != nullptr)
      error(n, path, "must give at least one channel");
  }

  void read_tiers(const YAML::Node& n, const std::string& path, std::vector<core::ClvTierSpec>& out) {
    if (!expect_list(n, path)) return;
    if (n.size() == 0) error(n, path, "must list at least one tier");
    for (std::size_t i = 0; i < n.size(); ++i) {
      const std::string p = index(path, i);
      if (!expect_map(n[i], p)) continue;
      const auto e = entries(n[i], p, kTierKeys);
      core::ClvTierSpec t;
      if (const auto* x = find(e, "min_value")) non_negative(*x, join(p, "min_value"), t.min_value);
      if (const auto* x = find(e, "offer")) read_offer_ref(*x, join(p, "offer"), t.offer);
      else missing(n[i], p, "offer");
      if (!out.empty() && t.min_value <= out.back().min_value)
        error(n[i], join(p, "min_value"), "tiers must be in increasing min_value");
      out.push_back(t);
    }
  }

  void read_message_ref(const YAML::Node& n, const std::string& path, int& out) {
    std::string v;
    if (!text(n, path, v)) return;
    Keys names;
    for (const auto& c : spec_.world.categories) names.push_back(c.name);
    const auto it = std::find(names.begin(), names.end(), v);
    if (it == names.end()) {
      error(n, path, "unknown message '" + v + "'" + suggestion(v, names) +
                         (names.empty() ? " (messages are world.categories; none are defined)" : ""));
      return;
    }
    out = static_cast<int>(it - names.begin());
  }

  void read_channel_ref(const YAML::Node& n, const std::string& path, Channel& out) {
    std::string v;
    if (!text(n, path, v)) return;
    const auto c = core::channel_from_name(v);
    if (!c) {
      error(n, path, "unknown channel '" + v + "'" + suggestion(v, kChannelNames));
      return;
    }
    if (!spec_.has_channel(*c)) {
      Keys configured;
      for (const auto& ch : spec_.channels) configured.emplace_back(core::channel_name(ch.channel));
      error(n, path, "channel '" + v + "' is not configured under 'channels'" +
                         (configured.empty() ? std::string(" (none are)") : ""));
      return;
    }
    out = *c;
  }

  void read_offer_ref(const YAML::Node& n, const std::string& path, int& out) {
    std::string v;
    if (!text(n, path, v)) return;
    Keys names;
    for (const auto& o : spec_.offers) names.push_back(o.name);
    const auto it = std::find(names.begin(), names.end(), v);
    if (it == names.end()) {
      error(n, path, "unknown offer '" + v + "'" + suggestion(v, names));
      return;
    }
    out = static_cast<int>(it - names.begin());
  }

  void read_segment_refs(const YAML::Node& n, const std::string& path, std::vector<int>& out) {
    if (!expect_list(n, path)) return;
    Keys names;
    for (const auto& s : spec_.world.segments) names.push_back(s.name);
    for (std::size_t i = 0; i < n.size(); ++i) {
      std::string v;
      const std::string p = index(path, i);
      if (!text(n[i], p, v)) continue;
      const auto it = std::find(names.begin(), names.end(), v);
      if (it == names.end()) {
        error(n[i], p, "unknown segment '" + v + "'" + suggestion(v, names));
        continue;
      }
      out.push_back(static_cast<int>(it - names.begin()));
    }
  }

  void read_metrics(const YAML::Node& n) {
    if (!expect_list(n, "metrics")) return;
    const Keys names = metric_names();
    for (std::size_t i = 0; i < n.size(); ++i) {
      std::string v;
      const std::string p = index("metrics", i);
      if (!text(n[i], p, v)) continue;
      const auto it = std::find(names.begin(), names.end(), v);
      if (it == names.end()) {
        error(n[i], p, "unknown metric '" + v + "'" + suggestion(v, names));
        continue;
      }
      const auto m = static_cast<core::Metric>(it - names.begin());
      if (std::find(spec_.metrics.begin(), spec_.metrics.end(), m) != spec_.metrics.end())
        error(n[i], p, "duplicate metric '" + v + "'");
      else
        spec_.metrics.push_back(m);
    }
  }

  void read_outputs(const YAML::Node& n) {
    if (!expect_map(n, "outputs")) return;
    const auto e = entries(n, "outputs", kOutputKeys);
    if (const auto* r = find(e, "results")) {
      std::string v;
      if (text(*r, "outputs.results", v)) {
        if (v.empty()) error(*r, "outputs.results", "expected a file path, found an empty string");
        else spec_.outputs.results = v;
      }
    }
    if (const auto* r = find(e, "decisions")) {
      std::string v;
      if (text(*r, "outputs.decisions", v)) {
        if (v.empty()) error(*r, "outputs.decisions", "expected a file path, found an empty string");
        else spec_.outputs.decisions_csv = v;
      }
    }
    if (const auto* r = find(e, "decisions_max_rows"))
      integer(*r, "outputs.decisions_max_rows", spec_.outputs.decisions_max_rows, 0, 1000000000);
    if (const auto* r = find(e, "expected_value")) {
      bool v = false;
      if (boolean(*r, "outputs.expected_value", v)) {
        if (v && spec_.model.kind != core::ModelSpec::Kind::ground_truth)
          error(*r, "outputs.expected_value",
                "needs a model that answers expected outcomes; only model kind 'ground_truth' does so far");
        else
          spec_.outputs.expected_value = v;
      }
    }
  }

  const std::string* text_ = nullptr;  // the file's text, for positions inside conditions
  core::ScenarioSpec spec_;
  // Where to report errors that concern more than one section.
  std::optional<YAML::Node> root_node_, population_node_, model_node_;
  std::optional<std::vector<std::string>> model_categories_;  // read when a store_category needs them
};

}  // namespace

LoadResult load_scenario_text(const std::string& text, const std::string& label) {
  auto result = Loader(label).load(text);
  if (result.spec) result.spec->source_path = label;
  return result;
}

LoadResult load_scenario_file(const std::string& path) {
  std::string text;
  if (auto error = read_file_text(path, text)) {
    LoadResult r;
    r.errors.push_back(std::move(*error));
    return r;
  }
  return load_scenario_text(text, path);
}

}  // namespace mirror::scenario
