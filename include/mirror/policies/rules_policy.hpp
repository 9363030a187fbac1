// The rules policy: conditions on what the CRM observes about a customer, and triggered
// actions (cart abandon, N days inactive, first-purchase anniversary), mapped to campaigns
// with priorities (docs/policies.md). Deterministic: every proposal has propensity 1.
#pragma once

#include <memory>
#include <vector>

#include "mirror/ingest/segment_rules.hpp"
#include "mirror/policies/policy.hpp"

namespace mirror::policies {

// The fields a rule's `when` may name: what the CRM knows about a customer on the morning
// of a day (before that day's contact). `segment` is text, the others are numbers.
std::vector<ingest::RuleField> crm_rule_fields();

// The policy of arm `arm`, whose kind is rules. Throws std::invalid_argument when a
// condition does not parse or names an unknown field (the scenario loader reports those
// with their position first).
std::unique_ptr<Policy> make_rules_policy(const core::ScenarioSpec& scenario, int arm);

}  // namespace mirror::policies
