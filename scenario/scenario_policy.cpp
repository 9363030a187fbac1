// A scenario arm's policy as a policy artifact, for the kinds that are a stationary function
// of a decision's logged context (docs/export.md, "Scenario policies").
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <numeric>
#include <sstream>

#include "did_you_mean.hpp"
#include "mirror/scenario/policy_artifact_file.hpp"

namespace mirror::scenario {

namespace {

using core::PolicySpec;
using core::RuleSpec;
using policies::ActionDistribution;
using policies::ArtifactPlace;
using policies::PolicyArtifact;

// Conditions whose schedules are time-averaged: 2^K truth patterns become rules.
constexpr int kMaxPatternConditions = 8;
constexpr long kMaxCycleDays = 3650;

std::string campaign_label(const core::ScenarioSpec& s, const core::CampaignSpec& c) {
  std::string label(core::channel_name(c.channel));
  label += "/";
  if (c.message >= 0) label += s.world.categories.at(static_cast<std::size_t>(c.message)).name;
  label += "/";
  if (c.offer >= 0) label += s.offers.at(static_cast<std::size_t>(c.offer)).name;
  return label;
}

std::string quoted_rule_text(const std::string& s) {
  return "'" + s + "'";
}

// Adds probability p of LABEL to D (merging a label that is already there).
void add(ActionDistribution& d, const std::string& label, double p) {
  if (p <= 0.0) return;
  for (auto& s : d)
    if (s.label == label) {
      s.probability += p;
      return;
    }
  d.push_back({label, p});
}

// Where things sit in the scenario file, read again for the marks only.
class ScenarioMarks {
 public:
  ScenarioMarks(const std::string& text, std::size_t arm) {
    try {
      const YAML::Node root = YAML::Load(text);
      policy_ = root["experiment"]["arms"][arm]["policy"];
    } catch (const YAML::Exception&) {
    }
  }
  ArtifactPlace policy(const std::string& key) const { return of(policy_, key); }
  // Rule k's `when` (or the rule itself when it has none).
  ArtifactPlace rule_when(std::size_t k, const std::string& key) const {
    try {
      if (policy_ && policy_["rules"] && policy_["rules"][k]) {
        const YAML::Node rule = policy_["rules"][k];
        return of(rule["when"] ? rule["when"] : rule, key);
      }
    } catch (const YAML::Exception&) {
    }
    return policy(key);
  }

 private:
  static ArtifactPlace of(const YAML::Node& n, const std::string& key) {
    if (!n) return {0, 0, key};
    const auto m = n.Mark();
    return {m.line + 1, m.column + 1, key};
  }
  YAML::Node policy_;
};

std::string why_not_stationary(PolicySpec::Kind k) {
  switch (k) {
    case PolicySpec::Kind::epsilon_greedy:
    case PolicySpec::Kind::thompson:
    case PolicySpec::Kind::linucb:
      return "learns from the outcomes of its own decisions during the run, so what it does "
             "depends on the run's history, not only on a decision's context";
    case PolicySpec::Kind::propensity_top_k:
      return "ranks the whole arm each day by the behaviour model's purchase probability, so "
             "what one customer gets depends on the model and on every other customer";
    case PolicySpec::Kind::uplift:
    case PolicySpec::Kind::clv_tiered_discount:
      return "scores every customer with the behaviour model's predictions, which a decisions "
             "log does not record";
    case PolicySpec::Kind::fatigue_aware:
      return "scores customers with the behaviour model and caps its own campaigns' daily "
             "volume across the arm";
    default: break;
  }
  return "is not a stationary function of a decision's context";
}

class ScenarioPolicyBuilder {
 public:
  ScenarioPolicyBuilder(const core::ScenarioSpec& s, std::size_t arm, const std::string& path)
      : s_(s), arm_(arm), path_(path), spec_(s.experiment.arms[arm].policy), marks_(s.source_text, arm) {
    base_ = "experiment.arms[" + std::to_string(arm) + "].policy";
  }

