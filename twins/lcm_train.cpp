// LCM training and (de)serialisation: the only LibTorch user.
#include <torch/torch.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <utility>

#include "mirror/twins/lcm.hpp"

namespace mirror::twins {

namespace {

// 3: a decaying frequency; 4: discount and category inputs; 5: response heads for contacts,
// discounts by channel
// 6: static customer attributes (optional; a format-5 model is one without them)
// 7: weekly steps (a model of daily steps is still written as format 5 or 6)
// 8: the offer in force (kLcmOfferMemory inputs); daily or weekly, with or without attributes
constexpr const char* kFormat = "mirror-lcm-8";
constexpr const char* kFormatWithAttributes = "mirror-lcm-6";
constexpr const char* kFormatWithoutAttributes = "mirror-lcm-5";
constexpr const char* kFormatWeekly = "mirror-lcm-7";
// Inputs of formats 5 to 7: everything before the offer memory, which comes last.
constexpr int kInputsBeforeMemory = kLcmOfferMemoryInputs;
static_assert(kLcmOfferMemoryInputs + kLcmOfferMemoryCount == kLcmInputs);

// Weights of an older format ([rows x (offset + kInputsBeforeMemory)]) with zero columns for
// the inputs it did not read: the same outputs for the same inputs.
std::vector<float> widen_inputs(const std::vector<float>& w, std::size_t rows, std::size_t offset) {
  const std::size_t from = offset + kInputsBeforeMemory, to = offset + kLcmInputs;
  if (w.size() != rows * from) return w;  // the shape check after the load names it
  std::vector<float> out(rows * to, 0.0f);
  for (std::size_t r = 0; r < rows; ++r) std::copy_n(&w[r * from], from, &out[r * to]);
  return out;
}
constexpr int kBinaryHeads = kHeadLogSpend;  // heads before it are logits of events
// Which event each binary head predicts.
constexpr int kHeadEvent[kBinaryHeads] = {kLcmPurchase,    kLcmVisit,       kLcmEmailOpen, kLcmClick,
                                          kLcmCartAbandon, kLcmUnsubscribe, kLcmChurn};

// `statics` > 0: the encoded width of the static attributes, which set the initial state and
// add to every head (created last and at zero, so that a model without them draws the same
// initial weights and training starts where it would without them). The offer memory's head
// weights are a zero parameter of their own for the same reason (no random draw), and the
// GRU never reads it.
struct LcmNetImpl : torch::nn::Module {
  LcmNetImpl(int hidden, int statics)
      : cell(register_module("cell", torch::nn::GRUCell(kInputsBeforeMemory, hidden))),
        head(register_module("head", torch::nn::Linear(hidden + kInputsBeforeMemory, kLcmHeadCount))),
        log_sigma(register_parameter("log_sigma", torch::zeros({1}))) {
    if (statics > 0) {
      initial = register_module("initial", torch::nn::Linear(statics, hidden));
      static_head = register_module(
          "static_head", torch::nn::Linear(torch::nn::LinearOptions(statics, kLcmHeadCount).bias(false)));
      torch::NoGradGuard no_grad;
      initial->weight.zero_();
      initial->bias.zero_();
      static_head->weight.zero_();
    }
  }
  // The state before the first event: zeros, or tanh(initial(s)).
  torch::Tensor initial_state(const torch::Tensor& s, std::int64_t rows) {
    if (initial.is_empty()) return torch::zeros({rows, cell->options.hidden_size()});
    return torch::tanh(initial(s));
  }
  // The GRU step and the heads (before the responses are folded in) on a step's inputs x.
  torch::Tensor step(const torch::Tensor& x, const torch::Tensor& h) {
    return cell(x.narrow(1, 0, kInputsBeforeMemory), h);
  }
  torch::Tensor heads(const torch::Tensor& h, const torch::Tensor& x) {
    return head(torch::cat({h, x.narrow(1, 0, kInputsBeforeMemory)}, 1)) +
           torch::matmul(x.narrow(1, kLcmOfferMemoryInputs, kLcmOfferMemoryCount), memory.t());
  }
  torch::nn::GRUCell cell;
  torch::nn::Linear head;
  torch::Tensor memory = register_parameter("memory", torch::zeros({kLcmHeadCount, kLcmOfferMemoryCount}));
  torch::nn::Linear initial{nullptr};
  torch::nn::Linear static_head{nullptr};
  torch::Tensor log_sigma;
};
TORCH_MODULE(LcmNet);

std::vector<float> to_vector(const torch::Tensor& t) {
  auto c = t.detach().contiguous().to(torch::kFloat32);
  return {c.data_ptr<float>(), c.data_ptr<float>() + c.numel()};
}

torch::Tensor to_tensor(const std::vector<float>& v, std::vector<int64_t> shape) {
  return torch::from_blob(const_cast<float*>(v.data()), shape, torch::kFloat32).clone();
}

LcmWeights export_weights(const LcmNet& net, int hidden, const std::vector<LcmStatic>& statics) {
  LcmWeights w;
  w.hidden = hidden;
  w.statics = statics;
  if (!net->initial.is_empty()) {
    w.w_static = to_vector(net->initial->weight);
    w.b_static = to_vector(net->initial->bias);
    w.w_static_head = to_vector(net->static_head->weight);
  }
  w.w_ih = widen_inputs(to_vector(net->cell->weight_ih), 3 * hidden, 0);
  w.w_hh = to_vector(net->cell->weight_hh);
  w.b_ih = to_vector(net->cell->bias_ih);
  w.b_hh = to_vector(net->cell->bias_hh);
  w.w_head = widen_inputs(to_vector(net->head->weight), kLcmHeadCount, hidden);
  const auto memory = to_vector(net->memory);
  for (int k = 0; k < kLcmHeadCount; ++k)
    std::copy_n(&memory[k * kLcmOfferMemoryCount], kLcmOfferMemoryCount,
                &w.w_head[k * (hidden + kLcmInputs) + hidden + kLcmOfferMemoryInputs]);
  w.b_head = to_vector(net->head->bias);
  w.log_spend_sigma = std::exp(net->log_sigma.item<float>());
  lcm_prepare(w);
  return w;
}

void import_weights(LcmNet& net, const LcmWeights& w) {
  torch::NoGradGuard no_grad;
  const int H = w.hidden;
  net->cell->weight_ih.copy_(to_tensor(w.w_ih, {3 * H, kLcmInputs}).narrow(1, 0, kInputsBeforeMemory));
  net->cell->weight_hh.copy_(to_tensor(w.w_hh, {3 * H, H}));
  net->cell->bias_ih.copy_(to_tensor(w.b_ih, {3 * H}));
  net->cell->bias_hh.copy_(to_tensor(w.b_hh, {3 * H}));
  const auto head = to_tensor(w.w_head, {kLcmHeadCount, H + kLcmInputs});
  net->head->weight.copy_(head.narrow(1, 0, H + kInputsBeforeMemory));
  net->memory.copy_(head.narrow(1, H + kLcmOfferMemoryInputs, kLcmOfferMemoryCount));
  net->head->bias.copy_(to_tensor(w.b_head, {kLcmHeadCount}));
  net->log_sigma.fill_(std::log(w.log_spend_sigma));
  if (!net->initial.is_empty()) {
    net->initial->weight.copy_(to_tensor(w.w_static, {H, lcm_static_width(w.statics)}));
    net->initial->bias.copy_(to_tensor(w.b_static, {H}));
    net->static_head->weight.copy_(to_tensor(w.w_static_head, {kLcmHeadCount, lcm_static_width(w.statics)}));
  }
}

// Today's action in a step's inputs: the action block and the discounts by channel derived
// from it (first input, count).
constexpr std::pair<int, int> kTodayInputs[] = {{kLcmActionInputs, kLcmActionCount},
                                                {kLcmChannelDiscountInputs, kLcmChannelDiscountCount}};

// Zeroes the columns of `weights` (rows x [offset + inputs]) that read today's action.
void zero_today_columns(const torch::Tensor& weights, int offset) {
  for (auto [first, count] : kTodayInputs) weights.narrow(1, offset + first, count).zero_();
}

torch::Tensor exact_softplus(const torch::Tensor& v) {
  return torch::clamp_min(v, 0) + torch::log1p(torch::exp(-torch::abs(v)));
}

// The heads with the responses folded into the purchase and visit logits on contact days,
// as lcm_with_response does in the kernel (on every row: without a contact it gives the
// base logit back, up to rounding, and nothing branches).
torch::Tensor with_response(const torch::Tensor& heads, const torch::Tensor& x) {
  const auto contact = x.select(1, kLcmEventCount + kLcmAny);
  auto columns = heads.unbind(1);
  for (auto [base, response] : {std::pair{kHeadPurchase, kHeadPurchaseResponse}, {kHeadVisit, kHeadVisitResponse}}) {
    const auto log_none = -exact_softplus(heads.select(1, base)) - contact * exact_softplus(heads.select(1, response));
    columns[base] = torch::log(-torch::expm1(log_none)) - log_none;
  }
  return torch::stack(columns, 1);
}

// Which head weights may learn: the purchase and visit heads do not read today's action
// (their responses do), the spend head reads only its discount, by channel, and without
// `tenure` no head reads it.
torch::Tensor head_weight_mask(const LcmConfig& config) {
  const int hidden = config.hidden;
  auto mask = torch::ones({kLcmHeadCount, hidden + kInputsBeforeMemory});
  for (int head : {kHeadPurchase, kHeadVisit}) zero_today_columns(mask.narrow(0, head, 1), hidden);
  mask[kHeadLogSpend].narrow(0, hidden + kLcmActionInputs, kLcmActionCount).zero_();
  // A logged policy contacts on some weekdays only, so the log cannot tell how a response
  // varies with the weekday, and a response reading it would extrapolate to other days.
  const int calendar = hidden + kLcmEventCount + kLcmActionCount;
  for (int head : {kHeadPurchaseResponse, kHeadVisitResponse}) {
    mask[head][calendar + kLcmDowSin] = 0;
    mask[head][calendar + kLcmDowCos] = 0;
  }
  if (!config.tenure) mask.select(1, calendar + kLcmTenure).zero_();
  return mask;
}

// Which heads read the offer in force: every one with `offer_memory`, none without.
torch::Tensor memory_weight_mask(const LcmConfig& config) {
  return torch::full({kLcmHeadCount, kLcmOfferMemoryCount}, config.offer_memory ? 1.0 : 0.0);
}

// Which GRU input weights may learn: today's action only with `action_into_state`, tenure
// only with `tenure`, and never the weekday, which the heads read directly: in the state it
// would let the responses, which read the state, vary with the weekday after all.
torch::Tensor state_weight_mask(const LcmConfig& config) {
  auto mask = torch::ones({3 * config.hidden, kInputsBeforeMemory});
  if (!config.action_into_state) zero_today_columns(mask, 0);
  constexpr int calendar = kLcmEventCount + kLcmActionCount;
  mask.select(1, calendar + kLcmDowSin).zero_();
  mask.select(1, calendar + kLcmDowCos).zero_();
  if (!config.tenure) mask.select(1, calendar + kLcmTenure).zero_();
  return mask;
}

// Inputs of every (customer, step) of the calibration period: customers x steps x inputs.
std::vector<float> build_inputs(const LcmSequences& s, std::int32_t steps) {
  std::vector<float> x(s.size() * steps * kLcmInputs);
  for (std::size_t c = 0; c < s.size(); ++c) {
    LcmHistory history;
    for (std::int32_t d = 0; d < steps; ++d) {
      const float* yesterday = d > 0 ? s.events_at(c, d - 1) : nullptr;
      if (d > 0) history.observe(s, c, d - 1);
      lcm_inputs(yesterday, s.actions_at(c, d), s.calendar_day(d), s.day(d), history,
                 &x[(c * steps + d) * kLcmInputs]);
    }
  }
  return x;
}

struct Losses {
  torch::Tensor train;
  double validation = 0;
};

// Unrolls the GRU over the calibration steps of a batch of customers; the loss of step d
// counts for customers born before d, in training (d < split) or validation (d >= split).
// `weights` (customers x steps; undefined: none) weigh the training days' losses.
Losses batch_losses(LcmNet& net, const torch::Tensor& x, const torch::Tensor& y, const torch::Tensor& statics,
                    const torch::Tensor& birth, std::int32_t steps, std::int32_t split, const torch::Tensor& weights) {
  const auto rows = x.size(0);
  const bool with_statics = !net->initial.is_empty();
  const auto h0 = net->initial_state(statics, rows);
  const auto offsets = with_statics ? net->static_head(statics) : torch::Tensor();  // what they add to the heads
  auto h = h0;
  auto train_sum = torch::zeros({});
  double validation_sum = 0;
  double train_count = 0, validation_count = 0;
  const auto sigma = torch::exp(net->log_sigma);
  for (std::int32_t d = 0; d < steps; ++d) {
    const auto alive = (birth < d).to(torch::kFloat32).unsqueeze(1);  // born before today
    const auto count = alive.sum().item<double>();
    auto next = net->step(x.select(1, d), h);
    h = with_statics ? alive * next + (1 - alive) * h0 : alive * next;  // initial until the first event
    if (count == 0) continue;
    auto linear = net->heads(h, x.select(1, d));
    if (with_statics) linear = linear + offsets;
    const auto out = with_response(linear, x.select(1, d));
    const auto target = y.select(1, d);
    const bool weighted = weights.defined() && d < split;
    const auto mask = weighted ? alive.squeeze(1) * weights.select(1, d) : alive.squeeze(1);
    torch::Tensor loss = torch::zeros({});
    for (int k = 0; k < kBinaryHeads; ++k)
      loss = loss + (torch::binary_cross_entropy_with_logits(out.select(1, k), target.select(1, kHeadEvent[k]),
                                                              {}, {}, torch::Reduction::None) *
                     mask)
                        .sum();
    const auto bought = target.select(1, kLcmPurchase) * mask;
    const auto log_spend = target.select(1, kLcmLogSpend) * 4.0;
    const auto z = (log_spend - out.select(1, kHeadLogSpend)) / sigma;
    loss = loss + ((torch::log(sigma) + 0.5 * z * z) * bought).sum();
    if (d < split) {
      train_sum = train_sum + loss;
      train_count += weighted ? mask.sum().item<double>() : count;
    } else {
      validation_sum += loss.item<double>();
      validation_count += count;
    }
  }
  return {train_sum / std::max(1.0, train_count), validation_sum / std::max(1.0, validation_count)};
}

// Starts each head at its event's base rate over the training days (and log spend at its
// mean): rare events (a purchase on 0.5% of customer-days) otherwise spend hundreds of
// steps moving a bias before any customer-level signal is learned.
void init_head_biases(LcmNet& net, const LcmSequences& data, std::int32_t split) {
  std::vector<double> count(kLcmEventCount, 0.0);
  double days = 0, log_spend = 0;
  for (std::size_t c = 0; c < data.size(); ++c)
    for (std::int32_t d = data.birth[c] + 1; d < split; ++d) {
      const float* e = data.events_at(c, d);
      for (int k = 0; k < kLcmEventCount; ++k) count[k] += e[k] > 0 ? 1 : 0;
      if (e[kLcmPurchase] > 0) log_spend += e[kLcmLogSpend] * 4.0;
      days += 1;
    }
  if (days == 0) return;
  torch::NoGradGuard no_grad;
  for (int k = 0; k < kBinaryHeads; ++k) {
    const double rate = std::clamp((count[kHeadEvent[k]] + 0.5) / (days + 1.0), 1e-6, 1 - 1e-6);
    net->head->bias[k].fill_(std::log(rate / (1 - rate)));
  }
  if (count[kLcmPurchase] > 0) net->head->bias[kHeadLogSpend].fill_(log_spend / count[kLcmPurchase]);
  // A contact starts by bringing nobody: a response of about 0.25%, no weights.
  for (int k : {kHeadPurchaseResponse, kHeadVisitResponse}) {
    net->head->bias[k].fill_(-6.0);
    net->head->weight[k].zero_();
  }
}

// Purchase days per step with a purchase over the first `split` steps (1 without any).
double purchase_days_per_step(const LcmSequences& data, std::int32_t split) {
  double steps = 0, days = 0;
  for (std::size_t c = 0; c < data.size(); ++c) data.add_purchase_steps(c, split, steps, days);
  return steps > 0 ? days / steps : 1.0;
}

std::string config_text(const LcmConfig& c) {
  std::ostringstream o;
  o << "hidden=" << c.hidden << "\nepochs=" << c.epochs << "\npatience=" << c.patience
    << "\nlearning_rate=" << c.learning_rate << "\nbatch_customers=" << c.batch_customers
    << "\nvalidation_days=" << c.validation_days << "\nseed=" << c.seed
    << "\naction_into_state=" << (c.action_into_state ? 1 : 0) << "\ntenure=" << (c.tenure ? 1 : 0)
    << "\ndecay_after=" << c.decay_after << "\nattributes=" << (c.attributes ? 1 : 0)
    << "\nstep_days=" << c.step_days << "\noffer_memory=" << (c.offer_memory ? 1 : 0)
    << "\npropensity_weights=" << (c.propensity_weights ? 1 : 0) << "\n";
  return o.str();
}

LcmConfig parse_config_text(const std::string& text) {
  LcmConfig c;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    const auto eq = line.find('=');
    if (eq == std::string::npos) continue;
    const auto key = line.substr(0, eq);
    const auto value = line.substr(eq + 1);
    if (key == "hidden") c.hidden = std::stoi(value);
    else if (key == "epochs") c.epochs = std::stoi(value);
    else if (key == "patience") c.patience = std::stoi(value);
    else if (key == "learning_rate") c.learning_rate = std::stod(value);
    else if (key == "batch_customers") c.batch_customers = std::stoi(value);
    else if (key == "validation_days") c.validation_days = std::stoi(value);
    else if (key == "seed") c.seed = std::stoull(value);
    else if (key == "action_into_state") c.action_into_state = value == "1";
    else if (key == "tenure") c.tenure = value == "1";  // absent before it existed: on
    else if (key == "decay_after") c.decay_after = std::stoi(value);  // absent: 0, never
    else if (key == "attributes") c.attributes = value == "1";
    else if (key == "step_days") c.step_days = std::stoi(value);  // absent: 1, daily
    else if (key == "offer_memory") c.offer_memory = value == "1";  // absent: off
    else if (key == "propensity_weights") c.propensity_weights = value == "1";  // absent: off
  }
  return c;
}

}  // namespace

