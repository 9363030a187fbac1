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
  ShardMemory(const core::ScenarioSpec& spec, int arm, std::uint64_t first, std::size_t count)
      : sim(spec, arm, first, count) {}
  ShardSimulator sim;
  twins::DayBarrier barrier;
};

struct ShardState {
  std::shared_ptr<ShardMemory> memory;
  ShardSimulator* sim = nullptr;      // &memory->sim
  twins::DayBarrier* barrier = nullptr;  // &memory->barrier
  std::vector<caf::actor> twins;
  caf::actor policy;
  Messages messages;
  std::size_t next_message = 0;  // messages[next_message..] are not sent yet
  results::DailyTotals today;
  caf::response_promise day_done;
};

struct ShardArgs {
  const core::ScenarioSpec* spec;
  int arm;
  std::uint64_t first;
  std::size_t count;
  const RunOptions* options;
};

caf::behavior shard_actor(caf::stateful_actor<ShardState>* self, ShardArgs args) {
  auto& st = self->state;
  st.memory = std::make_shared<ShardMemory>(*args.spec, args.arm, args.first, args.count);
  st.sim = &st.memory->sim;
  st.barrier = &st.memory->barrier;
  const std::shared_ptr<const void> keep_alive = st.memory;
  st.twins.reserve(args.count);
  for (std::size_t i = 0; i < args.count; ++i)
    st.twins.push_back(self->spawn<caf::lazy_init>(twins::twin_actor, st.sim->twin(i),
                                                   st.barrier, keep_alive));
  std::shared_ptr<policies::Policy> policy =
      policies::make_policy(args.spec->experiment.arms[args.arm].policy);
  st.policy = self->spawn(policies::policy_actor, policy, st.sim->view(), keep_alive);
  self->link_to(st.policy);
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
    [=](tick_atom, std::int32_t day) {
      auto& s = self->state;
      s.day_done = self->make_response_promise();
      self->request(s.policy, caf::infinite, decide_atom::value, day)
          .then([=](const ProposedActions& proposals) {
            auto& s = self->state;
            s.today = s.sim->simulate_day(day, proposals, s.messages, args.options->on_delivered);
            s.next_message = 0;
            send_chunk_or_finish();
          },
          [=](caf::error& err) { self->state.day_done.deliver(std::move(err)); });
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

struct ClockState {
  bool ended = false;  // finished or failed: later down messages are expected
  std::vector<caf::actor> shards;
  results::ArmResult result;
  results::DailyTotals today;
  std::size_t received = 0;
  std::vector<std::vector<results::CustomerResult>> parts;
};

caf::behavior clock_actor(caf::stateful_actor<ClockState>* self, std::vector<caf::actor> shards,
                          std::string arm_name, int horizon, ArmRun* run) {
  self->state.shards = std::move(shards);
  self->state.result.name = std::move(arm_name);
  self->state.result.daily.reserve(horizon);
  // Any failure ends the arm with an error the caller sees, never with a silent hang.
  auto fail = [self, run](const std::string& why) {
    auto& st = self->state;
    if (st.ended) return;
    st.ended = true;
    for (auto& s : st.shards) self->send_exit(s, caf::exit_reason::user_shutdown);
    run->done.set_exception(std::make_exception_ptr(std::runtime_error(why)));
    self->quit();
  };
  auto on_error = [self, fail](caf::error& err) { fail(self->system().render(err)); };
  for (auto& s : self->state.shards) self->monitor(s);
  self->set_down_handler([self, fail](caf::down_msg& down) {
    if (!self->state.ended) fail("a shard stopped: " + self->system().render(down.reason));
  });
  auto finish = [self, run] {
    auto& st = self->state;
    st.ended = true;
    for (auto& part : st.parts)
      st.result.customers.insert(st.result.customers.end(), part.begin(), part.end());
    for (auto& s : st.shards) self->send_exit(s, caf::exit_reason::user_shutdown);
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
  self->send(self, tick_atom::value, std::int32_t{0});
  return {
    [=](tick_atom, std::int32_t day) {
      auto& st = self->state;
      st.today = results::DailyTotals{};
      st.today.day = day;
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

  // Arms run one after another: only one arm's twins are alive at a time.
  for (int a = 0; a < static_cast<int>(arms.size()); ++a) {
    ArmRun run;
    auto result = run.done.get_future();
    std::vector<caf::actor> shard_actors;
    for (int k = 0; k < shards; ++k) {
      ShardArgs args{&spec, a, bounds[k], static_cast<std::size_t>(bounds[k + 1] - bounds[k]),
                     &options};
      shard_actors.push_back(sys.spawn(shard_actor, args));
    }
    sys.spawn(clock_actor, std::move(shard_actors), arms[a].name, spec.horizon_days, &run);
    const auto interval = std::chrono::duration<double>(options.progress_interval_s);
    while (result.wait_for(interval) != std::future_status::ready)
      report(a, run.days_done.load(std::memory_order_relaxed));
    out.arms.push_back(result.get());
    report(a, spec.horizon_days);
  }
  sys.await_all_actors_done();

  out.world = spec.world;
  out.summary = results::summarize(out.arms, spec.experiment.control, spec.experiment.design);
  auto& m = out.meta;
  m.scenario_name = spec.name;
  m.scenario_path = spec.source_path;
  m.seed = spec.seed;
  m.version = core::kVersion;
  m.git_commit = core::kGitCommit;
  m.threads = threads;
  m.shards = shards;
  m.design = spec.experiment.design == core::ExperimentSpec::Design::paired ? "paired" : "split";
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
  std::vector<std::unique_ptr<policies::Policy>> policies;
  for (int k = 0; k < shards; ++k) {
    sims.push_back(std::make_unique<ShardSimulator>(
        spec, arm, bounds[k], static_cast<std::size_t>(bounds[k + 1] - bounds[k])));
    policies.push_back(policies::make_policy(spec.experiment.arms[arm].policy));
  }
  results::ArmResult result;
  result.name = spec.experiment.arms[arm].name;
  if (twin_messages != nullptr) *twin_messages = 0;
  ProposedActions proposals;
  Messages messages;
  for (std::int32_t day = 0; day < spec.horizon_days; ++day) {
    results::DailyTotals today;
    today.day = day;
    for (int k = 0; k < shards; ++k) {
      auto& sim = *sims[k];
      proposals.clear();
      policies[k]->decide(day, sim.view(), proposals);
      today += sim.simulate_day(day, proposals, messages);
      if (twin_messages != nullptr) *twin_messages += static_cast<std::int64_t>(messages.size());
      for (const auto& [i, msg] : messages) twins::apply_day(*sim.twin(i), msg);
    }
    result.daily.push_back(today);
  }
  for (auto& sim : sims) sim->collect(result.customers);
  return result;
}

}  // namespace mirror::engine
