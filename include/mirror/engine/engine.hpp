// Runs a scenario in the actor system: one CAF actor per customer twin, grouped in shard
// actors, a policy actor per arm and shard, and a clock that advances one day at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "mirror/core/scenario_spec.hpp"
#include "mirror/core/twin_state.hpp"
#include "mirror/results/run_results.hpp"

namespace mirror::engine {

struct Progress {
  int arm = 0;  // index of the arm being simulated
  int arm_count = 0;
  std::string arm_name;
  int days_done = 0;  // in this arm
  int horizon_days = 0;
  std::int64_t twin_days_done = 0;  // over all arms so far
  std::int64_t twin_days_total = 0;
  double elapsed_s = 0.0;
};

struct RunOptions {
  int threads = 0;  // scheduler threads; 0 = the machine's cores
  int shards = 0;   // 0 = default_shards()
  // Called on the calling thread about every progress_interval_s, and once per finished arm.
  std::function<void(const Progress&)> on_progress;
  double progress_interval_s = 0.25;
  // Observer for tests: every delivered action with the customer's contact ledger and state
  // before it. Called concurrently from shard actors; it must be thread-safe.
  std::function<void(std::int32_t day, std::uint64_t customer, const core::ContactLedger& before,
                     const core::TwinState& twin, const core::DayAction& action)>
      on_delivered;
  // Qini curves of the ranking arms (ranking_curves.hpp) in the ground-truth world.
  bool ranking_curves = true;
};

int resolve_threads(int requested);
int default_shards(std::uint32_t population, int threads);

// Runs every arm; returns results with meta (except wall time and scenario text, which the
// caller fills), daily totals, customers and the summary table. Throws std::runtime_error
// when the run fails.
results::RunResults run_scenario(const core::ScenarioSpec& spec, const RunOptions& options);

// The same simulation of one arm as a plain loop over the shards, without actors or
// messages: the baseline of bench/engine_scale and a cross-check of the actor engine.
// twin_messages, if given, receives the number of twin updates, which is the number of
// messages the actor engine sends to twins for the same arm.
results::ArmResult run_arm_plain(const core::ScenarioSpec& spec, int arm, int shards,
                                 std::int64_t* twin_messages = nullptr);

}  // namespace mirror::engine
