// `mirror train`: fits the LCM to a store's calibration period.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>

#include "command.hpp"
#include "mirror/twins/lcm.hpp"

namespace mirror::cli {

namespace po = boost::program_options;

int train_command(const Args& args) {
  po::options_description options("train options");
  twins::LcmConfig c;
  options.add_options()("help,h", "show this help")(
      "store", po::value<std::string>(), "the store written by `mirror ingest`")(
      "out", po::value<std::string>(), "the model file to write")(
      "hidden", po::value<int>(&c.hidden)->default_value(c.hidden), "GRU hidden size")(
      "epochs", po::value<int>(&c.epochs)->default_value(c.epochs), "most epochs")(
      "patience", po::value<int>(&c.patience)->default_value(c.patience),
      "stop after this many epochs without a better validation loss")(
      "learning-rate", po::value<double>(&c.learning_rate)->default_value(c.learning_rate), "Adam step size")(
      "batch-customers", po::value<int>(&c.batch_customers)->default_value(c.batch_customers),
      "customers per gradient step")(
      "validation-days", po::value<int>(&c.validation_days)->default_value(c.validation_days),
      "last days of the calibration period used for early stopping")(
      "seed", po::value<std::uint64_t>(&c.seed)->default_value(c.seed), "random seed")(
      "threads", po::value<int>(&c.threads)->default_value(1),
      "LibTorch threads (1 = reproducible bit for bit; 0 = all cores)")(
      "calibration-end", po::value<std::string>(), "YYYY-MM-DD (default: the store's)")(
      "quiet,q", "print no progress");
  po::positional_options_description positional;
  po::variables_map vm;
  if (int rc = parse_options("train", "--store STORE --out MODEL [options]", args, options,
                             positional, vm);
      rc >= 0)
    return rc;
  for (const char* required : {"store", "out"})
    if (!vm.count(required)) return usage_error(std::string("train: missing --") + required);
  std::optional<std::int64_t> calibration_end;
  if (int rc = read_calibration_end("train", vm, calibration_end); rc >= 0) return rc;
  const auto store_path = vm["store"].as<std::string>();
  const auto out = vm["out"].as<std::string>();
  const bool quiet = vm.count("quiet") > 0;
  const bool terminal = isatty(fileno(stderr));
  try {
    const results::StoreReader store(store_path);
    const auto data = twins::read_lcm_sequences(
        store, calibration_end ? core::day_of(*calibration_end) : -1);
    std::printf("%s: %zu customers, %d calibration days (%d for validation)\n", store_path.c_str(),
                data.size(), data.calibration_days, c.validation_days);
    const auto start = std::chrono::steady_clock::now();
    const auto artifact = twins::train_lcm(data, c, [&](const twins::LcmProgress& p) {
      if (quiet) return;
      const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      std::fprintf(stderr, terminal ? "\r\033[Kepoch %d/%d  train loss %.5f  validation loss %.5f%s  %.0fs"
                                    : "epoch %d/%d  train loss %.5f  validation loss %.5f%s  %.0fs\n",
                   p.epoch, p.epochs, p.train_loss, p.validation_loss, p.improved ? " *" : "", s);
      if (terminal && p.improved) std::fprintf(stderr, "\n");
    });
    if (terminal && !quiet) std::fprintf(stderr, "\r\033[K");
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
