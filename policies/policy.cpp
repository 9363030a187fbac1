#include "mirror/policies/policy.hpp"

#include <caf/event_based_actor.hpp>

#include <algorithm>
#include <stdexcept>

#include "mirror/core/messages.hpp"

namespace mirror::policies {

namespace {

class NoAction final : public Policy {
 public:
  void decide(std::int32_t, const ShardView&, std::vector<core::ProposedAction>&) override {}
};

// Contacts the whole audience (optionally some segments) on one channel every N days. It
// does not filter by consent or caps itself: those are enforced centrally and counted.
class BatchAndBlast final : public Policy {
 public:
  explicit BatchAndBlast(const core::PolicySpec& spec) : spec_(spec) {
    if (spec_.every_days < 1) throw std::invalid_argument("batch_and_blast: every_days < 1");
    for (int s : spec_.segments) {
      if (s < 0) throw std::invalid_argument("batch_and_blast: negative segment index");
      if (static_cast<std::size_t>(s) >= in_audience_.size()) in_audience_.resize(s + 1, 0);
      in_audience_[s] = 1;
    }
  }

  void decide(std::int32_t day, const ShardView& view,
              std::vector<core::ProposedAction>& out) override {
    if (day < spec_.start_day || (day - spec_.start_day) % spec_.every_days != 0) return;
    for (std::size_t i = 0; i < view.size; ++i) {
      if (view.eligible != nullptr && view.eligible[i] == 0) continue;
      if (!in_audience(view.segments[i])) continue;
      core::ProposedAction a;
      a.index = static_cast<std::uint32_t>(i);
      a.channel = spec_.channel;
      a.offer = static_cast<std::int16_t>(spec_.offer);
      a.propensity = 1.0f;
      out.push_back(a);
    }
  }

 private:
  bool in_audience(std::int32_t segment) const {
    if (spec_.segments.empty()) return true;
    return segment >= 0 && static_cast<std::size_t>(segment) < in_audience_.size() &&
           in_audience_[segment] != 0;
  }

  core::PolicySpec spec_;
  std::vector<std::uint8_t> in_audience_;  // by segment index
};

}  // namespace

std::unique_ptr<Policy> make_policy(const core::PolicySpec& spec) {
  switch (spec.kind) {
    case core::PolicySpec::Kind::none: return std::make_unique<NoAction>();
    case core::PolicySpec::Kind::batch_and_blast: return std::make_unique<BatchAndBlast>(spec);
  }
  throw std::invalid_argument("unknown policy kind");
}

caf::behavior policy_actor(caf::event_based_actor*, std::shared_ptr<Policy> policy,
                           ShardView view, std::shared_ptr<const void> keep_alive) {
  return {
    [policy, view, keep_alive](decide_atom, std::int32_t day) {
      ProposedActions out;
      policy->decide(day, view, out);
      return out;
    },
  };
}

}  // namespace mirror::policies
