// `mirror run` and `mirror check`: the commands that take a scenario file.
#include <chrono>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "command.hpp"
#include "mirror/core/sha256.hpp"
#include "mirror/engine/engine.hpp"
#include "mirror/engine/true_value.hpp"
#include "mirror/results/results_file.hpp"
#include "mirror/scenario/load_scenario.hpp"
#include "mirror/twins/btyd_world.hpp"
#include "mirror/twins/lcm_world.hpp"
#include "progress_display.hpp"
#include "summary_table.hpp"

namespace mirror::cli {

namespace po = boost::program_options;

namespace {

// What check and run show of a store population, from the model's own (loaded once per
// process and shared with the run).
struct StoreTwins {
  std::size_t size = 0;
  std::vector<std::uint8_t> consent;  // twins::store_consent
  std::string consent_sources;
};
StoreTwins store_twins(const core::ScenarioSpec& spec) {
  if (spec.model.kind == core::ModelSpec::Kind::lcm) {
    const auto p = twins::load_lcm_population(spec.population.path, spec.model.path);
    return {p->size(), p->consent, p->consent_sources};
  }
  const auto p = twins::load_btyd_population(spec.population.path, spec.model.btyd_variant, spec.population.segment);
  return {p->size(), p->consent, p->consent_sources};
}

// Loads and validates; prints every error. Returns the spec or nothing.
std::optional<mirror::core::ScenarioSpec> load(const std::string& path) {
  auto loaded = mirror::scenario::load_scenario_file(path);
  for (const auto& e : loaded.errors) std::cerr << e.to_string() << "\n";
  if (!loaded.ok() && !loaded.errors.empty())
    std::cerr << loaded.errors.size() << (loaded.errors.size() == 1 ? " error" : " errors")
              << " in " << path << "; nothing was run\n";
  if (loaded.spec && loaded.spec->population.source == core::PopulationSpec::Source::store) {
    // A store population's size is its number of customers the model can start.
    auto& spec = *loaded.spec;
    try {
      spec.population.size = static_cast<std::uint32_t>(store_twins(spec).size);
    } catch (const std::exception& e) {
      std::cerr << path << ": population.path: " << e.what() << "; nothing was run\n";
      return std::nullopt;
    }
  }
  return std::move(loaded.spec);
}

// For LCM twins, the model category each message promotes, since a name that follows no
// category silently makes a generic contact: "apparel_new -> apparel, newsletter -> generic".
std::string lcm_message_line(const core::ScenarioSpec& spec) {
  if (spec.model.kind != core::ModelSpec::Kind::lcm || spec.world.categories.empty()) return "";
  const auto population = twins::load_lcm_population(spec.population.path, spec.model.path);
  std::vector<int> mapped;
  try {
    mapped = twins::lcm_message_categories(population->categories, spec.world.categories);
  } catch (const std::invalid_argument& e) {  // the loader checked store_category: not expected
    return std::string("LCM messages: ") + e.what() + "\n";
  }
  std::string line = "LCM messages:";
  for (std::size_t m = 0; m < mapped.size(); ++m)
    line += (m ? ", " : " ") + spec.world.categories[m].name + " -> " +
            (mapped[m] >= 0 ? population->categories[mapped[m]] : std::string("generic"));
  return line + "\n";
}

// For store twins, how many start with consent to each channel and from what: "store consent
// at the start (email_optin; 12 unsubscribes): email 2,357; sms 1,180; push 1,402 (of 2,357 twins)".
std::string consent_line(const core::ScenarioSpec& spec) {
  if (spec.population.source != core::PopulationSpec::Source::store) return "";
  const auto [size, consent, sources] = store_twins(spec);
  if (sources.empty())
    return "store consent at the start: every channel for every twin (the store has no opt-in attributes and no "
           "unsubscribes)\n";
  std::string line = "store consent at the start (" + sources + "):";
  for (core::Channel c : core::kAllChannels) {
    std::int64_t n = 0;
    for (std::uint8_t mask : consent) n += (mask >> core::index_of(c)) & 1u;
    line += std::string(c == core::Channel::email ? " " : "; ") + std::string(core::channel_name(c)) + " " + with_commas(n);
  }
  return line + " (of " + with_commas(static_cast<std::int64_t>(size)) + " twins)\n";
}

// run and check take one SCENARIO file.
int parse_scenario_command(const std::string& command, const Args& args,
                           po::options_description& options, po::variables_map& vm) {
  options.add_options()("scenario", po::value<std::string>(), "scenario YAML file");
  po::positional_options_description positional;
  positional.add("scenario", 1);
  if (int rc = parse_options(command, "SCENARIO [options]", args, options, positional, vm);
      rc >= 0)
    return rc;
  if (!vm.count("scenario")) return usage_error(command + ": missing SCENARIO file");
  return -1;
}

}  // namespace

int check_command(const Args& args) {
  po::options_description options("check options");
  options.add_options()("help,h", "show this help");
  po::variables_map vm;
  if (int rc = parse_scenario_command("check", args, options, vm); rc >= 0) return rc;
  const auto path = vm["scenario"].as<std::string>();
  auto spec = load(path);
  if (!spec) return kBadInput;
  std::cout << path << ": ok (" << spec->experiment.arms.size() << " arms, "
            << spec->population.size << " customers, " << spec->horizon_days << " days)\n"
            << lcm_message_line(*spec) << consent_line(*spec);
  return kOk;
}

int run_command(const Args& args) {
  po::options_description options("run options");
  options.add_options()("help,h", "show this help")(
      "threads", po::value<int>()->default_value(0), "scheduler threads (0 = all cores)")(
      "shards", po::value<int>()->default_value(0),
      "shards of twins (0 = automatic); results do not depend on it")(
      "out", po::value<std::string>(), "results file (default: outputs.results of the scenario)")(
      "seed", po::value<std::uint64_t>(), "replace the scenario's seed (e.g. to repeat a run)")(
      "decisions", po::value<std::string>(),
      "also write the decision log as canonical decisions CSV (default: outputs.decisions)")(
      "replications", po::value<int>()->default_value(0),
      "also estimate each arm's true value by R more runs with independent seeds (R >= 2)")(
      "quiet,q", "print no progress and no table");
  po::variables_map vm;
  if (int rc = parse_scenario_command("run", args, options, vm); rc >= 0) return rc;
  const int threads = vm["threads"].as<int>();
  const int shards = vm["shards"].as<int>();
  if (threads < 0 || threads > 1024) return usage_error("run: --threads must be in [0, 1024]");
  if (shards < 0 || shards > 1000000) return usage_error("run: --shards must be in [0, 1000000]");
  const bool quiet = vm.count("quiet") > 0;
  const int replications = vm["replications"].as<int>();
  if (replications != 0 && (replications < 2 || replications > 100000))
    return usage_error("run: --replications must be 0 or in [2, 100000]");

  const auto path = vm["scenario"].as<std::string>();
  auto spec = load(path);
  if (!spec) return kBadInput;
  if (!quiet) std::cout << lcm_message_line(*spec) << consent_line(*spec);
  if (vm.count("seed")) spec->seed = vm["seed"].as<std::uint64_t>();
  const std::string out_path =
      vm.count("out") ? vm["out"].as<std::string>() : spec->outputs.results;
  const std::string decisions_path =
      vm.count("decisions") ? vm["decisions"].as<std::string>() : spec->outputs.decisions_csv;

  // Fail before the run, not after it, when the output cannot be written.
  std::error_code ec;
  const auto parent = std::filesystem::path(out_path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  if (ec || std::filesystem::is_directory(out_path)) {
    std::cerr << "mirror: cannot write results to '" << out_path << "'"
              << (ec ? ": " + ec.message() : ": it is a directory") << "\n";
    return kBadInput;
  }

  mirror::engine::RunOptions run_options;
  run_options.threads = threads;
  run_options.shards = shards;
  ProgressDisplay display(stderr);
  if (!quiet) run_options.on_progress = [&](const auto& p) { display.update(p); };

  try {
    const auto start = std::chrono::steady_clock::now();
    auto results = mirror::engine::run_scenario(*spec, run_options);
    display.finish();
    if (replications > 0) {
      results.true_value = mirror::engine::estimate_true_value(
          *spec, replications, run_options, results, [&](int r) {
            if (!quiet) std::fprintf(stderr, "\rtrue value: replication %d of %d", r + 1, replications);
          });
      if (!quiet) std::fprintf(stderr, "\n");
    }
    results.meta.scenario_text = spec->source_text;
    results.meta.scenario_sha256 = mirror::core::sha256_hex(spec->source_text);
    results.meta.wall_time_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    mirror::results::write_results_file(results, out_path);
    if (!decisions_path.empty()) {
      mirror::results::DecisionNames names;
      for (const auto& o : spec->offers) names.offers.push_back(o.name);
      for (const auto& c : spec->world.categories) names.messages.push_back(c.name);
      mirror::results::write_decisions_csv(results, names, decisions_path);
    }
    for (const auto& arm : results.arms)
      if (arm.decisions_truncated)
        std::cerr << "note: the decision log of arm '" << arm.name << "' covers days 0-"
                  << arm.decisions_days_logged - 1 << " only (outputs.decisions_max_rows is "
                  << spec->outputs.decisions_max_rows << " rows an arm)\n";
    if (!quiet) {
      std::vector<mirror::core::Metric> metrics = spec->metrics;
      std::cout << format_summary_table(results, metrics);
      std::printf("\n%.1f s on %d threads, %d shards; results written to %s\n",
                  results.meta.wall_time_s, results.meta.threads, results.meta.shards,
                  out_path.c_str());
    }
  } catch (const std::exception& e) {
    display.finish();
    std::cerr << "mirror: run failed: " << e.what() << "\n";
    return kRunFailed;
  }
  return kOk;
}

}  // namespace mirror::cli
