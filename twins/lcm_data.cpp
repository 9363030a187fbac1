// Daily LCM sequences from a store, and the per-step input features.
#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>

#include "mirror/core/random.hpp"
#include "mirror/core/sha256.hpp"
#include "mirror/ingest/profile.hpp"
#include "mirror/twins/lcm.hpp"

namespace mirror::twins {

namespace {

constexpr double kTwoPi = 6.283185307179586;

// "ten", "twenty_five", "15" -> 10, 25, 15; -1 when not a number.
double parse_amount(std::string_view words) {
  if (words.empty()) return -1;
  if (std::all_of(words.begin(), words.end(), [](char ch) { return ch >= '0' && ch <= '9'; }))
    return words.size() <= 3 ? std::stod(std::string(words)) : -1;
  static constexpr std::pair<std::string_view, int> kWords[] = {
      {"one", 1},      {"two", 2},       {"three", 3},    {"four", 4},     {"five", 5},
      {"six", 6},      {"seven", 7},     {"eight", 8},    {"nine", 9},     {"ten", 10},
      {"eleven", 11},  {"twelve", 12},   {"fifteen", 15}, {"twenty", 20},  {"thirty", 30},
      {"forty", 40},   {"fifty", 50},    {"sixty", 60},   {"seventy", 70}, {"eighty", 80},
      {"ninety", 90}};
  double total = 0;
  while (!words.empty()) {
    const auto cut = words.find('_');
    const auto word = words.substr(0, cut);
    const auto it = std::find_if(std::begin(kWords), std::end(kWords), [&](auto& w) { return w.first == word; });
    if (it == std::end(kWords)) return -1;
    total += it->second;
    words = cut == std::string_view::npos ? std::string_view{} : words.substr(cut + 1);
  }
  return total;
}

// Daily sequences `s` (with each customer-day's spend) to weekly steps that end on the
// calibration end (LcmSequences explains how).
void in_weeks(LcmSequences& s, const std::vector<double>& spend) {
  constexpr int W = kLcmWeekDays;
  const std::int32_t lead = s.calibration_days % W;
  const std::int32_t offset = lead == 0 ? 0 : lead - W;
  const std::int32_t steps = (s.days - offset) / W, kept_days = offset + steps * W;
  const auto step_of = [&](std::int32_t d) { return (d - offset) / W; };
  const std::size_t n = s.size();
  std::vector<float> events(n * steps * kLcmEventCount, 0.0f), actions(n * steps * kLcmActionCount, 0.0f),
      purchase_days(n * steps, 0.0f);
  std::vector<double> week_spend(n * steps, 0.0);
  std::vector<std::int16_t> promoted(n * steps, -1);
  for (std::size_t c = 0; c < n; ++c) {
    for (std::int32_t d = 0; d < kept_days; ++d) {
      const std::size_t step = c * steps + step_of(d);
      const float* e = s.events_at(c, d);
      float* we = &events[step * kLcmEventCount];
      for (int k = 0; k < kLcmEventCount; ++k) we[k] = std::max(we[k], e[k]);
      purchase_days[step] += e[kLcmPurchase];
      week_spend[step] += spend[c * s.days + d];
      const float* a = s.actions_at(c, d);
      float* wa = &actions[step * kLcmActionCount];
      for (int k = 0; k < kLcmActionCount; ++k) wa[k] = k == kLcmAny ? wa[k] + a[k] : std::max(wa[k], a[k]);
      if (s.promoted[c * s.days + d] >= 0) promoted[step] = s.promoted[c * s.days + d];
    }
    s.birth[c] = s.birth[c] < kept_days ? step_of(s.birth[c]) : steps;
  }
  for (std::size_t k = 0; k < week_spend.size(); ++k)
    events[k * kLcmEventCount + kLcmLogSpend] = static_cast<float>(std::log1p(week_spend[k]) / 4.0);
  for (auto& step : s.interest_step) step = step_of(step);
  s.events = std::move(events);
  s.actions = std::move(actions);
  s.purchase_days = std::move(purchase_days);
  s.promoted = std::move(promoted);
  s.calibration_days = step_of(s.calibration_days);
  s.days = steps;
  s.step_days = W;
  s.step_offset = offset;
}

}  // namespace

double lcm_offer_discount(std::string_view offer) {
  if (offer.empty() || offer == "none") return 0.0;
  for (std::string_view suffix : {"_off", "_pct", "pct", "_percent", "percent"})
    if (offer.size() > suffix.size() && offer.substr(offer.size() - suffix.size()) == suffix) {
      const double amount = parse_amount(offer.substr(0, offer.size() - suffix.size()));
      return amount > 0 && amount <= 100 ? amount / 100.0 : -1.0;
    }
  return -1.0;
}

std::string_view lcm_item_category(std::string_view item) {
  const auto dash = item.rfind('-');
  return dash == std::string_view::npos || dash == 0 ? std::string_view{} : item.substr(0, dash);
}

int lcm_campaign_category(const std::vector<std::string>& categories, std::string_view campaign) {
  int best = -1;
  for (std::size_t k = 0; k < categories.size(); ++k) {
    const auto& name = categories[k];
    if (campaign.substr(0, name.size()) != name) continue;
    if (campaign.size() > name.size() && campaign[name.size()] != '_') continue;
    if (best < 0 || name.size() > categories[best].size()) best = static_cast<int>(k);
  }
  return best;
}

int lcm_action_features(std::string_view channel, std::string_view message, std::string_view offer,
                        const std::vector<std::string>& categories, float* a) {
  std::fill_n(a, kLcmActionCount, 0.0f);
  if (channel.empty()) return -1;
  a[kLcmAny] = 1;
  if (channel == "email") a[kLcmEmail] = 1;
  if (channel == "sms") a[kLcmSms] = 1;
  if (channel == "push") a[kLcmPush] = 1;
  // Logs name the absence of an offer "none" (mirror generate) or leave it empty.
  const double discount = lcm_offer_discount(offer);
  if (discount != 0) {
    a[kLcmOffer] = 1;
    a[kLcmDiscount] = kLcmDiscountScale * static_cast<float>(std::max(0.0, discount));
  }
  const int category = lcm_campaign_category(categories, message);
  if (category >= 0) a[kLcmTargeted] = 1;
  return category;
}

float lcm_affinity(double in, double all, std::size_t categories) {
  const double prior = 1.0 / static_cast<double>(categories);
  return static_cast<float>((in + prior) / (all + 1.0));
}

float LcmSequences::affinity(std::size_t c, std::int32_t step, int category) const {
  if (categories.empty() || category < 0) return 0.0f;
  double in = 0, all = 0;
  for (std::uint32_t i = interest_offset[c]; i < interest_offset[c + 1] && interest_step[i] < step; ++i) {
    all += 1;
    in += interest_category[i] == category;
  }
  return lcm_affinity(in, all, categories.size());
}

std::uint32_t LcmSequences::item_counts(std::size_t c, std::int32_t step, std::uint32_t* counts) const {
  std::fill_n(counts, categories.size(), 0u);
  std::uint32_t all = 0;
  for (std::uint32_t i = interest_offset[c]; i < interest_offset[c + 1] && interest_step[i] < step; ++i, ++all)
    ++counts[interest_category[i]];
  return all;
}

std::int32_t lcm_window_steps(int step_days, int days) {
  return std::max(1, static_cast<int>(std::lround(static_cast<double>(days) / step_days)));
}

std::vector<std::size_t> lcm_sample_customers(std::size_t store_customers, std::size_t n, std::uint64_t seed) {
  std::vector<std::size_t> out(store_customers);
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = i;
  if (n >= store_customers) return out;
  std::vector<std::uint64_t> key(store_customers);
  for (std::size_t i = 0; i < key.size(); ++i) key[i] = core::RandomStream(seed, i, core::kNoDay, core::Purpose::sample).bits();
  const auto by_key = [&](std::size_t a, std::size_t b) { return key[a] != key[b] ? key[a] < key[b] : a < b; };
  std::nth_element(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(n), out.end(), by_key);
  out.resize(n);
  std::sort(out.begin(), out.end());
  return out;
}

double lcm_bytes_per_customer_day(bool training, bool weighted) {
  const double sequences = sizeof(float) * (kLcmEventCount + kLcmActionCount) + sizeof(double) + sizeof(std::int16_t);
  // Weights: the sequences', the decisions' while reading them, and training's copy.
  return sequences + (training ? sizeof(float) * (kLcmInputs + kLcmEventCount) : 0.0) +
         (weighted ? 3 * sizeof(float) : 0.0);
}

std::int32_t lcm_store_days(const results::StoreMeta& meta) {
  return core::day_of(meta.last_event) - core::day_of(meta.first_event) + 1;
}

LcmSequences read_lcm_sequences(const results::StoreReader& store, std::int32_t calibration_end_day) {
  LcmReadOptions options;
  options.calibration_end_day = calibration_end_day;
  return read_lcm_sequences(store, options);
}

namespace {

// LcmSequences::weights (LcmConfig::propensity_weights): each decision's share(action) /
// propensity, clipped, over the kLcmWeightedDays days from it or to the customer's next
// decision. `row` maps a store customer to its row, or to a value >= s.size() when not read.
template <class Row>
std::vector<float> propensity_weights(const LcmSequences& s, const core::DecisionBatch& decisions, const Row& row) {
  std::map<std::tuple<std::int32_t, std::int32_t, std::int32_t>, double> count;  // per (channel, message, offer)
  double total = 0;
  std::vector<float> latest(s.size() * s.days, 0.0f);  // the weight of a decision on that day, 0: none
  for (std::size_t i = 0; i < decisions.size(); ++i) {
    const std::size_t c = row(decisions.customer[i]);
    if (c >= s.size()) continue;
    const std::int32_t d = core::day_of(decisions.timestamp[i]) - s.first_day;
    if (!(decisions.propensity[i] > 0 && decisions.propensity[i] <= 1))
      throw std::invalid_argument("propensity weights need every decision's propensity: customer " + s.ids[c] +
                                  "'s decision of " + ingest::format_day(s.first_day + d) + " has " +
                                  (std::isnan(decisions.propensity[i]) ? std::string("none")
                                                                       : std::to_string(decisions.propensity[i])));
    count[{decisions.channel[i], decisions.message[i], decisions.offer[i]}] += 1;
    total += 1;
  }
  if (total == 0) throw std::invalid_argument("propensity weights need decisions, and the store holds none");
  for (std::size_t i = 0; i < decisions.size(); ++i) {
    const std::size_t c = row(decisions.customer[i]);
    const std::int32_t d = core::day_of(decisions.timestamp[i]) - s.first_day;
    if (c >= s.size() || d < 0 || d >= s.days) continue;
    const double share = count[{decisions.channel[i], decisions.message[i], decisions.offer[i]}] / total;
    latest[c * s.days + d] = static_cast<float>(
        std::clamp(share / decisions.propensity[i], 1 / kLcmMaxPropensityWeight, kLcmMaxPropensityWeight));
  }
  std::vector<float> weights(s.size() * s.days, 1.0f);
  for (std::size_t c = 0; c < s.size(); ++c) {
    float w = 1.0f;
    std::int32_t since = kLcmWeightedDays;
    for (std::int32_t d = 0; d < s.days; ++d) {
      const float at = latest[c * s.days + d];
      since = at > 0 ? 0 : since + 1;
      if (at > 0) w = at;
      if (since < kLcmWeightedDays) weights[c * s.days + d] = w;
    }
  }
  return weights;
}

}  // namespace

LcmSequences read_lcm_sequences(const results::StoreReader& store, const LcmReadOptions& options) {
  const auto& meta = store.meta();
  std::int32_t calibration_end_day = options.calibration_end_day;
  LcmSequences s;
  auto all_ids = store.dictionary("customer");
  if (all_ids.empty()) throw std::invalid_argument("the store has no customers");
  // The store's customers to read: a range, or a sample; the others' events and decisions are
  // skipped (their row is kSkip).
  std::vector<std::size_t> chosen;
  if (options.customers) {
    chosen = *options.customers;
    for (std::size_t k = 0; k < chosen.size(); ++k)
      if (chosen[k] >= all_ids.size() || (k > 0 && chosen[k] <= chosen[k - 1]))
        throw std::invalid_argument("the customers to read are not ascending store indices");
  } else {
    const std::size_t first = std::min(options.first_customer, all_ids.size());
    chosen.resize(std::min(options.count, all_ids.size() - first));
    for (std::size_t k = 0; k < chosen.size(); ++k) chosen[k] = first + k;
  }
  constexpr std::size_t kSkip = static_cast<std::size_t>(-1);
  std::vector<std::size_t> row_of(all_ids.size(), kSkip);
  s.ids.reserve(chosen.size());
  for (std::size_t k = 0; k < chosen.size(); ++k) {
    row_of[chosen[k]] = k;
    s.ids.push_back(std::move(all_ids[chosen[k]]));
  }
  const auto row = [&](std::int64_t customer) {
    return customer >= 0 && static_cast<std::size_t>(customer) < row_of.size() ? row_of[customer] : kSkip;
  };
  s.attributes = options.attributes ? *options.attributes : store.attributes();
  for (auto& c : s.attributes.columns) {  // the same customers as `ids`
    if (c.strings.empty()) {
      std::vector<double> kept(chosen.size());
      for (std::size_t k = 0; k < chosen.size(); ++k) kept[k] = c.numbers[chosen[k]];
      c.numbers = std::move(kept);
    } else {
      std::vector<std::string> kept(chosen.size());
      for (std::size_t k = 0; k < chosen.size(); ++k) kept[k] = std::move(c.strings[chosen[k]]);
      c.strings = std::move(kept);
    }
  }
  s.first_day = core::day_of(meta.first_event);
  const std::int32_t last_day = core::day_of(meta.last_event);
  if (calibration_end_day < 0)
    calibration_end_day = meta.calibration_end ? core::day_of(*meta.calibration_end) : last_day;
  if (calibration_end_day < s.first_day || calibration_end_day > last_day)
    throw std::invalid_argument("the calibration end is outside the store's days");
  s.days = lcm_store_days(meta);
  s.calibration_days = calibration_end_day - s.first_day + 1;
  const std::size_t n = s.ids.size();
  s.events.assign(n * s.days * kLcmEventCount, 0.0f);
  s.actions.assign(n * s.days * kLcmActionCount, 0.0f);
  s.birth.assign(n, s.days);
  s.promoted.assign(n * s.days, -1);
  std::vector<double> spend(n * s.days, 0.0);
  // Item categories, sorted by name so that the order does not depend on the store's.
  const auto items = store.dictionary("item");
  std::vector<int> item_category(items.size(), -1);
  for (const auto& item : items) {
    const auto name = lcm_item_category(item);
    if (!name.empty()) s.categories.emplace_back(name);
  }
  std::sort(s.categories.begin(), s.categories.end());
  s.categories.erase(std::unique(s.categories.begin(), s.categories.end()), s.categories.end());
  if (s.categories.size() > 1000) s.categories.clear();  // item names that are not "category-id"
  for (std::size_t i = 0; i < items.size() && !s.categories.empty(); ++i) {
    const auto name = lcm_item_category(items[i]);
    const auto it = std::lower_bound(s.categories.begin(), s.categories.end(), name);
    if (!name.empty() && it != s.categories.end() && *it == name)
      item_category[i] = static_cast<int>(it - s.categories.begin());
  }
  std::vector<std::vector<std::pair<std::int32_t, std::int16_t>>> interest(s.categories.empty() ? 0 : n);
  store.for_each_event_batch(1 << 16, [&](const core::EventBatch& b) {
    for (std::size_t i = 0; i < b.size(); ++i) {
      const std::size_t c = row(b.customer[i]);
      if (c == kSkip) continue;
      const std::int32_t d = core::day_of(b.timestamp[i]) - s.first_day;
      s.birth[c] = std::min(s.birth[c], d);
      float* e = &s.events[(c * s.days + d) * kLcmEventCount];
      const auto type = static_cast<core::EventType>(b.type[i]);
      if (!interest.empty() && b.item[i] >= 0 && item_category[b.item[i]] >= 0 &&
          (type == core::EventType::kView || type == core::EventType::kPurchase))
        interest[c].emplace_back(d, static_cast<std::int16_t>(item_category[b.item[i]]));
      switch (type) {
        case core::EventType::kPurchase:
          e[kLcmPurchase] = 1;
          spend[c * s.days + d] += core::from_micros(b.amount[i]);
          break;
        case core::EventType::kVisit:
        case core::EventType::kView: e[kLcmVisit] = 1; break;
        case core::EventType::kEmailOpen: e[kLcmEmailOpen] = 1; break;
        case core::EventType::kClick: e[kLcmClick] = 1; break;
        case core::EventType::kCartAbandon: e[kLcmCartAbandon] = 1; break;
        case core::EventType::kUnsubscribe: e[kLcmUnsubscribe] = 1; break;
        case core::EventType::kChurn: e[kLcmChurn] = 1; break;
        default: break;
      }
    }
  });
  for (std::size_t k = 0; k < spend.size(); ++k)
    s.events[k * kLcmEventCount + kLcmLogSpend] = static_cast<float>(std::log1p(spend[k]) / 4.0);
  s.interest_offset.assign(n + 1, 0);
  for (std::size_t c = 0; c < interest.size(); ++c) {
    std::sort(interest[c].begin(), interest[c].end());
    s.interest_offset[c + 1] = s.interest_offset[c] + static_cast<std::uint32_t>(interest[c].size());
    for (const auto& [d, k] : interest[c]) {
      s.interest_step.push_back(d);
      s.interest_category.push_back(k);
    }
  }
  const auto channels = store.dictionary("channel");
  const auto messages = store.dictionary("message");
  const auto offers = store.dictionary("offer");
  const auto name = [](const std::vector<std::string>& dictionary, std::int32_t id) -> std::string_view {
    return id >= 0 ? std::string_view(dictionary[id]) : std::string_view();
  };
  const auto decisions = store.read_decisions();
  for (std::size_t i = 0; i < decisions.size(); ++i) {
    if (decisions.channel[i] < 0) continue;  // no action
    const std::size_t c = row(decisions.customer[i]);  // kSkip: anonymous, or not read
    if (c == kSkip) continue;
    const std::int32_t d = core::day_of(decisions.timestamp[i]) - s.first_day;
    float* a = &s.actions[(c * s.days + d) * kLcmActionCount];
    const int category = lcm_action_features(name(channels, decisions.channel[i]), name(messages, decisions.message[i]),
                                             name(offers, decisions.offer[i]), s.categories, a);
    if (category >= 0) {
      a[kLcmAffinity] = s.affinity(c, d, category);
      s.promoted[c * s.days + d] = static_cast<std::int16_t>(category);
    }
  }
  if (options.propensity_weights) {
    if (options.step_days != 1) throw std::invalid_argument("propensity weights need daily steps");
    s.weights = propensity_weights(s, decisions, row);
  }
  if (options.step_days != 1) {
    if (options.step_days != kLcmWeekDays)
      throw std::invalid_argument("steps of " + std::to_string(options.step_days) + " days: the LCM steps 1 or 7 days");
    in_weeks(s, spend);
  }
  if (!options.hash) return s;
  std::string bytes(reinterpret_cast<const char*>(s.events.data()), s.events.size() * sizeof(float));
  bytes.append(reinterpret_cast<const char*>(s.actions.data()), s.actions.size() * sizeof(float));
  for (const auto& category : s.categories) bytes.append(category).push_back('\n');
  for (const auto& c : s.attributes.columns) {  // none in stores without attributes
    bytes.append(c.name).push_back('\n');
    for (const auto& v : c.strings) bytes.append(v).push_back('\n');
    bytes.append(reinterpret_cast<const char*>(c.numbers.data()), c.numbers.size() * sizeof(double));
  }
  if (s.step_days != 1) bytes.append("step_days=" + std::to_string(s.step_days));
  bytes.append(reinterpret_cast<const char*>(s.weights.data()), s.weights.size() * sizeof(float));
  s.data_sha256 = core::sha256_hex(bytes);
  return s;
}

void LcmHistory::observe(const float* day_events, const float* day_action, std::int32_t step) {
  if (day_action && day_action[kLcmOffer] > 0) {
    offer_step = step;
    offer_discount = day_action[kLcmDiscount];
  }
  bool any = false;
  for (int k = 0; k < kLcmEventCount; ++k) any = any || day_events[k] != 0.0f;
  if (any && birth < 0) birth = step;
  if (day_events[kLcmChurn] > 0 && churn_step < 0) churn_step = step;
  if (day_events[kLcmPurchase] > 0) {
    decayed_purchases = 1.0 + (last_purchase < 0 ? 0.0
                                                 : decayed_purchases * std::exp(-(step - last_purchase) / kFrequencyDays));
    last_purchase = step;
    ++purchases;
    log_spend_sum += day_events[kLcmLogSpend];
  }
}

void lcm_inputs(const float* yesterday_events, const float* today_action, std::int32_t calendar_day,
                std::int32_t step, const LcmHistory& history, float* out) {
  for (int k = 0; k < kLcmEventCount; ++k) out[k] = yesterday_events ? yesterday_events[k] : 0.0f;
  float* a = out + kLcmEventCount;
  for (int k = 0; k < kLcmActionCount; ++k) a[k] = today_action ? today_action[k] : 0.0f;
  float* c = a + kLcmActionCount;
  // 1970-01-01 was a Thursday; only the cycle matters.
  const double dow = kTwoPi * ((calendar_day % 7 + 7) % 7) / 7.0;
  c[kLcmDowSin] = static_cast<float>(std::sin(dow));
  c[kLcmDowCos] = static_cast<float>(std::cos(dow));
  c[kLcmRecency] = history.last_purchase < 0
                       ? 1.0f
                       : static_cast<float>(1.0 - std::exp(-(step - history.last_purchase) / 60.0));
  c[kLcmTenure] = history.birth < 0 ? 0.0f
                                    : static_cast<float>(1.0 - std::exp(-(step - history.birth) / 180.0));
  c[kLcmFrequency] = history.last_purchase < 0
                         ? 0.0f
                         : static_cast<float>(std::log1p(
                               history.decayed_purchases *
                               std::exp(-(step - history.last_purchase) / LcmHistory::kFrequencyDays)));
  c[kLcmMonetary] = history.purchases > 0 ? static_cast<float>(history.log_spend_sum / history.purchases) : 0.0f;
  float* by_channel = out + kLcmChannelDiscountInputs;
  for (int k = 0; k < kLcmChannelDiscountCount; ++k) by_channel[k] = a[kLcmEmail + k] * a[kLcmDiscount];
  float* memory = out + kLcmOfferMemoryInputs;
  const bool offered = history.offer_step >= 0;
  const double age = offered ? static_cast<double>(step - history.offer_step) : 0.0;
  memory[kLcmOfferWeek] = offered ? static_cast<float>(history.offer_discount * std::exp(-age / 7.0)) : 0.0f;
  memory[kLcmOfferMonth] = offered ? static_cast<float>(history.offer_discount * std::exp(-age / 28.0)) : 0.0f;
}

}  // namespace mirror::twins
