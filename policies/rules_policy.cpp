#include "mirror/policies/rules_policy.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>
#include <optional>
#include <stdexcept>
#include <string>

namespace mirror::policies {

namespace {

using core::RuleSpec;

constexpr int kYear = 365;
constexpr std::int32_t kNever = std::numeric_limits<std::int32_t>::min();
constexpr double kMissing = std::numeric_limits<double>::quiet_NaN();

enum class Field {
  segment,
  day,
  recency_days,
  days_since_visit,
  days_since_cart_abandon,
  tenure_days,
  purchases,
  frequency,
  visits,
  total_spend,
  contacts,
  contacts_7d,
  contacts_30d,
  days_since_contact,
  consent_email,
  consent_sms,
  consent_push,
};

struct FieldDef {
  const char* name;
  Field field;
};

// The order here is the order of docs/policies.md.
constexpr FieldDef kFields[] = {
    {"segment", Field::segment},
    {"day", Field::day},
    {"recency_days", Field::recency_days},
    {"days_since_visit", Field::days_since_visit},
    {"days_since_cart_abandon", Field::days_since_cart_abandon},
    {"tenure_days", Field::tenure_days},
    {"purchases", Field::purchases},
    {"frequency", Field::frequency},
    {"visits", Field::visits},
    {"total_spend", Field::total_spend},
    {"contacts", Field::contacts},
    {"contacts_7d", Field::contacts_7d},
    {"contacts_30d", Field::contacts_30d},
    {"days_since_contact", Field::days_since_contact},
    {"consent_email", Field::consent_email},
    {"consent_sms", Field::consent_sms},
    {"consent_push", Field::consent_push},
};

Field field_of(const std::string& name) {
  for (const auto& f : kFields)
    if (name == f.name) return f.field;
  throw std::invalid_argument("rules: unknown field '" + name + "'");
}

double since(std::int32_t day, std::int32_t then) {
  return then == core::kNoDay ? kMissing : static_cast<double>(day - then);
}

// A number field of customer i on the morning of `day`.
double number(Field f, std::int32_t day, const core::TwinState& t, const core::ContactLedger& l) {
  switch (f) {
    case Field::segment: break;
    case Field::day: return day;
    case Field::recency_days: return since(day, t.last_purchase_day);
    case Field::days_since_visit: return since(day, t.last_visit_day);
    case Field::days_since_cart_abandon: return since(day, t.last_abandon_day);
    case Field::tenure_days: return since(day, t.first_purchase_day);
    case Field::purchases: return t.conversions;
    case Field::frequency: return t.conversions > 0 ? t.conversions - 1.0 : 0.0;
    case Field::visits: return t.visits;
    case Field::total_spend: return core::from_micros(t.revenue);
    case Field::contacts: return l.contacts_total();
    // Days day-7 .. day-1 (and day-30 .. day-1): today's contact is not sent yet.
    case Field::contacts_7d: return l.contacts_total() > 0 ? l.contacts.count(day - 1, 7) : 0.0;
    case Field::contacts_30d: return l.contacts_total() > 0 ? l.contacts.count(day - 1, 30) : 0.0;
    // The ledger's fatigue_day is the day of its last recorded contact.
    case Field::days_since_contact:
      return l.contacts_total() > 0 ? static_cast<double>(day - l.fatigue_day) : kMissing;
    case Field::consent_email: return t.consents(core::Channel::email) ? 1.0 : 0.0;
    case Field::consent_sms: return t.consents(core::Channel::sms) ? 1.0 : 0.0;
    case Field::consent_push: return t.consents(core::Channel::push) ? 1.0 : 0.0;
  }
  return kMissing;
}

// The day a trigger's occasion begins for this customer (when it is first proposed), or
// kNever when there is none.
std::int32_t occasion(const RuleSpec& r, std::int32_t day, const core::TwinState& t) {
  switch (r.trigger) {
    case RuleSpec::Trigger::none: return kNever;
    case RuleSpec::Trigger::cart_abandon:
      // A purchase after the abandoned cart closes it.
      if (t.last_abandon_day == core::kNoDay || t.last_purchase_day > t.last_abandon_day) return kNever;
      return t.last_abandon_day + 1;
    case RuleSpec::Trigger::inactive_days:
      // Without a visit in the run, inactivity counts from the day before the run.
      return (t.last_visit_day == core::kNoDay ? -1 : t.last_visit_day) + r.inactive_days;
    case RuleSpec::Trigger::purchase_anniversary:
      if (t.first_purchase_day == core::kNoDay || day < t.first_purchase_day + kYear) return kNever;
      return t.first_purchase_day + kYear * ((day - t.first_purchase_day) / kYear);
  }
  return kNever;
}

class RulesPolicy final : public Policy {
 public:
  RulesPolicy(const core::PolicySpec& spec, std::vector<std::string> segment_names)
      : rules_(spec.rules), segment_names_(std::move(segment_names)) {
    const auto fields = crm_rule_fields();
    for (std::size_t k = 0; k < rules_.size(); ++k) {
      const auto& r = rules_[k];
      if (r.every_days < 1) throw std::invalid_argument("rules: every_days < 1");
      if (r.trigger != RuleSpec::Trigger::none && r.within_days < 1)
        throw std::invalid_argument("rules: within_days < 1");
      std::optional<ingest::SegmentRule> condition;
      if (!r.when.empty()) {
        auto parsed = ingest::parse_segment_rule(r.when);
        if (!parsed.ok())
          throw std::invalid_argument("rules[" + std::to_string(k) + "].when: column " +
                                      std::to_string(parsed.error->column) + ": " +
                                      parsed.error->message);
        const auto errors = parsed.rule->check(fields);
        if (!errors.empty())
          throw std::invalid_argument("rules[" + std::to_string(k) + "].when: column " +
                                      std::to_string(errors.front().column) + ": " +
                                      errors.front().message);
        for (const auto& name : parsed.rule->fields())
          if (std::find(used_.begin(), used_.end(), name) == used_.end()) used_.push_back(name);
        condition = std::move(parsed.rule);
      }
      conditions_.push_back(std::move(condition));
      // Triggers and cooldowns remember, per customer, when the entry was last delivered.
      slot_.push_back(r.trigger != RuleSpec::Trigger::none || r.cooldown_days > 0 ? slots_++ : -1);
    }
    order_.resize(rules_.size());
    std::iota(order_.begin(), order_.end(), 0);
    std::stable_sort(order_.begin(), order_.end(),
                     [&](int a, int b) { return rules_[a].priority > rules_[b].priority; });
  }