LcmArtifact train_lcm(const LcmSequences& data, const LcmConfig& config,
                      const std::function<void(const LcmProgress&)>& on_epoch) {
  if (config.hidden < 1 || config.hidden > 1024) throw std::invalid_argument("hidden must be in [1, 1024]");
  if (config.epochs < 1) throw std::invalid_argument("epochs must be at least 1");
  if (config.batch_customers < 1) throw std::invalid_argument("batch_customers must be at least 1");
  if (config.decay_after < 0) throw std::invalid_argument("decay_after must be at least 0");
  if (config.step_days != data.step_days)
    throw std::invalid_argument("the data are in steps of " + std::to_string(data.step_days) +
                                " days, the config asks for " + std::to_string(config.step_days));
  const std::int32_t steps = data.calibration_days;
  const std::int32_t validation_steps = lcm_window_steps(config.step_days, config.validation_days);
  const std::int32_t split = steps - validation_steps;
  const char* unit = config.step_days == 1 ? " days" : " weeks";
  if (config.validation_days < 1 || split * config.step_days < 14 || split < 4)
    throw std::invalid_argument("the calibration period (" + std::to_string(steps) + unit +
                                ") is too short for " + std::to_string(validation_steps) + unit +
                                " of validation and at least 14 days and 4 steps of training");
  torch::manual_seed(config.seed);
  if (config.threads > 0) torch::set_num_threads(config.threads);

  const auto n = static_cast<std::int64_t>(data.size());
  const auto inputs = build_inputs(data, steps);
  std::vector<float> targets(data.size() * steps * kLcmEventCount);
  for (std::size_t c = 0; c < data.size(); ++c)
    std::copy(data.events_at(c, 0), data.events_at(c, 0) + steps * kLcmEventCount,
              &targets[c * steps * kLcmEventCount]);
  const auto x_all = torch::from_blob(const_cast<float*>(inputs.data()), {n, steps, kLcmInputs});
  const auto y_all = torch::from_blob(targets.data(), {n, steps, kLcmEventCount});
  std::vector<std::int64_t> births(data.birth.begin(), data.birth.end());
  const auto birth_all = torch::from_blob(births.data(), {n}, torch::kInt64);
  if (config.propensity_weights != !data.weights.empty())
    throw std::invalid_argument(config.propensity_weights ? "propensity weights asked for, and the data have none"
                                                          : "the data carry propensity weights the config does not ask for");
  std::vector<float> weights;  // the training steps' columns of data.weights
  for (std::size_t c = 0; c < data.size() && config.propensity_weights; ++c)
    weights.insert(weights.end(), data.weights.begin() + c * data.days, data.weights.begin() + c * data.days + steps);
  const auto w_all = weights.empty() ? torch::Tensor() : torch::from_blob(weights.data(), {n, steps});
  const auto statics = config.attributes ? lcm_choose_statics(data.attributes, nullptr) : std::vector<LcmStatic>{};
  const int S = lcm_static_width(statics);
  std::vector<float> encoded(data.size() * S);
  for (std::size_t c = 0; c < data.size() && S > 0; ++c) lcm_encode_statics(statics, data.attributes, c, &encoded[c * S]);
  const auto s_all = torch::from_blob(encoded.data(), {n, S});

  LcmNet net(config.hidden, S);
  init_head_biases(net, data, split);
  {
    // The weights on today's action start at zero rather than at random: an action's effect
    // is a few hundredths of a logit, and nothing random should stand in for it. Without
    // action_into_state the GRU's stay zero (their gradient is cleared below).
    torch::NoGradGuard no_grad;
    zero_today_columns(net->cell->weight_ih, 0);
    zero_today_columns(net->head->weight, config.hidden);
  }
  // Weights that may not learn start at zero and get no gradient.
  const auto head_mask = head_weight_mask(config), state_mask = state_weight_mask(config),
             memory_mask = memory_weight_mask(config);
  {
    torch::NoGradGuard no_grad;
    net->head->weight.masked_fill_(head_mask == 0, 0.0);  // +0, where a product could give -0
    net->cell->weight_ih.masked_fill_(state_mask == 0, 0.0);
  }
  torch::optim::Adam optimizer(net->parameters(), torch::optim::AdamOptions(config.learning_rate));
  LcmArtifact artifact;
  artifact.config = config;
  artifact.data_sha256 = data.data_sha256;
  artifact.categories = data.categories;
  artifact.calibration_end_day = data.calibration_end_day();
  if (data.step_days != 1) artifact.purchase_days_per_step = purchase_days_per_step(data, split);
  double best = std::numeric_limits<double>::infinity();
  int since_best = 0, epochs_run = 0;
  double last_train = 0;
  for (int epoch = 1; epoch <= config.epochs; ++epoch) {
    if (config.decay_after > 0 && epoch > config.decay_after)
      static_cast<torch::optim::AdamOptions&>(optimizer.param_groups()[0].options())
          .lr(config.learning_rate * std::pow(0.5, epoch - config.decay_after));
    const auto order = torch::randperm(n, torch::kInt64);
    double train_total = 0, validation_total = 0, weight_total = 0;
    for (std::int64_t start = 0; start < n; start += config.batch_customers) {
      const auto idx = order.slice(0, start, std::min<std::int64_t>(n, start + config.batch_customers));
      const auto losses = batch_losses(net, x_all.index_select(0, idx), y_all.index_select(0, idx),
                                       s_all.index_select(0, idx), birth_all.index_select(0, idx), steps, split,
                                       w_all.defined() ? w_all.index_select(0, idx) : torch::Tensor());
      optimizer.zero_grad();
      losses.train.backward();
      net->cell->weight_ih.grad().mul_(state_mask);
      net->head->weight.grad().mul_(head_mask);
      net->memory.grad().mul_(memory_mask);
      optimizer.step();
      const double w = static_cast<double>(idx.size(0));
      train_total += losses.train.item<double>() * w;
      validation_total += losses.validation * w;
      weight_total += w;
    }
    LcmProgress p{epoch, config.epochs, train_total / weight_total, validation_total / weight_total, false};
    epochs_run = epoch;
    last_train = p.train_loss;
    if (p.validation_loss < best - 1e-6) {
      best = p.validation_loss;
      since_best = 0;
      p.improved = true;
      artifact.weights = export_weights(net, config.hidden, statics);
    } else {
      ++since_best;
    }
    if (on_epoch) on_epoch(p);
    if (since_best >= config.patience) break;
  }
  std::ostringstream m;
  m << "epochs_run=" << epochs_run << "\nbest_validation_loss=" << best
    << "\nlast_train_loss=" << last_train << "\ncustomers=" << n << "\ntraining_days=" << split * config.step_days
    << "\nvalidation_days=" << validation_steps * config.step_days << "\n";
  artifact.metrics = m.str();
  artifact.best_validation_loss = best;
  return artifact;
}

