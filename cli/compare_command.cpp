// `mirror compare RESULTS`: the arms of a run ranked by a metric, with intervals, for people
// (a table) or machines (--json).
#include <cmath>
#include <cstdio>
#include <iostream>
#include <sstream>

#include "command.hpp"
#include "mirror/results/compare.hpp"
#include "mirror/results/results_file.hpp"

namespace mirror::cli {

namespace po = boost::program_options;

namespace {

std::string num(double v, bool sign = false) {
  char buf[48];
  const double a = std::fabs(v);
  const int decimals = a >= 1000 ? 0 : a >= 10 ? 2 : a >= 1 ? 3 : 4;
  std::snprintf(buf, sizeof buf, sign ? "%+.*f" : "%.*f", decimals, v);
  return buf;
}
std::string ci(double lo, double hi, bool sign = false) {
  return "[" + num(lo, sign) + ", " + num(hi, sign) + "]";
}
std::string pad(const std::string& s, std::size_t w) {
  return s.size() >= w ? s + " " : s + std::string(w - s.size(), ' ');
}
// Shortest text that reads back to the same double; JSON has no NaN or infinity.
std::string json_number(double v) {
  if (!std::isfinite(v)) return "null";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}
std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
      continue;
    }
    out += c;
  }
  return out + "\"";
}

void print_table(const results::Comparison& c, bool by_segment) {
  const auto& best = c.arms.front();
  std::printf("%s: %s per customer, %s design, control %s\n\n", c.path.c_str(), c.metric.c_str(),
              c.design.c_str(), c.control.c_str());
  std::size_t w = 6;
  for (const auto& a : c.arms) w = std::max(w, a.arm.size() + 2);
  std::cout << pad("rank", 6) << pad("arm", w) << pad("mean", 11) << pad("95% CI", 22)
            << pad("uplift", 11) << pad("95% CI", 22) << "vs " << best.arm << " (95% CI)\n";
  for (const auto& a : c.arms) {
    const bool control = a.arm == c.control;
    std::cout << pad(std::to_string(a.rank), 6) << pad(a.arm, w) << pad(num(a.mean), 11)
              << pad(ci(a.ci_low, a.ci_high), 22)
              << pad(control ? "(control)" : num(a.uplift, true), 11)
              << pad(control ? "" : ci(a.uplift_ci_low, a.uplift_ci_high, true), 22)
              << (a.rank == 1 ? std::string("(best)")
                              : num(a.vs_best, true) + " " + ci(a.vs_best_ci_low, a.vs_best_ci_high, true) +
                                    (a.vs_best_ci_high < 0 ? " *" : ""))
              << "\n";
  }
  std::printf("\n* the top arm is better, with a 95%% interval of the difference below 0.\n");
  if (c.comparisons > 1)
    std::printf(
        "note: %d arms are compared with the control; with that many comparisons, one in 20\n"
        "95%% intervals misses by chance. Bonferroni-adjusted (family-wise 95%%) uplift intervals:\n",
        c.comparisons);
  if (c.comparisons > 1)
    for (const auto& a : c.arms)
      if (a.arm != c.control)
        std::cout << "  " << pad(a.arm, w) << ci(a.uplift_adj_low, a.uplift_adj_high, true) << "\n";
  if (!c.qini.empty()) {
    std::printf("\nQini (ranking policies; docs/policies.md): area under the curve, per customer\n");
    std::cout << pad("arm", w) << pad("AUUC true", 12) << pad("random", 11) << pad("perfect", 11)
              << pad("normalised", 12) << pad("AUUC realized", 15) << "random\n";
    for (const auto& q : c.qini) {
      const double span = q.auuc_perfect - q.auuc_random;
      std::cout << pad(q.arm, w) << pad(num(q.auuc_true, true), 12)
                << pad(num(q.auuc_random, true), 11) << pad(num(q.auuc_perfect, true), 11)
                << pad(span != 0 ? num((q.auuc_true - q.auuc_random) / span) : "-", 12)
                << pad(num(q.auuc_realized, true), 15) << num(q.auuc_realized_random, true) << "\n";
    }
    std::printf("(true: the day-0 action's expected profit gain, every percentile; realized: profit\n"
                "over the horizon against the control, by decile)\n");
    for (const auto& q : c.qini) std::cout << "  " << pad(q.arm, w) << "ranked by " << q.score << "\n";
  }
  if (!c.true_value.empty()) {
    const auto& f = c.true_value.front();
    std::printf("\ntrue value (profit per customer, mean of %d independent replications +- its\n"
                "standard error) and this run's error against it:\n", f.replications);
    std::cout << pad("arm", w) << pad("true value", 20) << pad("run error", 11)
              << pad("expected_profit error", 23) << pad("true uplift", 20) << "run uplift error\n";
    for (const auto& t : c.true_value) {
      const bool control = t.arm == c.control;
      std::cout << pad(t.arm, w) << pad(num(t.value) + " +- " + num(t.value_se), 20)
                << pad(num(t.run_error, true), 11)
                << pad(std::isfinite(t.run_expected_error) ? num(t.run_expected_error, true) : "-", 23)
                << pad(control ? "(control)" : num(t.uplift, true) + " +- " + num(t.uplift_se), 20)
                << (control ? "" : num(t.run_uplift_error, true)) << "\n";
    }
  }
  if (!by_segment) return;
  std::printf("\nby segment:\n");
  std::cout << pad("segment", 14) << pad("arm", w) << pad("n", 9) << pad("mean", 11)
            << pad("95% CI", 22) << pad("uplift", 11) << "95% CI\n";
  for (const auto& s : c.segments) {
    const bool control = s.arm == c.control;
    std::cout << pad(s.segment_name.empty() ? std::to_string(s.segment) : s.segment_name, 14)
              << pad(s.arm, w) << pad(std::to_string(s.n), 9) << pad(num(s.mean), 11)
              << pad(ci(s.ci_low, s.ci_high), 22)
              << pad(control ? "(control)" : num(s.uplift, true), 11)
              << (control ? "" : ci(s.uplift_ci_low, s.uplift_ci_high, true)) << "\n";
  }
}

