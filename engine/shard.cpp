#include "mirror/engine/shard.hpp"

#include <algorithm>
#include <stdexcept>

#include "mirror/engine/assignment.hpp"
#include "mirror/twins/btyd_world.hpp"
#include "mirror/twins/ground_truth_world.hpp"
#include "mirror/twins/lcm_world.hpp"

namespace mirror::engine {

using core::DayOutcome;

std::vector<std::uint8_t> arm_membership(const core::ScenarioSpec& spec, int arm,
                                         std::uint64_t first_customer, std::size_t count) {
  const auto& ex = spec.experiment;
  if (ex.design == core::ExperimentSpec::Design::paired) return {};
  if (ex.design == core::ExperimentSpec::Design::stratified)
    return membership_from(assign_arms(spec), arm, first_customer, count);
  // Split: a customer is in the control arm with probability holdout_share, else in one of
  // the other arms with equal probability. One draw per customer decides.
  const int others = static_cast<int>(ex.arms.size()) - 1;
  std::vector<std::uint8_t> member(count, 0);
  for (std::size_t i = 0; i < count; ++i) {
    const double u =
        core::RandomStream(spec.seed, first_customer + i, core::kNoDay, core::Purpose::assignment)
            .uniform();
    int assigned = ex.control;
    if (u >= ex.holdout_share && others > 0) {
      int k = static_cast<int>((u - ex.holdout_share) / (1.0 - ex.holdout_share) * others);
      k = std::min(k, others - 1);
      assigned = k < ex.control ? k : k + 1;  // the k-th arm that is not the control
    }
    member[i] = assigned == arm ? 1 : 0;
  }
  return member;
}

std::vector<std::uint8_t> membership_from(const std::vector<std::int8_t>& assignment, int arm,
                                          std::uint64_t first_customer, std::size_t count) {
  if (assignment.empty()) return {};
  std::vector<std::uint8_t> member(count);
  for (std::size_t i = 0; i < count; ++i) member[i] = assignment.at(first_customer + i) == arm ? 1 : 0;
  return member;
}

namespace {
core::ChannelArray<core::Micros> channel_costs(const core::ScenarioSpec& spec) {
  core::ChannelArray<core::Micros> cost{};
  for (const auto& ch : spec.channels) cost[core::index_of(ch.channel)] = core::to_micros(ch.cost);
  return cost;
}

}  // namespace

std::unique_ptr<twins::BehaviourModel> make_model(const core::ScenarioSpec& spec,
                                                  std::uint64_t first, std::size_t count) {
  switch (spec.model.kind) {
    case core::ModelSpec::Kind::ground_truth:
      return std::make_unique<twins::GroundTruthWorld>(spec.world, spec.seed, first, count);
    case core::ModelSpec::Kind::btyd:
      return std::make_unique<twins::BtydWorld>(
          twins::load_btyd_population(spec.population.path, spec.model.btyd_variant,
                                      spec.population.segment),
          spec.world.gross_margin, spec.seed, first, count);
    case core::ModelSpec::Kind::lcm: {
      auto population = twins::load_lcm_population(spec.population.path, spec.model.path);
      auto messages = twins::lcm_message_categories(population->categories, spec.world.categories);
      return std::make_unique<twins::LcmWorld>(std::move(population), spec.world.gross_margin, spec.seed, first,
                                               count, std::move(messages));
    }
  }
  throw std::invalid_argument("unknown model kind");
}

ShardSimulator::ShardSimulator(const core::ScenarioSpec& spec, int arm,
                               std::uint64_t first_customer, std::size_t count,
                               const std::vector<std::int8_t>* assignment)
    : spec_(spec),
      first_customer_(first_customer),
      model_(make_model(spec, first_customer, count)),
      caps_(spec.constraints, spec.offers, channel_costs(spec)),
      twins_(count),
      ledgers_(count),
      segments_(count),
      eligible_(assignment != nullptr ? membership_from(*assignment, arm, first_customer, count)
                                      : arm_membership(spec, arm, first_customer, count)),
      actions_(count),
      outcomes_(count) {
  for (std::size_t i = 0; i < count; ++i) {
    segments_[i] = model_->segment(i);
    twins_[i].consent_mask = model_->initial_consent(i);
    if (!model_->initially_active(i)) twins_[i].churn_day = core::kChurnedBeforeRun;
  }
  channel_cost_ = channel_costs(spec);
  if (caps_.tracks_offers()) offer_days_.assign(count * caps_.offer_count(), core::kNoDay);
  if (spec.outputs.expected_value) expected_margin_.assign(count, 0.0);
  active_ = 0;
  for (std::size_t i = 0; i < count; ++i) active_ += (eligible_.empty() || eligible_[i]) && twins_[i].active() ? 1 : 0;
}

policies::ShardView ShardSimulator::view() const {
  policies::ShardView v;
  v.first_customer = first_customer_;
  v.size = twins_.size();
  v.twins = twins_.data();
  v.ledgers = ledgers_.data();
  v.segments = segments_.data();
  v.eligible = eligible_.empty() ? nullptr : eligible_.data();
  v.model = model_.get();
  v.last_actions = actions_.data();
  v.last_outcomes = outcomes_.data();
  return v;
}

void ShardSimulator::enforce(std::int32_t day, const std::vector<core::ProposedAction>& proposals,
                             policies::BudgetLedger* budget,
                             std::vector<core::DecisionRecord>* log) {
  blocked_ = policies::CapCounts{};
  const std::uint8_t* eligible = eligible_.empty() ? nullptr : eligible_.data();
  caps_.enforce(day, proposals, ledgers_.data(), twins_.data(), eligible, twins_.size(),
                actions_.data(), blocked_, budget != nullptr ? budget : &own_budget_,
                offer_days_.empty() ? nullptr : offer_days_.data(), log, first_customer_);
}

results::DailyTotals ShardSimulator::simulate_day(
    std::int32_t day, const std::vector<core::ProposedAction>& proposals,
    std::vector<std::pair<std::uint32_t, core::TwinDay>>& messages,
    const DeliveryObserver& before_ledger) {
  enforce(day, proposals, nullptr);
  return step(day, messages, before_ledger);
}

results::DailyTotals ShardSimulator::step(
    std::int32_t day, std::vector<std::pair<std::uint32_t, core::TwinDay>>& messages,
    const DeliveryObserver& before_ledger) {
  results::DailyTotals totals;
  totals.day = day;
  const std::uint8_t* eligible = eligible_.empty() ? nullptr : eligible_.data();
  totals.blocked_by_caps = blocked_.blocked_by_caps;
  totals.blocked_by_consent = blocked_.blocked_by_consent;
  totals.blocked_by_budget = blocked_.blocked_by_budget;
  totals.blocked_by_rules = blocked_.blocked_by_rules;
  blocked_ = policies::CapCounts{};

  if (!expected_margin_.empty()) {
    core::ExpectedOutcome e;
    for (std::size_t i = 0; i < twins_.size(); ++i) {
      if ((eligible != nullptr && eligible[i] == 0) || !twins_[i].active()) continue;
      if (!model_->expected_outcome(i, day, twins_[i], ledgers_[i], actions_[i], e))
        throw std::runtime_error("outputs.expected_value: the model does not answer expected outcomes");
      expected_margin_[i] += e.margin;
    }
  }
  model_->step(day, twins_.data(), ledgers_.data(), actions_.data(), outcomes_.data());

  const double half_life = spec_.world.fatigue_half_life_days;
  messages.clear();
  for (std::size_t i = 0; i < twins_.size(); ++i) {
    if (eligible != nullptr && eligible[i] == 0) continue;
    const auto& action = actions_[i];
    const auto& out = outcomes_[i];
    if (action.any()) {
      const int c = action.channel;
      if (before_ledger) before_ledger(day, first_customer_ + i, ledgers_[i], twins_[i], action);
      ledgers_[i].record(day, action.channel_kind(), channel_cost_[c], half_life);
      totals.cost += channel_cost_[c];
      ++totals.contacts;
      ++totals.contacts_by_channel[c];
      if (out.has(DayOutcome::kNotice)) ++totals.notices;
      if (out.has(DayOutcome::kUnsubscribe) && twins_[i].consents(action.channel_kind()))
        ++totals.unsubscribes;
    }
    if (out.flags == 0) continue;  // nothing reached the customer: no message
    if (out.has(DayOutcome::kVisit)) ++totals.visits;
    if (out.has(DayOutcome::kPurchase)) {
      ++totals.conversions;
      totals.revenue += out.revenue;
      totals.margin += out.margin;
    }
    if (out.has(DayOutcome::kChurn) && twins_[i].active()) {
      ++totals.churned;
      --active_;
    }
    core::TwinDay msg;
    msg.day = day;
    msg.action = action;
    msg.outcome = out;
    messages.emplace_back(static_cast<std::uint32_t>(i), msg);
  }
  totals.active = active_;
  return totals;
}

void ShardSimulator::collect(std::vector<results::CustomerResult>& out) const {
  for (std::size_t i = 0; i < twins_.size(); ++i) {
    if (!eligible_.empty() && eligible_[i] == 0) continue;
    const auto& t = twins_[i];
    results::CustomerResult r;
    r.customer_id = first_customer_ + i;
    r.segment = segments_[i];
    r.effect_type = model_->latent_type(i);
    r.revenue = t.revenue;
    r.margin = t.margin;
    r.cost = ledgers_[i].cost;
    r.visits = t.visits;
    r.conversions = t.conversions;
    r.contacts = ledgers_[i].contacts_total();
    r.unsubscribes = t.unsubscribes;
    r.active_at_end = t.active() ? 1 : 0;
    if (!expected_margin_.empty()) r.expected_margin = expected_margin_[i];
    out.push_back(r);
  }
}

}  // namespace mirror::engine
