// Policy artifacts: writing them as YAML and turning one into target probabilities over a
// decisions log. Reading the YAML is the scenario module's (scenario/policy_artifact_file).
#include "mirror/policies/policy_artifact.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>

#include "mirror/ingest/segment_rules.hpp"

namespace mirror::policies {

namespace {

constexpr double kSumTolerance = 1e-6;
constexpr const char* kLoggedNoAction = "//";

// A YAML double-quoted scalar: always safe, whatever the text holds.
std::string quoted(const std::string& text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string number_text(double v) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.12g", v);
  return buffer;
}

std::string distribution_yaml(const ActionDistribution& d) {
  std::string out = "{";
  for (std::size_t k = 0; k < d.size(); ++k)
    out += (k ? ", " : " ") + quoted(d[k].label) + ": " + number_text(d[k].probability);
  return out + " }";
}

int slashes(const std::string& label) {
  return static_cast<int>(std::count(label.begin(), label.end(), '/'));
}

// A context column as the rule language sees it: numbers when every non-empty value is
// one (an empty value is missing), else text.
struct ColumnValues {
  bool text = false;
  std::vector<double> numbers;  // per distinct value
};

ColumnValues column_values(const BanditLog::ContextColumn& c) {
  ColumnValues out;
  out.numbers.reserve(c.values.size());
  for (const auto& v : c.values) {
    if (v.empty()) {
      out.numbers.push_back(std::nan(""));
      continue;
    }
    const auto x = log_number(v);
    if (!x) {
      out.text = true;
      break;
    }
    out.numbers.push_back(*x);
  }
  return out;
}

std::string column_list(const BanditLog& log) {
  if (log.context_columns.empty()) return "the log has no context columns";
  std::string out = "the log's context columns: ";
  for (std::size_t c = 0; c < log.context_columns.size(); ++c)
    out += (c ? ", " : "") + log.context_columns[c].name;
  return out;
}

// The artifact's label as the log writes it.
std::string log_label(const std::string& label) {
  return label == kNoActionLabel ? std::string(kLoggedNoAction) : label;
}

// channel/message/offer with every `none` part empty: `mirror run` writes a campaign without
// an offer as `email/newsletter/`, `mirror generate` (and many CRMs) as `email/newsletter/none`.
std::string plain_label(const std::string& label) {
  std::string out, part;
  std::size_t parts = 0;
  for (std::size_t i = 0; i <= label.size(); ++i) {
    if (i == label.size() || label[i] == '/') {
      out += (parts++ ? "/" : "") + (part == kNoActionLabel ? std::string() : part);
      part.clear();
    } else {
      part += label[i];
    }
  }
  return out;
}

}  // namespace

std::string policy_artifact_yaml(const PolicyArtifact& a) {
  std::ostringstream out;
  out << "# A policy for `mirror ope --policy` (docs/export.md): the first rule whose\n"
         "# condition holds gives the action distribution, else the default.\n";
  out << "format: " << kPolicyArtifactFormat << "\n";
  if (!a.source.empty()) {
    out << "source:\n";
    for (const auto& [key, value] : a.source) out << "  " << key << ": " << quoted(value) << "\n";
  }
  if (a.rules.empty()) {
    out << "rules: []\n";
  } else {
    out << "rules:\n";
    for (const auto& r : a.rules) {
      out << "  - when: " << quoted(r.when) << "\n";
      out << "    actions: " << distribution_yaml(r.actions) << "\n";
      if (r.count >= 0) out << "    count: " << r.count << "\n";
    }
  }
  out << "default:\n  actions: " << distribution_yaml(a.default_actions) << "\n";
  if (a.default_count >= 0) out << "  count: " << a.default_count << "\n";
  return out.str();
}

void write_policy_artifact(const PolicyArtifact& artifact, const std::string& path) {
  namespace fs = std::filesystem;
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error(path + ": cannot write the policy artifact");
    out << policy_artifact_yaml(artifact);
    out.flush();
    if (!out) {
      std::error_code ec;
      fs::remove(tmp, ec);
      throw std::runtime_error(path + ": cannot write the policy artifact");
    }
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) {
    fs::remove(tmp, ec);
    throw std::runtime_error(path + ": " + ec.message());
  }
}