  PolicyArtifactLoad build() {
    a_.label = path_ + "#" + s_.experiment.arms[arm_].name;
    a_.source = {{"kind", "scenario"},
                 {"scenario", path_},
                 {"scenario_name", s_.name},
                 {"arm", s_.experiment.arms[arm_].name},
                 {"policy", core::policy_kind_name(spec_.kind)}};
    a_.default_place = marks_.policy(base_);
    switch (spec_.kind) {
      case PolicySpec::Kind::none: a_.default_actions = {{policies::kNoActionLabel, 1.0}}; break;
      case PolicySpec::Kind::batch_and_blast: blast(); break;
      case PolicySpec::Kind::rules: rules(); break;
      default:
        fail(marks_.policy(base_ + ".kind"),
             "policy kind '" + std::string(core::policy_kind_name(spec_.kind)) + "' " +
                 why_not_stationary(spec_.kind) +
                 ": it cannot be evaluated from a log as a fixed decision rule. Run the "
                 "scenario and evaluate what the arm did instead: mirror export --results R.h5 --arm " +
                 s_.experiment.arms[arm_].name + " --out policy.yaml");
    }
    PolicyArtifactLoad out;
    if (errors_.empty())
      out.artifact = std::move(a_);
    else
      out.errors = std::move(errors_);
    return out;
  }

 private:
  void fail(const ArtifactPlace& p, const std::string& message) {
    errors_.push_back({path_, p.line, p.column, p.key, message});
  }

  std::string segment_condition(const std::vector<int>& segments) const {
    std::string text = "segment in [";
    for (std::size_t k = 0; k < segments.size(); ++k)
      text += (k ? ", " : "") +
              quoted_rule_text(s_.world.segments.at(static_cast<std::size_t>(segments[k])).name);
    return text + "]";
  }

  // The campaign on days start_day, start_day + every_days, ...: on a day drawn at random,
  // with probability 1 / every_days.
  void blast() {
    const double p = 1.0 / spec_.every_days;
    ActionDistribution d;
    add(d, campaign_label(s_, {spec_.channel, spec_.offer, spec_.message}), p);
    add(d, policies::kNoActionLabel, 1.0 - p);
    if (spec_.every_days > 1)
      a_.source.emplace_back("note", "every_days " + std::to_string(spec_.every_days) +
                                         ": the campaign with probability 1/" +
                                         std::to_string(spec_.every_days) +
                                         " on every day (the time average of the schedule)");
    if (spec_.segments.empty()) {
      a_.default_actions = d;
      return;
    }
    a_.rules.push_back({segment_condition(spec_.segments), d, -1, marks_.policy(base_ + ".segments"),
                        marks_.policy(base_ + ".segments")});
    a_.default_actions = {{policies::kNoActionLabel, 1.0}};
  }

