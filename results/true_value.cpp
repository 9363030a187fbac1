#include "mirror/results/true_value.hpp"

#include <cmath>
#include <stdexcept>
#include <tuple>

namespace mirror::results {

namespace {
// Mean and standard error of the mean.
std::pair<double, double> mean_se(const std::vector<double>& x) {
  double mean = 0.0;
  for (double v : x) mean += v;
  mean /= static_cast<double>(x.size());
  if (x.size() < 2) return {mean, 0.0};
  double ss = 0.0;
  for (double v : x) ss += (v - mean) * (v - mean);
  return {mean, std::sqrt(ss / static_cast<double>(x.size() - 1) / static_cast<double>(x.size()))};
}
}  // namespace

std::vector<TrueValue> true_values(const std::vector<std::string>& arms, int control,
                                   const std::vector<std::vector<double>>& replicate_means,
                                   const std::vector<double>& run_means,
                                   const std::vector<double>& run_expected_means) {
  if (replicate_means.empty()) throw std::invalid_argument("true value: no replications");
  if (control < 0 || static_cast<std::size_t>(control) >= arms.size() ||
      run_means.size() != arms.size() || run_expected_means.size() != arms.size())
    throw std::invalid_argument("true value: arms and means differ");
  std::vector<TrueValue> out;
  for (std::size_t a = 0; a < arms.size(); ++a) {
    std::vector<double> v, d;
    for (const auto& r : replicate_means) {
      if (r.size() != arms.size()) throw std::invalid_argument("true value: arms and means differ");
      v.push_back(r[a]);
      d.push_back(r[a] - r[control]);
    }
    TrueValue t;
    t.arm = arms[a];
    t.replications = static_cast<int>(replicate_means.size());
    std::tie(t.value, t.value_se) = mean_se(v);
    std::tie(t.uplift, t.uplift_se) = mean_se(d);
    t.run_value = run_means[a];
    t.run_error = t.run_value - t.value;
    t.run_uplift = run_means[a] - run_means[control];
    t.run_uplift_error = t.run_uplift - t.uplift;
    t.run_expected_value = run_expected_means[a];
    t.run_expected_error = run_expected_means[a] - t.value;
    out.push_back(t);
  }
  return out;
}

}  // namespace mirror::results
