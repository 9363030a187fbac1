// `mirror ope`: estimates a target policy's value from a logged decisions file.
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <optional>
#include <sstream>
#include <string>

#include "command.hpp"
#include "mirror/policies/bandit_log.hpp"
#include "mirror/policies/ope.hpp"
#include "mirror/policies/policy_artifact.hpp"
#include "mirror/scenario/policy_artifact_file.hpp"

namespace mirror::cli {

namespace po = boost::program_options;
namespace pol = mirror::policies;

namespace {

constexpr const char* kBtsPrefix = "obd-bts:";
constexpr const char* kBtsMeanPrefix = "obd-bts-mean:";

bool starts_with(const std::string& text, const std::string& prefix) {
  return text.rfind(prefix, 0) == 0;
}

bool ends_with(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string file_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw pol::BanditLogError(path + ": cannot read the policy");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// A policy artifact (format mirror-policy-1) or a scenario's arm, as an artifact. Prints the
// located errors and returns nothing when either does not load.
std::optional<pol::PolicyArtifact> yaml_policy(const std::string& path, const std::string& arm) {
  const bool artifact = scenario::looks_like_policy_artifact(file_text(path));
  if (artifact && !arm.empty())
    throw std::invalid_argument(path + " is a policy artifact: it has no arms (drop --arm)");
  const auto loaded = artifact ? scenario::load_policy_artifact_file(path)
                               : scenario::policy_artifact_from_scenario(path, arm);
  if (loaded.ok()) return loaded.artifact;
  for (const auto& e : loaded.errors) std::cerr << e.to_string() << "\n";
  return std::nullopt;
}

std::string json_number(double v) {
  if (!std::isfinite(v)) return "null";
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.10g", v);
  return buffer;
}

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) {
      char buffer[8];
      std::snprintf(buffer, sizeof buffer, "\\u%04x", c);
      out += buffer;
      continue;
    }
    out += c;
  }
  return out + "\"";
}

std::string model_name(pol::RewardModelKind kind) {
  return kind == pol::RewardModelKind::kRidge ? "ridge" : "logistic";
}

void print_json(const pol::OpeReport& r, const pol::OpeOptions& o,
                const std::optional<pol::ObdBtsSummary>& bts) {
  std::ostringstream out;
  out << "{\n  \"rounds\": " << r.rounds << ",\n  \"actions\": " << r.actions
      << ",\n  \"logged_mean_reward\": " << json_number(r.logged_mean_reward)
      << ",\n  \"min_propensity\": " << json_number(r.min_propensity)
      << ",\n  \"max_propensity\": " << json_number(r.max_propensity)
      << ",\n  \"reward_model\": " << json_string(model_name(r.reward_model))
      << ",\n  \"bootstrap\": " << o.bootstrap << ",\n  \"seed\": " << o.seed
      << ",\n  \"confidence\": " << json_number(o.confidence);
  if (bts) out << ",\n  \"on_policy_mean_reward\": " << json_number(bts->on_policy_mean_reward);
  out << ",\n  \"estimates\": [";
  for (std::size_t k = 0; k < r.estimates.size(); ++k) {
    const auto& e = r.estimates[k];
    out << (k ? "," : "")
        << "\n    {\"estimator\": " << json_string(std::string(pol::estimator_name(e.estimator)))
        << ", \"estimate\": " << json_number(e.estimate)
        << ", \"ci_low\": " << json_number(e.ci_low) << ", \"ci_high\": " << json_number(e.ci_high)
        << ", \"std_error\": " << json_number(e.std_error)
        << ", \"ess\": " << json_number(e.weights.effective_sample_size)
        << ", \"max_weight\": " << json_number(e.weights.max_weight)
        << ", \"mean_weight\": " << json_number(e.weights.mean_weight)
        << ", \"share_clipped\": " << json_number(e.weights.share_clipped);
    if (bts)
      out << ", \"relative_error\": "
          << json_number(std::abs(e.estimate - bts->on_policy_mean_reward) /
                         bts->on_policy_mean_reward);
    out << "}";
  }
  out << "\n  ],\n  \"unsupported_actions\": [";
  for (std::size_t k = 0; k < r.support.unsupported_actions.size(); ++k)
    out << (k ? ", " : "") << json_string(r.support.unsupported_actions[k]);
  out << "],\n  \"unsupported_target_mass\": " << json_number(r.support.unsupported_target_mass)
      << ",\n  \"warnings\": [";
  for (std::size_t k = 0; k < r.warnings.size(); ++k)
    out << (k ? ", " : "") << json_string(r.warnings[k]);
  out << "]\n}\n";
  std::cout << out.str();
}

