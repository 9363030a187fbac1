#include "mirror/engine/engine.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <thread>

#include "mirror/core/messages.hpp"
#include "mirror/core/version.hpp"
#include "mirror/engine/assignment.hpp"
#include "mirror/engine/ranking_curves.hpp"
#include "mirror/engine/shard.hpp"
#include "mirror/twins/twin.hpp"

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(mirror::results::DailyTotals)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(std::vector<mirror::results::CustomerResult>)

namespace mirror::engine {

namespace {

using Messages = std::vector<std::pair<std::uint32_t, core::TwinDay>>;

// Twins of a shard that are told their day at once (see send_chunk_or_finish).
constexpr std::size_t kTwinChunk = 1024;

// Shared between the calling thread and the clock actor of one arm.
struct ArmRun {
  std::atomic<int> days_done{0};
  std::promise<results::ArmResult> done;
};

// What a shard's twins and policy actor point into. Shared with them so that it outlives
// every actor that reads it, also when a failing run stops the shard while a twin or the
// policy still has a message in hand.
struct ShardMemory {
  ShardMemory(const core::ScenarioSpec& spec, int arm, std::uint64_t first, std::size_t count,
              const std::vector<std::int8_t>* assignment)
      : sim(spec, arm, first, count, assignment) {}
  ShardSimulator sim;
  twins::DayBarrier barrier;
};

struct ShardState {
  std::shared_ptr<ShardMemory> memory;
  ShardSimulator* sim = nullptr;      // &memory->sim
  twins::DayBarrier* barrier = nullptr;  // &memory->barrier
  std::vector<caf::actor> twins;
  Messages messages;
  std::size_t next_message = 0;  // messages[next_message..] are not sent yet
  results::DailyTotals today;
  caf::response_promise day_done;
};

struct ShardArgs {
  std::shared_ptr<ShardMemory> memory;
  const RunOptions* options;
};

caf::behavior shard_actor(caf::stateful_actor<ShardState>* self, ShardArgs args) {
  auto& st = self->state;
  st.memory = args.memory;
  const std::size_t count = st.memory->sim.size();
  st.sim = &st.memory->sim;
  st.barrier = &st.memory->barrier;
  const std::shared_ptr<const void> keep_alive = st.memory;
  st.twins.reserve(count);
  for (std::size_t i = 0; i < count; ++i)
    st.twins.push_back(self->spawn<caf::lazy_init>(twins::twin_actor, st.sim->twin(i),
                                                   st.barrier, keep_alive));
  // An exception in a handler ends the shard with the exception's message; the clock
  // monitors shards and fails the run with it.
  self->set_exception_handler([](caf::scheduled_actor*, std::exception_ptr& eptr) -> caf::error {
    try {
      std::rethrow_exception(eptr);
    } catch (const std::exception& e) {
      return caf::make_error(caf::sec::runtime_error, std::string("shard: ") + e.what());
    } catch (...) {
      return caf::make_error(caf::sec::runtime_error, "shard: unknown exception");
    }
  });

  // Twins are told their day in chunks: the next chunk goes out when the last twin of the
  // previous one reports. This bounds the scheduler's queues: CAF 0.17's work stealing
  // walks a worker's whole queue on every steal (double_ended_queue::take_tail), which
  // turns a burst of 100,000+ runnable twins into quadratic time.
  auto send_chunk_or_finish = [self] {
    auto& s = self->state;
    const std::size_t left = s.messages.size() - s.next_message;
    if (left == 0) {
      s.day_done.deliver(s.today);
      return;
    }
    const std::size_t n = std::min(left, kTwinChunk);
    s.barrier->pending.store(static_cast<std::int64_t>(n), std::memory_order_relaxed);
    for (std::size_t k = 0; k < n; ++k) {
      const auto& [i, msg] = s.messages[s.next_message + k];
      self->send(s.twins[i], msg);
    }
    s.next_message += n;
  };
  return {
    // The clock has run the policy and the constraints for this day (enforce()).
    [=](tick_atom, std::int32_t day) {
      auto& s = self->state;
      s.day_done = self->make_response_promise();
      s.today = s.sim->step(day, s.messages, args.options->on_delivered);
      s.next_message = 0;
      send_chunk_or_finish();
      return s.day_done;
    },
    [=](twin_done_atom) {
      send_chunk_or_finish();
    },
    [=](collect_atom) {
      std::vector<results::CustomerResult> out;
      self->state.sim->collect(out);
      return out;
    },
  };
}

// Everything of one arm the clock reads between days: the shards' memory (for the central
// constraints) and the arm's budget and decision log.
struct ArmMemory {
  std::vector<std::shared_ptr<ShardMemory>> shards;
};

struct ClockState {
  bool ended = false;  // finished or failed: later down messages are expected
  std::vector<caf::actor> shards;
  std::shared_ptr<ArmMemory> memory;
  caf::actor policy;
  policies::BudgetLedger budget;
  bool logging = true;
  results::ArmResult result;
  results::DailyTotals today;
  std::size_t received = 0;
  std::vector<std::vector<results::CustomerResult>> parts;
};

struct ClockArgs {
  std::vector<caf::actor> shards;
  std::shared_ptr<ArmMemory> memory;
  caf::actor policy;
  std::string arm_name;
  std::string policy_kind;
  int horizon = 0;
  std::int64_t max_decision_rows = 0;
  ArmRun* run = nullptr;
};

caf::behavior clock_actor(caf::stateful_actor<ClockState>* self, ClockArgs args) {
  ArmRun* run = args.run;
  const int horizon = args.horizon;
  const std::int64_t max_rows = args.max_decision_rows;
  self->state.shards = std::move(args.shards);
  self->state.memory = std::move(args.memory);
  self->state.policy = args.policy;
  self->state.logging = max_rows > 0;
  self->state.result.name = std::move(args.arm_name);
  self->state.result.policy = std::move(args.policy_kind);
  self->state.result.daily.reserve(horizon);
  // Any failure ends the arm with an error the caller sees, never with a silent hang.
  auto fail = [self, run](const std::string& why) {
    auto& st = self->state;
    if (st.ended) return;
    st.ended = true;
    for (auto& s : st.shards) self->send_exit(s, caf::exit_reason::user_shutdown);
    self->send_exit(st.policy, caf::exit_reason::user_shutdown);
    run->done.set_exception(std::make_exception_ptr(std::runtime_error(why)));
    self->quit();
  };
  auto on_error = [self, fail](caf::error& err) { fail(self->system().render(err)); };
  for (auto& s : self->state.shards) self->monitor(s);
  self->monitor(self->state.policy);
  self->set_down_handler([self, fail](caf::down_msg& down) {
    if (!self->state.ended) fail("a shard stopped: " + self->system().render(down.reason));
  });
  auto finish = [self, run] {
    auto& st = self->state;
    st.ended = true;
    for (auto& part : st.parts)
      st.result.customers.insert(st.result.customers.end(), part.begin(), part.end());
    for (auto& s : st.shards) self->send_exit(s, caf::exit_reason::user_shutdown);
    self->send_exit(st.policy, caf::exit_reason::user_shutdown);
    st.result.budget_exhausted_day = st.budget.exhausted_day;
    run->done.set_value(std::move(st.result));
    self->quit();
  };
  auto collect = [self, finish, on_error] {
    auto& st = self->state;
    st.parts.assign(st.shards.size(), {});
    st.received = 0;
    for (std::size_t k = 0; k < st.shards.size(); ++k)
      self->request(st.shards[k], caf::infinite, collect_atom::value)
          .then([=](std::vector<results::CustomerResult>& part) {
            auto& st = self->state;
            st.parts[k] = std::move(part);  // shard order = customer id order
            if (++st.received == st.shards.size()) finish();
          },
          on_error);
  };
  // One day: the arm's policy proposes for every shard; the central constraints run shard
  // by shard in customer id order (so the budget and the decision log do not depend on the
  // sharding); then every shard steps its twins.
  auto run_day = [self, horizon, on_error, collect, run](std::int32_t day) {
    auto& st = self->state;
    st.today = results::DailyTotals{};    st.today.day = day;
    st.received = 0;
    for (auto& shard : st.shards)
      self->request(shard, caf::infinite, tick_atom::value, day)
          .then([=](const results::DailyTotals& totals) {
            auto& st = self->state;
            st.today += totals;  // integer sums: the merge order does not matter
            if (++st.received < st.shards.size()) return;
            st.result.daily.push_back(st.today);
            run->days_done.fetch_add(1, std::memory_order_relaxed);
            if (day + 1 < horizon)
              self->send(self, tick_atom::value, day + 1);
            else
              collect();
          },
          on_error);
  };
  self->send(self, tick_atom::value, std::int32_t{0});
  return {
    [=](tick_atom, std::int32_t day) {
      auto& st = self->state;
      self->request(st.policy, caf::infinite, decide_atom::value, day)
          .then([=](ArmProposals& proposals) {
            auto& st = self->state;
            try {
              if (proposals.size() != st.memory->shards.size())
                throw std::runtime_error("policy answered for the wrong number of shards");
              auto& log = st.result.decisions;
              const std::size_t before = log.size();
              for (std::size_t k = 0; k < proposals.size(); ++k) {
                auto& p = proposals[k];
                std::stable_sort(p.begin(), p.end(),
                                 [](const auto& a, const auto& b) { return a.index < b.index; });
                st.memory->shards[k]->sim.enforce(day, p, &st.budget,
                                                  st.logging ? &log : nullptr);
              }
              // Whole days only: the day that would pass the limit is dropped, and logging
              // stops.
              if (st.logging) {
                if (static_cast<std::int64_t>(log.size()) > max_rows) {
                  log.resize(before);
                  log.shrink_to_fit();
                  st.logging = false;
                  st.result.decisions_truncated = true;
                } else {
                  st.result.decisions_days_logged = day + 1;
                }
              }
            } catch (const std::exception& e) {
              fail(std::string("constraints: ") + e.what());
              return;
            }
            run_day(day);
          },
          on_error);
    },
  };
}

// Contiguous customer ranges: shard k holds ids [bounds[k], bounds[k + 1]).
std::vector<std::uint64_t> shard_bounds(std::uint32_t population, int shards) {
  std::vector<std::uint64_t> b(shards + 1);
  for (int k = 0; k <= shards; ++k)
    b[k] = static_cast<std::uint64_t>(population) * k / shards;
  return b;
}

}  // namespace

int resolve_threads(int requested) {
  if (requested > 0) return requested;
  return std::max(1u, std::thread::hardware_concurrency());
}

int default_shards(std::uint32_t population, int threads) {
  // Several shards per thread keep both cores busy while a shard waits on its twins
  // (measured in docs/benchmarks.md: 16 shards beat 8 and 32 on 2 cores).
  const int wanted = 8 * std::max(1, threads);
  return static_cast<int>(std::max<std::uint32_t>(1, std::min<std::uint32_t>(population, wanted)));
}

results::RunResults run_scenario(const core::ScenarioSpec& spec, const RunOptions& options) {
  const int threads = resolve_threads(options.threads);
  int shards = options.shards > 0 ? options.shards : default_shards(spec.population.size, threads);
  shards = static_cast<int>(std::min<std::uint32_t>(shards, std::max<std::uint32_t>(1, spec.population.size)));
  const auto bounds = shard_bounds(spec.population.size, shards);

  caf::actor_system_config cfg;
  cfg.set("scheduler.max-threads", static_cast<std::size_t>(threads));
  cfg.set("logger.verbosity", caf::atom("quiet"));
  caf::actor_system sys{cfg};

  results::RunResults out;
  const auto& arms = spec.experiment.arms;
  const auto start = std::chrono::steady_clock::now();
  const std::int64_t twin_days_per_arm =
      static_cast<std::int64_t>(spec.population.size) * spec.horizon_days;
  Progress progress;
  progress.arm_count = static_cast<int>(arms.size());
  progress.horizon_days = spec.horizon_days;
  progress.twin_days_total = twin_days_per_arm * progress.arm_count;
  const auto report = [&](int arm, int days_done) {
    if (!options.on_progress) return;
    progress.arm = arm;
    progress.arm_name = arms[arm].name;
    progress.days_done = days_done;
    progress.twin_days_done =
        twin_days_per_arm * arm + static_cast<std::int64_t>(spec.population.size) * days_done;
    progress.elapsed_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    options.on_progress(progress);
  };

  const auto assignment = assign_arms(spec);
  // Arms run one after another: only one arm's twins are alive at a time.
  for (int a = 0; a < static_cast<int>(arms.size()); ++a) {
    ArmRun run;
    auto result = run.done.get_future();
    auto memory = std::make_shared<ArmMemory>();
    std::vector<policies::ShardView> views;
    for (int k = 0; k < shards; ++k) {
      memory->shards.push_back(std::make_shared<ShardMemory>(
          spec, a, bounds[k], static_cast<std::size_t>(bounds[k + 1] - bounds[k]), &assignment));
      views.push_back(memory->shards.back()->sim.view());
    }
    std::vector<caf::actor> shard_actors;
    for (int k = 0; k < shards; ++k)
      shard_actors.push_back(sys.spawn(shard_actor, ShardArgs{memory->shards[k], &options}));
    std::shared_ptr<policies::Policy> policy = policies::make_policy(spec, a);
    ClockArgs clock;
    clock.shards = std::move(shard_actors);
    clock.memory = memory;
    clock.policy = sys.spawn(policies::policy_actor, policy, std::move(views),
                             std::shared_ptr<const void>(memory));
    clock.arm_name = arms[a].name;
    clock.policy_kind = core::policy_kind_name(arms[a].policy.kind);
    clock.horizon = spec.horizon_days;
    clock.max_decision_rows = spec.outputs.decisions_max_rows;
    clock.run = &run;
    sys.spawn(clock_actor, std::move(clock));
    const auto interval = std::chrono::duration<double>(options.progress_interval_s);
    while (result.wait_for(interval) != std::future_status::ready)
      report(a, run.days_done.load(std::memory_order_relaxed));
    out.arms.push_back(result.get());
    report(a, spec.horizon_days);
  }
  sys.await_all_actors_done();

  out.world = spec.world;
  out.summary = results::summarize(out.arms, spec.experiment.control, spec.experiment.design);
  if (options.ranking_curves) out.qini = qini_curves(spec, out);
  auto& m = out.meta;
  m.scenario_name = spec.name;
  m.scenario_path = spec.source_path;
  m.seed = spec.seed;
  m.version = core::kVersion;
  m.git_commit = core::kGitCommit;
  m.threads = threads;
  m.shards = shards;
  m.design = core::design_name(spec.experiment.design);
  m.control_arm = arms[spec.experiment.control].name;
  m.horizon_days = spec.horizon_days;
  m.population = spec.population.size;
  return out;
}

results::ArmResult run_arm_plain(const core::ScenarioSpec& spec, int arm, int shards,
                                 std::int64_t* twin_messages) {
  shards = static_cast<int>(std::min<std::uint32_t>(std::max(1, shards), std::max<std::uint32_t>(1, spec.population.size)));
  const auto bounds = shard_bounds(spec.population.size, shards);
  std::vector<std::unique_ptr<ShardSimulator>> sims;
  std::vector<policies::ShardView> views;
  const auto assignment = assign_arms(spec);
  for (int k = 0; k < shards; ++k) {
    sims.push_back(std::make_unique<ShardSimulator>(
        spec, arm, bounds[k], static_cast<std::size_t>(bounds[k + 1] - bounds[k]), &assignment));
    views.push_back(sims.back()->view());
  }
  auto policy = policies::make_policy(spec, arm);
  policies::BudgetLedger budget;
  bool logging = spec.outputs.decisions_max_rows > 0;
  results::ArmResult result;
  result.name = spec.experiment.arms[arm].name;
  result.policy = core::policy_kind_name(spec.experiment.arms[arm].policy.kind);
  if (twin_messages != nullptr) *twin_messages = 0;
  policies::ArmProposals proposals;
  Messages messages;
  for (std::int32_t day = 0; day < spec.horizon_days; ++day) {
    results::DailyTotals today;
    today.day = day;
    proposals.clear();
    policy->decide_arm(day, views, proposals);
    const std::size_t before = result.decisions.size();
    for (int k = 0; k < shards; ++k) {
      auto& p = proposals[k];
      std::stable_sort(p.begin(), p.end(), [](const auto& a, const auto& b) { return a.index < b.index; });
      sims[k]->enforce(day, p, &budget, logging ? &result.decisions : nullptr);
    }
    if (logging && static_cast<std::int64_t>(result.decisions.size()) > spec.outputs.decisions_max_rows) {
      result.decisions.resize(before);
      result.decisions.shrink_to_fit();
      result.decisions_truncated = true;
      logging = false;
    } else if (logging) {
      result.decisions_days_logged = day + 1;
    }
    for (int k = 0; k < shards; ++k) {
      auto& sim = *sims[k];
      today += sim.step(day, messages);
      if (twin_messages != nullptr) *twin_messages += static_cast<std::int64_t>(messages.size());
      for (const auto& [i, msg] : messages) twins::apply_day(*sim.twin(i), msg);
    }
    result.daily.push_back(today);
  }
  result.budget_exhausted_day = budget.exhausted_day;
  for (auto& sim : sims) sim->collect(result.customers);
  return result;
}

}  // namespace mirror::engine
