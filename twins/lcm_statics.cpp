// Static customer attributes as LCM inputs: which ones a model reads, their encoding, and the
// initial state and head offsets they give a customer.
#include <algorithm>
#include <cmath>
#include <set>
#include <stdexcept>

#include "mirror/twins/lcm.hpp"

namespace mirror::twins {

namespace {

const results::Table::Column& column_of(const results::Table& table, const LcmStatic& s) {
  for (const auto& c : table.columns)
    if (c.name == s.name) {
      if (s.levels.empty() != c.strings.empty() && table.rows() > 0)
        throw std::invalid_argument("the model reads the customer attribute '" + s.name + "' as " +
                                    (s.levels.empty() ? "a number" : "a category") + ", the store holds " +
                                    (c.strings.empty() ? "numbers" : "text"));
      return c;
    }
  throw std::invalid_argument("the model reads the customer attribute '" + s.name +
                              "', which the store does not have (`mirror ingest --attributes`)");
}

}  // namespace

std::vector<LcmStatic> lcm_choose_statics(const results::Table& attributes, std::vector<std::string>* skipped) {
  std::vector<LcmStatic> out;
  const auto skip = [&](const std::string& name, const std::string& why) {
    if (skipped) skipped->push_back(name + " (" + why + ")");
  };
  for (const auto& c : attributes.columns) {
    if (c.name == "customer") continue;
    LcmStatic s;
    s.name = c.name;
    if (c.strings.empty()) {
      double n = 0, sum = 0, squares = 0;
      for (double v : c.numbers)
        if (std::isfinite(v)) {
          n += 1;
          sum += v;
        }
      if (n == 0) {
        skip(c.name, "no values");
        continue;
      }
      s.mean = sum / n;
      for (double v : c.numbers)
        if (std::isfinite(v)) squares += (v - s.mean) * (v - s.mean);
      s.scale = std::sqrt(squares / n);
      if (!(s.scale > 0)) {
        skip(c.name, "the same for every customer");
        continue;
      }
    } else {
      std::set<std::string> levels;
      for (const auto& v : c.strings)
        if (!v.empty()) levels.insert(v);
      if (levels.size() < 2) {
        skip(c.name, levels.empty() ? "no values" : "the same for every customer");
        continue;
      }
      if (levels.size() > kLcmMaxLevels) {
        skip(c.name, std::to_string(levels.size()) + " levels, more than " + std::to_string(kLcmMaxLevels));
        continue;
      }
      s.levels.assign(levels.begin(), levels.end());
    }
    out.push_back(std::move(s));
  }
  return out;
}

int lcm_static_width(const std::vector<LcmStatic>& statics) {
  int width = 0;
  for (const auto& s : statics) width += s.width();
  return width;
}

void lcm_encode_statics(const std::vector<LcmStatic>& statics, const results::Table& attributes, std::size_t row,
                        float* out) {
  for (const auto& s : statics) {
    const auto& c = column_of(attributes, s);
    if (s.levels.empty()) {
      const double v = c.numbers[row];
      *out++ = std::isfinite(v) ? static_cast<float>((v - s.mean) / s.scale) : 0.0f;
    } else {
      std::fill(out, out + s.width(), 0.0f);
      const auto it = std::lower_bound(s.levels.begin(), s.levels.end(), c.strings[row]);
      if (it != s.levels.end() && *it == c.strings[row]) out[it - s.levels.begin()] = 1.0f;
      out += s.width();
    }
  }
}

void lcm_check_attributes(const LcmWeights& w, const results::Table& attributes) {
  for (const auto& s : w.statics) column_of(attributes, s);
}

namespace {

// Row `row` of `attributes` encoded for model `w` (lcm_static_width(w.statics) floats), in a
// buffer of the calling thread's, valid until its next call.
const float* encoded_row(const LcmWeights& w, const results::Table& attributes, std::size_t row) {
  thread_local std::vector<float> s;
  s.resize(lcm_static_width(w.statics));
  lcm_encode_statics(w.statics, attributes, row, s.data());
  return s.data();
}

}  // namespace

void lcm_head_offsets(const LcmWeights& w, const results::Table& attributes, std::size_t row, float* out) {
  std::fill(out, out + kLcmHeadCount, 0.0f);
  if (w.statics.empty()) return;
  const int S = lcm_static_width(w.statics);
  const float* s = encoded_row(w, attributes, row);
  for (int k = 0; k < kLcmHeadCount; ++k)
    for (int j = 0; j < S; ++j) out[k] += w.w_static_head[k * S + j] * s[j];
}

const float* lcm_repeated_head_offsets(const LcmWeights& w, const results::Table& attributes, std::size_t row,
                                       std::size_t rows, std::vector<float>& buffer) {
  if (w.statics.empty()) return nullptr;
  buffer.resize(rows * kLcmHeadCount);
  lcm_head_offsets(w, attributes, row, buffer.data());
  for (std::size_t r = 1; r < rows; ++r)
    std::copy(buffer.begin(), buffer.begin() + kLcmHeadCount, buffer.begin() + r * kLcmHeadCount);
  return buffer.data();
}

void lcm_initial_state(const LcmWeights& w, const results::Table& attributes, std::size_t row, float* h) {
  const int H = w.hidden;
  if (w.statics.empty()) {
    std::fill(h, h + H, 0.0f);
    return;
  }
  const int S = lcm_static_width(w.statics);
  const float* s = encoded_row(w, attributes, row);
  for (int j = 0; j < H; ++j) {
    float acc = 0.0f;
    for (int k = 0; k < S; ++k) acc += w.w_static[j * S + k] * s[k];
    h[j] = std::tanh(acc + w.b_static[j]);
  }
}

}  // namespace mirror::twins