void print_table(const pol::OpeReport& r, const pol::OpeOptions& o,
                 const std::optional<pol::ObdBtsSummary>& bts) {
  std::printf("%zu rounds, %d actions; logging propensity %.4g..%.4g; logged mean reward %.6g\n",
              r.rounds, r.actions, r.min_propensity, r.max_propensity, r.logged_mean_reward);
  if (r.reward_model_fitted)
    std::printf(
        "reward model: %s, %s, fitted once on the whole log: intervals leave out its "
        "own variance (DM's most of all)\n",
        model_name(r.reward_model).c_str(),
        o.reward_model.interactions ? "context x action" : "additive");
  std::printf("%d bootstrap resamples, seed %llu; clip %g, switch tau %g, DRos lambda %g\n",
              o.bootstrap, static_cast<unsigned long long>(o.seed), o.clip, o.switch_tau,
              o.dros_lambda);
  if (bts)
    std::printf("truth: the bts log's on-policy mean reward %.6g (%zu rounds)\n",
                bts->on_policy_mean_reward, bts->rounds);
  const int level = static_cast<int>(std::lround(o.confidence * 100));
  std::printf("\n%-12s %10s  %-24s %9s %9s %9s %8s", "estimator", "estimate",
              (std::to_string(level) + "% CI").c_str(), "std.err", "ESS", "max w", "cut");
  if (bts) std::printf(" %8s", "rel.err");
  std::printf("\n");
  for (const auto& e : r.estimates) {
    char ci[64];
    std::snprintf(ci, sizeof ci, "[%.6g, %.6g]", e.ci_low, e.ci_high);
    char std_error[32] = "-";
    if (std::isfinite(e.std_error)) std::snprintf(std_error, sizeof std_error, "%.3g", e.std_error);
    std::printf("%-12s %10.6g  %-24s %9s %9.0f %9.3g %7.1f%%",
                std::string(pol::estimator_name(e.estimator)).c_str(), e.estimate,
                o.bootstrap > 0 ? ci : "-", std_error, e.weights.effective_sample_size,
                e.weights.max_weight, 100.0 * e.weights.share_clipped);
    if (bts)
      std::printf(" %8.3f",
                  std::abs(e.estimate - bts->on_policy_mean_reward) / bts->on_policy_mean_reward);
    std::printf("\n");
  }
  for (const auto& w : r.warnings) std::printf("\nwarning: %s\n", w.c_str());
}

}  // namespace

