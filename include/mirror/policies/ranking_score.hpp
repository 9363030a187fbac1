// The score by which a ranking policy orders customers, and the action it would give them,
// for a customer in the state of the run's first day: what Qini curves rank by.
#pragma once

#include <cstddef>

#include "mirror/core/outcome_query.hpp"
#include "mirror/core/scenario_spec.hpp"

namespace mirror::policies {

// propensity_top_k, uplift and fatigue_aware rank customers by a model score; the others do
// not (clv_tiered_discount tiers by value, the learners and blast do not rank).
bool ranks_customers(core::PolicySpec::Kind kind);

// What the score is, in words (stored with the curves).
const char* ranking_score_name(core::PolicySpec::Kind kind);

struct RankingScore {
  double score = 0.0;
  core::DayAction action;  // the arm's campaign for this customer
};

// The score and action of arm `arm`'s policy for customer i of `model` on day 0, fresh
// state (no contacts, every consent): propensity_top_k, P(purchase today without
// marketing) and the arm's campaign; uplift, the best campaign's expected margin gain
// minus contact cost and unsubscribe_cost x P(unsubscribe), and that campaign; fatigue_aware,
// the best campaign's P(purchase), and that campaign (ties: the first campaign). Throws
// std::runtime_error when the model cannot predict outcomes under actions.
RankingScore ranking_score(const core::ScenarioSpec& spec, int arm,
                           const core::OutcomeQuery& model, std::size_t i);

}  // namespace mirror::policies
