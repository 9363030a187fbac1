// `mirror fidelity`: the mirror world and OPE against a generated world's truth
// (docs/fidelity.md).
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <sstream>

#include "command.hpp"
#include "mirror/fidelity/fidelity.hpp"

namespace mirror::cli {

namespace po = boost::program_options;

namespace {

void print_report(const fidelity::FidelityReport& r, const std::string& out_dir) {
  std::printf("\n%zu customers with a history; %zu logged decisions with a whole %d-day window; value = %s "
              "per customer over %d days\n\n",
              r.customers, r.logged_rounds, r.horizon_days,
              r.metric == fidelity::Metric::kPurchases ? "purchase days" : "revenue", r.horizon_days);
  std::printf("%-34s %10s %10s", "policy", "truth", "mirror");
  for (std::size_t k = 1; k < r.methods.size(); ++k) std::printf(" %11s", r.methods[k].c_str());
  std::printf("\n");
  for (const auto& row : r.rows) {
    std::printf("%-34s %10.4f %10.4f", row.name.c_str(), row.truth, row.mirror);
    for (const auto& e : row.ope) std::printf(" %11.4f", e.estimate);
    std::printf("\n");
  }
  std::printf("\n%-34s %10s %10s %10s\n", "method against the truth", "rank corr", "mean |err|", "pick regret");
  for (std::size_t k = 0; k < r.methods.size(); ++k)
    std::printf("%-34s %10.3f %9.1f%% %10.4f\n", r.methods[k].c_str(), r.rank_correlation[k],
                100 * r.mean_abs_rel_error[k], r.pick_regret[k]);
  std::printf("\nrank corr: Spearman over the %zu policies; mean |err|: mean relative error of the values; "
              "pick regret: truth of the best policy minus truth of the one the method ranks first\n",
              r.rows.size());
  for (const auto& w : r.warnings) std::printf("warning: %s\n", w.c_str());
  std::printf("written to %s: store.h5 model.lcm fidelity.h5 (%.0f s)\n", out_dir.c_str(), r.seconds);
}

}  // namespace

int fidelity_command(const Args& args) {
  po::options_description options("fidelity options");
  fidelity::FidelityOptions o;
  options.add_options()("help,h", "show this help")(
      "world", po::value<std::string>(), "a preset (retail, crm_fatigue, subscription_churn) or a world file")(
      "logs", po::value<std::string>(), "instead of --world: a directory written by `mirror generate`")(
      "customers", po::value<std::uint64_t>(&o.customers)->default_value(o.customers), "customers to generate")(
      "days", po::value<int>(&o.days)->default_value(o.days), "days of logs to generate")(
      "seed", po::value<std::uint64_t>(&o.seed)->default_value(o.seed), "seed of the world, training and rollouts")(
      "policies", po::value<std::string>(),
      "comma-separated candidates: none, random, ACTION, mirror_best, oracle_best, rule:SEG=ACTION+... "
      "(default: none, random, every action, mirror_best, oracle_best)")(
      "metric", po::value<std::string>()->default_value("revenue"), "revenue or purchases")(
      "model", po::value<std::string>(&o.model), "an LCM already trained on these logs (skips training)")(
      "ope-days", po::value<int>(&o.ope_days)->default_value(0),
      "OPE on the decisions of the logs' last N days only (0 = all with a whole reward window)")(
      "epochs", po::value<int>(&o.epochs)->default_value(o.epochs), "LCM training epochs (most)")(
      "hidden", po::value<int>(&o.hidden)->default_value(o.hidden), "LCM hidden size")(
      "rollouts", po::value<int>(&o.rollouts)->default_value(o.rollouts), "mirror-world futures per customer")(
      "estimators", po::value<std::string>()->default_value("dm,ips,snips,dr,switch-dr"), "OPE estimators, or all")(
      "bootstrap", po::value<int>(&o.ope.bootstrap)->default_value(100), "OPE bootstrap resamples (0 = none)")(
      "threads", po::value<int>(&o.threads)->default_value(2), "threads (results do not depend on it)")(
      "out", po::value<std::string>(), "output directory (must not exist, or be empty)")(
      "quiet,q", "print no progress");
  po::variables_map vm;
  po::positional_options_description positional;
  if (int rc = parse_options("fidelity", "--world W|--logs DIR --out DIR [options]", args, options, positional, vm);
      rc >= 0)
    return rc;
  if (!vm.count("out")) return usage_error("fidelity: missing --out");
  if (vm.count("world") == vm.count("logs")) return usage_error("fidelity: give either --world or --logs");
  if (vm.count("world")) o.world = vm["world"].as<std::string>();
  if (vm.count("logs")) o.logs = vm["logs"].as<std::string>();
  o.out_dir = vm["out"].as<std::string>();
  const auto metric = vm["metric"].as<std::string>();
  if (metric != "revenue" && metric != "purchases")
    return usage_error("fidelity: --metric must be revenue or purchases, not '" + metric + "'");
  o.metric = metric == "revenue" ? fidelity::Metric::kRevenue : fidelity::Metric::kPurchases;
  std::string bad;
  const auto estimators = policies::parse_estimator_list(vm["estimators"].as<std::string>(), bad);
  if (!estimators) return usage_error("fidelity: unknown estimator '" + bad + "' in --estimators");
  o.ope.estimators = *estimators;
  if (o.customers < 1 || o.days < 2) return usage_error("fidelity: --customers must be >= 1 and --days >= 2");
  if (o.epochs < 1 || o.hidden < 1 || o.rollouts < 1 || o.threads < 1 || o.ope.bootstrap < 0)
    return usage_error("fidelity: --epochs, --hidden, --rollouts and --threads must be at least 1");
  if (vm.count("policies")) {
    std::stringstream in(vm["policies"].as<std::string>());
    for (std::string p; std::getline(in, p, ',');)
      if (!p.empty()) o.policies.push_back(p);
  }
  const bool quiet = vm.count("quiet") > 0;
  const auto start = std::chrono::steady_clock::now();
  const auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
  o.on_stage = [&](const std::string& stage) {
    if (!quiet) std::fprintf(stderr, "fidelity: %-8s (%.0f s)\n", stage.c_str(), elapsed());
  };
  o.on_training = [&](const std::string& line) {
    if (!quiet) std::fprintf(stderr, "  %s  %.0f s\n", line.c_str(), elapsed());
  };
  try {
    const auto report = fidelity::run_fidelity(o);
    print_report(report, o.out_dir);
  } catch (const std::invalid_argument& e) {
    std::cerr << "mirror: fidelity: " << e.what() << "; nothing was written\n";
    return kBadInput;
  } catch (const std::exception& e) {
    std::cerr << "mirror: fidelity failed: " << e.what() << "; nothing was written\n";
    return kRunFailed;
  }
  return kOk;
}

}  // namespace mirror::cli
