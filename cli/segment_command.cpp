// `mirror segment`: evaluates the rules of a segments file on a store's profiles and writes
// the membership to the store (/segments) and, when asked, to CSV.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <optional>
#include <tuple>

#include "command.hpp"
#include "mirror/ingest/segment_rules.hpp"
#include "mirror/results/customer_store.hpp"
#include "mirror/results/results_file.hpp"
#include "mirror/scenario/segment_rules_file.hpp"

namespace mirror::cli {

namespace po = boost::program_options;

namespace {

const results::Table::Column* find_column(const results::Table& table, const std::string& name) {
  for (const auto& c : table.columns)
    if (c.name == name) return &c;
  return nullptr;
}

// The mean of a number column over a segment's members, NaN (missing) values left out.
double member_mean(const results::Table::Column& column, const std::vector<std::uint8_t>& members) {
  double sum = 0;
  std::size_t n = 0;
  for (std::size_t i = 0; i < members.size(); ++i)
    if (members[i] && !std::isnan(column.numbers[i])) {
      sum += column.numbers[i];
      ++n;
    }
  return n > 0 ? sum / static_cast<double>(n) : std::nan("");
}

void print_segments(const results::Table& profiles, const std::vector<std::string>& names,
                    const std::vector<std::vector<std::uint8_t>>& members) {
  // Means are shown for the model scores `mirror profile` adds, when the store has them.
  std::vector<std::pair<std::string, const results::Table::Column*>> means;
  for (const char* name : {"clv_365d", "p_alive"}) {
    const auto* c = find_column(profiles, name);
    if (c != nullptr && c->strings.empty()) means.emplace_back(name, c);
  }
  std::size_t width = 7;
  for (const auto& n : names) width = std::max(width, n.size());
  std::printf("%-*s  %10s  %7s", static_cast<int>(width), "segment", "customers", "share");
  for (const auto& [name, column] : means) std::printf("  %14s", ("mean " + name).c_str());
  std::printf("\n");
  const double rows = static_cast<double>(profiles.rows());
  for (std::size_t s = 0; s < names.size(); ++s) {
    const auto count = std::count(members[s].begin(), members[s].end(), std::uint8_t{1});
    std::printf("%-*s  %10ld  %6.1f%%", static_cast<int>(width), names[s].c_str(),
                static_cast<long>(count),
                rows > 0 ? 100.0 * static_cast<double>(count) / rows : 0.0);
    for (const auto& [name, column] : means) {
      const double mean = member_mean(*column, members[s]);
      if (std::isnan(mean))
        std::printf("  %14s", "-");
      else
        std::printf("  %14.*f", name == "p_alive" ? 3 : 2, mean);
    }
    std::printf("\n");
  }
}

}  // namespace

int segment_command(const Args& args) {
  po::options_description options("segment options");
  options.add_options()("help,h", "show this help")("store", po::value<std::string>(),
                                                    "a store with profiles (`mirror profile`)")(
      "rules", po::value<std::string>(), "the segments file (YAML; see docs/segments.md)")(
      "out", po::value<std::string>(), "also write the membership as CSV to this file");
  po::positional_options_description positional;
  positional.add("store", 1);
  po::variables_map vm;
  if (int rc = parse_options("segment", "STORE --rules segments.yaml [--out segments.csv]", args,
                             options, positional, vm);
      rc >= 0)
    return rc;
  if (!vm.count("store")) return usage_error("segment: missing STORE");
  if (!vm.count("rules")) return usage_error("segment: missing --rules FILE");
  const auto path = vm["store"].as<std::string>();

  // Nothing is written unless every rule is valid on the store's profiles. A file that is
  // not a list of rules is reported alone; otherwise the errors of all rules, syntax and
  // fields, are reported together in file order.
  const auto file = scenario::load_segment_rules_file(vm["rules"].as<std::string>());
  std::vector<scenario::ScenarioError> errors = file.errors;
  const auto report = [&]() {
    std::stable_sort(errors.begin(), errors.end(), [](const auto& a, const auto& b) {
      return std::tie(a.line, a.column) < std::tie(b.line, b.column);
    });
    for (const auto& e : errors) std::cerr << e.to_string() << "\n";
    return kBadInput;
  };
  if (!errors.empty()) return report();
  std::vector<std::optional<ingest::SegmentRule>> rules;
  for (std::size_t i = 0; i < file.segments.size(); ++i) {
    auto parsed = ingest::parse_segment_rule(file.segments[i].rule);
    if (!parsed.ok())
      errors.push_back(segment_rule_error(file, i, parsed.error->column, parsed.error->message));
    rules.push_back(std::move(parsed.rule));
  }

  try {
    const auto groups = results::list_group(path, "/");
    if (std::find(groups.begin(), groups.end(), "profiles") == groups.end()) {
      report();
      std::cerr << "mirror: segment: " << path << " has no profiles; run `mirror profile " << path
                << "` first\n";
      return kBadInput;
    }
    const auto profiles = results::read_store_table(path, "/profiles");
    const auto* ids = find_column(profiles, "customer_id");
    if (ids == nullptr) {
      report();
      std::cerr << "mirror: segment: " << path << ":/profiles has no customer_id column; run "
                << "`mirror profile " << path << "` again\n";
      return kBadInput;
    }
    const auto fields = ingest::rule_fields(profiles);
    for (std::size_t i = 0; i < rules.size(); ++i)
      if (rules[i])
        for (const auto& e : rules[i]->check(fields))
          errors.push_back(segment_rule_error(file, i, e.column, e.message));
    if (!errors.empty()) return report();

    results::Table membership;
    membership.columns.push_back(*ids);
    std::vector<std::string> names;
    std::vector<std::vector<std::uint8_t>> members;
    for (std::size_t i = 0; i < rules.size(); ++i) {
      names.push_back(file.segments[i].name);
      members.push_back(rules[i]->evaluate(profiles));
      membership.columns.push_back(
          {names.back(), std::vector<double>(members.back().begin(), members.back().end()), {}});
    }
    std::printf("%s: %zu customers, %zu segments\n", path.c_str(), profiles.rows(), names.size());
    print_segments(profiles, names, members);
    results::write_store_table(path, "/segments", membership);
    std::printf("segments written to %s:/segments", path.c_str());
    if (vm.count("out")) {
      results::write_table_csv(membership, vm["out"].as<std::string>());
      std::printf(" and %s", vm["out"].as<std::string>().c_str());
    }
    std::printf("\n");
  } catch (const results::ResultsFileError& e) {
    report();
    std::cerr << "mirror: segment failed: " << e.what() << "\n";
    return kBadInput;
  } catch (const std::invalid_argument& e) {
    report();
    std::cerr << "mirror: segment failed: " << e.what() << "\n";
    return kBadInput;
  }
  return kOk;
}

}  // namespace mirror::cli
