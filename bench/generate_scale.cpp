// Times `mirror generate` at scale: rows/s, wall time and peak memory for a preset world.
// usage: generate_scale PRESET CUSTOMERS DAYS THREADS OUT_DIR   (OUT_DIR is removed after)
#include <sys/resource.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "mirror/generate/world_generator.hpp"

int main(int argc, char** argv) {
  if (argc != 6) {
    std::fprintf(stderr, "usage: %s PRESET CUSTOMERS DAYS THREADS OUT_DIR\n", argv[0]);
    return 2;
  }
  mirror::generate::GenerateOptions o;
  o.world = *mirror::core::world_preset(argv[1]);
  o.customers = std::strtoull(argv[2], nullptr, 10);
  o.days = std::atoi(argv[3]);
  o.threads = std::atoi(argv[4]);
  o.seed = 42;
  o.out_dir = argv[5];
  o.world_source = std::string("preset ") + argv[1];
  const auto r = mirror::generate::generate_world(o);
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const double rows = static_cast<double>(r.events + r.decisions);
  std::printf("%s %llu customers x %d days, %d threads: %.1f s, %lld events + %lld decisions = "
              "%.0f rows, %.2fM rows/s, %.2fM customer-days/s, %.0f MB of CSV, truth.h5 %.0f MB, "
              "peak RSS %.0f MB\n",
              argv[1], static_cast<unsigned long long>(r.customers), r.days, o.threads, r.seconds,
              static_cast<long long>(r.events), static_cast<long long>(r.decisions), rows,
              rows / r.seconds / 1e6, r.customers * static_cast<double>(r.days) / r.seconds / 1e6,
              r.bytes / 1e6,
              std::filesystem::file_size(std::filesystem::path(o.out_dir) / "truth.h5") / 1e6,
              usage.ru_maxrss / 1024.0);
  std::filesystem::remove_all(o.out_dir);
  return 0;
}
