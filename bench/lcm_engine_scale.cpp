// End-to-end speed of the LCM twins: a scenario with `model: { kind: lcm }` and a store
// population, as `mirror run` runs it (actor engine), in one process with each phase timed:
// building the population (reading the store, warming every customer's state up over its
// history) and simulating. Prints wall and CPU seconds (CPU: all threads, so figures on a
// busy machine can be read), twin-days/s, peak RSS and bytes per twin.
// usage: lcm_engine_scale SCENARIO.yaml [--threads T] [--shards S] [--plain]
//   --plain also runs the first arm as a plain loop over the shards (no actors).
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "mirror/engine/engine.hpp"
#include "mirror/scenario/load_scenario.hpp"
#include "mirror/twins/lcm_world.hpp"
#include "process_memory.hpp"

using namespace mirror;

namespace {

double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) * 1e-6;
}

struct Clock {
  std::chrono::steady_clock::time_point wall = std::chrono::steady_clock::now();
  double cpu = cpu_seconds();
  double wall_s() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - wall).count();
  }
  double cpu_s() const { return cpu_seconds() - cpu; }
};

constexpr double kMiB = 1048576.0;

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: lcm_engine_scale SCENARIO.yaml [--threads T] [--shards S] [--plain]\n");
    return 2;
  }
  engine::RunOptions options;
  options.threads = 2;
  bool plain = false;
  for (int i = 2; i < argc; ++i) {
    const std::string key = argv[i];
    if (key == "--plain") plain = true;
    else if (key == "--threads" && i + 1 < argc) options.threads = std::atoi(argv[++i]);
    else if (key == "--shards" && i + 1 < argc) options.shards = std::atoi(argv[++i]);
    else {
      std::fprintf(stderr, "unknown option %s\n", argv[i]);
      return 2;
    }
  }
  auto loaded = scenario::load_scenario_file(argv[1]);
  for (const auto& e : loaded.errors) std::fprintf(stderr, "%s\n", e.to_string().c_str());
  if (!loaded.ok()) return 2;
  auto spec = *loaded.spec;
  if (spec.model.kind != core::ModelSpec::Kind::lcm) {
    std::fprintf(stderr, "%s: not an LCM scenario (model: { kind: lcm, path: ... })\n", argv[1]);
    return 2;
  }

  const long rss_start = bench::current_rss_bytes();
  bench::reset_peak_rss();
  const Clock build;
  const auto population = twins::load_lcm_population(spec.population.path, spec.model.path);
  const double build_wall = build.wall_s(), build_cpu = build.cpu_s();
  const long build_peak = bench::peak_rss_bytes();
  const long rss_population = bench::current_rss_bytes();
  spec.population.size = static_cast<std::uint32_t>(population->size());
  const double n = population->size();
  const double twin_days = n * spec.horizon_days * spec.experiment.arms.size();
  std::printf("%s: %.0f LCM twins (hidden %d) x %d days x %zu arm(s) = %.0f twin-days, %d threads\n",
              argv[1], n, population->model.weights.hidden, spec.horizon_days,
              spec.experiment.arms.size(), twin_days, engine::resolve_threads(options.threads));
  std::printf("population (read store, warm up): %8.2f s wall %8.2f s CPU   peak RSS %7.0f MiB\n",
              build_wall, build_cpu, build_peak / kMiB);
  std::fflush(stdout);

  bench::reset_peak_rss();
  const Clock run;
  const auto results = engine::run_scenario(spec, options);
  const double run_wall = run.wall_s(), run_cpu = run.cpu_s();
  const long run_peak = bench::peak_rss_bytes();

  std::printf("simulation (actor engine)       : %8.2f s wall %8.2f s CPU   %10.0f twin-days/s (wall)"
              "  %10.0f per CPU-second\n",
              run_wall, run_cpu, twin_days / run_wall, twin_days / run_cpu);
  std::printf("end to end                      : %8.2f s wall %8.2f s CPU   %10.0f twin-days/s (wall)\n",
              build_wall + run_wall, build_cpu + run_cpu, twin_days / (build_wall + run_wall));
  std::printf("memory: population %.0f bytes/twin (RSS after building it), run peak %.0f MiB = %.0f bytes/twin\n",
              (rss_population - rss_start) / n, run_peak / kMiB, (run_peak - rss_start) / n);
  if (plain) {
    const Clock loop;
    engine::run_arm_plain(spec, 0, results.meta.shards);
    const double s = loop.wall_s();
    std::printf("plain loop, arm 0, one thread   : %8.2f s wall %8.2f s CPU   %10.0f twin-days/s\n", s,
                loop.cpu_s(), n * spec.horizon_days / s);
  }
  return 0;
}
