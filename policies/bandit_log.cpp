// Bandit logs and target policies for OPE: construction, validation and the CSV readers.
#include "mirror/policies/bandit_log.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string_view>
#include <unordered_map>

#include "mirror/core/random.hpp"

namespace mirror::policies {

namespace {

// Tolerance on a row of target probabilities: the CSV was written with finite precision.
constexpr double kRowSumTolerance = 1e-6;

std::string located(const std::string& file, std::int64_t line, const std::string& column,
                    const std::string& message) {
  return file + ":" + std::to_string(line) + ": " + column + ": " + message;
}

// Lines of a CSV file with their 1-based number. Fields may be quoted ("a, b", "" for a
// quote) but may not span lines: none of the formats read here needs that.
class CsvLines {
 public:
  explicit CsvLines(const std::string& path) : path_(path), in_(path) {
    if (!in_) throw BanditLogError(path + ": cannot open: " + std::strerror(errno));
  }

  bool next(std::vector<std::string>& fields) {
    while (std::getline(in_, text_)) {
      ++line_;
      if (!text_.empty() && text_.back() == '\r') text_.pop_back();
      if (text_.empty()) continue;
      split(fields);
      return true;
    }
    return false;
  }
  std::int64_t line() const { return line_; }
  const std::string& path() const { return path_; }

