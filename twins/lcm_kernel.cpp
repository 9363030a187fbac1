// The LCM's inference kernel in plain C++: a GRU step (LibTorch's GRUCell equations) and the
// linear heads, one row at a time so that a row's result never depends on the batch.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "mirror/twins/lcm.hpp"

namespace mirror::twins {

namespace {

// Four floats in one SSE register (GCC/Clang vector extension; plain SSE2, no FMA, so a
// lane computes exactly what the scalar expression would).
typedef float V4 __attribute__((vector_size(16)));
inline V4 load4(const float* p) {
  V4 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
inline void store4(float* p, V4 v) { std::memcpy(p, &v, sizeof v); }
inline V4 broadcast4(float v) { return V4{v, v, v, v}; }

// out[j] = sum_k wt[k, j] x[k] + b[j] for the 4 * NV outputs from j0, summing over k in
// order. NV independent accumulators keep the adders busy (one or two accumulators leave
// them waiting on each other's latency), and every out[j] adds the same terms in the same
// order whatever the block size.
template <int NV>
inline void affine_block(const float* wt, const float* b, const float* x, int outs, int ins, int j0,
                         float* out) {
  V4 acc[NV] = {};
  for (int k = 0; k < ins; ++k) {
    const V4 xk = broadcast4(x[k]);
    const float* row = wt + static_cast<std::size_t>(k) * outs + j0;
    for (int u = 0; u < NV; ++u) acc[u] += load4(row + 4 * u) * xk;
  }
  for (int u = 0; u < NV; ++u) store4(out + j0 + 4 * u, acc[u] + load4(b + j0 + 4 * u));
}

inline void affine(const float* wt, const float* b, const float* x, int outs, int ins, float* out) {
  int j0 = 0;
  for (; j0 + 32 <= outs; j0 += 32) affine_block<8>(wt, b, x, outs, ins, j0, out);
  for (; j0 + 8 <= outs; j0 += 8) affine_block<2>(wt, b, x, outs, ins, j0, out);
  for (; j0 + 4 <= outs; j0 += 4) affine_block<1>(wt, b, x, outs, ins, j0, out);
  for (int j = j0; j < outs; ++j) {
    float acc = 0.0f;
    for (int k = 0; k < ins; ++k) acc += wt[static_cast<std::size_t>(k) * outs + j] * x[k];
    out[j] = acc + b[j];
  }
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
// The same sums with eight floats a register, for CPUs with AVX2 (chosen at run time; the
// build stays portable). AVX2 only, not FMA: a fused multiply-add would round differently,
// so every lane still computes exactly what the SSE and scalar code compute.
typedef float V8 __attribute__((vector_size(32)));

template <int NV>
__attribute__((target("avx2"))) inline void affine_block8(const float* wt, const float* b, const float* x,
                                                          int outs, int ins, int j0, float* out) {
  V8 acc[NV] = {};
  for (int k = 0; k < ins; ++k) {
    const float v = x[k];
    const V8 xk = {v, v, v, v, v, v, v, v};
    const float* row = wt + static_cast<std::size_t>(k) * outs + j0;
    for (int u = 0; u < NV; ++u) {
      V8 wk;
      std::memcpy(&wk, row + 8 * u, sizeof wk);
      acc[u] += wk * xk;
    }
  }
  for (int u = 0; u < NV; ++u) {
    V8 bias;
    std::memcpy(&bias, b + j0 + 8 * u, sizeof bias);
    const V8 result = acc[u] + bias;
    std::memcpy(out + j0 + 8 * u, &result, sizeof result);
  }
}

__attribute__((target("avx2"))) void affine_avx2(const float* wt, const float* b, const float* x, int outs,
                                                 int ins, float* out) {
  int j0 = 0;
  for (; j0 + 64 <= outs; j0 += 64) affine_block8<8>(wt, b, x, outs, ins, j0, out);
  for (; j0 + 32 <= outs; j0 += 32) affine_block8<4>(wt, b, x, outs, ins, j0, out);
  for (; j0 + 8 <= outs; j0 += 8) affine_block8<1>(wt, b, x, outs, ins, j0, out);
  for (int j = j0; j < outs; ++j) {
    float acc = 0.0f;
    for (int k = 0; k < ins; ++k) acc += wt[static_cast<std::size_t>(k) * outs + j] * x[k];
    out[j] = acc + b[j];
  }
}

using AffineFn = void (*)(const float*, const float*, const float*, int, int, float*);
const AffineFn kGateAffine = __builtin_cpu_supports("avx2") ? affine_avx2 : affine;
#else
using AffineFn = void (*)(const float*, const float*, const float*, int, int, float*);
const AffineFn kGateAffine = affine;
#endif

// The heads of R rows at once: each head weight is loaded once for R rows. Per row and head
// the sum runs over the state, then the inputs, in order, as affine() over [h, x] would.
// The heads are padded to kLcmHeadStride (zero weights), so they fill whole vectors.
template <int R>
inline void heads_rows(const float* wt, const float* b, const float* h, const float* x, int H,
                       const float* offsets, float* heads) {
  constexpr int NV = kLcmHeadStride / 4;
  V4 acc[R][NV] = {};
  for (int k = 0; k < H; ++k) {
    const float* row = wt + static_cast<std::size_t>(k) * kLcmHeadStride;
    for (int u = 0; u < NV; ++u) {
      const V4 wk = load4(row + 4 * u);
      for (int r = 0; r < R; ++r) acc[r][u] += wk * broadcast4(h[r * H + k]);
    }
  }
  for (int k = 0; k < kLcmInputs; ++k) {
    const float* row = wt + static_cast<std::size_t>(H + k) * kLcmHeadStride;
    for (int u = 0; u < NV; ++u) {
      const V4 wk = load4(row + 4 * u);
      for (int r = 0; r < R; ++r) acc[r][u] += wk * broadcast4(x[r * kLcmInputs + k]);
    }
  }
  for (int r = 0; r < R; ++r) {
    float padded[kLcmHeadStride];
    for (int u = 0; u < NV; ++u) store4(padded + 4 * u, acc[r][u] + load4(b + 4 * u));
    float* out = heads + r * kLcmHeadCount;
    std::copy(padded, padded + kLcmHeadCount, out);
    if (offsets)
      for (int k = 0; k < kLcmHeadCount; ++k) out[k] += offsets[r * kLcmHeadCount + k];
    const float contact = x[r * kLcmInputs + kLcmEventCount + kLcmAny];
    if (contact != 0.0f) {
      out[kHeadPurchase] = lcm_with_response(out[kHeadPurchase], out[kHeadPurchaseResponse], contact);
      out[kHeadVisit] = lcm_with_response(out[kHeadVisit], out[kHeadVisitResponse], contact);
    }
  }
}

std::vector<float> transposed(const std::vector<float>& w, int rows, int cols) {
  std::vector<float> t(w.size());
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c) t[static_cast<std::size_t>(c) * rows + r] = w[static_cast<std::size_t>(r) * cols + c];
  return t;
}

// The V8 helpers below are always inlined into AVX2 code; GCC warns about their ABI anyway.
#pragma GCC diagnostic ignored "-Wpsabi"

// exp for the gates, lanes of W floats: Cody-Waite reduction by ln 2 and a degree-6
// polynomial (Cephes' expf coefficients), about 2 ulp. Every lane runs the same operations
// whatever W, so SSE, AVX2 and a row alone give the same floats. Inputs are clamped to
// where exp stays a normal float; the gates saturate long before.
template <class V, class VI>
__attribute__((always_inline)) inline V lane_exp(V x) {
  const V hi = V{} + 88.3762626647949f, lo = V{} - 87.3365447504019f;
  x = x > hi ? hi : x;
  x = x < lo ? lo : x;
  const V shift = V{} + 12582912.0f;  // 1.5 * 2^23: adding it rounds to an integer
  const V n = (x * 1.44269504088896341f + shift) - shift;
  const V r = x - n * 0.693359375f - n * -2.12194440e-4f;
  V p = V{} + 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * (r * r) + r + 1.0f;
  const VI bits = (__builtin_convertvector(n, VI) + 127) << 23;
  V scale;
  std::memcpy(&scale, &bits, sizeof scale);
  return p * scale;
}

// W gates: the reset and update gates and candidate from the gate sums at gi[0], gi[stride],
// gi[2 stride] (same for gh), and the new state.
template <class V, class VI>
__attribute__((always_inline)) inline void lane_gate(const float* gi, const float* gh, const float* h, int stride,
                                                     float* out) {
  const V one = V{} + 1.0f, two = V{} + 2.0f;
  V a_i, a_h, b_i, b_h, c_i, c_h, hj;
  std::memcpy(&a_i, gi, sizeof(V));
  std::memcpy(&a_h, gh, sizeof(V));
  std::memcpy(&b_i, gi + stride, sizeof(V));
  std::memcpy(&b_h, gh + stride, sizeof(V));
  std::memcpy(&c_i, gi + 2 * stride, sizeof(V));
  std::memcpy(&c_h, gh + 2 * stride, sizeof(V));
  std::memcpy(&hj, h, sizeof(V));
  const V reset = one / (one + lane_exp<V, VI>(-(a_i + a_h)));
  const V update = one / (one + lane_exp<V, VI>(-(b_i + b_h)));
  const V candidate = two / (one + lane_exp<V, VI>(-two * (c_i + reset * c_h))) - one;
  const V result = (one - update) * candidate + update * hj;
  std::memcpy(out, &result, sizeof(V));
}

// GRU gates for one row: r, z from the first two thirds of the gate sums, n from the last,
// h' = (1 - z) n + z h; W lanes at a time, the tail in a padded vector.
template <class V, class VI>
__attribute__((always_inline)) inline void lane_gates(const float* gi, const float* gh, const float* h, int H,
                                                      float* out) {
  constexpr int W = sizeof(V) / sizeof(float);
  int j = 0;
  for (; j + W <= H; j += W) lane_gate<V, VI>(gi + j, gh + j, h + j, H, out + j);
  if (j < H) {
    // The tail through a zero-padded copy: lanes are independent, so the floats are the same.
    const int count = H - j;
    float pad_gi[3 * W] = {}, pad_gh[3 * W] = {}, pad_h[W] = {}, pad_out[W];
    for (int g = 0; g < 3; ++g)
      for (int u = 0; u < count; ++u) {
        pad_gi[g * W + u] = gi[g * H + j + u];
        pad_gh[g * W + u] = gh[g * H + j + u];
      }
    for (int u = 0; u < count; ++u) pad_h[u] = h[j + u];
    lane_gate<V, VI>(pad_gi, pad_gh, pad_h, W, pad_out);
    for (int u = 0; u < count; ++u) out[j + u] = pad_out[u];
  }
}

typedef std::int32_t VI4 __attribute__((vector_size(16)));
void gates_sse(const float* gi, const float* gh, const float* h, int H, float* out) {
  lane_gates<V4, VI4>(gi, gh, h, H, out);
}
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
typedef std::int32_t VI8 __attribute__((vector_size(32)));
__attribute__((target("avx2"))) void gates_avx2(const float* gi, const float* gh, const float* h, int H,
                                                float* out) {
  lane_gates<V8, VI8>(gi, gh, h, H, out);
}
using GatesFn = void (*)(const float*, const float*, const float*, int, float*);
const GatesFn kGates = __builtin_cpu_supports("avx2") ? gates_avx2 : gates_sse;
#else
const auto kGates = gates_sse;
#endif


}  // namespace

float lcm_with_response(float base, float response, float contact) {
  const auto softplus = [](float v) { return std::max(v, 0.0f) + std::log1p(std::exp(-std::abs(v))); };
  const float log_none = -softplus(base) - contact * softplus(response);  // log P(no event)
  return std::log(-std::expm1(log_none)) - log_none;
}

void lcm_prepare(LcmWeights& w) {
  const int H = w.hidden;
  w.w_ih_t = transposed(w.w_ih, 3 * H, kLcmInputs);
  w.w_hh_t = transposed(w.w_hh, 3 * H, H);
  w.w_head_t.assign(static_cast<std::size_t>(H + kLcmInputs) * kLcmHeadStride, 0.0f);
  for (int head = 0; head < kLcmHeadCount; ++head)
    for (int k = 0; k < H + kLcmInputs; ++k)
      w.w_head_t[static_cast<std::size_t>(k) * kLcmHeadStride + head] =
          w.w_head[static_cast<std::size_t>(head) * (H + kLcmInputs) + k];
  w.b_head_padded.assign(kLcmHeadStride, 0.0f);
  std::copy(w.b_head.begin(), w.b_head.end(), w.b_head_padded.begin());
}

void lcm_step(const LcmWeights& w, const float* h, const float* x, float* h_out, std::size_t rows) {
  const int H = w.hidden;
  thread_local std::vector<float> gi, gh;  // no allocation per call on the hot path
  gi.resize(3 * H);
  gh.resize(3 * H);
  for (std::size_t r = 0; r < rows; ++r) {
    const float* hr = h + r * H;
    kGateAffine(w.w_ih_t.data(), w.b_ih.data(), x + r * kLcmInputs, 3 * H, kLcmInputs, gi.data());
    kGateAffine(w.w_hh_t.data(), w.b_hh.data(), hr, 3 * H, H, gh.data());
    kGates(gi.data(), gh.data(), hr, H, h_out + r * H);
  }
}

void lcm_heads(const LcmWeights& w, const float* h, const float* x, float* heads, std::size_t rows,
               const float* offsets) {
  const int H = w.hidden;
  std::size_t r = 0;
  for (; r + 4 <= rows; r += 4)
    heads_rows<4>(w.w_head_t.data(), w.b_head_padded.data(), h + r * H, x + r * kLcmInputs, H,
                  offsets ? offsets + r * kLcmHeadCount : nullptr, heads + r * kLcmHeadCount);
  for (; r < rows; ++r)
    heads_rows<1>(w.w_head_t.data(), w.b_head_padded.data(), h + r * H, x + r * kLcmInputs, H,
                  offsets ? offsets + r * kLcmHeadCount : nullptr, heads + r * kLcmHeadCount);
}

LcmHistory lcm_warm_up(const LcmWeights& w, const LcmSequences& data, std::size_t c, float* h) {
  lcm_initial_state(w, data.attributes, c, h);
  LcmHistory history;
  float x[kLcmInputs];
  for (std::int32_t d = 0; d < data.calibration_days; ++d) {
    if (d > 0) history.observe(data, c, d - 1);
    if (history.birth < 0) continue;  // the state stays initial until the first event
    lcm_inputs(data.events_at(c, d - 1), data.actions_at(c, d), data.calendar_day(d), data.day(d), history, x);
    lcm_step(w, h, x, h, 1);
  }
  history.observe(data, c, data.calibration_days - 1);
  return history;
}

}  // namespace mirror::twins
