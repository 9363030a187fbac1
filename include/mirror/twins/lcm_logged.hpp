// The LCM against the experiments in its own log: on the days the log made a decision, the
// model's same-day effect of each logged contact beside the log's randomised contrast.
#pragma once

#include <cstdint>
#include <vector>

#include "mirror/core/customer_log.hpp"
#include "mirror/twins/lcm.hpp"

namespace mirror::twins {

// Every logged decision of the calibration period (a contact or 'none') on a day after the
// customer's first event, with the model's P(purchase) and expected spend given a purchase
// that day under the day's logged action and under none, teacher-forced over the
// customer's log as in training, and what the customer bought and spent that day. Several
// decisions of one customer on one day share the day's outcome and the action inputs the
// model reads for it. `data` must hold every customer of the store the decisions come from
// (sequence index = the store's customer index).
struct LcmLoggedDecisions {
  std::vector<std::size_t> row;          // the decision's row in the batch
  std::vector<std::uint32_t> customer;   // sequence index
  std::vector<double> p_logged, p_none;  // equal on 'none' decisions
  std::vector<double> spend_logged, spend_none;  // E[spend | a purchase], log-normal head
  std::vector<std::uint8_t> bought;
  std::vector<double> spent;
  std::size_t size() const { return row.size(); }
};
// Deterministic whatever `threads`; rows in customer order, then day and batch order.
LcmLoggedDecisions lcm_logged_decisions(const LcmArtifact& model, const LcmSequences& data,
                                        const core::DecisionBatch& decisions, int threads = 1);

// One (group, contact) row: the LCM's mean same-day uplift (P with the contact minus P
// without it; revenue the same with P x spend) over the days the log made that contact,
// beside the log's own contrast, the purchase rate (revenue per decision) on those days
// minus the one on the 'none' decision days of customers the channel reached at least once
// in the log: a stand-in for their consent, which a store does not hold (under a random
// logging policy that reaches every consenting customer, the two groups differ only by
// chance).
struct LcmLoggedEffect {
  int group = -1;  // -1: every customer
  std::int32_t channel = -1, message = -1, offer = -1;  // the store's dictionary codes; -1: 'none'
  double contacts = 0, lcm_uplift = 0, lcm_rate = 0, actual_rate = 0;
  double none_decisions = 0, none_rate = 0;
  double contrast = 0, contrast_se = 0;  // NaN without 'none' decisions to compare with
  double lcm_revenue_uplift = 0, revenue_contrast = 0, revenue_contrast_se = 0;
};
// Rows per group in [0, groups) (customers of group -1 count only in the pooled rows), then
// the pooled rows (group -1) when groups > 1; within a group, first a row for the 'none'
// decisions (channel -1: the model's base against the actual rate, no uplift or contrast),
// then the contacts in code order.
std::vector<LcmLoggedEffect> lcm_logged_effects(const LcmLoggedDecisions& logged,
                                                const core::DecisionBatch& decisions,
                                                const std::vector<int>& group_of_customer, int groups);

}  // namespace mirror::twins
