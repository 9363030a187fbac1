// Qini curves: how much incremental outcome a ranking of customers captures when only its
// top share is treated, and the area under it (AUUC).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace mirror::results {

// Q at shares 0, 1/points, ..., 1 of the population. Q(share) is the incremental outcome
// of treating the top `share` of customers by score (ties: the earlier customer first),
// per customer of the whole population, so Q(1) is the average effect of treating
// everyone and a random ranking's curve is the diagonal share x Q(1).
struct QiniCurve {
  std::vector<double> share, uplift;
  double auuc = 0.0;         // area under the curve (trapezoid rule over the points)
  double random_auuc = 0.0;  // the diagonal's area, Q(1) / 2
};

// Known per-customer incremental outcomes `effect` (the truth): the top k = round(share x n)
// customers by `score` contribute sum effect / n.
QiniCurve qini_curve(const std::vector<double>& score, const std::vector<double>& effect,
                     int points);

// Two groups (an experiment's treated and control customers, each with the score the
// ranking gives them and their realized outcome): at each share, the top
// round(share x n_t) treated and round(share x n_c) control customers by score give
// Q = sum y_t / n_t - sum y_c / n_c. In the paired design pass the same customers twice.
QiniCurve qini_curve(const std::vector<double>& treated_score,
                     const std::vector<double>& treated_outcome,
                     const std::vector<double>& control_score,
                     const std::vector<double>& control_outcome, int points);

// One arm's curves: the ranking against the world's true effect of the arm's day-0 action
// (`truth`), the best possible ranking of the same effects (`perfect`, ranked by the
// effect itself), and the realized outcome of the arm against the control (`realized`).
struct ArmQini {
  std::string arm;
  std::string score;  // what the ranking is, in words
  QiniCurve truth, perfect, realized;
};

}  // namespace mirror::results
