// One shard's simulation logic, without messaging: the behaviour model, the twins' state
// buffer, the arm's policy and the central constraints. The actor engine wraps it in a
// shard actor that messages the twins; the plain loop (bench/) applies days directly.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "mirror/core/decision_record.hpp"
#include "mirror/core/scenario_spec.hpp"
#include "mirror/core/twin_state.hpp"
#include "mirror/policies/contact_caps.hpp"
#include "mirror/policies/policy.hpp"
#include "mirror/results/run_results.hpp"
#include "mirror/twins/behaviour_model.hpp"

namespace mirror::engine {

// Which customers belong to an arm. Paired design: everyone (empty). Split design: those the
// assignment draw puts in the arm. Stratified: from assign_arms() (the whole population).
std::vector<std::uint8_t> arm_membership(const core::ScenarioSpec& spec, int arm,
                                         std::uint64_t first_customer, std::size_t count);
// The same from a precomputed assign_arms() (empty = everyone).
std::vector<std::uint8_t> membership_from(const std::vector<std::int8_t>& assignment, int arm,
                                          std::uint64_t first_customer, std::size_t count);

// The scenario's behaviour model for customers [first, first + count).
std::unique_ptr<twins::BehaviourModel> make_model(const core::ScenarioSpec& spec,
                                                  std::uint64_t first, std::size_t count);

class ShardSimulator {
 public:
  // `assignment`: assign_arms() of the scenario, computed once by the caller (null: this
  // shard's membership is worked out here).
  ShardSimulator(const core::ScenarioSpec& spec, int arm, std::uint64_t first_customer,
                 std::size_t count, const std::vector<std::int8_t>* assignment = nullptr);

  std::size_t size() const { return twins_.size(); }
  std::uint64_t first_customer() const { return first_customer_; }
  policies::ShardView view() const;
  core::TwinState* twin(std::size_t i) { return &twins_[i]; }
  const core::ContactLedger& ledger(std::size_t i) const { return ledgers_[i]; }

  // Applies the central constraints to the day's proposals for this shard: sets the
  // day's actions, counts refusals, charges `budget` (the arm's, checked in customer
  // order; null = the shard's own, for single-shard use) and appends one record per
  // proposal to `log` (if given). The engine calls it for every shard in customer id order
  // before any shard steps the day.
  void enforce(std::int32_t day, const std::vector<core::ProposedAction>& proposals,
               policies::BudgetLedger* budget, std::vector<core::DecisionRecord>* log = nullptr);

  // Runs day `day` with the actions enforce() set: the model for the whole shard, the
  // contact ledger, the day's totals. Fills `messages` with what each twin that something
  // reached must be told (a noticed contact, a visit, a purchase, an unsubscribe, churn;
  // nothing else) and returns the totals. The twins' state must be updated (by the twins)
  // before the next day. If `before_ledger` is given, it is called for every delivered
  // action with the ledger and twin as they were before it.
  using DeliveryObserver =
      std::function<void(std::int32_t day, std::uint64_t customer, const core::ContactLedger&,
                         const core::TwinState&, const core::DayAction&)>;
  results::DailyTotals step(std::int32_t day,
                            std::vector<std::pair<std::uint32_t, core::TwinDay>>& messages,
                            const DeliveryObserver& before_ledger = {});

  // enforce() with the shard's own budget, then step(): one shard on its own.
  results::DailyTotals simulate_day(std::int32_t day,
                                    const std::vector<core::ProposedAction>& proposals,
                                    std::vector<std::pair<std::uint32_t, core::TwinDay>>& messages,
                                    const DeliveryObserver& before_ledger = {});

  // The arm's customers' totals over the run, in customer id order.
  void collect(std::vector<results::CustomerResult>& out) const;

 private:
  const core::ScenarioSpec& spec_;
  std::uint64_t first_customer_;
  std::unique_ptr<twins::BehaviourModel> model_;
  policies::ContactCaps caps_;
  std::vector<core::TwinState> twins_;
  std::vector<core::ContactLedger> ledgers_;  // written here only, when actions are delivered
  std::vector<std::int32_t> segments_;
  std::vector<std::uint8_t> eligible_;  // empty = every customer is in the arm
  std::vector<core::DayAction> actions_;
  std::vector<core::DayOutcome> outcomes_;
  std::vector<std::int32_t> offer_days_;  // offer-repeat rule only: size x offers, last day sent
  std::vector<double> expected_margin_;   // outputs.expected_value only
  policies::CapCounts blocked_;           // today's refusals, from enforce()
  policies::BudgetLedger own_budget_;     // simulate_day() only
  core::ChannelArray<core::Micros> channel_cost_{};
  std::int64_t active_ = 0;  // active customers of the arm
};

}  // namespace mirror::engine
