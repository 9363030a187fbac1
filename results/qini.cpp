#include "mirror/results/qini.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

namespace mirror::results {

namespace {

std::vector<std::size_t> ranking(const std::vector<double>& score) {
  std::vector<std::size_t> order(score.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return score[a] > score[b]; });
  return order;
}

// prefix[k] = sum of the first k values in `order`, divided by the group size.
std::vector<double> prefix_means(const std::vector<double>& value,
                                 const std::vector<std::size_t>& order) {
  std::vector<double> prefix(order.size() + 1, 0.0);
  const double n = order.empty() ? 1.0 : static_cast<double>(order.size());
  for (std::size_t k = 0; k < order.size(); ++k) prefix[k + 1] = prefix[k] + value[order[k]] / n;
  return prefix;
}

std::size_t top(double share, std::size_t n) {
  return std::min(n, static_cast<std::size_t>(std::llround(share * static_cast<double>(n))));
}

void finish(QiniCurve& c) {
  c.auuc = 0.0;
  for (std::size_t j = 1; j < c.share.size(); ++j)
    c.auuc += (c.share[j] - c.share[j - 1]) * (c.uplift[j] + c.uplift[j - 1]) / 2.0;
  c.random_auuc = c.uplift.empty() ? 0.0 : c.uplift.back() / 2.0;
}

void check(const std::vector<double>& a, const std::vector<double>& b, int points) {
  if (a.size() != b.size()) throw std::invalid_argument("qini curve: scores and outcomes differ in size");
  if (points < 1) throw std::invalid_argument("qini curve: at least one point");
}

}  // namespace

QiniCurve qini_curve(const std::vector<double>& score, const std::vector<double>& effect,
                     int points) {
  check(score, effect, points);
  const auto prefix = prefix_means(effect, ranking(score));
  QiniCurve c;
  for (int j = 0; j <= points; ++j) {
    const double share = static_cast<double>(j) / points;
    c.share.push_back(share);
    c.uplift.push_back(prefix[top(share, score.size())]);
  }
  finish(c);
  return c;
}

QiniCurve qini_curve(const std::vector<double>& treated_score,
                     const std::vector<double>& treated_outcome,
                     const std::vector<double>& control_score,
                     const std::vector<double>& control_outcome, int points) {
  check(treated_score, treated_outcome, points);
  check(control_score, control_outcome, points);
  const auto t = prefix_means(treated_outcome, ranking(treated_score));
  const auto c = prefix_means(control_outcome, ranking(control_score));
  QiniCurve q;
  for (int j = 0; j <= points; ++j) {
    const double share = static_cast<double>(j) / points;
    q.share.push_back(share);
    q.uplift.push_back(t[top(share, treated_score.size())] - c[top(share, control_score.size())]);
  }
  finish(q);
  return q;
}

}  // namespace mirror::results
