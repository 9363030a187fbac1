#include "mirror/twins/lcm_world.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <thread>

#include "mirror/core/random.hpp"
#include "mirror/twins/store_consent.hpp"
#include "lcm_detail.hpp"
#include "shared_population.hpp"

namespace mirror::twins {

using core::DayOutcome;
using core::Purpose;
using core::RandomStream;

namespace {

using detail::sigmoid;

// Bound on the dense sequences read at once when building a population.
constexpr std::size_t kPopulationBlockBytes = std::size_t{512} << 20;

// Warms customers [begin, end) of a block up over the calibration period, one batch per day:
// what lcm_warm_up does customer by customer, with the same numbers (the kernel's rows are
// independent), but with the day's steps in one kernel call. Writes each customer's final
// state to h[(c - begin) * H] and its history.
void warm_up_rows(const LcmWeights& w, const LcmSequences& data, std::size_t begin, std::size_t end,
                  float* h, LcmHistory* history) {
  const int H = w.hidden;
  const std::size_t n = end - begin;
  for (std::size_t i = 0; i < n; ++i) lcm_initial_state(w, data.attributes, begin + i, h + i * H);
  std::vector<std::size_t> active;
  std::vector<float> x, state;
  for (std::int32_t d = 0; d < data.calibration_days; ++d) {
    active.clear();
    for (std::size_t i = 0; i < n; ++i) {
      if (d > 0) history[i].observe(data, begin + i, d - 1);
      if (history[i].birth >= 0) active.push_back(i);  // initial until the first event
    }
    x.resize(active.size() * kLcmInputs);
    state.resize(active.size() * H);
    for (std::size_t r = 0; r < active.size(); ++r) {
      const std::size_t c = begin + active[r];
      lcm_inputs(data.events_at(c, d - 1), data.actions_at(c, d), data.calendar_day(d), data.day(d), history[active[r]],
                 &x[r * kLcmInputs]);
      std::copy(h + active[r] * H, h + (active[r] + 1) * H, &state[r * H]);
    }
    lcm_step(w, state.data(), x.data(), state.data(), active.size());
    for (std::size_t r = 0; r < active.size(); ++r)
      std::copy(&state[r * H], &state[(r + 1) * H], h + active[r] * H);
  }
  for (std::size_t i = 0; i < n; ++i) history[i].observe(data, begin + i, data.calibration_days - 1);
}

// Index in `to` of each name of `from`, -1 when absent.
std::vector<int> category_map(const std::vector<std::string>& from, const std::vector<std::string>& to) {
  std::vector<int> out(from.size(), -1);
  for (std::size_t k = 0; k < from.size(); ++k) {
    const auto it = std::find(to.begin(), to.end(), from[k]);
    if (it != to.end()) out[k] = static_cast<int>(it - to.begin());
  }
  return out;
}

}  // namespace

float LcmPopulation::affinity(std::size_t c, int category) const {
  if (category < 0 || categories.empty()) return 0.0f;
  return lcm_affinity(item_counts[c * categories.size() + category], item_events[c], categories.size());
}

std::vector<int> lcm_message_categories(const std::vector<std::string>& categories,
                                        const std::vector<core::CategorySpec>& messages) {
  std::vector<int> out;
  for (const auto& m : messages) {
    if (m.store_category.empty()) {
      out.push_back(lcm_campaign_category(categories, m.name));
    } else if (m.store_category == "none") {
      out.push_back(-1);
    } else {
      const auto it = std::find(categories.begin(), categories.end(), m.store_category);
      if (it == categories.end())
        throw std::invalid_argument("message '" + m.name + "': the model has no category '" + m.store_category + "'");
      out.push_back(static_cast<int>(it - categories.begin()));
    }
  }
  return out;
}

std::shared_ptr<LcmPopulation> build_lcm_population(const std::string& store_path, const std::string& model_path,
                                                    std::size_t block_customers, int threads) {
  auto pop = std::make_shared<LcmPopulation>();
  pop->model = load_lcm(model_path);
  if (pop->model.config.step_days != 1)
    throw std::invalid_argument(model_path + " steps a week at a time, and the mirror world's twins step a day: "
                                "train a model with --step day (the default) for scenarios");
  pop->categories = pop->model.categories;
  const results::StoreReader store(store_path);
  const auto& w = pop->model.weights;
  const int H = w.hidden;
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  // Blocks of customers bounded in memory: the dense sequences take
  // days x lcm_bytes_per_customer_day per customer.
  const std::size_t customers = store.dictionary("customer").size();
  LcmReadOptions options;
  options.hash = false;
  const auto attributes = store.attributes();  // once, not per block
  options.attributes = &attributes;
  if (block_customers == 0) {
    const auto per_customer = static_cast<std::size_t>(lcm_store_days(store.meta()) * lcm_bytes_per_customer_day(false));
    block_customers = std::max<std::size_t>(1024, kPopulationBlockBytes / per_customer);
  }
  for (std::size_t first = 0; first < customers;) {
    options.first_customer = first;
    options.count = block_customers;
    const auto data = read_lcm_sequences(store, options);
    lcm_check_attributes(w, data.attributes);  // before the threads: they cannot throw
    first += data.size();
    pop->first_day = data.first_day;
    pop->start_step = data.calibration_days;
    if (pop->model.categories.empty()) pop->categories = data.categories;  // the same in every block
    const auto to_population = category_map(data.categories, pop->categories);
    std::vector<std::uint32_t> counts(data.categories.size());
    // Warm-up in contiguous parts of the block, one thread each.
    std::vector<float> h(data.size() * H);
    std::vector<LcmHistory> history(data.size());
    detail::in_customer_blocks(data.size(), threads, [&](std::size_t begin, std::size_t end) {
      warm_up_rows(w, data, begin, end, &h[begin * H], &history[begin]);
    });
    for (std::size_t c = 0; c < data.size(); ++c) {
      if (data.birth[c] >= data.calibration_days) continue;  // no history before the simulation
      const float* last = data.events_at(c, data.calibration_days - 1);
      pop->ids.push_back(data.ids[c]);
      pop->state.insert(pop->state.end(), &h[c * H], &h[(c + 1) * H]);
      if (!w.statics.empty()) {
        pop->head_offsets.resize(pop->head_offsets.size() + kLcmHeadCount);
        lcm_head_offsets(w, data.attributes, c, &pop->head_offsets[pop->head_offsets.size() - kLcmHeadCount]);
      }
      pop->last_events.insert(pop->last_events.end(), last, last + kLcmEventCount);
      pop->history.push_back(history[c]);
      pop->item_events.push_back(data.item_counts(c, data.calibration_days, counts.data()));
      const std::size_t at = pop->item_counts.size();
      pop->item_counts.resize(at + pop->categories.size(), 0u);
      for (std::size_t k = 0; k < counts.size(); ++k)
        if (to_population[k] >= 0) pop->item_counts[at + to_population[k]] += counts[k];
    }
  }
  if (pop->ids.empty()) throw std::runtime_error("no customer has history before the calibration end");
  pop->consent = store_consent(store, pop->first_day + pop->start_step - 1, pop->ids, &pop->consent_sources);
  return pop;
}

std::shared_ptr<const LcmPopulation> load_lcm_population(const std::string& store_path,
                                                         const std::string& model_path) {
  return shared_population<LcmPopulation>(
      std::make_pair(store_path, model_path),
      store_path + " with " + model_path + ": cannot build the LCM population",
      [&] { return build_lcm_population(store_path, model_path); });
}

LcmWorld::LcmWorld(std::shared_ptr<const LcmPopulation> population, double gross_margin,
                   std::uint64_t seed, std::uint64_t first_customer, std::size_t count,
                   std::vector<int> message_category)
    : population_(std::move(population)),
      gross_margin_(gross_margin),
      seed_(seed),
      first_customer_(first_customer),
      count_(count),
      message_category_(std::move(message_category)) {
  if (first_customer + count > population_->size())
    throw std::invalid_argument("LCM shard beyond the store's customers");
  const int H = population_->model.weights.hidden;
  h_.assign(population_->state.begin() + first_customer * H,
            population_->state.begin() + (first_customer + count) * H);
  if (!population_->head_offsets.empty())
    head_offsets_.assign(population_->head_offsets.begin() + first_customer * kLcmHeadCount,
                         population_->head_offsets.begin() + (first_customer + count) * kLcmHeadCount);
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
      action[kLcmDiscount] = kLcmDiscountScale * a.discount;
      const int category = a.message >= 0 && static_cast<std::size_t>(a.message) < message_category_.size()
                               ? message_category_[a.message]
                               : -1;
      if (category >= 0) {
        action[kLcmTargeted] = 1;
        action[kLcmAffinity] = population_->affinity(first_customer_ + i, category);
      }
    }
    const float* e = &events_[i * kLcmEventCount];
    // Day 0's yesterday is in the warm-up; x_ still holds yesterday's inputs and action.
    if (day > 0) history_[i].observe(e, &x_[i * kLcmInputs + kLcmActionInputs], step - 1);
    lcm_inputs(e, action, calendar_day, step, history_[i], &x_[i * kLcmInputs]);
  }
  // One batch per shard and day; the kernel's rows are independent, so any sharding gives
  // the same numbers.
  lcm_step(w, h_.data(), x_.data(), h_.data(), count_);
  lcm_heads(w, h_.data(), x_.data(), heads_.data(), count_, head_offsets_.empty() ? nullptr : head_offsets_.data());
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
