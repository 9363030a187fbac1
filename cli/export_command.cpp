// `mirror export`: the next-best-action table of a run's arm, and the policy artifact that
// `mirror ope --policy` evaluates (docs/export.md).
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <string>

#include "command.hpp"
#include "mirror/policies/policy_export.hpp"
#include "mirror/results/results_file.hpp"
#include "mirror/scenario/load_scenario.hpp"
#include "mirror/scenario/policy_artifact_file.hpp"

namespace mirror::cli {

namespace po = boost::program_options;
namespace pol = mirror::policies;

namespace {

// Largest shares first; at most `shown` of them.
void print_row(const pol::NextBestActionTable& t, const pol::NextBestActionRow& row, std::size_t shown) {
  std::vector<std::size_t> order;
  for (std::size_t k = 0; k < t.labels.size(); ++k)
    if (row.counts[k] > 0) order.push_back(k);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return row.counts[a] > row.counts[b]; });
  std::string best = "-";
  for (const auto k : order)
    if (k != 0) {
      best = t.labels[k];
      break;
    }
  std::printf("%-16s %9lld %13lld  %-28s ", row.group.c_str(), static_cast<long long>(row.customers),
              static_cast<long long>(row.opportunities), best.c_str());
  for (std::size_t j = 0; j < order.size() && j < shown; ++j)
    std::printf("%s%s %.4g%%", j ? ", " : "", t.labels[order[j]].c_str(),
                row.opportunities > 0 ? 100.0 * row.counts[order[j]] / row.opportunities : 0.0);
  if (order.size() > shown) std::printf(", ... (%zu more)", order.size() - shown);
  std::printf("\n");
}

}  // namespace

int export_command(const Args& args) {
  po::options_description options("export options");
  options.add_options()("help,h", "show this help")("results", po::value<std::string>(),
                                                    "results file of mirror run")(
      "scenario", po::value<std::string>(),
      "instead of --results: the policy of a scenario's arm, as mirror ope --policy "
      "SCENARIO#ARM evaluates it (printed, or written with --out)")(
      "arm", po::value<std::string>(), "the arm whose policy to export")(
      "by", po::value<std::string>()->default_value("segment"),
      "segment (one distribution per segment) or none (one for everyone)")(
      "count", po::value<std::string>()->default_value("delivered"),
      "delivered (what customers received) or proposed (what the policy chose, before the "
      "constraints)")("out", po::value<std::string>(), "write the policy artifact (YAML) here");
  po::variables_map vm;
  po::positional_options_description positional;
  if (int rc = parse_options("export", "--results R.h5 --arm ARM [--by segment|none] [--out policy.yaml]",
                             args, options, positional, vm);
      rc >= 0)
    return rc;
  if (vm.count("scenario")) {
    if (vm.count("results")) return usage_error("export: --results or --scenario, not both");
    const auto loaded = scenario::policy_artifact_from_scenario(
        vm["scenario"].as<std::string>(), vm.count("arm") ? vm["arm"].as<std::string>() : "");
    if (!loaded.ok()) {
      for (const auto& e : loaded.errors) std::cerr << e.to_string() << "\n";
      return kBadInput;
    }
    const auto text = pol::policy_artifact_yaml(*loaded.artifact);
    if (!vm.count("out")) {
      std::cout << text;
      return kOk;
    }
    try {
      pol::write_policy_artifact(*loaded.artifact, vm["out"].as<std::string>());
    } catch (const std::exception& e) {
      std::cerr << "mirror: export failed: " << e.what() << "\n";
      return kRunFailed;
    }
    std::printf("policy artifact written to %s\n", vm["out"].as<std::string>().c_str());
    return kOk;
  }
  for (const char* required : {"results", "arm"})
    if (!vm.count(required)) return usage_error(std::string("export: missing --") + required);
  const auto by = vm["by"].as<std::string>();
  if (by != "segment" && by != "none")
    return usage_error("export: --by must be segment or none, not '" + by + "'");
  const auto count = vm["count"].as<std::string>();
  if (count != "delivered" && count != "proposed")
    return usage_error("export: --count must be delivered or proposed, not '" + count + "'");

  pol::ExportOptions o;
  o.results = vm["results"].as<std::string>();
  o.arm = vm["arm"].as<std::string>();
  o.by_segment = by == "segment";
  o.proposed = count == "proposed";
  try {
    // Offer and message names, and whether segments are observable, come from the scenario
    // stored in the results (relative paths resolve as they did for the run).
    const auto text = results::read_string_attribute(o.results, "/meta", "scenario_text");
    const auto scenario_path = results::read_string_attribute(o.results, "/meta", "scenario_path");
    const auto loaded = scenario::load_scenario_text(text, scenario_path);
    if (!loaded.ok()) {
      std::cerr << "mirror: export: the scenario stored in " << o.results
                << " does not load any more, so its offer and message names are unknown:\n";
      for (const auto& e : loaded.errors) std::cerr << e.to_string() << "\n";
      return kBadInput;
    }
    for (const auto& offer : loaded.spec->offers) o.offers.push_back(offer.name);
    for (const auto& c : loaded.spec->world.categories) o.messages.push_back(c.name);
    // Only the ground-truth world gives customers a segment label (as for the rules policy).
    o.segments_observable = loaded.spec->model.kind == core::ModelSpec::Kind::ground_truth;

    const auto t = pol::export_next_best_actions(o);
    std::printf("arm %s (policy %s): %d logged days, decision opportunity = one customer on one "
                "day, counting %s decisions%s\n\n",
                t.arm.c_str(), t.policy.c_str(), t.days, o.proposed ? "proposed" : "delivered",
                t.truncated ? " (the run's decision log was truncated)" : "");
    std::printf("%-16s %9s %13s  %-28s %s\n", o.by_segment ? "segment" : "group", "customers",
                "opportunities", "next best action", "shares of opportunities");
    for (const auto& row : t.rows) print_row(t, row, 6);
    if (t.extra_records > 0)
      std::printf("\nnote: %lld records were a customer's second decision of a day; only the "
                  "first counts\n",
                  static_cast<long long>(t.extra_records));
    if (vm.count("out")) {
      pol::write_policy_artifact(t.artifact, vm["out"].as<std::string>());
      std::printf("\npolicy artifact written to %s\n", vm["out"].as<std::string>().c_str());
    }
  } catch (const results::ResultsFileError& e) {
    std::cerr << "mirror: export: " << e.what() << "\n";
    return kBadInput;
  } catch (const std::invalid_argument& e) {
    std::cerr << "mirror: export: " << e.what() << "\n";
    return kBadInput;
  } catch (const std::exception& e) {
    std::cerr << "mirror: export failed: " << e.what() << "\n";
    return kRunFailed;
  }
  return kOk;
}

}  // namespace mirror::cli
