// Scale benchmark: the ground-truth world for N customers x D days, once as a plain loop
// over the shards (no actors, no messages) and once in the actor engine (one actor per
// twin), in the same process. Prints twin-days/s of both, their ratio, messages per
// twin-day, peak RSS and bytes per twin.
// usage: engine_scale [--customers N] [--days D] [--threads T] [--shards S]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "mirror/engine/engine.hpp"
#include "process_memory.hpp"

using namespace mirror;

namespace {

core::ScenarioSpec bench_scenario(std::uint32_t customers, int days) {
  core::ScenarioSpec s;
  s.name = "engine_scale";
  s.seed = 2026;
  s.population.size = customers;
  s.world = core::default_world();
  s.horizon_days = days;
  s.channels = {{core::Channel::email, 0.002}};
  s.offers = {{"ten_off", 0.10}};
  s.constraints.max_per_week = 3;
  core::PolicySpec weekly;
  weekly.kind = core::PolicySpec::Kind::batch_and_blast;
  weekly.channel = core::Channel::email;
  weekly.offer = 0;
  weekly.every_days = 7;
  s.experiment.arms = {{"weekly_email", weekly}};
  return s;
}

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

int main(int argc, char** argv) {
  std::uint32_t customers = 100000;
  int days = 365, threads = 0, shards = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string key = argv[i];
    const long value = std::atol(argv[i + 1]);
    if (key == "--customers") customers = static_cast<std::uint32_t>(value);
    else if (key == "--days") days = static_cast<int>(value);
    else if (key == "--threads") threads = static_cast<int>(value);
    else if (key == "--shards") shards = static_cast<int>(value);
    else { std::fprintf(stderr, "unknown option %s\n", argv[i]); return 2; }
  }
  const auto spec = bench_scenario(customers, days);
  threads = engine::resolve_threads(threads);
  if (shards == 0) shards = engine::default_shards(customers, threads);
  const double twin_days = static_cast<double>(customers) * days;

  const long rss_start = bench::current_rss_bytes();
  bench::reset_peak_rss();
  auto t0 = std::chrono::steady_clock::now();
  std::int64_t messages = 0;
  const auto plain = engine::run_arm_plain(spec, 0, shards, &messages);
  const double plain_s = seconds_since(t0);
  const long plain_peak = bench::peak_rss_bytes();

  bench::reset_peak_rss();
  const long rss_before_actors = bench::current_rss_bytes();
  engine::RunOptions options;
  options.threads = threads;
  options.shards = shards;
  t0 = std::chrono::steady_clock::now();
  const auto actors = engine::run_scenario(spec, options);
  const double actor_s = seconds_since(t0);
  const long actor_peak = bench::peak_rss_bytes();

  // The two engines must agree exactly, or the comparison means nothing.
  const bool same = plain.customers.size() == actors.arms[0].customers.size() &&
                    std::memcmp(plain.daily.data(), actors.arms[0].daily.data(),
                                plain.daily.size() * sizeof(plain.daily[0])) == 0;

  std::printf("customers %u, days %d, threads %d, shards %d\n", customers, days, threads, shards);
  std::printf("plain loop : %8.2f s  %10.0f twin-days/s  peak RSS %7.1f MiB\n", plain_s,
              twin_days / plain_s, plain_peak / 1048576.0);
  std::printf("actors     : %8.2f s  %10.0f twin-days/s  peak RSS %7.1f MiB\n", actor_s,
              twin_days / actor_s, actor_peak / 1048576.0);
  std::printf("ratio actors/plain speed: %.3f\n", plain_s / actor_s);
  std::printf("messages to twins per twin-day: %.4f\n", messages / twin_days);
  std::printf("bytes per twin (actor engine, peak RSS above start): %.0f\n",
              static_cast<double>(actor_peak - std::min(rss_start, rss_before_actors)) / customers);
  std::printf("results identical: %s\n", same ? "yes" : "NO");
  return same ? 0 : 1;
}
