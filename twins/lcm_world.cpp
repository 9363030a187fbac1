#include "mirror/twins/lcm_world.hpp"

#include <cmath>
#include <stdexcept>

#include "mirror/core/random.hpp"
#include "shared_population.hpp"

namespace mirror::twins {

using core::DayOutcome;
using core::Purpose;
using core::RandomStream;

namespace {

inline double sigmoid(double v) { return 1.0 / (1.0 + std::exp(-v)); }

std::shared_ptr<const LcmPopulation> build_population(const std::string& store_path,
                                                      const std::string& model_path) {
  auto pop = std::make_shared<LcmPopulation>();
  pop->model = load_lcm(model_path);
  const results::StoreReader store(store_path);
  const auto data = read_lcm_sequences(store);
  const auto& w = pop->model.weights;
  const int H = w.hidden;
  pop->first_day = data.first_day;
  pop->start_step = data.calibration_days;
  std::vector<float> h(H);
  for (std::size_t c = 0; c < data.size(); ++c) {
    const std::int32_t birth = data.birth[c];
    if (birth >= data.calibration_days) continue;  // no history before the simulation
    const auto history = lcm_warm_up(w, data, c, h.data());
    const float* last = data.events_at(c, data.calibration_days - 1);
    pop->ids.push_back(data.ids[c]);
    pop->state.insert(pop->state.end(), h.begin(), h.end());
    pop->last_events.insert(pop->last_events.end(), last, last + kLcmEventCount);
    pop->history.push_back(history);
  }
  if (pop->ids.empty()) throw std::runtime_error("no customer has history before the calibration end");
  return pop;
}

}  // namespace

std::shared_ptr<const LcmPopulation> load_lcm_population(const std::string& store_path,
                                                         const std::string& model_path) {
  return shared_population<LcmPopulation>(
      std::make_pair(store_path, model_path),
      store_path + " with " + model_path + ": cannot build the LCM population",
      [&] { return build_population(store_path, model_path); });
}

LcmWorld::LcmWorld(std::shared_ptr<const LcmPopulation> population, double gross_margin,
                   std::uint64_t seed, std::uint64_t first_customer, std::size_t count)
    : population_(std::move(population)),
      gross_margin_(gross_margin),
      seed_(seed),
      first_customer_(first_customer),
      count_(count) {
  if (first_customer + count > population_->size())
    throw std::invalid_argument("LCM shard beyond the store's customers");
  const int H = population_->model.weights.hidden;
  h_.assign(population_->state.begin() + first_customer * H,
            population_->state.begin() + (first_customer + count) * H);
  events_.assign(population_->last_events.begin() + first_customer * kLcmEventCount,
                 population_->last_events.begin() + (first_customer + count) * kLcmEventCount);
  history_.assign(population_->history.begin() + first_customer,
                  population_->history.begin() + first_customer + count);
  x_.resize(count * kLcmInputs);
  heads_.resize(count * kLcmHeadCount);
}

void LcmWorld::step(std::int32_t day, const core::TwinState* twins, const core::ContactLedger*,
                    const core::DayAction* actions, core::DayOutcome* outcomes) {
  const auto& w = population_->model.weights;
  const std::int32_t step = population_->start_step + day;
  const std::int32_t calendar_day = population_->first_day + step;
  for (std::size_t i = 0; i < count_; ++i) {
    float action[kLcmActionCount] = {};
    const auto& a = actions[i];
    if (a.any()) {
      action[kLcmAny] = 1;
      action[kLcmEmail + core::index_of(a.channel_kind())] = 1;  // email, sms, push in order
      if (a.offer >= 0) action[kLcmOffer] = 1;
    }
    const float* e = &events_[i * kLcmEventCount];
    if (day > 0) history_[i].observe(e, step - 1);  // day 0's yesterday is in the warm-up
    lcm_inputs(e, action, calendar_day, step, history_[i], &x_[i * kLcmInputs]);
  }
  // One batch per shard and day; the kernel's rows are independent, so any sharding gives
  // the same numbers.
  lcm_step(w, h_.data(), x_.data(), h_.data(), count_);
  lcm_heads(w, h_.data(), x_.data(), heads_.data(), count_);
  for (std::size_t i = 0; i < count_; ++i) {
    DayOutcome out;
    float* e = &events_[i * kLcmEventCount];
    std::fill(e, e + kLcmEventCount, 0.0f);
    if (!twins[i].active()) {
      outcomes[i] = out;
      continue;
    }
    const float* y = &heads_[i * kLcmHeadCount];
    const std::uint64_t id = first_customer_ + i;
    const bool contacted = actions[i].any();
    if (RandomStream(seed_, id, day, Purpose::visit).uniform() < sigmoid(y[kHeadVisit])) {
      out.flags |= DayOutcome::kVisit;
      e[kLcmVisit] = 1;
    }
    RandomStream purchase(seed_, id, day, Purpose::purchase);
    if (purchase.uniform() < sigmoid(y[kHeadPurchase])) {
      out.flags |= DayOutcome::kVisit | DayOutcome::kPurchase;
      RandomStream spend(seed_, id, day, Purpose::spend);
      const double log_spend = std::max(0.0, y[kHeadLogSpend] + w.log_spend_sigma * spend.normal());
      const double amount = std::expm1(log_spend);
      out.revenue = core::to_micros(amount);
      out.margin = core::to_micros(amount * gross_margin_);
      e[kLcmPurchase] = 1;
      e[kLcmLogSpend] = static_cast<float>(log_spend / 4.0);
    }
    if (contacted) {
      if (RandomStream(seed_, id, day, Purpose::notice).uniform() < sigmoid(y[kHeadEmailOpen])) {
        out.flags |= DayOutcome::kNotice;
        e[kLcmEmailOpen] = 1;
      }
      if (RandomStream(seed_, id, day, Purpose::unsubscribe).uniform() < sigmoid(y[kHeadUnsubscribe])) {
        out.flags |= DayOutcome::kUnsubscribe;
        e[kLcmUnsubscribe] = 1;
      }
    }
    if (RandomStream(seed_, id, day, Purpose::churn).uniform() < sigmoid(y[kHeadChurn])) {
      out.flags |= DayOutcome::kChurn;
      e[kLcmChurn] = 1;
    }
    outcomes[i] = out;
  }
}

}  // namespace mirror::twins