void print_json(const results::Comparison& c) {
  std::ostringstream o;
  o << "{\"file\":" << json_string(c.path) << ",\"metric\":" << json_string(c.metric)
    << ",\"design\":" << json_string(c.design) << ",\"control\":" << json_string(c.control)
    << ",\"comparisons\":" << c.comparisons << ",\"arms\":[";
  for (std::size_t i = 0; i < c.arms.size(); ++i) {
    const auto& a = c.arms[i];
    o << (i ? "," : "") << "{\"rank\":" << a.rank << ",\"arm\":" << json_string(a.arm)
      << ",\"policy\":" << json_string(a.policy) << ",\"n\":" << a.n
      << ",\"mean\":" << json_number(a.mean) << ",\"ci\":[" << json_number(a.ci_low) << ","
      << json_number(a.ci_high) << "],\"uplift\":" << json_number(a.uplift) << ",\"uplift_ci\":["
      << json_number(a.uplift_ci_low) << "," << json_number(a.uplift_ci_high)
      << "],\"uplift_ci_bonferroni\":[" << json_number(a.uplift_adj_low) << ","
      << json_number(a.uplift_adj_high) << "],\"vs_best\":" << json_number(a.vs_best)
      << ",\"vs_best_ci\":[" << json_number(a.vs_best_ci_low) << ","
      << json_number(a.vs_best_ci_high) << "]}";
  }
  o << "],\"segments\":[";
  for (std::size_t i = 0; i < c.segments.size(); ++i) {
    const auto& s = c.segments[i];
    o << (i ? "," : "") << "{\"arm\":" << json_string(s.arm) << ",\"segment\":" << s.segment
      << ",\"name\":" << json_string(s.segment_name) << ",\"n\":" << s.n
      << ",\"mean\":" << json_number(s.mean) << ",\"ci\":[" << json_number(s.ci_low) << ","
      << json_number(s.ci_high) << "],\"uplift\":" << json_number(s.uplift) << ",\"uplift_ci\":["
      << json_number(s.uplift_ci_low) << "," << json_number(s.uplift_ci_high) << "]}";
  }
  o << "],\"qini\":[";
  for (std::size_t i = 0; i < c.qini.size(); ++i) {
    const auto& q = c.qini[i];
    o << (i ? "," : "") << "{\"arm\":" << json_string(q.arm) << ",\"score\":" << json_string(q.score)
      << ",\"auuc_true\":" << json_number(q.auuc_true) << ",\"auuc_random\":"
      << json_number(q.auuc_random) << ",\"auuc_perfect\":" << json_number(q.auuc_perfect)
      << ",\"auuc_realized\":" << json_number(q.auuc_realized)
      << ",\"auuc_realized_random\":" << json_number(q.auuc_realized_random) << "}";
  }
  o << "],\"true_value\":[";
  for (std::size_t i = 0; i < c.true_value.size(); ++i) {
    const auto& t = c.true_value[i];
    o << (i ? "," : "") << "{\"arm\":" << json_string(t.arm) << ",\"replications\":" << t.replications
      << ",\"value\":" << json_number(t.value) << ",\"value_se\":" << json_number(t.value_se)
      << ",\"uplift\":" << json_number(t.uplift) << ",\"uplift_se\":" << json_number(t.uplift_se)
      << ",\"run_value\":" << json_number(t.run_value) << ",\"run_error\":" << json_number(t.run_error)
      << ",\"run_uplift\":" << json_number(t.run_uplift)
      << ",\"run_uplift_error\":" << json_number(t.run_uplift_error)
      << ",\"run_expected_value\":" << json_number(t.run_expected_value)
      << ",\"run_expected_error\":" << json_number(t.run_expected_error) << "}";
  }
  o << "]}\n";
  std::cout << o.str();
}

}  // namespace

int compare_command(const Args& args) {
  po::options_description options("compare options");
  options.add_options()("help,h", "show this help")(
      "results", po::value<std::string>(), "results file written by mirror run")(
      "metric", po::value<std::string>()->default_value("profit"),
      "profit, revenue, margin, cost, conversions, visits, contacts, unsubscribes, active_at_end")(
      "by-segment", "also compare within each segment")("json", "print JSON instead of a table");
  po::positional_options_description positional;
  positional.add("results", 1);
  po::variables_map vm;
  if (int rc = parse_options("compare", "RESULTS [--metric M] [--by-segment] [--json]", args,
                             options, positional, vm);
      rc >= 0)
    return rc;
  if (!vm.count("results")) return usage_error("compare: missing RESULTS file");
  try {
    const auto c = results::compare_results(vm["results"].as<std::string>(),
                                            vm["metric"].as<std::string>());
    if (vm.count("json")) print_json(c);
    else print_table(c, vm.count("by-segment") > 0);
  } catch (const std::invalid_argument& e) {
    return usage_error(std::string("compare: ") + e.what());
  } catch (const results::ResultsFileError& e) {
    std::cerr << "mirror: " << e.what() << "\n";
    return kBadInput;
  }
  return kOk;
}

}  // namespace mirror::cli