  void rules() {
    const auto& entries = spec_.rules;
    for (std::size_t k = 0; k < entries.size(); ++k) {
      const auto& r = entries[k];
      const std::string key = base_ + ".rules[" + std::to_string(k) + "]";
      if (r.trigger != RuleSpec::Trigger::none)
        fail(marks_.rule_when(k, key),
             "rule '" + r.name + "' has a trigger: it fires on events relative to the day (an "
             "abandoned cart, days without a visit, an anniversary) and once per occasion, "
             "which a decision's context does not record; evaluate a run of it with mirror export");
      else if (r.cooldown_days > 0)
        fail(marks_.rule_when(k, key),
             "rule '" + r.name + "' has a cooldown: it depends on when the rule itself last "
             "delivered, which a decision's context does not record; evaluate a run of it with "
             "mirror export");
    }
    if (!errors_.empty()) return;
    std::vector<std::size_t> order(entries.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return entries[a].priority > entries[b].priority;
    });
    const auto action = [&](const RuleSpec& r) {
      return r.act ? campaign_label(s_, r.campaign) : std::string(policies::kNoActionLabel);
    };
    const bool daily = std::all_of(entries.begin(), entries.end(), [](const RuleSpec& r) { return r.every_days == 1; });
    if (daily) {
      // First match in priority order, as the policy decides.
      for (const auto k : order) {
        const auto& r = entries[k];
        const std::string key = base_ + ".rules[" + std::to_string(k) + "]";
        if (r.when.empty()) {
          a_.default_actions = {{action(r), 1.0}};
          a_.default_place = marks_.rule_when(k, key);
          return;
        }
        a_.rules.push_back({r.when, {{action(r), 1.0}}, -1, marks_.rule_when(k, key + ".when"),
                            marks_.rule_when(k, key)});
      }
      a_.default_actions = {{policies::kNoActionLabel, 1.0}};
      return;
    }
    // Entries checked every N days: average the day's first match over the cycle, for each
    // pattern of which conditions hold.
    std::vector<std::string> conditions;
    std::vector<int> condition_of(entries.size(), -1);
    for (std::size_t k = 0; k < entries.size(); ++k) {
      if (entries[k].when.empty()) continue;
      auto it = std::find(conditions.begin(), conditions.end(), entries[k].when);
      if (it == conditions.end()) it = conditions.insert(conditions.end(), entries[k].when);
      condition_of[k] = static_cast<int>(it - conditions.begin());
    }
    if (static_cast<int>(conditions.size()) > kMaxPatternConditions) {
      fail(marks_.policy(base_ + ".rules"),
           "rules checked every N days with more than " + std::to_string(kMaxPatternConditions) +
               " distinct conditions: their time average would need 2^" +
               std::to_string(conditions.size()) + " rules; use mirror export on a run");
      return;
    }
    long cycle = 1;
    for (const auto& r : entries) cycle = std::lcm(cycle, static_cast<long>(r.every_days));
    if (cycle > kMaxCycleDays) {
      fail(marks_.policy(base_ + ".rules"),
           "the rules' every_days have a common cycle of " + std::to_string(cycle) +
               " days (more than " + std::to_string(kMaxCycleDays) + "); use mirror export on a run");
      return;
    }
    a_.source.emplace_back("note", "rules checked every N days: per pattern of conditions, the "
                                   "time average over the " + std::to_string(cycle) +
                                   "-day cycle of the day's first match");
    const std::size_t patterns = std::size_t{1} << conditions.size();
    for (std::size_t pattern = patterns; pattern-- > 0;) {
      ActionDistribution d;
      for (long day = 0; day < cycle; ++day) {
        std::string chosen = policies::kNoActionLabel;
        for (const auto k : order) {
          const auto& r = entries[k];
          if (day % r.every_days != 0) continue;
          if (condition_of[k] >= 0 && !(pattern >> condition_of[k] & 1u)) continue;
          chosen = action(r);
          break;
        }
        add(d, chosen, 1.0 / static_cast<double>(cycle));
      }
      if (pattern == 0) {
        a_.default_actions = d;
        break;
      }
      std::string when;
      for (std::size_t c = 0; c < conditions.size(); ++c)
        when += (c ? " and " : "") + std::string(pattern >> c & 1u ? "(" : "not (") + conditions[c] + ")";
      a_.rules.push_back({when, d, -1, marks_.policy(base_ + ".rules"), marks_.policy(base_ + ".rules")});
    }
  }

  const core::ScenarioSpec& s_;
  std::size_t arm_;
  std::string path_;
  const PolicySpec& spec_;
  ScenarioMarks marks_;
  std::string base_;
  PolicyArtifact a_;
  std::vector<ScenarioError> errors_;
};

}  // namespace

PolicyArtifactLoad policy_artifact_from_scenario(const std::string& path, const std::string& arm) {
  PolicyArtifactLoad out;
  auto loaded = load_scenario_file(path);
  if (!loaded.ok()) {
    out.errors = std::move(loaded.errors);
    return out;
  }
  const auto& s = *loaded.spec;
  std::vector<std::string> names;
  for (const auto& a : s.experiment.arms) names.push_back(a.name);
  std::size_t index = 0;
  if (arm.empty()) {
    if (names.size() != 1) {
      std::string list;
      for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
      out.errors.push_back({path, 0, 0, "experiment.arms",
                            "the scenario has " + std::to_string(names.size()) +
                                " arms: name one with --arm or FILE#ARM (" + list + ")"});
      return out;
    }
  } else {
    const auto it = std::find(names.begin(), names.end(), arm);
    if (it == names.end()) {
      std::string list;
      for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
      out.errors.push_back({path, 0, 0, "experiment.arms",
                            "no arm '" + arm + "'" + suggestion(arm, names) + " (arms: " + list + ")"});
      return out;
    }
    index = static_cast<std::size_t>(it - names.begin());
  }
  return ScenarioPolicyBuilder(s, index, path).build();
}

}  // namespace mirror::scenario