std::string located(const PolicyArtifact& artifact, const ArtifactPlace& place,
                    const std::string& message) {
  std::string out = artifact.label;
  if (place.line > 0)
    out += ":" + std::to_string(place.line) + ":" + std::to_string(place.column);
  out += ": ";
  if (!place.key.empty()) out += place.key + ": ";
  return out + message;
}

TargetPolicy artifact_target_policy(const PolicyArtifact& artifact, BanditLog& log,
                                    std::vector<std::string>* notes) {
  const std::size_t n = log.rounds();
  // Every distribution maps to log action ids; labels the log lacks become new actions.
  bool decisions_form = log.actions() > 0;
  for (const auto& l : log.action_labels) decisions_form &= slashes(l) == 2;
  std::map<std::string, std::int32_t> ids;
  for (std::int32_t a = 0; a < log.actions(); ++a) ids[log.action_labels[a]] = a;
  // A label the log lacks matches a logged one that differs only in writing a missing part
  // as `none` or empty, when exactly one does.
  std::map<std::string, std::int32_t> plain_ids;
  if (decisions_form)
    for (std::int32_t a = 0; a < log.actions(); ++a) {
      const auto [it, fresh] = plain_ids.emplace(plain_label(log.action_labels[a]), a);
      if (!fresh) it->second = -1;  // ambiguous
    }
  const std::int32_t logged_actions = log.actions();
  std::vector<std::string> unseen;
  using Resolved = std::vector<std::pair<std::int32_t, double>>;
  const auto resolve = [&](const ActionDistribution& d, const ArtifactPlace& place) {
    Resolved out;
    double sum = 0.0;
    for (const auto& share : d) {
      const std::string label = log_label(share.label);
      if (decisions_form && slashes(label) != 2)
        throw BanditLogError(located(
            artifact, place,
            "action '" + share.label + "' is not a label of the log's form: channel/message/offer "
            "(e.g. 'email//ten_off', empty parts allowed) or none"));
      if (!(share.probability >= 0.0 && share.probability <= 1.0))
        throw BanditLogError(located(artifact, place,
                                     "probability of '" + share.label + "' is " +
                                         number_text(share.probability) + ", not in [0, 1]"));
      auto it = ids.find(label);
      if (it == ids.end() && decisions_form) {
        const auto plain = plain_ids.find(plain_label(label));
        if (plain != plain_ids.end() && plain->second >= 0)
          it = ids.emplace(label, plain->second).first;
      }
      if (it == ids.end()) {
        it = ids.emplace(label, static_cast<std::int32_t>(log.action_labels.size())).first;
        log.action_labels.push_back(label);
        unseen.push_back(share.label);
      }
      for (const auto& [a, p] : out)
        if (a == it->second)
          throw BanditLogError(located(artifact, place, "action '" + share.label + "' appears twice"));
      out.emplace_back(it->second, share.probability);
      sum += share.probability;
    }
    if (std::abs(sum - 1.0) > kSumTolerance)
      throw BanditLogError(
          located(artifact, place, "probabilities sum to " + number_text(sum) + ", not 1"));
    return out;
  };
  std::vector<Resolved> rule_actions;
  for (const auto& r : artifact.rules) rule_actions.push_back(resolve(r.actions, r.actions_place));
  const Resolved default_actions = resolve(artifact.default_actions, artifact.default_place);

  // Conditions: checked against the log's columns, then evaluated once per distinct
  // combination of the values of the columns they read (segments are few, rounds many).
  std::vector<ingest::RuleField> fields;
  std::vector<ColumnValues> values;
  for (const auto& c : log.context_columns) {
    values.push_back(column_values(c));
    fields.push_back({c.name, values.back().text ? ingest::FieldKind::kText : ingest::FieldKind::kNumber});
  }
  std::vector<ingest::SegmentRule> conditions;
  std::vector<std::size_t> used;  // indices of the columns any condition reads
  for (const auto& r : artifact.rules) {
    auto parsed = ingest::parse_segment_rule(r.when);
    if (!parsed.ok())
      throw BanditLogError(located(artifact, r.when_place,
                                   "column " + std::to_string(parsed.error->column) +
                                       " of the condition: " + parsed.error->message));
    const auto errors = parsed.rule->check(fields);
    if (!errors.empty()) {
      // Conditions built from several of a scenario's are not the user's text: no column.
      const auto& key = r.when_place.key;
      const bool own_text =
          key.empty() || (key.size() >= 4 && key.compare(key.size() - 4, 4, "when") == 0);
      throw BanditLogError(located(
          artifact, r.when_place,
          (own_text ? "column " + std::to_string(errors.front().column) + " of the condition: " : std::string()) +
              errors.front().message + " (" + column_list(log) + ")"));
    }
    for (const auto& name : parsed.rule->fields())
      for (std::size_t c = 0; c < log.context_columns.size(); ++c)
        if (log.context_columns[c].name == name && std::find(used.begin(), used.end(), c) == used.end())
          used.push_back(c);
    conditions.push_back(std::move(*parsed.rule));
  }
  std::vector<std::uint32_t> combination(n, 0);
  results::Table table;
  if (!conditions.empty()) {
    std::map<std::vector<std::uint32_t>, std::uint32_t> combination_ids;
    std::vector<std::uint32_t> key(used.size());
    for (std::size_t i = 0; i < n; ++i) {
      for (std::size_t k = 0; k < used.size(); ++k)
        key[k] = log.context_columns[used[k]].value_of_round.at(i);
      const auto [it, fresh] =
          combination_ids.emplace(key, static_cast<std::uint32_t>(combination_ids.size()));
      combination[i] = it->second;
    }
    const std::size_t rows = combination_ids.size();
    for (const auto c : used) {
      results::Table::Column column;
      column.name = log.context_columns[c].name;
      if (values[c].text)
        column.strings.resize(rows);
      else
        column.numbers.resize(rows);
      table.columns.push_back(std::move(column));
    }
    // A condition without fields (`1 == 1`) still needs the table to have its rows.
    if (used.empty()) table.columns.push_back({" rows", std::vector<double>(rows, 0.0), {}});
    for (const auto& [k, row] : combination_ids)
      for (std::size_t j = 0; j < used.size(); ++j) {
        const auto c = used[j];
        if (values[c].text)
          table.columns[j].strings[row] = log.context_columns[c].values[k[j]];
        else
          table.columns[j].numbers[row] = values[c].numbers[k[j]];
      }
  }
  std::vector<std::vector<std::uint8_t>> holds;
  for (const auto& c : conditions) holds.push_back(c.evaluate(table));

  TargetPolicy policy;
  policy.actions = log.actions();
  policy.source = artifact.label;
  const auto a_count = static_cast<std::size_t>(policy.actions);
  policy.probability.assign(n * a_count, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    const Resolved* chosen = &default_actions;
    for (std::size_t k = 0; k < conditions.size(); ++k)
      if (holds[k][combination[i]]) {
        chosen = &rule_actions[k];
        break;
      }
    for (const auto& [a, p] : *chosen) policy.probability[i * a_count + a] = p;
  }
  // Actions the log never showed get zero (round, action) features.
  if (!log.action_context.empty() && log.actions() != logged_actions) {
    std::vector<double> widened(n * a_count, 0.0);
    for (std::size_t i = 0; i < n; ++i)
      std::copy_n(log.action_context.begin() + i * logged_actions, logged_actions,
                  widened.begin() + i * a_count);
    log.action_context = std::move(widened);
  }
  if (notes != nullptr)
    for (const auto& label : unseen) {
      std::string note = artifact.label + ": action '" + label +
                         "' never appears in the log: it has no support there";
      if (logged_actions <= 12) {
        note += " (logged actions:";
        for (std::int32_t a = 0; a < logged_actions; ++a)
          note += (a ? ", '" : " '") + log.action_labels[a] + "'";
        note += ")";
      }
      notes->push_back(note);
    }
  return policy;
}

}  // namespace mirror::policies