int ope_command(const Args& args) {
  po::options_description options("ope options");
  options.add_options()("help,h", "show this help")("log", po::value<std::string>(),
                                                    "logged decisions (CSV)")(
      "format", po::value<std::string>()->default_value("decisions"),
      "decisions (canonical decisions CSV + reward column) or obd (Open Bandit Dataset)")(
      "policy", po::value<std::string>(),
      "target policy: a policy artifact of mirror export (YAML), a scenario (YAML; with --arm "
      "or FILE#ARM), a CSV of probabilities (one row per logged round, one column per "
      "action), or obd-bts:BTS_LOG / obd-bts-mean:BTS_LOG for the Open Bandit BTS policy")(
      "arm", po::value<std::string>(), "with a scenario as --policy: the arm whose policy to evaluate")(
      "estimators", po::value<std::string>()->default_value("all"),
      "comma list of dm, ips, clipped-ips, snips, dr, sndr, switch-dr, dros")(
      "bootstrap", po::value<int>()->default_value(200), "bootstrap resamples (0 = no interval)")(
      "seed", po::value<std::uint64_t>()->default_value(pol::OpeOptions{}.seed), "bootstrap seed")(
      "clip", po::value<double>()->default_value(pol::OpeOptions{}.clip),
      "clipped IPS: largest weight (inf = none)")(
      "switch-tau", po::value<double>()->default_value(pol::OpeOptions{}.switch_tau),
      "Switch-DR: rounds with a larger weight use DM only")(
      "dros-lambda", po::value<double>()->default_value(pol::OpeOptions{}.dros_lambda),
      "DRos shrinkage lambda")("reward-model", po::value<std::string>()->default_value("auto"),
                               "auto (logistic for 0/1 rewards, else ridge), logistic or ridge")(
      "reward-features", po::value<std::string>()->default_value("interactions"),
      "reward model features: interactions (context x action) or additive")(
      "l2", po::value<double>()->default_value(1.0), "reward model L2 penalty")(
      "folds", po::value<int>()->default_value(1), "reward model cross-fitting folds (1 = none)")(
      "threads", po::value<int>()->default_value(2),
      "bootstrap threads; results do not depend on it")("json", "print JSON instead of a table");
  po::variables_map vm;
  po::positional_options_description positional;
  if (int rc = parse_options("ope", "--log LOG --policy POLICY [options]", args, options,
                             positional, vm);
      rc >= 0)
    return rc;
  for (const char* required : {"log", "policy"})
    if (!vm.count(required)) return usage_error(std::string("ope: missing --") + required);
  const auto format = vm["format"].as<std::string>();
  if (format != "decisions" && format != "obd")
    return usage_error("ope: --format must be decisions or obd, not '" + format + "'");
  const auto policy_arg = vm["policy"].as<std::string>();
  const bool bts_mode =
      starts_with(policy_arg, kBtsPrefix) || starts_with(policy_arg, kBtsMeanPrefix);
  if (bts_mode && format != "obd")
    return usage_error("ope: --policy " + policy_arg.substr(0, policy_arg.find(':') + 1) +
                       " needs --format obd");

  pol::OpeOptions o;
  std::string bad;
  const auto estimators = pol::parse_estimator_list(vm["estimators"].as<std::string>(), bad);
  if (!estimators)
    return usage_error("ope: unknown estimator '" + bad +
                       "' (dm, ips, clipped-ips, snips, dr, sndr, switch-dr, dros)");
  o.estimators = *estimators;
  o.bootstrap = vm["bootstrap"].as<int>();
  o.seed = vm["seed"].as<std::uint64_t>();
  o.clip = vm["clip"].as<double>();
  o.switch_tau = vm["switch-tau"].as<double>();
  o.dros_lambda = vm["dros-lambda"].as<double>();
  o.threads = vm["threads"].as<int>();
  o.reward_model.l2 = vm["l2"].as<double>();
  o.reward_model.folds = vm["folds"].as<int>();
  const auto reward_features = vm["reward-features"].as<std::string>();
  if (reward_features != "interactions" && reward_features != "additive")
    return usage_error("ope: --reward-features must be interactions or additive, not '" +
                       reward_features + "'");
  o.reward_model.interactions = reward_features == "interactions";
  const auto kind = vm["reward-model"].as<std::string>();
  if (kind == "auto")
    o.reward_model.kind = pol::RewardModelKind::kAuto;
  else if (kind == "logistic")
    o.reward_model.kind = pol::RewardModelKind::kLogistic;
  else if (kind == "ridge")
    o.reward_model.kind = pol::RewardModelKind::kRidge;
  else
    return usage_error("ope: --reward-model must be auto, logistic or ridge, not '" + kind + "'");

  // SCENARIO#ARM names an arm, unless a file of that name exists.
  std::string yaml_path = policy_arg, arm = vm.count("arm") ? vm["arm"].as<std::string>() : "";
  if (const auto hash = policy_arg.rfind('#');
      hash != std::string::npos && !std::filesystem::exists(policy_arg)) {
    if (!arm.empty()) return usage_error("ope: give the arm once: --arm or FILE#ARM");
    yaml_path = policy_arg.substr(0, hash);
    arm = policy_arg.substr(hash + 1);
    if (arm.empty()) return usage_error("ope: nothing after '#' in --policy " + policy_arg);
  }

  std::optional<pol::ObdBtsSummary> bts;
  try {
    auto log = format == "obd" ? pol::read_obd_log(vm["log"].as<std::string>())
                               : pol::read_decisions_log(vm["log"].as<std::string>());
    pol::TargetPolicy policy;
    if (bts_mode) {
      const bool mean = starts_with(policy_arg, kBtsMeanPrefix);
      const auto path = policy_arg.substr(std::string(mean ? kBtsMeanPrefix : kBtsPrefix).size());
      bts.emplace();
      policy = pol::obd_bts_policy(
          path, log, mean ? pol::ObdBtsMethod::kMeanPropensity : pol::ObdBtsMethod::kFrequency,
          &*bts);
      if (!bts->propensity_constant && !vm.count("json"))
        std::printf(
            "bts policy: propensity_score per (item, position) varies over time (by up to "
            "%.3g), so pi(item | position) is the %s over the bts log\n",
            bts->largest_propensity_range,
            mean ? "mean logged propensity, renormalised," : "share of rounds showing the item");
    } else if (ends_with(yaml_path, ".yaml") || ends_with(yaml_path, ".yml")) {
      const auto artifact = yaml_policy(yaml_path, arm);
      if (!artifact) return kBadInput;
      std::vector<std::string> notes;
      policy = pol::artifact_target_policy(*artifact, log, &notes);
      for (const auto& note : notes) std::cerr << "note: " << note << "\n";
      if (!vm.count("json")) std::printf("policy: %s\n", artifact->label.c_str());
    } else {
      if (!arm.empty()) return usage_error("ope: --arm goes with a scenario as --policy");
      policy = pol::read_target_policy_csv(policy_arg, log);
    }
    const auto report = pol::evaluate_policy(log, policy, o);
    if (vm.count("json"))
      print_json(report, o, bts);
    else
      print_table(report, o, bts);
  } catch (const pol::BanditLogError& e) {
    std::cerr << "mirror: ope: " << e.what() << "\n";
    return kBadInput;
  } catch (const std::invalid_argument& e) {
    return usage_error(std::string("ope: ") + e.what());
  } catch (const std::exception& e) {
    std::cerr << "mirror: ope failed: " << e.what() << "\n";
    return kRunFailed;
  }
  return kOk;
}

}  // namespace mirror::cli
