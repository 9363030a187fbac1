// The Large Customer Model (LCM): a GRU over each customer's daily events and received
// marketing actions, with heads for the next day's events. Trained in LibTorch
// (lcm_train.cpp, the only LibTorch user); evaluated in the mirror world by a plain C++
// kernel that reproduces LibTorch's outputs row by row, so results do not depend on how
// customers are batched.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "mirror/results/customer_store.hpp"

namespace mirror::twins {

// Per day and customer, what happened (inputs of the next step, targets of this one).
enum LcmEvent : int {
  kLcmPurchase,     // any purchase that day
  kLcmLogSpend,     // log1p(spend) / 4 (0 without a purchase)
  kLcmVisit,
  kLcmEmailOpen,
  kLcmClick,
  kLcmCartAbandon,
  kLcmUnsubscribe,
  kLcmChurn,
  kLcmEventCount
};
// The action received on a day: any contact, its channel, an offer, the offer's discount
// (lcm_offer_discount, times 5: 20% off = 1), whether the campaign promotes a product
// category (lcm_campaign_category) and the customer's affinity to that category (its share
// of the customer's viewed and bought items before the day, LcmSequences::affinity).
enum LcmAction : int {
  kLcmAny,
  kLcmEmail,
  kLcmSms,
  kLcmPush,
  kLcmOffer,
  kLcmDiscount,
  kLcmTargeted,
  kLcmAffinity,
  kLcmActionCount
};
// Calendar and history features of a day. They saturate (1 - exp(-t/scale)) so that a
// holdout longer than the training window gives no values the model never saw. No
// day-of-year: a calibration period of under a year cannot teach seasons.
enum LcmCalendar : int {
  kLcmDowSin,
  kLcmDowCos,
  kLcmRecency,    // 1 - exp(-days since the last purchase / 60); 1 without one
  kLcmTenure,     // 1 - exp(-days since the first event / 180)
  kLcmFrequency,  // log1p(purchase days weighted by exp(-age / 365 days))
  kLcmMonetary,   // mean kLcmLogSpend of the purchase days so far; 0 without one
  kLcmCalendarCount
};
// Today's discount by the channel that brought it (lcm_inputs derives them from the action):
// how much of an offer reaches the till depends on how many notice it, which the channel
// decides, so the spend head reads these rather than one discount for every channel.
enum LcmChannelDiscount : int {
  kLcmEmailDiscount,
  kLcmSmsDiscount,
  kLcmPushDiscount,
  kLcmChannelDiscountCount
};
// The offer in force: the last offer received before today (a contact without one leaves it),
// its kLcmDiscount times exp(-age / 7 days) and times exp(-age / 28 days): what an offer does
// after its day (a coupon valid for weeks), read by the heads only.
enum LcmOfferMemory : int {
  kLcmOfferWeek,
  kLcmOfferMonth,
  kLcmOfferMemoryCount
};
inline constexpr float kLcmDiscountScale = 5.0f;  // kLcmDiscount = 5 x the discount: 20% off = 1
inline constexpr int kLcmInputs =
    kLcmEventCount + kLcmActionCount + kLcmCalendarCount + kLcmChannelDiscountCount + kLcmOfferMemoryCount;
// Where each block starts in a step's inputs.
inline constexpr int kLcmActionInputs = kLcmEventCount;
inline constexpr int kLcmChannelDiscountInputs = kLcmEventCount + kLcmActionCount + kLcmCalendarCount;
inline constexpr int kLcmOfferMemoryInputs = kLcmChannelDiscountInputs + kLcmChannelDiscountCount;
// Heads: logits of purchase, visit, open, click, cart abandon, unsubscribe, churn, the mean
// of log spend given a purchase, and the two response heads: the logit of a contact's own
// chance to bring a purchase (a visit) that day. On a day with a contact, lcm_heads folds
// each response into its event's logit (lcm_with_response): the customer buys if they would
// have anyway or the contact brings them, so a contact adds (1 - p) r to the probability p
// instead of shifting every customer's logit by the same amount, which overstates the
// effect on customers who buy often anyway. The purchase and visit heads themselves do not
// read the action, and the spend head reads only its discount.
enum LcmHead : int {
  kHeadPurchase,
  kHeadVisit,
  kHeadEmailOpen,
  kHeadClick,
  kHeadCartAbandon,
  kHeadUnsubscribe,
  kHeadChurn,
  kHeadLogSpend,
  kHeadPurchaseResponse,
  kHeadVisitResponse,
  kLcmHeadCount
};
// The logit of P(event) = 1 - (1 - sigmoid(base)) (1 - sigmoid(response))^contact, where
// contact is the step's kLcmAny input (0 or 1): base itself, up to rounding, without a
// contact.
float lcm_with_response(float base, float response, float contact);

struct LcmConfig {
  int hidden = 32;
  int epochs = 40;
  int patience = 5;             // epochs without a better validation loss before stopping
  double learning_rate = 0.01;
  // Epochs at the full learning rate; after them it halves every epoch (0: it never does).
  // Adam's steps at a constant rate keep the weights wandering, and the size of a contact's
  // response, which only the decision days carry, wanders most (docs/lcm.md).
  int decay_after = 0;
  int batch_customers = 256;
  int validation_days = 14;     // the end of the calibration period, held out for early stopping
  std::uint64_t seed = 1;
  int threads = 0;              // LibTorch intra-op threads for training; 0 = all cores
  // Whether today's action also enters the GRU state (false: only the heads read it, so an
  // action shifts that day's logits and reaches later days through the events it causes and
  // the contact memories, a structure the randomised log identifies with less noise).
  bool action_into_state = false;
  // Whether the model reads tenure. Where customers arrive together (a generated world, a
  // single cohort) tenure is the calendar: the model then reads a season as customers ageing
  // and carries it on (docs/lcm.md, "Without tenure"). Off, its weights stay zero.
  bool tenure = true;
  // Whether the model reads the store's static customer attributes (LcmStatic), when it has
  // any: they set each customer's state at its first event and add to its heads every day.
  bool attributes = true;
  // Whether the heads read the offer in force (kLcmOfferMemory): for offers that act after
  // their day (a coupon valid for weeks, a retention discount on the next renewals). Off,
  // its weights stay zero: where an offer acts on its own day only, the memory mostly learns
  // the logging policy's week and takes the uplifts away from the truth (docs/lcm.md).
  bool offer_memory = false;
  // Days per step: 1 (daily) or 7 (weekly, LcmSequences::step_days). validation_days is then
  // rounded to whole steps.
  int step_days = 1;
  // Whether training weighs each day by the inverse propensity of the customer's latest
  // decision (LcmSequences::weights, read with LcmReadOptions::propensity_weights): on a log
  // whose policy targets (retention offers to those not seen for a while), so that the
  // targeting is not learned as the actions' effect. The validation days stay unweighted.
  bool propensity_weights = false;
};
inline constexpr int kLcmWeekDays = 7;
// Propensity weights: share(action) / propensity of the latest decision, clipped to
// [1 / kLcmMaxPropensityWeight, kLcmMaxPropensityWeight], on the kLcmWeightedDays days from
// it (the longest an offer acts in the generated worlds); 1 on other days.
inline constexpr double kLcmMaxPropensityWeight = 10;
inline constexpr int kLcmWeightedDays = 28;

// A static customer attribute as the LCM reads it (the store's /attributes, `mirror ingest
// --attributes`): a number, standardised by the training customers' mean and standard
// deviation (missing: 0), or a category, one-hot over the levels seen in training (missing or
// unseen: all 0).
struct LcmStatic {
  std::string name;
  std::vector<std::string> levels;  // empty: a number
  double mean = 0;
  double scale = 1;
  int width() const { return levels.empty() ? 1 : static_cast<int>(levels.size()); }
};
inline constexpr std::size_t kLcmMaxLevels = 32;
// The attributes a model trained on `attributes` reads: numbers that vary, and categories of
// 2 to kLcmMaxLevels levels (in name order). The others go to `skipped` with the reason.
std::vector<LcmStatic> lcm_choose_statics(const results::Table& attributes, std::vector<std::string>* skipped);
// Row `row` of `attributes` encoded (the sum of the widths, in order). Throws
// std::invalid_argument naming an attribute the table lacks or holds with another type.
void lcm_encode_statics(const std::vector<LcmStatic>& statics, const results::Table& attributes, std::size_t row,
                        float* out);
int lcm_static_width(const std::vector<LcmStatic>& statics);

// Sequences of a store's customers over its calibration period (and holdout), a step a day,
// or a step a week (step_days 7). Weekly steps end on the calibration end: the first step
// takes the days before the first whole week (it can be shorter), and holdout days after the
// last whole week are left out. A week's events are "any" of its days' (its log spend is of
// the week's spend); its action counts the contacts in kLcmAny (each adds its response:
// lcm_with_response's exponent) and takes the largest of the other inputs, its promoted
// category being its last contact's.
struct LcmSequences {
  std::vector<std::string> ids;
  std::int32_t first_day = 0;           // calendar day of the store's first event
  std::int32_t calibration_days = 0;    // steps in calibration; the rest is holdout
  std::int32_t days = 0;                // steps (days when step_days is 1)
  int step_days = 1;
  std::int32_t step_offset = 0;         // step s starts on day max(0, step_offset + s x step_days)
  std::vector<std::int32_t> birth;      // first step with an event, per customer
  std::vector<float> events;            // customers x days x kLcmEventCount
  std::vector<float> actions;           // customers x days x kLcmActionCount
  // Weekly steps only: customers x days, the purchase days in each step (daily steps read
  // events' kLcmPurchase).
  std::vector<float> purchase_days;
  // Read with LcmReadOptions::propensity_weights only: customers x days, each day's weight in
  // training's loss (kLcmMaxPropensityWeight); empty otherwise (every day weighs 1).
  std::vector<float> weights;
  // Product categories (from the store's item names, lcm_item_category) and, per customer,
  // the steps and categories of its item events (views, purchases), in step order:
  // customer c's are [interest_offset[c], interest_offset[c + 1]).
  std::vector<std::string> categories;
  std::vector<std::uint32_t> interest_offset;
  std::vector<std::int32_t> interest_step;
  std::vector<std::int16_t> interest_category;
  std::vector<std::int16_t> promoted;   // customers x days: the category a contact promoted, -1 none
  // The store's static attributes, a row per customer in `ids` order ("customer" first); no
  // columns when the store has none.
  results::Table attributes;
  std::string data_sha256;              // of the store's events and decisions as used
  std::size_t size() const { return ids.size(); }
  // Customer c's affinity to a category before `step`: (items in it + 1/K) / (items + 1),
  // K categories; 1/K without any item event.
  float affinity(std::size_t c, std::int32_t step, int category) const;
  // Customer c's item events before `step` in each category (counts[k], k < K); returns
  // their sum.
  std::uint32_t item_counts(std::size_t c, std::int32_t step, std::uint32_t* counts) const;
  const float* events_at(std::size_t c, std::int32_t d) const {
    return &events[(c * days + d) * kLcmEventCount];
  }
  const float* actions_at(std::size_t c, std::int32_t d) const {
    return &actions[(c * days + d) * kLcmActionCount];
  }
  float purchase_days_at(std::size_t c, std::int32_t d) const {
    return purchase_days.empty() ? events_at(c, d)[kLcmPurchase] : purchase_days[c * days + d];
  }
  // Customer c's steps with a purchase before `end`, and their purchase days, added to the two.
  void add_purchase_steps(std::size_t c, std::int32_t end, double& steps, double& purchase_days_sum) const {
    for (std::int32_t d = 0; d < end; ++d)
      if (events_at(c, d)[kLcmPurchase] > 0) steps += 1, purchase_days_sum += purchase_days_at(c, d);
  }
  // The day step `step` starts, counted from first_day: the `step` that LcmHistory and
  // lcm_inputs take, so that recency and frequency are in days whatever the step.
  std::int32_t day(std::int32_t step) const {
    return step_days == 1 ? step : std::max(0, step_offset + step * step_days);
  }
  std::int32_t calendar_day(std::int32_t step) const { return first_day + day(step); }
  // The calendar day after the last step, and the last day of the calibration period.
  std::int32_t end_day() const { return first_day + step_offset + days * step_days; }
  std::int32_t calibration_end_day() const { return first_day + step_offset + calibration_days * step_days - 1; }
};
// Steps in a window of `days` days: days / step_days, rounded, at least 1 (weekly: 30 days are
// 4 weeks, 90 days 13, 14 days 2). A weekly model's 30- and 90-day scores are over those weeks.
std::int32_t lcm_window_steps(int step_days, int days);
// Reads a store (and its calibration end, or `calibration_end_day` when >= 0).
LcmSequences read_lcm_sequences(const results::StoreReader& store, std::int32_t calibration_end_day = -1);
// Part of a store, for building twins block by block in bounded memory: customers
// [first_customer, first_customer + count) only (the sequences' index c is then customer
// first_customer + c), and optionally no data hash (it is for training artifacts).
struct LcmReadOptions {
  std::int32_t calibration_end_day = -1;
  std::size_t first_customer = 0;
  std::size_t count = static_cast<std::size_t>(-1);
  // The store's customers to read, by dictionary index in ascending order (a sample,
  // lcm_sample_customers); null: the range [first_customer, first_customer + count).
  const std::vector<std::size_t>* customers = nullptr;
  bool hash = true;
  // The store's attributes (StoreReader::attributes), when the caller reads them once for
  // many parts; null: read here.
  const results::Table* attributes = nullptr;
  int step_days = 1;  // 1 or kLcmWeekDays
  // Fill LcmSequences::weights from the decisions' propensities (daily steps only; every
  // decision of the customers read must have one, or std::invalid_argument names it).
  bool propensity_weights = false;
};
LcmSequences read_lcm_sequences(const results::StoreReader& store, const LcmReadOptions& options);

// `n` of a store's `store_customers` customers drawn at random with `seed`, by dictionary
// index in ascending order: those with the n smallest keys of the seed's sample stream, so
// a smaller sample of the same seed lies within a larger one. All of them when n >= the store's.
std::vector<std::size_t> lcm_sample_customers(std::size_t store_customers, std::size_t n, std::uint64_t seed);
// Bytes a customer-day takes in LcmSequences (events, actions, promoted category, and the
// spend summed while reading); training adds its input and target tensors.
double lcm_bytes_per_customer_day(bool training, bool weighted = false);  // weighted: propensity weights
// The days a store's sequences span (read_lcm_sequences' LcmSequences::days): its first
// event's day to its last's.
std::int32_t lcm_store_days(const results::StoreMeta& meta);

// Naming conventions that let the LCM read more from a log than channel and "an offer":
// an offer's discount from its name ("ten_off", "twenty_five_off", "15_off", "15pct" ->
// 0.10, 0.25, 0.15, 0.15; "none" or empty -> 0; anything else -> -1, an offer of unknown
// size); an item's category is its name up to its last '-' ("electronics-0042"; none
// without a '-'); a campaign (decision message) promotes the category its name starts with,
// followed by '_' or nothing ("electronics_deals"), else it is generic (-1).
double lcm_offer_discount(std::string_view offer);
// (in + 1/K) / (all + 1): the affinity of `in` of `all` item events to one of K categories.
float lcm_affinity(double in, double all, std::size_t categories);
std::string_view lcm_item_category(std::string_view item);
int lcm_campaign_category(const std::vector<std::string>& categories, std::string_view campaign);
// The action inputs (kLcmActionCount floats) of a contact on `channel` with `message` (the
// campaign) and `offer` (store names; an empty channel is no action, "none" or "" no offer),
// and the category it promotes (-1: generic). The one mapping from logged decisions and
// world actions to the model's inputs; the caller sets kLcmAffinity, which depends on the
// customer and the day (LcmSequences::affinity).
int lcm_action_features(std::string_view channel, std::string_view message, std::string_view offer,
                        const std::vector<std::string>& categories, float* out);

// What the inputs need of a customer's past, updated one day at a time.
struct LcmHistory {
  std::int32_t birth = -1;          // step of the first event; -1 before it
  std::int32_t last_purchase = -1;  // step of the last purchase day
  std::int32_t purchases = 0;       // purchase days so far
  // Purchase days weighted by exp(-age / kFrequencyDays), as of the last purchase: a
  // frequency that forgets, so a longer log does not give values training never saw.
  double decayed_purchases = 0;
  double log_spend_sum = 0;  // of kLcmLogSpend over the purchase days
  std::int32_t churn_step = -1;  // step of an observed churn: the customer is gone after it
  std::int32_t offer_step = -1;  // step of the last offer received
  float offer_discount = 0;      // its kLcmDiscount
  static constexpr double kFrequencyDays = 365.0;
  // A step's events and the action received on it (null: none).
  void observe(const float* day_events, const float* day_action, std::int32_t step);
  // Step `step` of customer c of `data` as logged: its events and action, on its day.
  void observe(const LcmSequences& data, std::size_t c, std::int32_t step) {
    observe(data.events_at(c, step), data.actions_at(c, step), data.day(step));
  }
  bool churned() const { return churn_step >= 0; }
};

// The inputs of `step` for a customer: yesterday's events (null on the first step), today's
// action (null: none), calendar and history (up to yesterday), and the channel discounts.
void lcm_inputs(const float* yesterday_events, const float* today_action, std::int32_t calendar_day,
                std::int32_t step, const LcmHistory& history, float* out);

struct LcmWeights;
// Customer `row`'s state before its first event: tanh(w_static s + b_static) of its encoded
// attributes s; zeros for a model without attributes.
void lcm_initial_state(const LcmWeights& w, const results::Table& attributes, std::size_t row, float* h);
// What customer `row`'s attributes add to each head (kLcmHeadCount floats, before a
// contact's response is folded in): w_static_head s; zeros for a model without attributes.
void lcm_head_offsets(const LcmWeights& w, const results::Table& attributes, std::size_t row, float* out);
// Customer `row`'s head offsets repeated for `rows` rows of lcm_heads (its rollouts), in
// `buffer`; null for a model without attributes (lcm_heads then adds nothing).
const float* lcm_repeated_head_offsets(const LcmWeights& w, const results::Table& attributes, std::size_t row,
                                       std::size_t rows, std::vector<float>& buffer);
// Throws std::invalid_argument (see lcm_encode_statics) unless `attributes` has every
// attribute the model reads; call it before lcm_initial_state runs on worker threads.
void lcm_check_attributes(const LcmWeights& w, const results::Table& attributes);
// Runs customer c's calibration period through the model from its initial state at its birth;
// writes the final state to h (hidden floats) and returns its history up to the last
// calibration day included.
LcmHistory lcm_warm_up(const LcmWeights& w, const LcmSequences& data, std::size_t c, float* h);

// Weights in LibTorch's GRUCell layout (gates r, z, n), row-major, plus a linear head.
struct LcmWeights {
  int hidden = 0;
  std::vector<float> w_ih, w_hh, b_ih, b_hh;  // [3H x I], [3H x H], [3H], [3H]
  std::vector<float> w_head, b_head;          // [heads x (H + inputs)], [heads]
  float log_spend_sigma = 1.0f;               // of log spend given a purchase
  // Static attributes, the initial state they give ([H x S], [H], S =
  // lcm_static_width(statics)) and what they add to each head's logit ([heads x S]).
  std::vector<LcmStatic> statics;
  std::vector<float> w_static, b_static, w_static_head;
  // The kernel's transposed copies ([inputs x gates]), so its inner loops run over
  // contiguous gates and vectorise without reordering any sum. Filled by lcm_prepare().
  std::vector<float> w_ih_t, w_hh_t, w_head_t, b_head_padded;  // heads padded to kLcmHeadStride
};
inline constexpr int kLcmHeadStride = (kLcmHeadCount + 3) / 4 * 4;
// Fills the kernel's copies; train_lcm and load_lcm call it.
void lcm_prepare(LcmWeights& w);

struct LcmArtifact {
  LcmConfig config;
  LcmWeights weights;
  std::string data_sha256;
  std::string metrics;        // "name=value" lines: training and validation losses, epochs
  std::int32_t calibration_end_day = 0;
  // The product categories of the training store (LcmSequences::categories), so that twins
  // over another run map campaigns to what the model learned. Empty in artifacts written
  // before it was stored: the population's store gives them then.
  std::vector<std::string> categories;
  // Purchase days per step with a purchase in the training steps (1 for daily steps): a
  // weekly model's expected purchase weeks times this are its expected purchase days.
  double purchase_days_per_step = 1;
  // The training run's best validation loss (the metrics' best_validation_loss; load_lcm
  // reads it back from them, NaN in a file without it).
  double best_validation_loss = 0;
};
// Only the category list of a model file (no weights, any format), for the scenario loader.
// Throws std::runtime_error with the path.
std::vector<std::string> lcm_model_categories(const std::string& path);
// Only the days per step of a model file (its config). Throws std::runtime_error with the path.
int lcm_model_step_days(const std::string& path);

struct LcmProgress {
  int epoch = 0;
  int epochs = 0;
  double train_loss = 0;
  double validation_loss = 0;
  bool improved = false;
};

// Trains on the calibration period, seeded and reproducible (single-threaded LibTorch when
// config.threads == 1). Throws std::invalid_argument for unusable data or config.
LcmArtifact train_lcm(const LcmSequences& data, const LcmConfig& config,
                      const std::function<void(const LcmProgress&)>& on_epoch = {});

// Whether a calibration step of the log holds an offer of a known size (kLcmDiscount > 0):
// without one the offer memory (LcmConfig::offer_memory) has nothing to read.
bool lcm_log_has_offers(const LcmSequences& data);
// The choice of `mirror train --offer-memory auto`: the model with the offer memory is kept
// only when its best validation loss is below the one without by more than this share, so
// that noise or a tie keeps the simpler model (docs/lcm.md, "Choosing the offer memory").
inline constexpr double kLcmOfferMemoryMinGain = 0.001;
bool lcm_keep_offer_memory(double loss_without, double loss_with);
struct LcmOfferMemoryChoice {
  LcmArtifact model;          // its config says what was chosen; its metrics add the losses
  bool log_has_offers = false;  // false: trained once, without the memory
  double loss_without = 0, loss_with = 0;  // best validation losses (loss_with 0 when not trained)
};
// Trains without the offer memory and, when the log holds offers, with it (the same seed,
// so each run is the one offer_memory false or true gives alone), and keeps the model
// lcm_keep_offer_memory chooses. `on_epoch` gets each run's epochs with the run's
// offer_memory; config.offer_memory is ignored.
LcmOfferMemoryChoice train_lcm_choosing_offer_memory(
    const LcmSequences& data, LcmConfig config,
    const std::function<void(bool offer_memory, const LcmProgress&)>& on_epoch = {});

void save_lcm(const LcmArtifact& artifact, const std::string& path);  // atomic
LcmArtifact load_lcm(const std::string& path);  // throws std::runtime_error with the path

// The fused inference kernel: one GRU step and the heads for `rows` customers. The heads
// read the new state and the step's inputs (a skip connection: today's action and the
// history features reach them directly). Row results do not depend on the other rows.
void lcm_step(const LcmWeights& w, const float* h, const float* x, float* h_out, std::size_t rows);
// `offsets` (rows x kLcmHeadCount, lcm_head_offsets; null: none) are added to the heads
// before the responses are folded in.
void lcm_heads(const LcmWeights& w, const float* h, const float* x, float* heads, std::size_t rows,
               const float* offsets = nullptr);

// Reference: the same step through LibTorch (lcm_train.cpp), for tests and benchmarks.
void lcm_step_libtorch(const LcmWeights& w, const float* h, const float* x, float* h_out,
                       float* heads, std::size_t rows);
// Reference: the initial states of `rows` customers from their encoded attributes
// (rows x lcm_static_width(w.statics)) through LibTorch.
void lcm_initial_state_libtorch(const LcmWeights& w, const float* statics, std::size_t rows, float* h);
// Benchmark baseline: `steps` batched LibTorch steps (GRUCell + heads, no grad) over `rows`
// rows with `threads` intra-op threads, the module built once. Returns seconds.
double lcm_libtorch_loop_seconds(const LcmWeights& w, std::size_t rows, int steps, int threads);

}  // namespace mirror::twins