namespace {

// The value of `name=` in the metrics' lines; NaN without one.
double metric_value(const std::string& metrics, const std::string& name) {
  std::istringstream lines(metrics);
  for (std::string line; std::getline(lines, line);)
    if (line.rfind(name + "=", 0) == 0) return std::strtod(line.c_str() + name.size() + 1, nullptr);
  return std::numeric_limits<double>::quiet_NaN();
}

// The category list, one name a line; an optional key, so artifacts without it still load.
void write_categories(torch::serialize::OutputArchive& archive, const std::vector<std::string>& categories) {
  std::string lines;
  for (const auto& c : categories) lines.append(c).push_back('\n');
  archive.write("categories", c10::IValue(lines));
}

std::vector<std::string> read_categories(torch::serialize::InputArchive& archive) {
  c10::IValue v;
  std::vector<std::string> out;
  if (!archive.try_read("categories", v)) return out;
  std::istringstream lines(v.toStringRef());
  for (std::string line; std::getline(lines, line);) out.push_back(line);
  return out;
}

// The static attributes, a line each: name, mean, scale, then the levels, separated by the
// ASCII unit separator (not found in CSV names and values).
constexpr char kUnit = '\x1f';

void write_statics(torch::serialize::OutputArchive& archive, const LcmWeights& w) {
  std::ostringstream lines;
  lines.precision(17);
  for (const auto& st : w.statics) {
    lines << st.name << kUnit << st.mean << kUnit << st.scale;
    for (const auto& level : st.levels) lines << kUnit << level;
    lines << '\n';
  }
  archive.write("statics", c10::IValue(lines.str()));
  archive.write("w_static", to_tensor(w.w_static, {w.hidden, lcm_static_width(w.statics)}));
  archive.write("b_static", to_tensor(w.b_static, {w.hidden}));
  archive.write("w_static_head", to_tensor(w.w_static_head, {kLcmHeadCount, lcm_static_width(w.statics)}));
}

void read_statics(torch::serialize::InputArchive& archive, LcmWeights& w) {
  c10::IValue v;
  archive.read("statics", v);
  std::istringstream lines(v.toStringRef());
  for (std::string line; std::getline(lines, line);) {
    std::vector<std::string> fields;
    std::string field;
    std::istringstream in(line);
    while (std::getline(in, field, kUnit)) fields.push_back(field);
    if (fields.size() < 3) throw std::runtime_error("a damaged attribute line in the model");
    LcmStatic st;
    st.name = fields[0];
    st.mean = std::stod(fields[1]);
    st.scale = std::stod(fields[2]);
    st.levels.assign(fields.begin() + 3, fields.end());
    w.statics.push_back(std::move(st));
  }
  torch::Tensor t;
  archive.read("w_static", t);
  w.w_static = to_vector(t);
  archive.read("b_static", t);
  w.b_static = to_vector(t);
  archive.read("w_static_head", t);
  w.w_static_head = to_vector(t);
  const auto H = static_cast<std::size_t>(w.hidden);
  const auto S = static_cast<std::size_t>(lcm_static_width(w.statics));
  if (w.w_static.size() != H * S || w.b_static.size() != H || w.w_static_head.size() != kLcmHeadCount * S)
    throw std::runtime_error("the model's attribute weights do not match its attributes");
}

}  // namespace

