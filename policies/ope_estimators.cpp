// The OPE estimators and their bootstrap. Every estimator is a function of a few sums of
// per-round terms, so the terms are computed once and a bootstrap resample only re-adds
// them with multinomial counts. The reward model is fitted once on the full log and not
// refitted per resample: the intervals therefore leave out the reward model's own
// variance (small next to the weights' for IPS-type terms; see docs/ope.md).
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "mirror/core/random.hpp"
#include "mirror/policies/ope.hpp"

namespace mirror::policies {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Below this share of rounds the IPS weights rest on too few rounds to trust.
constexpr double kLowEssShare = 0.01;

// The per-round terms whose sums give every estimator (see estimate_from_sums).
enum Term : std::size_t {
  kDmTerm,        // d_i = sum_a pi_e(a|x_i) q_hat(x_i, a)
  kIpsTerm,       // w_i r_i
  kClippedTerm,   // min(w_i, clip) r_i
  kWeightTerm,    // w_i
  kResidualTerm,  // w_i (r_i - q_hat(x_i, a_i))
  kSwitchTerm,    // 1{w_i <= tau} w_i (r_i - q_hat(x_i, a_i))
  kShrunkTerm,    // w~_i (r_i - q_hat(x_i, a_i)), w~ = lambda w / (w^2 + lambda)
  kTermCount
};

struct RoundTerms {
  double t[kTermCount];
};

struct Sums {
  double s[kTermCount] = {};
  double n = 0.0;
};

double estimate_from_sums(Estimator e, const Sums& sums) {
  const double* s = sums.s;
  const double n = sums.n;
  switch (e) {
    case Estimator::kDm:
      return s[kDmTerm] / n;
    case Estimator::kIps:
      return s[kIpsTerm] / n;
    case Estimator::kClippedIps:
      return s[kClippedTerm] / n;
    case Estimator::kSnips:
      return s[kWeightTerm] > 0 ? s[kIpsTerm] / s[kWeightTerm] : kNaN;
    case Estimator::kDr:
      return (s[kDmTerm] + s[kResidualTerm]) / n;
    case Estimator::kSndr:
      return s[kWeightTerm] > 0 ? s[kDmTerm] / n + s[kResidualTerm] / s[kWeightTerm] : kNaN;
    case Estimator::kSwitchDr:
      return (s[kDmTerm] + s[kSwitchTerm]) / n;
    case Estimator::kDros:
      return (s[kDmTerm] + s[kShrunkTerm]) / n;
  }
  return kNaN;
}

double shrunk_weight(double w, double lambda) {
  if (lambda == kInf) return w;
  if (lambda == 0.0) return 0.0;
  return lambda * w / (w * w + lambda);
}

// The weight an estimator puts on round i's reward or residual, for the diagnostics.
double estimator_weight(Estimator e, double w, const OpeOptions& o) {
  switch (e) {
    case Estimator::kDm:
      return 1.0;
    case Estimator::kClippedIps:
      return std::min(w, o.clip);
    case Estimator::kSwitchDr:
      return w <= o.switch_tau ? w : 0.0;
    case Estimator::kDros:
      return shrunk_weight(w, o.dros_lambda);
    default:
      return w;
  }
}

bool estimator_cuts(Estimator e, double w, const OpeOptions& o) {
  if (e == Estimator::kClippedIps) return w > o.clip;
  if (e == Estimator::kSwitchDr) return w > o.switch_tau;
  return false;
}

void validate_options(const OpeOptions& o) {
  const auto fail = [](const std::string& m) { throw std::invalid_argument(m); };
  if (o.estimators.empty()) fail("no estimator chosen");
  if (o.bootstrap < 0 || o.bootstrap > 100000) fail("bootstrap resamples must be in [0, 100000]");
  if (!(o.confidence > 0.0 && o.confidence < 1.0)) fail("confidence must be in (0, 1)");
  if (!(o.clip > 0.0)) fail("clip must be > 0 (inf for none)");
  if (!(o.switch_tau >= 0.0)) fail("switch tau must be >= 0 (inf for plain DR)");
  if (!(o.dros_lambda >= 0.0)) fail("DRos lambda must be >= 0 (inf for plain DR)");
  if (o.threads < 0 || o.threads > 256) fail("threads must be in [0, 256]");
}

// The resample's j-th index: a pure function of (seed, resample, j), so a resample is the
// same whichever thread draws it.
struct ResampleStream {
  std::uint64_t key;
  ResampleStream(std::uint64_t seed, std::uint64_t resample)
      : key(core::mix64(core::mix64(seed ^ 0x243f6a8885a308d3ULL) + resample)) {}
  std::uint64_t index(std::uint64_t j, std::uint64_t n) const {
    const std::uint64_t bits = core::mix64(key + 0x9e3779b97f4a7c15ULL * (j + 1));
    // Lemire's multiply-shift; its bias is below n / 2^64.
    return static_cast<std::uint64_t>((static_cast<unsigned __int128>(bits) * n) >> 64);
  }
};

// Sums of one bootstrap resample: n draws with replacement become counts, then one
// sequential pass adds count x terms (sequential memory, unlike gathering the terms).
Sums resample_sums(const std::vector<RoundTerms>& terms, std::uint64_t seed, std::uint64_t b,
                   std::vector<std::uint32_t>& counts) {
  const std::uint64_t n = terms.size();
  std::fill(counts.begin(), counts.end(), 0u);
  const ResampleStream stream(seed, b);
  for (std::uint64_t j = 0; j < n; ++j) ++counts[stream.index(j, n)];
  Sums sums;
  sums.n = static_cast<double>(n);
  for (std::uint64_t i = 0; i < n; ++i) {
    const double c = counts[i];
    for (std::size_t k = 0; k < kTermCount; ++k) sums.s[k] += c * terms[i].t[k];
  }
  return sums;
}

// Linear interpolation between order statistics (numpy's default), over finite values.
double quantile(std::vector<double> values, double q) {
  values.erase(
      std::remove_if(values.begin(), values.end(), [](double v) { return !std::isfinite(v); }),
      values.end());
  if (values.empty()) return kNaN;
  std::sort(values.begin(), values.end());
  const double position = q * static_cast<double>(values.size() - 1);
  const auto below = static_cast<std::size_t>(std::floor(position));
  const auto above = std::min(below + 1, values.size() - 1);
  return values[below] + (position - static_cast<double>(below)) * (values[above] - values[below]);
}

std::string percent(double share) {
  std::ostringstream out;
  out.precision(3);
  out << 100.0 * share << "%";
  return out.str();
}

}  // namespace

