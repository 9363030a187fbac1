#include "mirror/core/scenario_spec.hpp"

namespace mirror::core {

WorldSpec default_world() {
  WorldSpec w;
  // Four segments from frequent loyal buyers to lapsed ones. Loyal customers are often
  // "sure things" (few persuadables), lapsed ones are easily annoyed.
  SegmentSpec loyal;
  loyal.name = "loyal";
  loyal.share = 0.15;
  loyal.visit_rate = 0.12;
  loyal.purchase_rate = 0.30;
  loyal.spend_mean = 60.0;
  loyal.notice_rate = {0.45, 0.90, 0.60};
  loyal.offer_sensitivity = 3.0;
  loyal.persuadable_share = 0.25;
  loyal.annoyed_share = 0.10;
  loyal.churn_rate = 0.0005;

  SegmentSpec regular;
  regular.name = "regular";
  regular.share = 0.35;
  regular.visit_rate = 0.05;
  regular.purchase_rate = 0.22;
  regular.spend_mean = 45.0;
  regular.notice_rate = {0.30, 0.85, 0.50};
  regular.offer_sensitivity = 4.0;
  regular.persuadable_share = 0.45;
  regular.annoyed_share = 0.08;
  regular.churn_rate = 0.001;

  SegmentSpec occasional;
  occasional.name = "occasional";
  occasional.share = 0.35;
  occasional.visit_rate = 0.015;
  occasional.purchase_rate = 0.18;
  occasional.spend_mean = 40.0;
  occasional.notice_rate = {0.20, 0.80, 0.35};
  occasional.offer_sensitivity = 5.0;
  occasional.persuadable_share = 0.50;
  occasional.annoyed_share = 0.10;
  occasional.churn_rate = 0.002;

  SegmentSpec lapsed;
  lapsed.name = "lapsed";
  lapsed.share = 0.15;
  lapsed.visit_rate = 0.004;
  lapsed.purchase_rate = 0.12;
  lapsed.spend_mean = 35.0;
  lapsed.notice_rate = {0.10, 0.70, 0.20};
  lapsed.offer_sensitivity = 5.0;
  lapsed.persuadable_share = 0.30;
  lapsed.annoyed_share = 0.25;
  lapsed.churn_rate = 0.004;

  w.segments = {loyal, regular, occasional, lapsed};
  return w;
}

const char* metric_name(Metric m) {
  switch (m) {
    case Metric::revenue: return "revenue";
    case Metric::cost: return "cost";
    case Metric::profit: return "profit";
    case Metric::conversions: return "conversions";
    case Metric::contacts: return "contacts";
    case Metric::unsubscribes: return "unsubscribes";
    case Metric::active_at_end: return "active_at_end";
  }
  return "?";
}

const char* design_name(ExperimentSpec::Design d) {
  switch (d) {
    case ExperimentSpec::Design::paired: return "paired";
    case ExperimentSpec::Design::split: return "split";
    case ExperimentSpec::Design::stratified: return "stratified";
  }
  return "?";
}

const char* policy_kind_name(PolicySpec::Kind k) {
  switch (k) {
    case PolicySpec::Kind::none: return "none";
    case PolicySpec::Kind::batch_and_blast: return "batch_and_blast";
    case PolicySpec::Kind::propensity_top_k: return "propensity_top_k";
    case PolicySpec::Kind::uplift: return "uplift";
    case PolicySpec::Kind::fatigue_aware: return "fatigue_aware";
    case PolicySpec::Kind::clv_tiered_discount: return "clv_tiered_discount";
    case PolicySpec::Kind::epsilon_greedy: return "epsilon_greedy";
    case PolicySpec::Kind::thompson: return "thompson";
    case PolicySpec::Kind::rules: return "rules";
    case PolicySpec::Kind::linucb: return "linucb";
  }
  return "?";
}

double ScenarioSpec::channel_cost(Channel c) const {
  for (const auto& ch : channels)
    if (ch.channel == c) return ch.cost;
  return 0.0;
}

bool ScenarioSpec::has_channel(Channel c) const {
  for (const auto& ch : channels)
    if (ch.channel == c) return true;
  return false;
}

}  // namespace mirror::core