std::vector<std::string> lcm_model_categories(const std::string& path) {
  if (!std::filesystem::is_regular_file(path)) throw std::runtime_error(path + ": no such model file");
  try {
    torch::serialize::InputArchive archive;
    archive.load_from(path);
    return read_categories(archive);
  } catch (const c10::Error& e) {
    throw std::runtime_error(path + ": cannot read the model: " + e.what_without_backtrace());
  }
}

int lcm_model_step_days(const std::string& path) {
  if (!std::filesystem::is_regular_file(path)) throw std::runtime_error(path + ": no such model file");
  try {
    torch::serialize::InputArchive archive;
    archive.load_from(path);
    c10::IValue v;
    archive.read("config", v);
    return parse_config_text(v.toStringRef()).step_days;
  } catch (const c10::Error& e) {
    throw std::runtime_error(path + ": cannot read the model: " + e.what_without_backtrace());
  }
}

void save_lcm(const LcmArtifact& a, const std::string& path) {
  const int H = a.weights.hidden;
  torch::serialize::OutputArchive archive;
  const bool weekly = a.config.step_days != 1;
  archive.write("format", c10::IValue(std::string(kFormat)));
  archive.write("config", c10::IValue(config_text(a.config)));
  archive.write("data_sha256", c10::IValue(a.data_sha256));
  archive.write("metrics", c10::IValue(a.metrics));
  archive.write("calibration_end_day", c10::IValue(static_cast<int64_t>(a.calibration_end_day)));
  archive.write("w_ih", to_tensor(a.weights.w_ih, {3 * H, kLcmInputs}));
  archive.write("w_hh", to_tensor(a.weights.w_hh, {3 * H, H}));
  archive.write("b_ih", to_tensor(a.weights.b_ih, {3 * H}));
  archive.write("b_hh", to_tensor(a.weights.b_hh, {3 * H}));
  archive.write("w_head", to_tensor(a.weights.w_head, {kLcmHeadCount, H + kLcmInputs}));
  archive.write("b_head", to_tensor(a.weights.b_head, {kLcmHeadCount}));
  archive.write("spend_sigma", torch::full({1}, a.weights.log_spend_sigma));
  write_categories(archive, a.categories);
  if (!a.weights.statics.empty()) write_statics(archive, a.weights);
  if (weekly) archive.write("purchase_days_per_step", c10::IValue(a.purchase_days_per_step));
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  try {
    archive.save_to(tmp);
  } catch (const c10::Error& e) {
    std::filesystem::remove(tmp);
    throw std::runtime_error(path + ": cannot write the model: " + e.what_without_backtrace());
  }
  std::filesystem::rename(tmp, path);
}