std::string_view estimator_name(Estimator e) {
  switch (e) {
    case Estimator::kDm:
      return "dm";
    case Estimator::kIps:
      return "ips";
    case Estimator::kClippedIps:
      return "clipped-ips";
    case Estimator::kSnips:
      return "snips";
    case Estimator::kDr:
      return "dr";
    case Estimator::kSndr:
      return "sndr";
    case Estimator::kSwitchDr:
      return "switch-dr";
    case Estimator::kDros:
      return "dros";
  }
  return "?";
}

std::optional<Estimator> parse_estimator(std::string_view name) {
  for (const auto e : kAllEstimators)
    if (estimator_name(e) == name) return e;
  return std::nullopt;
}

std::optional<std::vector<Estimator>> parse_estimator_list(const std::string& list, std::string& bad) {
  if (list == "all") return std::vector<Estimator>(std::begin(kAllEstimators), std::end(kAllEstimators));
  std::vector<Estimator> out;
  std::stringstream in(list);
  for (std::string name; std::getline(in, name, ',');) {
    const auto e = parse_estimator(name);
    if (!e) {
      bad = name;
      return std::nullopt;
    }
    out.push_back(*e);
  }
  if (out.empty()) return std::nullopt;
  return out;
}

OpeReport evaluate_policy(const BanditLog& log, const TargetPolicy& policy,
                          const OpeOptions& options) {
  validate_options(options);
  validate_target_policy(log, policy);
  const std::size_t n = log.rounds();
  if (n == 0) throw BanditLogError(log.source + ": the log has no rounds");
  const auto a_count = static_cast<std::size_t>(log.actions());

  OpeReport report;
  report.rounds = n;
  report.actions = log.actions();
  report.min_propensity = kInf;
  report.max_propensity = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    if (log.action[i] < 0 || static_cast<std::size_t>(log.action[i]) >= a_count)
      throw BanditLogError(log.where(i) + ": action: " + std::to_string(log.action[i]) +
                           " is not an action of the log");
    if (!(log.propensity[i] > 0.0 && log.propensity[i] <= 1.0))
      throw BanditLogError(log.where(i) + ": propensity: " + std::to_string(log.propensity[i]) +
                           " is not in (0, 1]");
    report.logged_mean_reward += log.reward[i];
    report.min_propensity = std::min(report.min_propensity, log.propensity[i]);
    report.max_propensity = std::max(report.max_propensity, log.propensity[i]);
  }
  report.logged_mean_reward /= static_cast<double>(n);

  // Support: actions the target may take that the log never shows.
  std::vector<std::size_t> logged(a_count, 0);
  for (const auto a : log.action) ++logged[a];
  std::vector<double> target_mass(a_count, 0.0);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t a = 0; a < a_count; ++a) target_mass[a] += policy.probability[i * a_count + a];
  std::string unsupported_list;
  for (std::size_t a = 0; a < a_count; ++a)
    if (logged[a] == 0 && target_mass[a] > 0.0) {
      report.support.unsupported_actions.push_back(log.action_labels[a]);
      report.support.unsupported_target_mass += target_mass[a] / static_cast<double>(n);
      if (report.support.unsupported_actions.size() <= 5)
        unsupported_list += (unsupported_list.empty() ? "'" : ", '") + log.action_labels[a] + "'";
    }
  if (!report.support.unsupported_actions.empty()) {
    const auto count = report.support.unsupported_actions.size();
    report.warnings.push_back(
        "missing support: the target policy puts " +
        percent(report.support.unsupported_target_mass) + " of its probability on " +
        std::to_string(count) + (count == 1 ? " action" : " actions") + " the log never shows (" +
        unsupported_list + (count > 5 ? ", ..." : "") +
        "); IPS-type estimators count their rewards as 0 and DM/DR extrapolate the reward "
        "model to them, so every estimate is biased");
  }

  RewardModel model;
  if (options.q_hat) {
    if (options.q_hat->size() != n * a_count)
      throw std::invalid_argument("q_hat must have rounds x actions entries");
    model.q_hat = *options.q_hat;
  } else {
    model = fit_reward_model(log, options.reward_model);
    report.reward_model_fitted = true;
    report.reward_model = model.kind;
    if (!model.converged)
      report.warnings.push_back("the reward model did not converge in " +
                                std::to_string(options.reward_model.max_iterations) +
                                " Newton steps; DM and DR-type estimates may be off");
  }

  std::vector<RoundTerms> terms(n);
  std::vector<double> weight(n);
  for (std::size_t i = 0; i < n; ++i) {
    const auto a = static_cast<std::size_t>(log.action[i]);
    const double* pi = &policy.probability[i * a_count];
    const double* q = &model.q_hat[i * a_count];
    double dm = 0.0;
    for (std::size_t b = 0; b < a_count; ++b) dm += pi[b] * q[b];
    const double w = pi[a] / log.propensity[i];
    const double r = log.reward[i];
    const double residual = r - q[a];
    weight[i] = w;
    auto& t = terms[i].t;
    t[kDmTerm] = dm;
    t[kIpsTerm] = w * r;
    t[kClippedTerm] = std::min(w, options.clip) * r;
    t[kWeightTerm] = w;
    t[kResidualTerm] = w * residual;
    t[kSwitchTerm] = w <= options.switch_tau ? w * residual : 0.0;
    t[kShrunkTerm] = shrunk_weight(w, options.dros_lambda) * residual;
  }

  Sums full;
  full.n = static_cast<double>(n);
  for (const auto& t : terms)
    for (std::size_t k = 0; k < kTermCount; ++k) full.s[k] += t.t[k];

  // Bootstrap: resample b goes to thread b % threads and writes only its own slot.
  const auto resamples = static_cast<std::size_t>(options.bootstrap);
  std::vector<Sums> boot(resamples);
  if (resamples > 0) {
    const unsigned threads =
        std::max(1u, std::min<unsigned>(options.threads > 0 ? options.threads
                                                            : std::thread::hardware_concurrency(),
                                        static_cast<unsigned>(resamples)));
    const auto work = [&](unsigned thread) {
      std::vector<std::uint32_t> counts(n);
      for (std::size_t b = thread; b < resamples; b += threads)
        boot[b] = resample_sums(terms, options.seed, b, counts);
    };
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work, t);
    work(0);
    for (auto& t : pool) t.join();
  }

  const double tail = (1.0 - options.confidence) / 2.0;
  for (const auto e : options.estimators) {
    EstimateResult result;
    result.estimator = e;
    result.estimate = estimate_from_sums(e, full);
    if (resamples > 0) {
      std::vector<double> values(resamples);
      for (std::size_t b = 0; b < resamples; ++b) values[b] = estimate_from_sums(e, boot[b]);
      result.ci_low = quantile(values, tail);
      result.ci_high = quantile(values, 1.0 - tail);
      double mean = 0.0, m2 = 0.0, count = 0.0;
      for (const double v : values)
        if (std::isfinite(v)) {
          count += 1.0;
          const double delta = v - mean;
          mean += delta / count;
          m2 += delta * (v - mean);
        }
      result.std_error = count > 1 ? std::sqrt(m2 / (count - 1)) : kNaN;
    } else {
      result.ci_low = result.ci_high = result.std_error = kNaN;
    }
    double sum = 0.0, sum_sq = 0.0, largest = 0.0;
    std::size_t cut = 0;
    for (const double w : weight) {
      const double v = estimator_weight(e, w, options);
      sum += v;
      sum_sq += v * v;
      largest = std::max(largest, v);
      cut += estimator_cuts(e, w, options) ? 1 : 0;
    }
    result.weights.effective_sample_size = sum_sq > 0 ? sum * sum / sum_sq : 0.0;
    result.weights.max_weight = largest;
    result.weights.mean_weight = sum / static_cast<double>(n);
    result.weights.share_clipped = static_cast<double>(cut) / static_cast<double>(n);
    report.estimates.push_back(result);
  }

  double sum = 0.0, sum_sq = 0.0;
  for (const double w : weight) {
    sum += w;
    sum_sq += w * w;
  }
  const double ess = sum_sq > 0 ? sum * sum / sum_sq : 0.0;
  if (ess < kLowEssShare * static_cast<double>(n))
    report.warnings.push_back("importance weights are concentrated: effective sample size " +
                              std::to_string(static_cast<long long>(std::llround(ess))) + " of " +
                              std::to_string(n) + " rounds (" +
                              percent(ess / static_cast<double>(n)) +
                              "); IPS-type estimates rest on a few rounds");
  return report;
}

}  // namespace mirror::policies
