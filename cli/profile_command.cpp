// `mirror profile`: per-customer profiles and BTYD scores from a store.
#include <cmath>
#include <cstdio>
#include <iostream>

#include "command.hpp"
#include "mirror/ingest/ingest.hpp"
#include "mirror/ingest/profile.hpp"
#include "mirror/results/results_file.hpp"
#include "mirror/twins/btyd_scores.hpp"

namespace mirror::cli {

namespace po = boost::program_options;

namespace {

const char* converged(bool ok) { return ok ? "converged" : "NOT CONVERGED"; }

void print_fit(const twins::BtydScoreReport& r) {
  if (r.model == "bg_nbd") {
    const auto& f = r.bg_nbd;
    std::printf("BG/NBD on %zu customers: r=%.4f alpha=%.4f a=%.4f b=%.4f  LL=%.2f (%s)\n",
                r.customers_fitted, f.params.r, f.params.alpha, f.params.a, f.params.b,
                f.log_likelihood, converged(f.converged));
  } else {
    const auto& f = r.pareto_nbd;
    std::printf("Pareto/NBD on %zu customers: r=%.4f alpha=%.4f s=%.4f beta=%.4f  LL=%.2f (%s)\n",
                r.customers_fitted, f.params.r, f.params.alpha, f.params.s, f.params.beta,
                f.log_likelihood, converged(f.converged));
  }
  if (r.has_spend) {
    const auto& g = r.gamma_gamma;
    std::printf("Gamma-Gamma on %zu repeat customers: p=%.4f q=%.4f gamma=%.4f  LL=%.2f (%s)\n",
                r.spend_customers, g.params.p, g.params.q, g.params.gamma, g.log_likelihood,
                converged(g.converged));
  } else {
    std::printf("Gamma-Gamma: not fitted, no repeat purchase has an amount (spend and CLV left empty)\n");
  }
}

}  // namespace

int profile_command(const Args& args) {
  po::options_description options("profile options");
  options.add_options()("help,h", "show this help")(
      "store", po::value<std::string>(), "the store written by `mirror ingest`")(
      "out", po::value<std::string>(), "also write the profiles as CSV to this file")(
      "calibration-end", po::value<std::string>(),
      "YYYY-MM-DD (default: the store's, else its last event day)")(
      "model", po::value<std::string>()->default_value("bg_nbd"), "bg_nbd or pareto_nbd")(
      "horizon-days", po::value<double>()->default_value(365), "horizon of expected purchases and CLV")(
      "discount-rate", po::value<double>()->default_value(0.10), "annual discount rate of CLV");
  po::positional_options_description positional;
  positional.add("store", 1);
  po::variables_map vm;
  if (int rc = parse_options("profile", "STORE [--out profiles.csv] [options]", args, options,
                             positional, vm);
      rc >= 0)
    return rc;
  if (!vm.count("store")) return usage_error("profile: missing STORE");
  const auto path = vm["store"].as<std::string>();
  ingest::ProfileOptions profile_options;
  if (int rc = read_calibration_end("profile", vm, profile_options.calibration_end); rc >= 0) return rc;
  twins::BtydScoreOptions score_options;
  score_options.model = vm["model"].as<std::string>();
  score_options.horizon_days = vm["horizon-days"].as<double>();
  score_options.annual_discount_rate = vm["discount-rate"].as<double>();
  if (!(score_options.horizon_days > 0 && score_options.horizon_days <= 36500))
    return usage_error("profile: --horizon-days must be in (0, 36500]");
  if (!(score_options.annual_discount_rate >= 0 && score_options.annual_discount_rate < 10))
    return usage_error("profile: --discount-rate must be in [0, 10)");
  try {
    const results::StoreReader store(path);
    auto profiles = ingest::build_profiles(store, profile_options);
    score_options.holdout_days = profiles.last_day - profiles.calibration_end_day;
    std::printf("%s: %zu customers; calibration %s..%s", path.c_str(), profiles.table.rows(),
                ingest::format_day(profiles.first_day).c_str(),
                ingest::format_day(profiles.calibration_end_day).c_str());
    if (score_options.holdout_days > 0)
      std::printf(", holdout to %s (%.0f days)", ingest::format_day(profiles.last_day).c_str(),
                  score_options.holdout_days);
    std::printf("\n");
    const auto report = twins::add_btyd_scores(profiles.table, score_options);
    print_fit(report);
    if (score_options.holdout_days > 0)
      std::printf("holdout repeat purchases of the fitted customers: actual %.0f, model %.1f (%+.1f%%)\n",
                  report.holdout_actual, report.holdout_expected,
                  100.0 * (report.holdout_expected - report.holdout_actual) /
                      std::max(1.0, report.holdout_actual));
    results::write_store_table(path, "/profiles", profiles.table, profiles.sequences);
    std::printf("profiles written to %s:/profiles", path.c_str());
    if (vm.count("out")) {
      results::write_table_csv(profiles.table, vm["out"].as<std::string>());
      std::printf(" and %s", vm["out"].as<std::string>().c_str());
    }
    std::printf("\n");
  } catch (const results::ResultsFileError& e) {
    std::cerr << "mirror: profile failed: " << e.what() << "\n";
    return kBadInput;
  } catch (const ingest::IngestError& e) {
    std::cerr << "mirror: profile failed: " << e.what() << "\n";
    return kBadInput;
  } catch (const std::invalid_argument& e) {
    std::cerr << "mirror: profile failed: " << e.what() << "\n";
    return kBadInput;
  }
  return kOk;
}

}  // namespace mirror::cli
