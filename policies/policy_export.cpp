// The next-best-action table of a run's arm: per segment, how often the arm's policy took
// each action per decision opportunity, and the artifact that draws from those shares.
#include "mirror/policies/policy_export.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>
#include <unordered_map>

#include "mirror/core/channel.hpp"
#include "mirror/core/decision_record.hpp"
#include "mirror/core/sha256.hpp"
#include "mirror/results/results_file.hpp"

namespace mirror::policies {

namespace {

std::string label_of(int channel, int message, int offer, const ExportOptions& o) {
  if (channel < 0) return kNoActionLabel;
  const auto name = [](const std::vector<std::string>& list, int i) {
    return i >= 0 && static_cast<std::size_t>(i) < list.size() ? list[i] : std::string();
  };
  const std::string c = channel < core::kChannelCount
                            ? std::string(core::channel_name(static_cast<core::Channel>(channel)))
                            : std::to_string(channel);
  return c + "/" + name(o.messages, message) + "/" + name(o.offers, offer);
}

ActionDistribution distribution(const NextBestActionTable& t, const NextBestActionRow& row) {
  ActionDistribution d;
  for (std::size_t k = 0; k < t.labels.size(); ++k)
    if (row.counts[k] > 0)
      d.push_back({t.labels[k], static_cast<double>(row.counts[k]) / static_cast<double>(row.opportunities)});
  return d;
}

std::string quoted_rule_text(const std::string& s) {
  return "'" + s + "'";
}

}  // namespace

NextBestActionTable export_next_best_actions(const ExportOptions& o) {
  const std::string arm_group = "/arms/" + o.arm;
  const auto arms = results::list_group(o.results, "/arms");
  if (std::find(arms.begin(), arms.end(), o.arm) == arms.end()) {
    std::string list;
    for (const auto& a : arms) list += (list.empty() ? "" : ", ") + a;
    throw std::invalid_argument(o.results + ": no arm '" + o.arm + "' (arms: " + list + ")");
  }
  const auto groups = results::list_group(o.results, arm_group);
  if (std::find(groups.begin(), groups.end(), "decisions") == groups.end())
    throw std::invalid_argument(o.results + ": arm '" + o.arm + "' has no decision log");
  if (o.by_segment && !o.segments_observable)
    throw std::invalid_argument(o.results +
                                ": this run's model gives customers no observable segment "
                                "label; export with --by none");

  NextBestActionTable t;
  t.arm = o.arm;
  t.policy = results::read_string_attribute(o.results, arm_group, "policy");
  t.days = static_cast<std::int32_t>(
      results::read_integer_attribute(o.results, arm_group + "/decisions", "days_logged"));
  t.truncated = results::read_integer_attribute(o.results, arm_group + "/decisions", "truncated") != 0;
  if (t.days <= 0)
    throw std::invalid_argument(o.results + ": arm '" + o.arm +
                                "' logged no whole day of decisions (outputs.decisions_max_rows)");

  const auto customer_ids = results::read_column(o.results, arm_group + "/customers/customer_id");
  const auto customer_segments = results::read_column(o.results, arm_group + "/customers/segment");
  std::vector<std::string> segment_names;
  if (o.by_segment) segment_names = results::read_strings(o.results, "/meta/world/segments/name");
  // Groups: one per segment (by index), or one for everyone.
  const std::size_t group_count = o.by_segment ? segment_names.size() : 1;
  std::unordered_map<std::uint64_t, std::size_t> group_of;
  group_of.reserve(customer_ids.size());
  t.labels.push_back(kNoActionLabel);
  t.rows.resize(group_count);
  for (std::size_t g = 0; g < group_count; ++g) t.rows[g].group = o.by_segment ? segment_names[g] : "all";
  for (std::size_t i = 0; i < customer_ids.size(); ++i) {
    std::size_t g = 0;
    if (o.by_segment) {
      const double s = customer_segments[i];
      if (!(s >= 0 && s < static_cast<double>(group_count)))
        throw std::invalid_argument(o.results + ": customer " + std::to_string(customer_ids[i]) +
                                    " has segment " + std::to_string(s) + ", not one of the " +
                                    std::to_string(group_count) + " segments of /meta/world");
      g = static_cast<std::size_t>(s);
    }
    group_of[static_cast<std::uint64_t>(customer_ids[i])] = g;
    t.rows[g].customers += 1;
  }
  for (auto& row : t.rows) row.opportunities = row.customers * t.days;

  const std::string d = arm_group + "/decisions/";
  const auto ids = results::read_column(o.results, d + "customer_id");
  const auto days = results::read_column(o.results, d + "day");
  const auto channels = results::read_column(o.results, d + "channel");
  const auto messages = results::read_column(o.results, d + "message");
  const auto offers = results::read_column(o.results, d + "offer");
  const auto statuses = results::read_column(o.results, d + "status");
  std::map<std::string, std::size_t> label_index{{kNoActionLabel, 0}};
  std::vector<std::vector<std::int64_t>> counts(group_count);
  std::uint64_t last_customer = 0;
  double last_day = -1;
  const double delivered = static_cast<double>(core::DecisionStatus::delivered);
  for (std::size_t r = 0; r < ids.size(); ++r) {
    if (days[r] >= t.days) continue;
    if (!o.proposed && statuses[r] != delivered) continue;
    const auto customer = static_cast<std::uint64_t>(ids[r]);
    if (customer == last_customer && days[r] == last_day) {
      ++t.extra_records;
      continue;
    }
    last_customer = customer;
    last_day = days[r];
    const auto g = group_of.find(customer);
    if (g == group_of.end())
      throw std::invalid_argument(o.results + ": a decision of arm '" + o.arm + "' is for customer " +
                                  std::to_string(customer) + ", who is not among its customers");
    const std::string label = label_of(static_cast<int>(channels[r]), static_cast<int>(messages[r]),
                                       static_cast<int>(offers[r]), o);
    const auto [it, fresh] = label_index.emplace(label, t.labels.size());
    if (fresh) t.labels.push_back(label);
    auto& c = counts[g->second];
    if (c.size() <= it->second) c.resize(it->second + 1, 0);
    c[it->second] += 1;
  }
  for (std::size_t g = 0; g < group_count; ++g) {
    auto& row = t.rows[g];
    row.counts.assign(t.labels.size(), 0);
    std::int64_t acted = 0;
    for (std::size_t k = 1; k < counts[g].size(); ++k) {
      row.counts[k] = counts[g][k];
      acted += counts[g][k];
    }
    row.counts[0] = row.opportunities - acted;  // explicit no-actions and the days without
  }

  // The artifact: a rule per segment with customers; everyone else (none) gets no action.
  auto& a = t.artifact;
  a.label = "export of " + o.results + " arm " + o.arm;
  a.source = {{"kind", "export"},
              {"results", o.results},
              {"results_sha256", core::sha256_file_hex(o.results)},
              {"scenario_name", results::read_string_attribute(o.results, "/meta", "scenario_name")},
              {"scenario_sha256", results::read_string_attribute(o.results, "/meta", "scenario_sha256")},
              {"seed", std::to_string(static_cast<std::uint64_t>(
                           results::read_integer_attribute(o.results, "/meta", "seed")))},
              {"arm", o.arm},
              {"policy", t.policy},
              {"by", o.by_segment ? "segment" : "none"},
              {"counted", o.proposed ? "proposed" : "delivered"},
              {"days", std::to_string(t.days)},
              {"opportunity", "one customer of the arm on one logged day"}};
  if (o.by_segment) {
    for (const auto& row : t.rows)
      if (row.opportunities > 0)
        a.rules.push_back({"segment == " + quoted_rule_text(row.group), distribution(t, row),
                           row.opportunities, {}, {}});
    a.default_actions = {{kNoActionLabel, 1.0}};
  } else {
    if (t.rows[0].opportunities == 0)
      throw std::invalid_argument(o.results + ": arm '" + o.arm + "' has no customers");
    a.default_actions = distribution(t, t.rows[0]);
    a.default_count = t.rows[0].opportunities;
  }
  return t;
}

}  // namespace mirror::policies