LcmArtifact load_lcm(const std::string& path) {
  if (!std::filesystem::is_regular_file(path)) throw std::runtime_error(path + ": no such model file");
  LcmArtifact a;
  try {
    torch::serialize::InputArchive archive;
    archive.load_from(path);
    c10::IValue v;
    archive.read("format", v);
    const std::string format = v.toStringRef();
    const bool older = format == kFormatWithoutAttributes || format == kFormatWithAttributes || format == kFormatWeekly;
    if (format.rfind("mirror-lcm-", 0) == 0 && !older && format != kFormat)
      throw std::runtime_error("an LCM of another version (format '" + format + "', this mirror reads '" +
                               kFormatWithoutAttributes + "' to '" + kFormat +
                               "'): train it again with `mirror train`");
    if (!older && format != kFormat) throw std::runtime_error("not a mirrorworld LCM (format '" + format + "')");
    // Formats 7 and 8 have attributes when they have their key; 6 always, 5 never.
    const bool with_attributes =
        format == kFormatWithAttributes || (format != kFormatWithoutAttributes && archive.try_read("statics", v));
    archive.read("config", v);
    a.config = parse_config_text(v.toStringRef());
    archive.read("data_sha256", v);
    a.data_sha256 = v.toStringRef();
    archive.read("metrics", v);
    a.metrics = v.toStringRef();
    a.best_validation_loss = metric_value(a.metrics, "best_validation_loss");
    archive.read("calibration_end_day", v);
    a.calibration_end_day = static_cast<std::int32_t>(v.toInt());
    torch::Tensor t;
    a.weights.hidden = a.config.hidden;
    for (auto [key, out] : {std::pair<const char*, std::vector<float>*>{"w_ih", &a.weights.w_ih},
                            {"w_hh", &a.weights.w_hh}, {"b_ih", &a.weights.b_ih},
                            {"b_hh", &a.weights.b_hh}, {"w_head", &a.weights.w_head},
                            {"b_head", &a.weights.b_head}}) {
      archive.read(key, t);
      *out = to_vector(t);
    }
    if (older) {  // no offer memory: its weights are zero
      const auto H = static_cast<std::size_t>(a.config.hidden);
      a.weights.w_ih = widen_inputs(a.weights.w_ih, 3 * H, 0);
      a.weights.w_head = widen_inputs(a.weights.w_head, kLcmHeadCount, H);
    }
    archive.read("spend_sigma", t);
    a.weights.log_spend_sigma = t.item<float>();
    a.categories = read_categories(archive);
    if (with_attributes) read_statics(archive, a.weights);
    const bool weekly = a.config.step_days != 1;
    if (weekly) {
      archive.read("purchase_days_per_step", v);
      a.purchase_days_per_step = v.toDouble();
    }
    if (older && weekly != (format == kFormatWeekly)) throw std::runtime_error("its format and its steps disagree");
  } catch (const c10::Error& e) {
    throw std::runtime_error(path + ": cannot read the model: " + e.what_without_backtrace());
  } catch (const std::runtime_error& e) {
    throw std::runtime_error(path + ": " + e.what());
  }
  const auto H = static_cast<std::size_t>(a.weights.hidden);
  if (a.weights.w_ih.size() != 3 * H * kLcmInputs ||
      a.weights.w_head.size() != kLcmHeadCount * (H + kLcmInputs))
    throw std::runtime_error(path + ": the model's shapes do not match this version's features");
  lcm_prepare(a.weights);
  return a;
}

