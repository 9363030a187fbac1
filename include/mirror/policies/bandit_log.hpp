// A logged bandit data set for off-policy evaluation (who saw what, with which logging
// probability, and what came of it), the target policy to evaluate on it, and the readers
// that build both from the canonical decisions CSV and from the Open Bandit Dataset.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace mirror::policies {

// A field of a decisions log as a number: a finite decimal, spaces and a leading '+'
// allowed; anything else (empty, "inf", "n/a") is none. The log's own fields and features
// and a policy artifact's conditions on its context columns all read numbers this way.
std::optional<double> log_number(std::string_view text);

// A malformed input file. what() is "FILE:LINE: column: message" (LINE is 1-based, the
// header is line 1) so that people can find the row; the CLI exits 2 on it.
class BanditLogError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// One non-zero context feature of a round: an index into [0, context_width) and a value.
struct ContextEntry {
  std::uint32_t feature = 0;
  double value = 0.0;
};

// n logged rounds. Columns are stored separately because the estimators stream over them.
struct BanditLog {
  std::vector<std::string> action_labels;  // index = action id; size A
  std::vector<std::int32_t> action;        // per round, in [0, A)
  std::vector<std::int32_t> position;      // per round, in [0, positions); empty = no slots
  std::vector<double> reward;
  std::vector<double> propensity;  // p_b(a_i | x_i) of the logged action, in (0, 1]
  // Context features as sparse rows: dense columns appear as entries too (zeros left out),
  // hashed categorical columns as a one at their bucket.
  std::uint32_t context_width = 0;
  std::vector<std::size_t> context_begin{0};  // round i owns [begin[i], begin[i+1])
  std::vector<ContextEntry> context;
  // Optional features of each (round, action) pair, n x A row-major; empty = none. OBD's
  // user-item affinity is one: it is how much this user likes each item.
  std::vector<double> action_context;
  // The raw text of each context column of a decisions log, for policies whose conditions
  // read them (policy artifacts): per column its distinct values and each round's value.
  struct ContextColumn {
    std::string name;
    std::vector<std::string> values;
    std::vector<std::uint32_t> value_of_round;
  };
  std::vector<ContextColumn> context_columns;
  std::string source;              // file the rounds came from, for messages
  std::vector<std::int64_t> line;  // source line per round (empty for built logs)

  std::size_t rounds() const { return action.size(); }
  std::int32_t actions() const { return static_cast<std::int32_t>(action_labels.size()); }
  std::int32_t positions() const;  // 0 when the log has no positions

  // Appends a round. POSITION is -1 for logs without slots (then every round must be).
  void add_round(std::int32_t action, double reward, double propensity,
                 const std::vector<ContextEntry>& context = {}, std::int32_t position = -1);
  // "FILE:LINE" of round I when known, else "round I".
  std::string where(std::size_t i) const;
};

// The policy to evaluate: pi_e(a | x_i) for every round i and action a, n x A row-major.
struct TargetPolicy {
  std::int32_t actions = 0;
  std::vector<double> probability;
  std::string source;

  double operator()(std::size_t round, std::int32_t a) const {
    return probability[round * static_cast<std::size_t>(actions) + a];
  }
};

// Throws BanditLogError unless POLICY has one row per round of LOG and A columns, every
// entry finite and in [0, 1] and each row sums to 1 (within 1e-6).
void validate_target_policy(const BanditLog& log, const TargetPolicy& policy);

// Canonical decisions CSV plus a `reward` column:
//   customer_id,timestamp,arm,policy,channel,message,offer,propensity,cost,reward[,...]
// The action is the (channel, message, offer) triple, labelled "channel/message/offer",
// numbered in order of first appearance. Further columns are context: numbers as dense
// features, anything else hashed into kHashBuckets buckets per column.
BanditLog read_decisions_log(const std::string& path);

// An Open Bandit Dataset log (index, timestamp, item_id, position, click,
// propensity_score, user_feature_*, user-item_affinity_*). Actions are the item ids; the
// number of items comes from item_context.csv beside the log when it exists (so items
// never shown still count), else from the largest item id. Positions 1..3 become 0..2.
BanditLog read_obd_log(const std::string& path);

// A CSV of target probabilities: a header naming the actions (labels as in the log; a
// label the log never shows is added to LOG as an action without rounds) and one row per
// logged round, in log order. Every logged action needs a column.
TargetPolicy read_target_policy_csv(const std::string& path, BanditLog& log);

// How the Bernoulli Thompson Sampling policy of an OBD bts log is turned into a context-free
// distribution pi(item | position).
enum class ObdBtsMethod {
  kFrequency,       // share of the bts rounds at position k that showed the item
  kMeanPropensity,  // mean logged propensity_score per (item, position), renormalised
};

// What was learnt from the bts log, for the report.
struct ObdBtsSummary {
  std::size_t rounds = 0;
  double on_policy_mean_reward = 0.0;             // the truth the estimates are compared with
  bool propensity_constant = true;                // per (item, position) over time
  double largest_propensity_range = 0.0;          // max - min of one (item, position)'s scores
  std::vector<std::vector<double>> distribution;  // [position][item]
};

// The target policy for LOG (an OBD log of the same campaign) that plays the bts policy of
// BTS_PATH: row i is pi(. | position_i).
TargetPolicy obd_bts_policy(const std::string& bts_path, const BanditLog& log, ObdBtsMethod method,
                            ObdBtsSummary* summary = nullptr);

// Buckets per hashed categorical column.
inline constexpr std::uint32_t kHashBuckets = 32;

}  // namespace mirror::policies
