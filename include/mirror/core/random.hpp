// Counter-based random numbers: every draw is a pure function of
// (seed, customer, day, purpose), so results do not depend on threads, shards or the
// order in which customers are processed, and a customer draws the same numbers in every
// arm (common random numbers).
#pragma once

#include <cmath>
#include <cstdint>

namespace mirror::core {

// What a draw is for. Distinct purposes give independent streams. Append only: changing a
// value changes every result.
enum class Purpose : std::uint32_t {
  population = 1,  // latent customer traits, drawn once (day = kNoDay)
  visit = 2,
  purchase = 3,
  spend = 4,
  notice = 5,
  unsubscribe = 6,
  churn = 7,
  assignment = 8,  // split design: which arm a customer is in
  logging_policy = 9,  // mirror generate: the logging policy's choice of action
  event_detail = 10,   // mirror generate: times, items and other details of logged events
  policy_choice = 11,  // a randomised policy's choice for a customer on a day
  category = 12,       // ground truth: a customer's preferred category (drawn once)
  sample = 13,         // mirror train --customers: which customers a model learns from
};

inline constexpr std::int32_t kNoDay = -1;

// SplitMix64 finaliser: a bijective 64-bit mix with good avalanche.
constexpr std::uint64_t mix64(std::uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

// A small stream of draws for one (seed, customer, day, purpose) key. Cheap to create;
// create one where it is needed instead of passing generators around.
class RandomStream {
 public:
  constexpr RandomStream(std::uint64_t seed, std::uint64_t customer, std::int32_t day,
                         Purpose purpose)
      : key_(mix64(mix64(mix64(seed ^ 0x6a09e667f3bcc909ULL) ^ customer) ^
                   (static_cast<std::uint64_t>(static_cast<std::uint32_t>(day)) << 32 |
                    static_cast<std::uint32_t>(purpose)))) {}

  // The i-th 64-bit value of the stream.
  constexpr std::uint64_t bits() { return mix64(key_ + 0x9e3779b97f4a7c15ULL * ++counter_); }

  // Uniform in [0, 1), 53 bits.
  double uniform() { return static_cast<double>(bits() >> 11) * 0x1.0p-53; }

  bool bernoulli(double p) { return uniform() < p; }

  // Standard normal by Box-Muller (uses two uniforms).
  double normal() {
    const double u1 = 1.0 - uniform();  // (0, 1]
    const double u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }

 private:
  std::uint64_t key_;
  std::uint64_t counter_ = 0;
};

// Gamma(shape, 1) by Marsaglia and Tsang (2000); shape < 1 through Gamma(shape + 1) U^(1/shape).
inline double gamma_draw(RandomStream& r, double shape) {
  if (shape < 1.0) {
    const double u = 1.0 - r.uniform();  // (0, 1]
    return gamma_draw(r, shape + 1.0) * std::pow(u, 1.0 / shape);
  }
  const double d = shape - 1.0 / 3.0;
  const double c = 1.0 / std::sqrt(9.0 * d);
  for (;;) {
    double x, v;
    do {
      x = r.normal();
      v = 1.0 + c * x;
    } while (v <= 0.0);
    v = v * v * v;
    const double u = 1.0 - r.uniform();
    if (u < 1.0 - 0.0331 * x * x * x * x) return d * v;
    if (std::log(u) < 0.5 * x * x + d * (1.0 - v + std::log(v))) return d * v;
  }
}

}  // namespace mirror::core
