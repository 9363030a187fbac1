// LCM twins: a store's customers, each starting from the model's recurrent state after its
// real history (warmed up once per process), then living day by day as the model predicts,
// responding to the actions the policies deliver.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "mirror/core/scenario_spec.hpp"
#include "mirror/twins/behaviour_model.hpp"
#include "mirror/twins/lcm.hpp"

namespace mirror::twins {

struct LcmPopulation {
  LcmArtifact model;
  std::vector<std::string> ids;
  std::vector<float> state;             // customers x hidden, after the calibration period
  std::vector<float> head_offsets;      // customers x kLcmHeadCount (lcm_head_offsets); empty without attributes
  std::vector<float> last_events;       // customers x kLcmEventCount: the last calibration day
  std::vector<LcmHistory> history;      // up to the last calibration day
  std::vector<std::uint8_t> consent;    // at the calibration end (store_consent)
  std::string consent_sources;          // what the store said of it (store_consent)
  std::int32_t first_day = 0;           // calendar day of step 0
  std::int32_t start_step = 0;          // the step of simulated day 0
  // The product categories campaigns can promote: the model's (LcmArtifact::categories), or
  // the store's when the model does not list them. Per customer, its item events (views,
  // purchases) in each of them up to the calibration end (customers x categories) and in
  // all: the affinity the model reads (LcmSequences::affinity at the calibration end, as
  // validation uses). Twins' purchases have no item, so it stays as it was.
  std::vector<std::string> categories;
  std::vector<std::uint32_t> item_counts;
  std::vector<std::uint32_t> item_events;
  std::size_t size() const { return ids.size(); }
  float affinity(std::size_t c, int category) const;
};

// Which population category (-1: none, a generic contact) each scenario message promotes:
// the message's store_category when it has one ("none": generic), else the category its
// name names by the training convention (lcm_campaign_category: "apparel", "apparel_new").
// Throws std::invalid_argument for a store_category the population does not know.
std::vector<int> lcm_message_categories(const std::vector<std::string>& categories,
                                        const std::vector<core::CategorySpec>& messages);

// Customers with at least one event in the calibration period. Loaded once per
// (store, model) in a process and shared by every shard. Throws std::runtime_error.
std::shared_ptr<const LcmPopulation> load_lcm_population(const std::string& store_path,
                                                         const std::string& model_path);
// The build behind it, for tests and benchmarks: the store is read `block_customers` at a
// time (0: as many as fit in 512 MiB of dense sequences) and each block is warmed up on
// `threads` threads (0: the machine's cores), one kernel batch per day and thread. Neither
// changes a number.
std::shared_ptr<LcmPopulation> build_lcm_population(const std::string& store_path, const std::string& model_path,
                                                    std::size_t block_customers = 0, int threads = 0);

class LcmWorld : public BehaviourModel {
 public:
  // message_category: lcm_message_categories of the scenario's messages (empty: every
  // contact is generic).
  LcmWorld(std::shared_ptr<const LcmPopulation> population, double gross_margin, std::uint64_t seed,
           std::uint64_t first_customer, std::size_t count, std::vector<int> message_category = {});

  std::size_t size() const override { return count_; }
  std::uint64_t first_customer() const override { return first_customer_; }
  int segment(std::size_t) const override { return 0; }
  std::uint8_t initial_consent(std::size_t i) const override { return population_->consent[first_customer_ + i]; }
  bool initially_active(std::size_t i) const override { return !population_->history[first_customer_ + i].churned(); }
  void step(std::int32_t day, const core::TwinState* twins, const core::ContactLedger* ledgers,
            const core::DayAction* actions, core::DayOutcome* outcomes) override;

 private:
  std::shared_ptr<const LcmPopulation> population_;
  double gross_margin_;
  std::uint64_t seed_;
  std::uint64_t first_customer_;
  std::size_t count_;
  std::vector<int> message_category_;
  std::vector<float> h_;            // count x hidden
  std::vector<float> head_offsets_; // count x kLcmHeadCount; empty without attributes
  std::vector<float> events_;       // count x kLcmEventCount: yesterday's
  std::vector<LcmHistory> history_;
  std::vector<float> x_, heads_;    // scratch, count x inputs / heads
};

}  // namespace mirror::twins
