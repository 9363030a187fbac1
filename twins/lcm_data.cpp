// Daily LCM sequences from a store, and the per-step input features.
#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string_view>

#include "mirror/core/sha256.hpp"
#include "mirror/twins/lcm.hpp"

namespace mirror::twins {

namespace {
constexpr double kTwoPi = 6.283185307179586;
}  // namespace

LcmSequences read_lcm_sequences(const results::StoreReader& store, std::int32_t calibration_end_day) {
  LcmReadOptions options;
  options.calibration_end_day = calibration_end_day;
  return read_lcm_sequences(store, options);
}

LcmSequences read_lcm_sequences(const results::StoreReader& store, const LcmReadOptions& options) {
  const auto& meta = store.meta();
  std::int32_t calibration_end_day = options.calibration_end_day;
  LcmSequences s;
  s.ids = store.dictionary("customer");
  if (s.ids.empty()) throw std::invalid_argument("the store has no customers");
  // Customers [first, first + n) of the store; the others' events and decisions are skipped.
  const std::size_t first = std::min(options.first_customer, s.ids.size());
  s.ids = std::vector<std::string>(s.ids.begin() + first,
                                   s.ids.begin() + first + std::min(options.count, s.ids.size() - first));
  s.first_day = core::day_of(meta.first_event);
  const std::int32_t last_day = core::day_of(meta.last_event);
  if (calibration_end_day < 0)
    calibration_end_day = meta.calibration_end ? core::day_of(*meta.calibration_end) : last_day;
  if (calibration_end_day < s.first_day || calibration_end_day > last_day)
    throw std::invalid_argument("the calibration end is outside the store's days");
  s.days = last_day - s.first_day + 1;
  s.calibration_days = calibration_end_day - s.first_day + 1;
  const std::size_t n = s.ids.size();
  s.events.assign(n * s.days * kLcmEventCount, 0.0f);
  s.actions.assign(n * s.days * kLcmActionCount, 0.0f);
  s.birth.assign(n, s.days);
  std::vector<double> spend(n * s.days, 0.0);
  store.for_each_event_batch(1 << 16, [&](const core::EventBatch& b) {
    for (std::size_t i = 0; i < b.size(); ++i) {
      const std::size_t c = static_cast<std::size_t>(b.customer[i]) - first;  // wraps below first
      if (c >= n) continue;
      const std::int32_t d = core::day_of(b.timestamp[i]) - s.first_day;
      s.birth[c] = std::min(s.birth[c], d);
      float* e = &s.events[(c * s.days + d) * kLcmEventCount];
      switch (static_cast<core::EventType>(b.type[i])) {
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
  const auto channels = store.dictionary("channel");
  const auto messages = store.dictionary("message");
  const auto offers = store.dictionary("offer");
  const auto name = [](const std::vector<std::string>& dictionary, std::int32_t id) -> std::string_view {
    return id >= 0 ? std::string_view(dictionary[id]) : std::string_view();
  };
  const auto decisions = store.read_decisions();
  for (std::size_t i = 0; i < decisions.size(); ++i) {
    if (decisions.customer[i] < 0 || decisions.channel[i] < 0) continue;  // anonymous, or no action
    const std::size_t c = static_cast<std::size_t>(decisions.customer[i]) - first;
    if (c >= n) continue;
    const std::int32_t d = core::day_of(decisions.timestamp[i]) - s.first_day;
    lcm_action_features(name(channels, decisions.channel[i]), name(messages, decisions.message[i]),
                        name(offers, decisions.offer[i]),
                        &s.actions[(c * s.days + d) * kLcmActionCount]);
  }
  if (!options.hash) return s;
  std::string bytes(reinterpret_cast<const char*>(s.events.data()), s.events.size() * sizeof(float));
  bytes.append(reinterpret_cast<const char*>(s.actions.data()), s.actions.size() * sizeof(float));
  s.data_sha256 = core::sha256_hex(bytes);
  return s;
}

void lcm_action_features(std::string_view channel, std::string_view /*message*/, std::string_view offer,
                         float* out) {
  std::fill_n(out, kLcmActionCount, 0.0f);
  if (channel.empty()) return;
  out[kLcmAny] = 1;
  if (channel == "email") out[kLcmEmail] = 1;
  if (channel == "sms") out[kLcmSms] = 1;
  if (channel == "push") out[kLcmPush] = 1;
  // Logs name the absence of an offer "none" (mirror generate) or leave it empty.
  if (!offer.empty() && offer != "none") out[kLcmOffer] = 1;
}

void LcmHistory::observe(const float* day_events, std::int32_t step) {
  bool any = false;
  for (int k = 0; k < kLcmEventCount; ++k) any = any || day_events[k] != 0.0f;
  if (any && birth < 0) birth = step;
  if (day_events[kLcmPurchase] > 0) {
    decayed_purchases = 1.0 + (last_purchase < 0 ? 0.0
                                                 : decayed_purchases * std::exp(-(step - last_purchase) / kFrequencyDays));
    last_purchase = step;
    ++purchases;
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
}

}  // namespace mirror::twins
