#include "mirror/engine/ranking_curves.hpp"

#include "mirror/engine/shard.hpp"
#include "mirror/policies/ranking_score.hpp"

namespace mirror::engine {

std::vector<results::ArmQini> qini_curves(const core::ScenarioSpec& spec,
                                          const results::RunResults& run) {
  std::vector<results::ArmQini> out;
  if (spec.model.kind != core::ModelSpec::Kind::ground_truth) return out;
  const auto& arms = spec.experiment.arms;
  const int control = spec.experiment.control;
  std::unique_ptr<twins::BehaviourModel> model;
  for (int a = 0; a < static_cast<int>(arms.size()); ++a) {
    if (a == control || !policies::ranks_customers(arms[a].policy.kind)) continue;
    if (model == nullptr) model = make_model(spec, 0, spec.population.size);
    const std::size_t n = spec.population.size;
    std::vector<double> score(n), effect(n);
    const core::TwinState twin;
    const core::ContactLedger ledger;
    for (std::size_t i = 0; i < n; ++i) {
      const auto r = policies::ranking_score(spec, a, *model, i);
      core::ExpectedOutcome with, without;
      model->expected_outcome(i, 0, twin, ledger, r.action, with);
      model->expected_outcome(i, 0, twin, ledger, core::DayAction{}, without);
      score[i] = r.score;
      effect[i] = with.margin - without.margin - spec.channel_cost(r.action.channel_kind());
    }
    results::ArmQini q;
    q.arm = arms[a].name;
    q.score = policies::ranking_score_name(arms[a].policy.kind);
    q.truth = results::qini_curve(score, effect, kTrueQiniPoints);
    q.perfect = results::qini_curve(effect, effect, kTrueQiniPoints);
    const auto group = [&](const results::ArmResult& arm, std::vector<double>& s,
                           std::vector<double>& y) {
      for (const auto& c : arm.customers) {
        s.push_back(score.at(c.customer_id));
        y.push_back(c.profit());
      }
    };
    std::vector<double> st, yt, sc, yc;
    group(run.arms.at(a), st, yt);
    group(run.arms.at(control), sc, yc);
    q.realized = results::qini_curve(st, yt, sc, yc, kRealizedQiniPoints);
    out.push_back(std::move(q));
  }
  return out;
}

}  // namespace mirror::engine
