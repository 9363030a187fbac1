// LCM weights of the right shapes drawn from N(0, sd), for kernel and parity tests.
#pragma once

#include <random>
#include <vector>

#include "mirror/twins/lcm.hpp"

namespace mirror::test_support {

inline twins::LcmWeights random_lcm_weights(int hidden, std::uint32_t seed, float sd = 0.3f) {
  using namespace twins;
  std::mt19937 rng(seed);
  std::normal_distribution<float> n(0.0f, sd);
  LcmWeights w;
  w.hidden = hidden;
  const auto fill = [&](std::vector<float>& v, std::size_t size) {
    v.resize(size);
    for (auto& x : v) x = n(rng);
  };
  fill(w.w_ih, 3 * hidden * kLcmInputs);
  // As in every trained model, the GRU does not read the offer in force (the heads do).
  for (int row = 0; row < 3 * hidden; ++row)
    for (int k = 0; k < kLcmOfferMemoryCount; ++k) w.w_ih[row * kLcmInputs + kLcmOfferMemoryInputs + k] = 0.0f;
  fill(w.w_hh, 3 * hidden * hidden);
  fill(w.b_ih, 3 * hidden);
  fill(w.b_hh, 3 * hidden);
  fill(w.w_head, kLcmHeadCount * (hidden + kLcmInputs));
  fill(w.b_head, kLcmHeadCount);
  w.log_spend_sigma = 0.7f;
  lcm_prepare(w);
  return w;
}

// Random initial-state and head-offset weights for `w.statics` (set by the caller).
inline void random_static_weights(twins::LcmWeights& w, std::uint32_t seed, float sd = 0.6f) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> n(0.0f, sd);
  const auto S = static_cast<std::size_t>(twins::lcm_static_width(w.statics));
  const auto H = static_cast<std::size_t>(w.hidden);
  w.w_static.resize(H * S);
  w.b_static.resize(H);
  w.w_static_head.resize(twins::kLcmHeadCount * S);
  for (auto* v : {&w.w_static, &w.b_static, &w.w_static_head})
    for (auto& x : *v) x = n(rng);
}

}  // namespace mirror::test_support