  void decide(std::int32_t day, const ShardView& v, std::vector<core::ProposedAction>& out) override {
    auto& st = state(v);
    learn_deliveries(day, v, st);
    const auto holds = evaluate(day, v);
    for (std::size_t i = 0; i < v.size; ++i) {
      if (!v.in_arm(i)) continue;
      for (int k : order_) {
        if (!applies(k, day, v, st, i, holds[k])) continue;
        const auto& r = rules_[k];
        if (r.act) {
          core::ProposedAction a;
          a.index = static_cast<std::uint32_t>(i);
          a.channel = r.campaign.channel;
          a.offer = static_cast<std::int16_t>(r.campaign.offer);
          a.message = static_cast<std::int8_t>(r.campaign.message);
          a.propensity = 1.0;
          out.push_back(a);
          st.proposed[i] = static_cast<std::int16_t>(k);
        }
        break;
      }
    }
  }

 private:
  struct ShardState {
    std::vector<std::int16_t> proposed;  // the entry proposed yesterday, -1 = none
    std::vector<std::int32_t> delivered;  // per slot and customer: last day delivered
  };

  ShardState& state(const ShardView& v) {
    auto& st = states_[v.first_customer];
    if (st.proposed.size() != v.size) {
      st.proposed.assign(v.size, -1);
      st.delivered.assign(v.size * static_cast<std::size_t>(slots_), kNever);
    }
    return st;
  }

  std::int32_t& delivered(ShardState& st, int k, std::size_t i) const {
    return st.delivered[static_cast<std::size_t>(slot_[k]) * st.proposed.size() + i];
  }

