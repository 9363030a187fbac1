// `mirror train`: fits the LCM to a store's calibration period.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <optional>

#include "command.hpp"
#include "lcm_customers.hpp"
#include "mirror/ingest/ingest.hpp"
#include "mirror/ingest/profile.hpp"
#include "mirror/scenario/train_config_file.hpp"
#include "mirror/twins/lcm.hpp"

namespace mirror::cli {

namespace po = boost::program_options;

namespace {

// A flag given on the command line (not its default).
bool given(const po::variables_map& vm, const char* name) {
  return vm.count(name) > 0 && !vm[name].defaulted();
}

// Settings in order of precedence: the command's defaults, then the config file, then the
// flags given on the command line.
template <class T>
void apply(const po::variables_map& vm, const char* flag, const std::optional<T>& from_file, T& out) {
  if (from_file) out = *from_file;
  if (given(vm, flag)) out = vm[flag].as<T>();
}

}  // namespace

int train_command(const Args& args) {
  po::options_description options("train options");
  twins::LcmConfig c;
  c.threads = 1;  // reproducible bit for bit unless asked otherwise
  options.add_options()("help,h", "show this help")(
      "config", po::value<std::string>(),
      "a YAML file of training settings (docs/lcm.md); flags given here override it")(
      "store", po::value<std::string>(), "the store written by `mirror ingest`")(
      "out", po::value<std::string>(), "the model file to write")(
      "hidden", po::value<int>()->default_value(c.hidden), "GRU hidden size")(
      "epochs", po::value<int>()->default_value(c.epochs), "most epochs")(
      "patience", po::value<int>()->default_value(c.patience),
      "stop after this many epochs without a better validation loss")(
      "learning-rate", po::value<double>()->default_value(c.learning_rate), "Adam step size")(
      "decay-after", po::value<int>()->default_value(c.decay_after),
      "epochs at the full learning rate, after which it halves every epoch (0 = never)")(
      "batch-customers", po::value<int>()->default_value(c.batch_customers),
      "customers per gradient step")(
      "validation-days", po::value<int>()->default_value(c.validation_days),
      "last days of the calibration period used for early stopping")(
      "seed", po::value<std::uint64_t>()->default_value(c.seed), "random seed")(
      "threads", po::value<int>()->default_value(c.threads),
      "LibTorch threads (1 = reproducible bit for bit; 0 = all cores)")(
      "calibration-end", po::value<std::string>(), "YYYY-MM-DD (default: the store's)")(
      "action-into-state", po::bool_switch(&c.action_into_state), "today's action also enters the GRU state")(
      "no-tenure", po::bool_switch(), "the model does not read tenure (customers who arrived together)")(
      "no-attributes", po::bool_switch(), "the model does not read the store's customer attributes")(
      "offer-memory", po::value<std::string>()->implicit_value("on"),
      "on, off or auto (default): the model reads the offer in force (offers that act for weeks); "
      "auto trains it both ways and keeps the better on the validation days")(
      "propensity-weights", po::bool_switch(),
      "weigh each day by the inverse propensity of the customer's latest decision (a log whose policy targets)")(
      "step", po::value<std::string>()->default_value("day"), "day, or week: a step of the GRU is a week")(
      "customers", po::value<int>(),
      "train on a random sample of this many of the store's customers (drawn with --seed; default: all)")(
      "quiet,q", "print no progress");
  po::positional_options_description positional;
  po::variables_map vm;
  if (int rc = parse_options("train", "[--config FILE] --store STORE --out MODEL [options]", args,
                             options, positional, vm);
      rc >= 0)
    return rc;
  scenario::TrainSettings file;
  if (vm.count("config")) {
    const auto loaded = scenario::load_train_config_file(vm["config"].as<std::string>());
    for (const auto& e : loaded.errors) std::cerr << e.to_string() << "\n";
    if (!loaded.ok()) return kBadInput;
    file = loaded.settings;
  }
  apply(vm, "hidden", file.hidden, c.hidden);
  apply(vm, "epochs", file.epochs, c.epochs);
  apply(vm, "patience", file.patience, c.patience);
  apply(vm, "learning-rate", file.learning_rate, c.learning_rate);
  apply(vm, "decay-after", file.decay_after, c.decay_after);
  apply(vm, "batch-customers", file.batch_customers, c.batch_customers);
  apply(vm, "validation-days", file.validation_days, c.validation_days);
  apply(vm, "seed", file.seed, c.seed);
  apply(vm, "threads", file.threads, c.threads);
  if (file.action_into_state) c.action_into_state = *file.action_into_state;
  if (vm["action-into-state"].as<bool>()) c.action_into_state = true;  // a switch: it can only turn it on
  if (file.tenure) c.tenure = *file.tenure;
  if (vm["no-tenure"].as<bool>()) c.tenure = false;
  if (file.attributes) c.attributes = *file.attributes;
  if (vm["no-attributes"].as<bool>()) c.attributes = false;
  auto memory = file.offer_memory.value_or(scenario::OfferMemory::automatic);
  if (vm.count("offer-memory")) {
    const auto value = vm["offer-memory"].as<std::string>();
    if (value == "on") memory = scenario::OfferMemory::on;
    else if (value == "off") memory = scenario::OfferMemory::off;
    else if (value == "auto") memory = scenario::OfferMemory::automatic;
    else return usage_error("train: --offer-memory '" + value + "': expected on, off or auto");
  }
  c.offer_memory = memory == scenario::OfferMemory::on;
  if (file.propensity_weights) c.propensity_weights = *file.propensity_weights;
  if (vm["propensity-weights"].as<bool>()) c.propensity_weights = true;
  const bool choose_memory = memory == scenario::OfferMemory::automatic;
  if (file.step_days) c.step_days = *file.step_days;
  if (given(vm, "step")) {
    const auto step = vm["step"].as<std::string>();
    if (step != "day" && step != "week") return usage_error("train: --step '" + step + "': expected day or week");
    c.step_days = step == "day" ? 1 : twins::kLcmWeekDays;
  }
  std::string store_path, out, calibration_text;
  apply(vm, "store", file.store, store_path);
  apply(vm, "out", file.out, out);
  apply(vm, "calibration-end", file.calibration_end, calibration_text);
  if (store_path.empty()) return usage_error("train: missing --store (or store: in the config file)");
  if (out.empty()) return usage_error("train: missing --out (or out: in the config file)");
  std::optional<std::int64_t> calibration_end;
  if (!calibration_text.empty()) {
    calibration_end = ingest::parse_date(calibration_text);
    if (!calibration_end)
      return usage_error("train: --calibration-end '" + calibration_text + "' is not a date YYYY-MM-DD");
  }
  std::optional<int> sample_size = file.customers;
  if (vm.count("customers")) sample_size = vm["customers"].as<int>();
  if (sample_size && *sample_size < 1) return usage_error("train: --customers must be at least 1");
  const bool quiet = vm.count("quiet") > 0;
  const bool terminal = isatty(fileno(stderr));
  try {
    const results::StoreReader store(store_path);
    twins::LcmReadOptions read;
    read.calibration_end_day = calibration_end ? core::day_of(*calibration_end) : -1;
    read.step_days = c.step_days;
    read.propensity_weights = c.propensity_weights;
    const auto customers = choose_lcm_customers(store, sample_size, c.seed, twins::lcm_bytes_per_customer_day(true, c.propensity_weights));
    if (customers.sampled()) read.customers = &customers.indices;
    const auto data = twins::read_lcm_sequences(store, read);
    if (c.step_days == 1)
      std::printf("%s: %zu customers, %d calibration days (%d for validation)\n", store_path.c_str(), data.size(),
                  data.calibration_days, c.validation_days);
    else
      std::printf("%s: %zu customers, %d calibration weeks to %s (%d for validation)\n", store_path.c_str(),
                  data.size(), data.calibration_days, ingest::format_day(data.calibration_end_day()).c_str(),
                  twins::lcm_window_steps(c.step_days, c.validation_days));
    std::printf("settings: hidden %d, epochs %d, patience %d, learning_rate %g, decay_after %d, "
                "batch_customers %d, seed %llu, threads %d, action_into_state %s, tenure %s, attributes %s, "
                "offer_memory %s, propensity_weights %s, step %s\n",
                c.hidden, c.epochs, c.patience, c.learning_rate, c.decay_after, c.batch_customers,
                static_cast<unsigned long long>(c.seed), c.threads, c.action_into_state ? "true" : "false",
                c.tenure ? "true" : "false", c.attributes ? "true" : "false",
                choose_memory ? "auto" : c.offer_memory ? "true" : "false", c.propensity_weights ? "true" : "false",
                c.step_days == 1 ? "day" : "week");
    if (c.attributes && !data.attributes.columns.empty()) {
      std::vector<std::string> skipped;
      std::string used;
      for (const auto& s : twins::lcm_choose_statics(data.attributes, &skipped))
        used += (used.empty() ? "" : ", ") + s.name +
                (s.levels.empty() ? " (number)" : " (" + std::to_string(s.levels.size()) + " levels)");
      std::printf("customer attributes read: %s\n", used.empty() ? "none" : used.c_str());
      for (const auto& s : skipped) std::printf("customer attribute not read: %s\n", s.c_str());
    }
    if (choose_memory)
      std::printf("offer memory auto: training without it and, when the log holds offers, with it, to keep the "
                  "better on the validation days (--offer-memory on or off trains once)\n");
    const auto start = std::chrono::steady_clock::now();
    const auto progress = [&](bool memory_run, const twins::LcmProgress& p) {
      if (quiet) return;
      const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      const char* run = !choose_memory ? "" : memory_run ? "with the offer memory: " : "without the offer memory: ";
      std::fprintf(stderr, terminal ? "\r\033[K%sepoch %d/%d  train loss %.5f  validation loss %.5f%s  %.0fs"
                                    : "%sepoch %d/%d  train loss %.5f  validation loss %.5f%s  %.0fs\n",
                   run, p.epoch, p.epochs, p.train_loss, p.validation_loss, p.improved ? " *" : "", s);
      if (terminal && p.improved) std::fprintf(stderr, "\n");
    };
    std::optional<twins::LcmOfferMemoryChoice> choice;
    twins::LcmArtifact artifact;
    if (choose_memory) {
      choice = twins::train_lcm_choosing_offer_memory(data, c, progress);
      artifact = std::move(choice->model);
    } else {
      artifact = twins::train_lcm(data, c, [&](const twins::LcmProgress& p) { progress(c.offer_memory, p); });
    }
    if (terminal && !quiet) std::fprintf(stderr, "\r\033[K");
    if (choice && !choice->log_has_offers)
      std::printf("offer memory: off, the log holds no offer of a known size\n");
    else if (choice)
      std::printf("offer memory: %s, best validation loss %.6f with it against %.6f without (%+.2f%%; kept "
                  "when at least %.1f%% lower)\n",
                  artifact.config.offer_memory ? "on" : "off", choice->loss_with, choice->loss_without,
                  100.0 * (choice->loss_with / choice->loss_without - 1), 100.0 * twins::kLcmOfferMemoryMinGain);
    twins::save_lcm(artifact, out);
    std::printf("%s", artifact.metrics.c_str());
    std::printf("model written to %s\n", out.c_str());
  } catch (const std::exception& e) {
    std::cerr << "mirror: train failed: " << e.what() << "\n";
    return kBadInput;
  }
  return kOk;
}

}  // namespace mirror::cli
