#include "mirror/results/stratified.hpp"

#include <cmath>
#include <map>
#include <stdexcept>

#include "moments.hpp"
#include "student_t.hpp"

namespace mirror::results {

namespace {
std::map<std::int32_t, Moments> by_stratum(const std::vector<double>& v,
                                           const std::vector<std::int32_t>& s) {
  if (v.size() != s.size())
    throw std::invalid_argument("stratified difference: values and strata differ in size");
  std::map<std::int32_t, Moments> m;
  for (std::size_t i = 0; i < v.size(); ++i) m[s[i]].add(v[i]);
  return m;
}
}  // namespace

StratifiedDifference stratified_difference(const std::vector<double>& a,
                                           const std::vector<std::int32_t>& a_strata,
                                           const std::vector<double>& c,
                                           const std::vector<std::int32_t>& c_strata,
                                           double level) {
  const auto ma = by_stratum(a, a_strata);
  const auto mc = by_stratum(c, c_strata);
  std::map<std::int32_t, bool> all;
  for (const auto& [s, m] : ma) all[s] = true;
  for (const auto& [s, m] : mc) all[s] = true;
  StratifiedDifference out;
  double total = 0.0;
  for (const auto& [s, unused] : all) {
    const auto ia = ma.find(s), ic = mc.find(s);
    if (ia == ma.end() || ic == mc.end() || ia->second.n < 2 || ic->second.n < 2) {
      ++out.strata_dropped;
      continue;
    }
    total += static_cast<double>(ia->second.n + ic->second.n);
  }
  if (total == 0.0)
    throw std::invalid_argument("stratified difference: no stratum has two customers in both groups");
  double variance = 0.0, df_denominator = 0.0;
  for (const auto& [s, unused] : all) {
    const auto ia = ma.find(s), ic = mc.find(s);
    if (ia == ma.end() || ic == mc.end() || ia->second.n < 2 || ic->second.n < 2) continue;
    const auto& x = ia->second;
    const auto& y = ic->second;
    const double w = static_cast<double>(x.n + y.n) / total;
    out.mean += w * (x.mean - y.mean);
    const double ua = w * w * x.variance() / static_cast<double>(x.n);
    const double uc = w * w * y.variance() / static_cast<double>(y.n);
    variance += ua + uc;
    df_denominator += ua * ua / static_cast<double>(x.n - 1) + uc * uc / static_cast<double>(y.n - 1);
    ++out.strata;
  }
  out.se = std::sqrt(variance);
  out.low = out.high = out.mean;
  if (out.se > 0.0) {
    out.df = variance * variance / df_denominator;
    const double h = student_t_quantile(0.5 + level / 2.0, out.df) * out.se;
    out.low = out.mean - h;
    out.high = out.mean + h;
  }
  return out;
}

}  // namespace mirror::results