  // Yesterday's proposals that the constraints let through (one policy per arm, so any
  // delivered action of a customer we proposed to is ours).
  void learn_deliveries(std::int32_t day, const ShardView& v, ShardState& st) {
    for (std::size_t i = 0; i < v.size; ++i) {
      const int k = st.proposed[i];
      if (k < 0) continue;
      st.proposed[i] = -1;
      if (slot_[k] >= 0 && v.last_actions != nullptr && v.last_actions[i].any())
        delivered(st, k, i) = day - 1;
    }
  }

  // One flag vector per entry whose condition is checked today (empty otherwise: always).
  std::vector<std::vector<std::uint8_t>> evaluate(std::int32_t day, const ShardView& v) const {
    std::vector<std::vector<std::uint8_t>> holds(rules_.size());
    bool any = false;
    for (std::size_t k = 0; k < rules_.size(); ++k) any |= conditions_[k].has_value() && checked_today(k, day);
    if (!any || v.size == 0) return holds;  // a table without rows cannot hold text
    results::Table table;
    for (const auto& name : used_) {
      results::Table::Column c;
      c.name = name;
      const Field f = field_of(name);
      if (f == Field::segment) {
        c.strings.resize(v.size);
        for (std::size_t i = 0; i < v.size; ++i) {
          const auto s = v.segments != nullptr ? v.segments[i] : -1;
          if (s >= 0 && static_cast<std::size_t>(s) < segment_names_.size()) c.strings[i] = segment_names_[s];
        }
      } else {
        c.numbers.resize(v.size);
        for (std::size_t i = 0; i < v.size; ++i) c.numbers[i] = number(f, day, v.twins[i], v.ledgers[i]);
      }
      table.columns.push_back(std::move(c));
    }
    for (std::size_t k = 0; k < rules_.size(); ++k)
      if (conditions_[k] && checked_today(k, day)) holds[k] = conditions_[k]->evaluate(table);
    return holds;
  }

  bool checked_today(std::size_t k, std::int32_t day) const {
    return rules_[k].trigger != RuleSpec::Trigger::none || day % rules_[k].every_days == 0;
  }

  bool applies(int k, std::int32_t day, const ShardView& v, ShardState& st, std::size_t i,
               const std::vector<std::uint8_t>& holds) const {
    const auto& r = rules_[k];
    if (!checked_today(static_cast<std::size_t>(k), day)) return false;
    if (conditions_[k] && !holds[i]) return false;
    const std::int32_t last = slot_[k] >= 0 ? delivered(st, k, i) : kNever;
    if (r.cooldown_days > 0 && last != kNever && day - last < r.cooldown_days) return false;
    if (r.trigger == RuleSpec::Trigger::none) return true;
    const std::int32_t start = occasion(r, day, v.twins[i]);
    if (start == kNever || day < start || day >= start + r.within_days) return false;
    return last == kNever || last < start;  // once per occasion
  }

  std::vector<RuleSpec> rules_;
  std::vector<std::string> segment_names_;
  std::vector<std::optional<ingest::SegmentRule>> conditions_;
  std::vector<std::string> used_;  // the fields any condition reads
  std::vector<int> order_;         // entries by priority, then list order
  std::vector<int> slot_;          // per entry: its column in ShardState::delivered, -1 = none
  int slots_ = 0;
  std::map<std::uint64_t, ShardState> states_;  // by the shard's first customer
};

}  // namespace

std::vector<ingest::RuleField> crm_rule_fields() {
  std::vector<ingest::RuleField> out;
  for (const auto& f : kFields)
    out.push_back({f.name, f.field == Field::segment ? ingest::FieldKind::kText : ingest::FieldKind::kNumber});
  return out;
}

std::unique_ptr<Policy> make_rules_policy(const core::ScenarioSpec& scenario, int arm) {
  std::vector<std::string> names;
  // Only the ground-truth world gives customers a segment label.
  if (scenario.model.kind == core::ModelSpec::Kind::ground_truth)
    for (const auto& s : scenario.world.segments) names.push_back(s.name);
  return std::make_unique<RulesPolicy>(scenario.experiment.arms.at(arm).policy, std::move(names));
}

}  // namespace mirror::policies
