// LCM inference speed: the fused C++ kernel (what twins run) against a batched LibTorch
// loop over the same weights and tensors, in the same process. Rows = customer-days.
// usage: lcm_speed [--rows N] [--steps S] [--hidden H] [--save DIR]
// --save DIR writes the weights, the inputs and the kernel's first step from a blank state
// as raw float32 files, for bench/lcm_python.py (bench/lcm_vs_python.sh runs both).
#include <algorithm>
#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <random>
#include <thread>
#include <vector>

#include "mirror/twins/lcm.hpp"

using namespace mirror::twins;

int main(int argc, char** argv) {
  std::size_t rows = 100000;
  int steps = 20, hidden = 32;
  std::string save_dir;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--rows")) rows = std::strtoul(argv[i + 1], nullptr, 10);
    else if (!std::strcmp(argv[i], "--steps")) steps = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--hidden")) hidden = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--save")) save_dir = argv[i + 1];
  }
  std::mt19937 rng(1);
  std::normal_distribution<float> n(0.0f, 0.3f);
  LcmWeights w;
  w.hidden = hidden;
  for (auto* v : {&w.w_ih, &w.w_hh, &w.b_ih, &w.b_hh, &w.w_head, &w.b_head}) v->clear();
  w.w_ih.resize(3 * hidden * kLcmInputs);
  w.w_hh.resize(3 * hidden * hidden);
  w.b_ih.resize(3 * hidden);
  w.b_hh.resize(3 * hidden);
  w.w_head.resize(kLcmHeadCount * (hidden + kLcmInputs));
  w.b_head.resize(kLcmHeadCount);
  for (auto* v : {&w.w_ih, &w.w_hh, &w.b_ih, &w.b_hh, &w.w_head, &w.b_head})
    for (auto& x : *v) x = n(rng);
  lcm_prepare(w);
  std::vector<float> h(rows * hidden, 0.0f), x(rows * kLcmInputs), heads(rows * kLcmHeadCount);
  for (auto& v : x) v = n(rng);
  // The contact input is 0 or 1, as in real use: a contact on every seventh row.
  for (std::size_t r = 0; r < rows; ++r) x[r * kLcmInputs + kLcmEventCount + kLcmAny] = r % 7 == 0;

  if (!save_dir.empty()) {
    const auto write = [&](const std::string& name, const std::vector<const std::vector<float>*>& parts) {
      std::ofstream out(save_dir + "/" + name, std::ios::binary);
      for (const auto* v : parts) out.write(reinterpret_cast<const char*>(v->data()), v->size() * sizeof(float));
      if (!out) {
        std::fprintf(stderr, "cannot write %s/%s\n", save_dir.c_str(), name.c_str());
        std::exit(1);
      }
    };
    std::vector<float> h1(rows * hidden), y1(rows * kLcmHeadCount), first(rows * (hidden + kLcmHeadCount));
    lcm_step(w, h.data(), x.data(), h1.data(), rows);
    lcm_heads(w, h1.data(), x.data(), y1.data(), rows);
    for (std::size_t r = 0; r < rows; ++r) {
      std::copy(&h1[r * hidden], &h1[(r + 1) * hidden], &first[r * (hidden + kLcmHeadCount)]);
      std::copy(&y1[r * kLcmHeadCount], &y1[(r + 1) * kLcmHeadCount], &first[r * (hidden + kLcmHeadCount) + hidden]);
    }
    write("weights.f32", {&w.w_ih, &w.w_hh, &w.b_ih, &w.b_hh, &w.w_head, &w.b_head});
    write("inputs.f32", {&x});
    write("first_step.f32", {&first});
    std::ofstream(save_dir + "/shape.txt") << kLcmInputs << " " << kLcmHeadCount << "\n";
  }

  // The kernel on 1 and 2 threads (rows split in halves, as two shards would).
  const auto kernel = [&](int threads) {
    const auto start = std::chrono::steady_clock::now();
    for (int s = 0; s < steps; ++s) {
      std::vector<std::thread> pool;
      const std::size_t part = rows / threads;
      for (int t = 0; t < threads; ++t)
        pool.emplace_back([&, t] {
          const std::size_t begin = t * part, count = t + 1 == threads ? rows - begin : part;
          lcm_step(w, &h[begin * hidden], &x[begin * kLcmInputs], &h[begin * hidden], count);
          lcm_heads(w, &h[begin * hidden], &x[begin * kLcmInputs], &heads[begin * kLcmHeadCount], count);
        });
      for (auto& p : pool) p.join();
    }
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  // Wall and CPU seconds (all threads): on a shared machine the CPU time is the steadier.
  struct Timing {
    double wall, cpu;
  };
  const auto timed = [](const auto& run) {
    const std::clock_t c0 = std::clock();
    const double wall = run();
    return Timing{wall, static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC};
  };
  const double total = static_cast<double>(rows) * steps;
  const Timing k1 = timed([&] { return kernel(1); }), k2 = timed([&] { return kernel(2); });
  const Timing t1 = timed([&] { return lcm_libtorch_loop_seconds(w, rows, steps, 1); });
  const Timing t2 = timed([&] { return lcm_libtorch_loop_seconds(w, rows, steps, 2); });
  std::printf("LCM step + heads, hidden %d, %d inputs, %zu rows x %d steps\n", hidden, kLcmInputs, rows, steps);
  std::printf("%-26s %9s %12s %9s %12s %10s\n", "", "wall s", "rows/s", "CPU s", "rows/CPU-s", "vs torch-2");
  const auto line = [&](const char* what, Timing t) {
    std::printf("%-26s %9.3f %12.0f %9.3f %12.0f %10.2f\n", what, t.wall, total / t.wall, t.cpu,
                total / t.cpu, t2.wall / t.wall);
  };
  line("LibTorch loop, 1 thread", t1);
  line("LibTorch loop, 2 threads", t2);
  line("C++ kernel, 1 thread", k1);
  line("C++ kernel, 2 threads", k2);
  return 0;
}
