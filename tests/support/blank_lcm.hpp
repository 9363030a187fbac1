// A hand-made LCM for tests: every weight zero and every head bias -30 (each event
// practically impossible), so a test sets only the few numbers it is about and then calls
// lcm_prepare. With zero GRU weights the state stays zero: the heads are their biases plus
// the head weights on the day's inputs.
#pragma once

#include "mirror/twins/lcm.hpp"

namespace mirror::test_support {

inline twins::LcmArtifact blank_lcm(int hidden = 2) {
  twins::LcmArtifact a;
  auto& w = a.weights;
  w.hidden = a.config.hidden = hidden;
  w.w_ih.assign(3 * hidden * twins::kLcmInputs, 0.0f);
  w.w_hh.assign(3 * hidden * hidden, 0.0f);
  w.b_ih.assign(3 * hidden, 0.0f);
  w.b_hh.assign(3 * hidden, 0.0f);
  w.w_head.assign(twins::kLcmHeadCount * (hidden + twins::kLcmInputs), 0.0f);
  w.b_head.assign(twins::kLcmHeadCount, -30.0f);
  return a;
}

}  // namespace mirror::test_support
