#include "beta_race.hpp"

#include <boost/math/distributions/beta.hpp>

#include <algorithm>
#include <cmath>

#include "online_learner.hpp"

namespace mirror::policies::learner {

void race_at_nodes(std::size_t m, std::size_t n, const double* const* pdf, const double* const* cdf,
                   const double* w, double* out, std::vector<double>& scratch) {
  // prefix[e][j] = prod_{e' < e} F_e'(x_j); then a backward sweep with the suffix product.
  scratch.resize((m + 1) * n);
  double* running = &scratch[m * n];
  std::fill(running, running + n, 1.0);
  for (std::size_t e = 0; e < m; ++e) {
    double* pre = &scratch[e * n];
    for (std::size_t j = 0; j < n; ++j) {
      pre[j] = running[j];
      running[j] *= cdf[e][j];
    }
  }
  std::fill(running, running + n, 1.0);
  double total = 0.0;
  for (std::size_t e = m; e-- > 0;) {
    const double* pre = &scratch[e * n];
    double p = 0.0;
    for (std::size_t j = 0; j < n; ++j) {
      p += w[j] * pdf[e][j] * pre[j] * running[j];
      running[j] *= cdf[e][j];
    }
    out[e] = std::max(p, 0.0);
    total += out[e];
  }
  for (std::size_t e = 0; e < m; ++e) out[e] = total > 0.0 ? out[e] / total : 1.0 / m;
}

namespace {

// In double precision: boost's default promotes to long double, several times slower.
using Beta = boost::math::beta_distribution<
    double, boost::math::policies::policy<boost::math::policies::promote_double<false>>>;
constexpr double kTail = 1e-13;

// pdf and cdf of every arm at the nodes, then the race. Outside [lo, hi] of an arm, its pdf
// is taken as 0 and its cdf as 0 below and 1 above (each off by at most kTail).
std::vector<double> race(const std::vector<Beta>& d, const std::vector<double>& lo,
                         const std::vector<double>& hi, const std::vector<double>& nodes,
                         const std::vector<double>& weights) {
  const std::size_t m = d.size(), n = nodes.size();
  std::vector<double> values(2 * m * n);
  std::vector<const double*> pdf(m), cdf(m);
  for (std::size_t e = 0; e < m; ++e) {
    double* p = &values[2 * e * n];
    double* c = p + n;
    for (std::size_t j = 0; j < n; ++j) {
      const double x = nodes[j];
      if (x < lo[e]) {
        p[j] = 0.0;
        c[j] = 0.0;
      } else if (x > hi[e]) {
        p[j] = 0.0;
        c[j] = 1.0;
      } else {
        p[j] = boost::math::pdf(d[e], x);
        c[j] = boost::math::cdf(d[e], x);
      }
    }
    pdf[e] = p;
    cdf[e] = c;
  }
  std::vector<double> out(m), scratch;
  race_at_nodes(m, n, pdf.data(), cdf.data(), weights.data(), out.data(), scratch);
  return out;
}

double trials(const std::vector<std::pair<double, double>>& ab) {
  double n = 0.0;
  for (const auto& [a, b] : ab) n += a + b - 2.0;
  return n;
}

}  // namespace

std::vector<double> beta_race_exact(const std::vector<std::pair<double, double>>& ab) {
  const std::size_t m = ab.size();
  std::vector<double> nodes, weights;
  gauss_legendre(static_cast<int>((trials(ab) + m) / 2) + 1, nodes, weights);
  std::vector<Beta> d;
  for (const auto& [a, b] : ab) d.emplace_back(a, b);
  return race(d, std::vector<double>(m, -1.0), std::vector<double>(m, 2.0), nodes, weights);
}

std::vector<double> beta_race(const std::vector<std::pair<double, double>>& ab) {
  const std::size_t m = ab.size();
  if (m == 1) return {1.0};
  if ((trials(ab) + m) / 2 + 1 <= kExactNodes) return beta_race_exact(ab);
  std::vector<Beta> d;
  std::vector<double> lo(m), hi(m);
  for (std::size_t e = 0; e < m; ++e) {
    d.emplace_back(ab[e].first, ab[e].second);
    lo[e] = boost::math::quantile(d[e], kTail);
    hi[e] = boost::math::quantile(d[e], 1.0 - kTail);
  }
  // The largest draw lies in [max lo, max hi]: below it some arm's draw is above, beyond
  // it no arm's draw is.
  const double from = *std::max_element(lo.begin(), lo.end());
  const double to = *std::max_element(hi.begin(), hi.end());
  std::vector<double> cuts{from, to};
  for (std::size_t e = 0; e < m; ++e)
    for (int i = 0; i <= kPanelsPerArm; ++i) {
      const double x = lo[e] + (hi[e] - lo[e]) * i / kPanelsPerArm;
      if (x > from && x < to) cuts.push_back(x);
    }
  std::sort(cuts.begin(), cuts.end());
  cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
  std::vector<double> unit_nodes, unit_weights, nodes, weights;
  gauss_legendre(kPanelNodes, unit_nodes, unit_weights);
  for (std::size_t c = 0; c + 1 < cuts.size(); ++c) {
    const double width = cuts[c + 1] - cuts[c];
    for (int j = 0; j < kPanelNodes; ++j) {
      nodes.push_back(cuts[c] + width * unit_nodes[j]);
      weights.push_back(width * unit_weights[j]);
    }
  }
  return race(d, lo, hi, nodes, weights);
}

}  // namespace mirror::policies::learner