void lcm_step_libtorch(const LcmWeights& w, const float* h, const float* x, float* h_out,
                       float* heads, std::size_t rows) {
  torch::NoGradGuard no_grad;
  LcmNet net(w.hidden, 0);
  import_weights(net, w);
  const auto r = static_cast<std::int64_t>(rows);
  const auto ht = torch::from_blob(const_cast<float*>(h), {r, w.hidden});
  const auto xt = torch::from_blob(const_cast<float*>(x), {r, kLcmInputs});
  const auto next = net->step(xt, ht).contiguous();
  const auto out = with_response(net->heads(next, xt), xt).contiguous();
  std::copy(next.data_ptr<float>(), next.data_ptr<float>() + next.numel(), h_out);
  std::copy(out.data_ptr<float>(), out.data_ptr<float>() + out.numel(), heads);
}

double lcm_libtorch_loop_seconds(const LcmWeights& w, std::size_t rows, int steps, int threads) {
  torch::NoGradGuard no_grad;
  if (threads > 0) torch::set_num_threads(threads);
  LcmNet net(w.hidden, 0);
  import_weights(net, w);
  const auto r = static_cast<std::int64_t>(rows);
  auto h = torch::zeros({r, w.hidden});
  auto x = torch::randn({r, kLcmInputs});
  x.select(1, kLcmEventCount + kLcmAny).copy_(torch::arange(r).remainder(7).eq(0));  // a contact in seven rows
  const auto start = std::chrono::steady_clock::now();
  for (int s = 0; s < steps; ++s) {
    h = net->step(x, h);
    const auto out = with_response(net->heads(h, x), x);
    (void)out;
  }
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void lcm_initial_state_libtorch(const LcmWeights& w, const float* statics, std::size_t rows, float* h) {
  torch::NoGradGuard no_grad;
  const int S = lcm_static_width(w.statics);
  LcmNet net(w.hidden, S);
  import_weights(net, w);
  const auto s = torch::from_blob(const_cast<float*>(statics), {static_cast<std::int64_t>(rows), S});
  const auto out = net->initial_state(s, static_cast<std::int64_t>(rows)).contiguous();
  std::copy(out.data_ptr<float>(), out.data_ptr<float>() + out.numel(), h);
}

}  // namespace mirror::twins
