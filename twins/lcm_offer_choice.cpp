// `mirror train --offer-memory auto`: whether the model reads the offer in force, chosen on
// the validation days by training it both ways.
#include <sstream>
#include <utility>

#include "mirror/twins/lcm.hpp"

namespace mirror::twins {

bool lcm_log_has_offers(const LcmSequences& data) {
  for (std::size_t c = 0; c < data.size(); ++c)
    for (std::int32_t d = 0; d < data.calibration_days; ++d)
      if (data.actions_at(c, d)[kLcmDiscount] > 0) return true;
  return false;
}

bool lcm_keep_offer_memory(double loss_without, double loss_with) {
  return loss_with < loss_without * (1 - kLcmOfferMemoryMinGain);
}

LcmOfferMemoryChoice train_lcm_choosing_offer_memory(
    const LcmSequences& data, LcmConfig config,
    const std::function<void(bool offer_memory, const LcmProgress&)>& on_epoch) {
  const auto run = [&](bool memory) {
    config.offer_memory = memory;
    return train_lcm(data, config, [&](const LcmProgress& p) {
      if (on_epoch) on_epoch(memory, p);
    });
  };
  LcmOfferMemoryChoice choice;
  choice.log_has_offers = lcm_log_has_offers(data);
  choice.model = run(false);
  choice.loss_without = choice.model.best_validation_loss;
  if (!choice.log_has_offers) {
    choice.model.metrics += "offer_memory_choice=off (the log holds no offer of a known size)\n";
    return choice;
  }
  auto with = run(true);
  choice.loss_with = with.best_validation_loss;
  const bool keep = lcm_keep_offer_memory(choice.loss_without, choice.loss_with);
  if (keep) choice.model = std::move(with);
  std::ostringstream m;
  m << "offer_memory_choice=" << (keep ? "on" : "off") << "\nvalidation_loss_without_offer_memory="
    << choice.loss_without << "\nvalidation_loss_with_offer_memory=" << choice.loss_with << "\n";
  choice.model.metrics += m.str();
  return choice;
}

}  // namespace mirror::twins