 private:
  void split(std::vector<std::string>& fields) {
    fields.clear();
    std::string field;
    bool quoted = false;
    for (std::size_t i = 0; i < text_.size(); ++i) {
      const char c = text_[i];
      if (quoted) {
        if (c == '"' && i + 1 < text_.size() && text_[i + 1] == '"') {
          field += '"';
          ++i;
        } else if (c == '"') {
          quoted = false;
        } else {
          field += c;
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        fields.push_back(std::move(field));
        field.clear();
      } else {
        field += c;
      }
    }
    if (quoted) throw BanditLogError(located(path_, line_, "line", "unterminated quoted field"));
    fields.push_back(std::move(field));
  }

  std::string path_;
  std::ifstream in_;
  std::string text_;
  std::int64_t line_ = 0;
};

std::string shown_text(const std::string& text) {
  const std::string shown = text.size() > 40 ? text.substr(0, 40) + "..." : text;
  return "'" + shown + "'";
}

double number_field(const CsvLines& csv, const std::vector<std::string>& fields, std::size_t column,
                    const std::string& name) {
  const auto value = log_number(fields[column]);
  if (!value)
    throw BanditLogError(located(csv.path(), csv.line(), name,
                                 "expected a number, got " + shown_text(fields[column])));
  return *value;
}

double propensity_field(const CsvLines& csv, const std::vector<std::string>& fields,
                        std::size_t column, const std::string& name) {
  const double p = number_field(csv, fields, column, name);
  if (!(p > 0.0 && p <= 1.0))
    throw BanditLogError(located(csv.path(), csv.line(), name,
                                 "logging propensity " + fields[column] +
                                     " is not in (0, 1]; a logged action must have had a "
                                     "chance to be chosen"));
  return p;
}

std::uint64_t hash_text(std::string_view text, std::uint64_t salt) {
  std::uint64_t h = 0xcbf29ce484222325ULL ^ salt;  // FNV-1a, then a full mix
  for (const char c : text) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return core::mix64(h);
}

void check_field_count(const CsvLines& csv, const std::vector<std::string>& fields,
                       std::size_t expected) {
  if (fields.size() != expected)
    throw BanditLogError(located(csv.path(), csv.line(), "row",
                                 "has " + std::to_string(fields.size()) +
                                     " fields, the header has " + std::to_string(expected)));
}

// Data rows of an item_context.csv (one per item), or 0 when there is none.
std::int32_t count_items(const std::filesystem::path& item_context) {
  std::error_code ec;
  if (!std::filesystem::exists(item_context, ec)) return 0;
  CsvLines csv(item_context.string());
  std::vector<std::string> fields;
  std::int32_t rows = -1;  // the header
  while (csv.next(fields)) ++rows;
  return std::max(rows, 0);
}

}  // namespace

std::int32_t BanditLog::positions() const {
  std::int32_t largest = -1;
  for (const auto p : position) largest = std::max(largest, p);
  return largest + 1;
}

void BanditLog::add_round(std::int32_t a, double r, double p,
                          const std::vector<ContextEntry>& entries, std::int32_t pos) {
  action.push_back(a);
  reward.push_back(r);
  propensity.push_back(p);
  if (pos >= 0) position.push_back(pos);
  for (const auto& e : entries) {
    context.push_back(e);
    context_width = std::max(context_width, e.feature + 1);
  }
  context_begin.push_back(context.size());
}

std::string BanditLog::where(std::size_t i) const {
  if (i < line.size() && !source.empty()) return source + ":" + std::to_string(line[i]);
  return "round " + std::to_string(i);
}

void validate_target_policy(const BanditLog& log, const TargetPolicy& policy) {
  const std::string name = policy.source.empty() ? std::string("target policy") : policy.source;
  if (policy.actions != log.actions())
    throw BanditLogError(name + ": has " + std::to_string(policy.actions) +
                         " actions, the log has " + std::to_string(log.actions()));
  const std::size_t n = log.rounds();
  const std::size_t a_count = static_cast<std::size_t>(policy.actions);
  if (policy.probability.size() != n * a_count)
    throw BanditLogError(name + ": has " + std::to_string(policy.probability.size()) +
                         " probabilities, expected rounds x actions = " + std::to_string(n) +
                         " x " + std::to_string(a_count));
  for (std::size_t i = 0; i < n; ++i) {
    double sum = 0.0;
    for (std::size_t a = 0; a < a_count; ++a) {
      const double p = policy.probability[i * a_count + a];
      if (!(p >= 0.0 && p <= 1.0))
        throw BanditLogError(name + ": round " + std::to_string(i) + ", action '" +
                             log.action_labels[a] + "': probability " + std::to_string(p) +
                             " is not in [0, 1]");
      sum += p;
    }
    if (std::abs(sum - 1.0) > kRowSumTolerance) {
      std::ostringstream message;
      message << name << ": round " << i << ": probabilities sum to " << sum << ", not 1";
      throw BanditLogError(message.str());
    }
  }
}

BanditLog read_decisions_log(const std::string& path) {
  static constexpr std::string_view kRequired[] = {
      "customer_id", "timestamp", "arm",        "policy", "channel",
      "message",     "offer",     "propensity", "cost",   "reward"};
  CsvLines csv(path);
  std::vector<std::string> header;
  if (!csv.next(header)) throw BanditLogError(located(path, 1, "header", "the file is empty"));
  std::map<std::string, std::size_t> column;
  for (std::size_t c = 0; c < header.size(); ++c) {
    if (column.count(header[c]))
      throw BanditLogError(located(path, csv.line(), header[c], "column appears twice"));
    column[header[c]] = c;
  }
  for (const auto& name : kRequired)
    if (!column.count(std::string(name)))
      throw BanditLogError(located(path, csv.line(), std::string(name),
                                   "missing column (decisions need customer_id,timestamp,arm,"
                                   "policy,channel,message,offer,propensity,cost,reward)"));
  // Each extra column gets one slot for numbers and kHashBuckets for other text, so no type
  // has to be guessed from the first rows.
  std::vector<std::size_t> extra;
  for (std::size_t c = 0; c < header.size(); ++c)
    if (std::find(std::begin(kRequired), std::end(kRequired), header[c]) == std::end(kRequired))
      extra.push_back(c);
  constexpr std::uint32_t kSlots = 1 + kHashBuckets;

  BanditLog log;
  log.source = path;
  log.context_width = static_cast<std::uint32_t>(extra.size()) * kSlots;
  std::vector<std::unordered_map<std::string, std::uint32_t>> value_ids(extra.size());
  for (const auto c : extra) log.context_columns.push_back({header[c], {}, {}});
  std::unordered_map<std::string, std::int32_t> action_ids;
  std::vector<std::string> fields;
  std::vector<ContextEntry> entries;
  const auto col = [&](const char* name) { return column.at(name); };
  while (csv.next(fields)) {
    check_field_count(csv, fields, header.size());
    const std::string label =
        fields[col("channel")] + "/" + fields[col("message")] + "/" + fields[col("offer")];
    auto [it, inserted] =
        action_ids.emplace(label, static_cast<std::int32_t>(log.action_labels.size()));
    if (inserted) log.action_labels.push_back(label);
    const double p = propensity_field(csv, fields, col("propensity"), "propensity");
    const double r = number_field(csv, fields, col("reward"), "reward");
    entries.clear();
    for (std::size_t e = 0; e < extra.size(); ++e) {
      const std::string& text = fields[extra[e]];
      auto& raw = log.context_columns[e];
      const auto [id, fresh] =
          value_ids[e].emplace(text, static_cast<std::uint32_t>(raw.values.size()));
      if (fresh) raw.values.push_back(text);
      raw.value_of_round.push_back(id->second);
      if (text.empty()) continue;  // missing: the feature is absent
      const auto base = static_cast<std::uint32_t>(e) * kSlots;
      if (const auto value = log_number(text)) {
        if (*value != 0.0) entries.push_back({base, *value});
      } else {
        entries.push_back(
            {base + 1 + static_cast<std::uint32_t>(hash_text(text, e) % kHashBuckets), 1.0});
      }
    }
    log.add_round(it->second, r, p, entries);
    log.line.push_back(csv.line());
  }
  log.context_width = static_cast<std::uint32_t>(extra.size()) * kSlots;
  if (log.rounds() == 0) throw BanditLogError(located(path, 2, "row", "the log has no rounds"));
  return log;
}

BanditLog read_obd_log(const std::string& path) {
  CsvLines csv(path);
  std::vector<std::string> header;
  if (!csv.next(header)) throw BanditLogError(located(path, 1, "header", "the file is empty"));
  std::map<std::string, std::size_t> column;
  std::vector<std::size_t> user_features;
  std::vector<std::pair<std::int32_t, std::size_t>> affinities;  // (item, column)
  for (std::size_t c = 0; c < header.size(); ++c) {
    const std::string& h = header[c];
    column[h] = c;
    if (h.rfind("user_feature_", 0) == 0) user_features.push_back(c);
    static constexpr std::string_view kAffinity = "user-item_affinity_";
    if (h.rfind(kAffinity, 0) == 0) {
      const auto item = log_number(std::string_view(h).substr(kAffinity.size()));
      if (!item || *item < 0 || *item != std::floor(*item))
        throw BanditLogError(located(path, 1, h, "expected user-item_affinity_<item id>"));
      affinities.emplace_back(static_cast<std::int32_t>(*item), c);
    }
  }
  for (const char* name : {"item_id", "position", "click", "propensity_score"})
    if (!column.count(name))
      throw BanditLogError(located(path, 1, name, "missing column of an Open Bandit log"));

  const std::int32_t listed_items =
      count_items(std::filesystem::path(path).parent_path() / "item_context.csv");
  BanditLog log;
  log.source = path;
  log.context_width = static_cast<std::uint32_t>(user_features.size()) * kHashBuckets;
  std::vector<std::string> fields;
  std::vector<ContextEntry> entries;
  std::vector<std::vector<double>> affinity_rows;
  std::int32_t largest_item = -1;
  while (csv.next(fields)) {
    check_field_count(csv, fields, header.size());
    const double item = number_field(csv, fields, column["item_id"], "item_id");
    if (item < 0 || item != std::floor(item) || item > 1e6)
      throw BanditLogError(
          located(path, csv.line(), "item_id",
                  "expected an item index >= 0, got " + shown_text(fields[column["item_id"]])));
    if (listed_items > 0 && item >= listed_items)
      throw BanditLogError(located(path, csv.line(), "item_id",
                                   "item " + fields[column["item_id"]] + " is not among the " +
                                       std::to_string(listed_items) +
                                       " items of item_context.csv"));
    const double position = number_field(csv, fields, column["position"], "position");
    if (position < 1 || position != std::floor(position) || position > 1000)
      throw BanditLogError(located(
          path, csv.line(), "position",
          "expected a slot number 1, 2, ..., got " + shown_text(fields[column["position"]])));
    const double click = number_field(csv, fields, column["click"], "click");
    const double p = propensity_field(csv, fields, column["propensity_score"], "propensity_score");
    entries.clear();
    for (std::size_t f = 0; f < user_features.size(); ++f) {
      const auto bucket = hash_text(fields[user_features[f]], f) % kHashBuckets;
      entries.push_back({static_cast<std::uint32_t>(f * kHashBuckets + bucket), 1.0});
    }
    std::vector<double> affinity;
    affinity.reserve(affinities.size());
    for (const auto& [a, c] : affinities)
      affinity.push_back(number_field(csv, fields, c, header[c]));
    affinity_rows.push_back(std::move(affinity));
    const auto a = static_cast<std::int32_t>(item);
    largest_item = std::max(largest_item, a);
    log.add_round(a, click, p, entries, static_cast<std::int32_t>(position) - 1);
    log.line.push_back(csv.line());
  }
  log.context_width = static_cast<std::uint32_t>(user_features.size()) * kHashBuckets;
  if (log.rounds() == 0) throw BanditLogError(located(path, 2, "row", "the log has no rounds"));
  const std::int32_t items = listed_items > 0 ? listed_items : largest_item + 1;
  for (std::int32_t a = 0; a < items; ++a) log.action_labels.push_back(std::to_string(a));
  if (!affinities.empty()) {
    const auto a_count = static_cast<std::size_t>(items);
    log.action_context.assign(log.rounds() * a_count, 0.0);
    for (std::size_t i = 0; i < log.rounds(); ++i)
      for (std::size_t k = 0; k < affinities.size(); ++k)
        if (affinities[k].first < items)
          log.action_context[i * a_count + affinities[k].first] = affinity_rows[i][k];
  }
  return log;
}

TargetPolicy read_target_policy_csv(const std::string& path, BanditLog& log) {
  CsvLines csv(path);
  std::vector<std::string> header;
  if (!csv.next(header)) throw BanditLogError(located(path, 1, "header", "the file is empty"));
  std::map<std::string, std::int32_t> log_ids;
  for (std::int32_t a = 0; a < log.actions(); ++a) log_ids[log.action_labels[a]] = a;
  std::vector<std::int32_t> id_of_column;
  std::vector<bool> has_column(log.actions(), false);
  const std::int32_t old_actions = log.actions();
  for (const auto& label : header) {
    auto it = log_ids.find(label);
    if (it == log_ids.end()) {
      it = log_ids.emplace(label, log.actions()).first;
      log.action_labels.push_back(label);
      has_column.push_back(false);
    }
    if (has_column[it->second])
      throw BanditLogError(located(path, 1, label, "action appears twice in the header"));
    has_column[it->second] = true;
    id_of_column.push_back(it->second);
  }
  std::vector<bool> logged(log.actions(), false);
  for (const auto a : log.action) logged[a] = true;
  for (std::int32_t a = 0; a < log.actions(); ++a)
    if (logged[a] && !has_column[a])
      throw BanditLogError(located(path, 1, "header",
                                   "no column for the logged action '" + log.action_labels[a] +
                                       "' (write a column of zeros if the policy never takes it)"));
  // Actions the log never showed get zero features.
  if (!log.action_context.empty() && log.actions() != old_actions) {
    std::vector<double> widened(log.rounds() * log.actions(), 0.0);
    for (std::size_t i = 0; i < log.rounds(); ++i)
      std::copy_n(log.action_context.begin() + i * old_actions, old_actions,
                  widened.begin() + i * log.actions());
    log.action_context = std::move(widened);
  }

  TargetPolicy policy;
  policy.actions = log.actions();
  policy.source = path;
  policy.probability.assign(log.rounds() * log.actions(), 0.0);
  std::vector<std::string> fields;
  std::size_t round = 0;
  while (csv.next(fields)) {
    if (round >= log.rounds())
      throw BanditLogError(
          located(path, csv.line(), "row",
                  "more rows than the " + std::to_string(log.rounds()) + " rounds of the log"));
    check_field_count(csv, fields, header.size());
    double sum = 0.0;
    for (std::size_t c = 0; c < fields.size(); ++c) {
      const double p = number_field(csv, fields, c, header[c]);
      if (p < 0.0 || p > 1.0)
        throw BanditLogError(
            located(path, csv.line(), header[c], "probability " + fields[c] + " is not in [0, 1]"));
      policy.probability[round * log.actions() + id_of_column[c]] = p;
      sum += p;
    }
    if (std::abs(sum - 1.0) > kRowSumTolerance) {
      std::ostringstream message;
      message.precision(10);
      message << "probabilities sum to " << sum << ", not 1";
      throw BanditLogError(located(path, csv.line(), "row", message.str()));
    }
    ++round;
  }
  if (round != log.rounds())
    throw BanditLogError(located(path, csv.line() + 1, "row",
                                 "the policy has " + std::to_string(round) + " rows, the log has " +
                                     std::to_string(log.rounds()) +
                                     " rounds (one row per logged round, in log order)"));
  return policy;
}

TargetPolicy obd_bts_policy(const std::string& bts_path, const BanditLog& log, ObdBtsMethod method,
                            ObdBtsSummary* summary) {
  const BanditLog bts = read_obd_log(bts_path);
  if (bts.actions() != log.actions())
    throw BanditLogError(bts_path + ": has " + std::to_string(bts.actions()) +
                         " items, the evaluated log has " + std::to_string(log.actions()) +
                         " (use the bts log of the same campaign)");
  if (log.position.empty()) throw BanditLogError(log.source + ": the log has no positions");
  const std::int32_t positions = std::max(bts.positions(), log.positions());
  const auto items = static_cast<std::size_t>(bts.actions());
  std::vector<std::vector<double>> count(positions, std::vector<double>(items, 0.0));
  std::vector<std::vector<double>> propensity_sum = count;
  std::vector<std::vector<double>> low(positions, std::vector<double>(items, 2.0));
  std::vector<std::vector<double>> high(positions, std::vector<double>(items, -1.0));
  double reward_sum = 0.0;
  for (std::size_t i = 0; i < bts.rounds(); ++i) {
    const auto k = bts.position[i];
    const auto a = bts.action[i];
    count[k][a] += 1.0;
    propensity_sum[k][a] += bts.propensity[i];
    low[k][a] = std::min(low[k][a], bts.propensity[i]);
    high[k][a] = std::max(high[k][a], bts.propensity[i]);
    reward_sum += bts.reward[i];
  }
  ObdBtsSummary s;
  s.rounds = bts.rounds();
  s.on_policy_mean_reward = reward_sum / static_cast<double>(bts.rounds());
  s.distribution.assign(positions, std::vector<double>(items, 0.0));
  for (std::int32_t k = 0; k < positions; ++k) {
    double total = 0.0;
    for (std::size_t a = 0; a < items; ++a) {
      if (count[k][a] > 0)
        s.largest_propensity_range = std::max(s.largest_propensity_range, high[k][a] - low[k][a]);
      s.distribution[k][a] = method == ObdBtsMethod::kFrequency
                                 ? count[k][a]
                                 : (count[k][a] > 0 ? propensity_sum[k][a] / count[k][a] : 0.0);
      total += s.distribution[k][a];
    }
    if (total <= 0.0)
      throw BanditLogError(bts_path + ": no bts round at position " + std::to_string(k + 1) +
                           ", so the policy there is unknown");
    for (auto& p : s.distribution[k]) p /= total;
  }
  s.propensity_constant = s.largest_propensity_range <= 1e-12;

  TargetPolicy policy;
  policy.actions = bts.actions();
  policy.source = "obd-bts:" + bts_path;
  policy.probability.resize(log.rounds() * items);
  for (std::size_t i = 0; i < log.rounds(); ++i)
    std::copy(s.distribution[log.position[i]].begin(), s.distribution[log.position[i]].end(),
              policy.probability.begin() + i * items);
  if (summary) *summary = std::move(s);
  return policy;
}

std::optional<double> log_number(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  if (text.empty()) return std::nullopt;
  if (text.front() == '+') text.remove_prefix(1);
  double value = 0.0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value))
    return std::nullopt;
  return value;
}

}  // namespace mirror::policies
