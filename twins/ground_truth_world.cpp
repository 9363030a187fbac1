#include "mirror/twins/ground_truth_world.hpp"

#include <algorithm>
#include <cmath>

namespace mirror::twins {

using core::DayOutcome;
using core::Purpose;
using core::RandomStream;

namespace {

constexpr double kMaxBaseVisit = 0.999;
constexpr double kProbabilityFloor = 1e-9;

double logit(double p) {
  p = std::clamp(p, kProbabilityFloor, 1.0 - kProbabilityFloor);
  return std::log(p / (1.0 - p));
}

double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

}  // namespace

CustomerTraits draw_traits(const core::WorldSpec& world, std::uint64_t seed,
                           std::uint64_t customer) {
  RandomStream rng(seed, customer, core::kNoDay, Purpose::population);
  CustomerTraits t;
  const double u_segment = rng.uniform();
  double cumulative = 0.0;
  const std::size_t last = world.segments.size() - 1;
  t.segment = static_cast<std::uint8_t>(last);
  for (std::size_t s = 0; s < last; ++s) {
    cumulative += world.segments[s].share;
    if (u_segment < cumulative) {
      t.segment = static_cast<std::uint8_t>(s);
      break;
    }
  }
  const auto& seg = world.segments[t.segment];
  const double u_effect = rng.uniform();
  if (u_effect < seg.persuadable_share)
    t.effect = EffectType::persuadable;
  else if (u_effect < seg.persuadable_share + seg.annoyed_share)
    t.effect = EffectType::annoyed;
  const double h = world.heterogeneity;
  t.visit_factor = static_cast<float>(std::exp(h * rng.normal() - 0.5 * h * h));
  t.base_visit = std::min(seg.visit_rate * t.visit_factor, kMaxBaseVisit);
  if (!world.categories.empty()) {
    // Its own stream, so worlds without categories draw exactly as before.
    const double u = RandomStream(seed, customer, core::kNoDay, Purpose::category).uniform();
    double cumulative = 0.0;
    t.category = static_cast<std::int8_t>(world.categories.size() - 1);
    for (std::size_t k = 0; k + 1 < world.categories.size(); ++k) {
      cumulative += world.categories[k].share;
      if (u < cumulative) {
        t.category = static_cast<std::int8_t>(k);
        break;
      }
    }
  }
  return t;
}

GroundTruthWorld::GroundTruthWorld(const core::WorldSpec& world, std::uint64_t seed,
                                   std::uint64_t first_customer, std::size_t count)
    : world_(world), seed_(seed), first_customer_(first_customer), traits_(count) {
  for (std::size_t i = 0; i < count; ++i)
    traits_[i] = draw_traits(world, seed, first_customer + i);
  segment_params_.reserve(world.segments.size());
  for (const auto& s : world.segments)
    segment_params_.push_back({logit(s.purchase_rate), s.purchase_rate});
}

double GroundTruthWorld::visit_probability(const CustomerTraits& t, bool noticed,
                                           double fatigue, int message) const {
  if (!noticed || t.effect == EffectType::indifferent) return t.base_visit;
  const double base = logit(t.base_visit);
  if (t.effect == EffectType::persuadable) {
    double relevance = 1.0;
    if (message >= 0 && t.category >= 0)
      relevance = message == t.category ? world_.relevance_match : world_.relevance_mismatch;
    return sigmoid(base + relevance * world_.contact_lift *
                              std::exp(-world_.fatigue_strength * fatigue));
  }
  return sigmoid(base - world_.annoyance_penalty);
}

double GroundTruthWorld::purchase_probability(const CustomerTraits& t, double discount) const {
  const auto& p = segment_params_[t.segment];
  if (discount == 0.0) return p.purchase_rate;
  return sigmoid(p.purchase_logit + world_.segments[t.segment].offer_sensitivity * discount);
}

double GroundTruthWorld::unsubscribe_probability(const CustomerTraits& t, core::Channel c,
                                                 double fatigue) const {
  const double annoyed = t.effect == EffectType::annoyed ? world_.annoyed_multiplier : 1.0;
  return std::min(1.0, world_.unsubscribe_rate[core::index_of(c)] *
                           std::exp(world_.unsubscribe_fatigue * fatigue) * annoyed);
}

double GroundTruthWorld::churn_probability(const CustomerTraits& t, bool noticed) const {
  const double annoyed =
      noticed && t.effect == EffectType::annoyed ? world_.annoyed_multiplier : 1.0;
  return std::min(1.0, world_.segments[t.segment].churn_rate * annoyed);
}

void GroundTruthWorld::step(std::int32_t day, const core::TwinState* twins,
                            const core::ContactLedger* ledgers, const core::DayAction* actions,
                            core::DayOutcome* outcomes) {
  const double half_life = world_.fatigue_half_life_days;
  for (std::size_t i = 0; i < traits_.size(); ++i) {
    DayOutcome out;
    const auto& twin = twins[i];
    if (!twin.active()) {
      outcomes[i] = out;
      continue;
    }
    const auto& t = traits_[i];
    const auto& seg = world_.segments[t.segment];
    const std::uint64_t id = first_customer_ + i;
    const auto& action = actions[i];
    // Each purpose has its own stream: a draw never shifts another, so a customer's draws
    // are the same in every arm (common random numbers).
    bool noticed = false;
    double fatigue = 0.0;
    if (action.any()) {
      noticed = RandomStream(seed_, id, day, Purpose::notice).uniform() <
                seg.notice_rate[action.channel];
      if (noticed) {
        out.flags |= DayOutcome::kNotice;
        fatigue = ledgers[i].fatigue_at(day, half_life);
      }
    }
    const double p_visit = visit_probability(t, noticed, fatigue, action.message);
    if (RandomStream(seed_, id, day, Purpose::visit).uniform() < p_visit) {
      out.flags |= DayOutcome::kVisit;
      const double discount = noticed ? action.discount : 0.0;
      if (RandomStream(seed_, id, day, Purpose::purchase).uniform() <
          purchase_probability(t, discount)) {
        out.flags |= DayOutcome::kPurchase;
        const double sigma = seg.spend_sigma;
        const double basket =
            seg.spend_mean *
            std::exp(sigma * RandomStream(seed_, id, day, Purpose::spend).normal() -
                     0.5 * sigma * sigma);
        out.revenue = core::to_micros(basket * (1.0 - discount));
        out.margin = core::to_micros(basket * (world_.gross_margin - discount));
      }
    }
    if (noticed && RandomStream(seed_, id, day, Purpose::unsubscribe).uniform() <
                       unsubscribe_probability(t, action.channel_kind(), fatigue))
      out.flags |= DayOutcome::kUnsubscribe;
    if (RandomStream(seed_, id, day, Purpose::churn).uniform() < churn_probability(t, noticed))
      out.flags |= DayOutcome::kChurn;
    outcomes[i] = out;
  }
}

ExpectedDay GroundTruthWorld::expected_day(std::size_t i, std::int32_t day,
                                           const core::TwinState& twin,
                                           const core::ContactLedger& ledger,
                                           const core::DayAction& action) const {
  ExpectedDay e;
  if (!twin.active()) return e;
  const auto& t = traits_[i];
  const auto& seg = world_.segments[t.segment];
  const double fatigue = ledger.fatigue_at(day, world_.fatigue_half_life_days);
  const double p_notice = action.any() ? seg.notice_rate[action.channel] : 0.0;
  const double discount = action.any() ? action.discount : 0.0;
  // Average over the notice draw: noticed with p_notice, not noticed otherwise.
  const auto part = [&](bool noticed, double weight) {
    if (weight == 0.0) return;
    const double v = visit_probability(t, noticed, fatigue, action.message);
    const double d = noticed ? discount : 0.0;
    const double b = purchase_probability(t, d);
    e.visit += weight * v;
    e.purchase += weight * v * b;
    e.revenue += weight * v * b * seg.spend_mean * (1.0 - d);
    e.margin += weight * v * b * seg.spend_mean * (world_.gross_margin - d);
    if (noticed && action.any())
      e.unsubscribe += weight * unsubscribe_probability(t, action.channel_kind(), fatigue);
    e.churn += weight * churn_probability(t, noticed);
  };
  part(true, p_notice);
  part(false, 1.0 - p_notice);
  e.notice = p_notice;
  return e;
}

}  // namespace mirror::twins
