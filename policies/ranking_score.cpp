#include "mirror/policies/ranking_score.hpp"

#include <stdexcept>
#include <string>

namespace mirror::policies {

using Kind = core::PolicySpec::Kind;

bool ranks_customers(Kind kind) {
  return kind == Kind::propensity_top_k || kind == Kind::uplift || kind == Kind::fatigue_aware;
}

const char* ranking_score_name(Kind kind) {
  switch (kind) {
    case Kind::propensity_top_k: return "P(purchase today without marketing)";
    case Kind::uplift: return "expected incremental profit of the best campaign";
    case Kind::fatigue_aware: return "P(purchase today) under the best campaign";
    default: return "";
  }
}

namespace {
core::DayAction action_of(const core::ScenarioSpec& spec, core::Channel channel, int offer,
                          int message) {
  core::DayAction a;
  a.channel = static_cast<std::int8_t>(core::index_of(channel));
  a.message = static_cast<std::int8_t>(message);
  a.offer = static_cast<std::int16_t>(offer);
  a.discount = offer >= 0 ? static_cast<float>(spec.offers.at(offer).discount) : 0.0f;
  return a;
}
}  // namespace

RankingScore ranking_score(const core::ScenarioSpec& spec, int arm,
                           const core::OutcomeQuery& model, std::size_t i) {
  const auto& p = spec.experiment.arms.at(arm).policy;
  const core::TwinState twin;
  const core::ContactLedger ledger;
  const auto predict = [&](const core::DayAction& a) {
    core::ExpectedOutcome e;
    if (!model.expected_outcome(i, 0, twin, ledger, a, e))
      throw std::runtime_error(std::string("ranking of policy '") + core::policy_kind_name(p.kind) +
                               "' needs a behaviour model that predicts outcomes under actions");
    return e;
  };
  RankingScore r;
  switch (p.kind) {
    case Kind::propensity_top_k:
      r.score = predict(core::DayAction{}).purchase;
      r.action = action_of(spec, p.channel, p.offer, p.message);
      return r;
    case Kind::uplift:
    case Kind::fatigue_aware: {
      const double base = p.kind == Kind::uplift ? predict(core::DayAction{}).margin : 0.0;
      bool first = true;
      for (const auto& c : p.campaigns) {
        const auto a = action_of(spec, c.channel, c.offer, c.message);
        const auto e = predict(a);
        const double s = p.kind == Kind::fatigue_aware
                             ? e.purchase
                             : e.margin - base - spec.channel_cost(c.channel) -
                                   p.unsubscribe_cost * e.unsubscribe;
        if (first || s > r.score) {
          r.score = s;
          r.action = a;
          first = false;
        }
      }
      return r;
    }
    default:
      throw std::invalid_argument(std::string("policy '") + core::policy_kind_name(p.kind) +
                                  "' does not rank customers");
  }
}

}  // namespace mirror::policies
