// `mirror generate`: a synthetic world's logs and its truth (docs/worlds.md).
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <iostream>

#include "command.hpp"
#include "mirror/scenario/load_world.hpp"
#include "mirror/generate/world_generator.hpp"

namespace mirror::cli {

namespace po = boost::program_options;

namespace {

// A live line on a terminal; otherwise a line at 25, 50, 75 and 100 percent.
class GenerateProgressDisplay {
 public:
  GenerateProgressDisplay(std::FILE* out, bool quiet)
      : out_(out), terminal_(isatty(fileno(out)) != 0), quiet_(quiet) {}

  void update(const generate::GenerateProgress& p) {
    if (quiet_) return;
    const double share = static_cast<double>(p.customers_done) / p.customers_total;
    const double rate = p.elapsed_s > 0 ? p.rows / p.elapsed_s : 0.0;
    const double eta = share > 0 ? p.elapsed_s * (1 - share) / share : 0.0;
    if (terminal_) {
      if (p.elapsed_s - last_s_ < 0.2 && p.customers_done < p.customers_total) return;
      last_s_ = p.elapsed_s;
      std::fprintf(out_, "\r\033[Kgenerate: %s/%s customers  %s rows  %.2fM rows/s  ETA %.0fs",
                   with_commas(p.customers_done).c_str(), with_commas(p.customers_total).c_str(),
                   with_commas(p.rows).c_str(), rate / 1e6, std::ceil(eta));
      open_ = true;
    } else {
      const int quarter = static_cast<int>(share * 4);
      if (quarter == last_quarter_) return;
      last_quarter_ = quarter;
      std::fprintf(out_, "generate: %s/%s customers, %s rows, %.2fM rows/s\n",
                   with_commas(p.customers_done).c_str(), with_commas(p.customers_total).c_str(),
                   with_commas(p.rows).c_str(), rate / 1e6);
    }
    std::fflush(out_);
  }
  void finish() {
    if (open_) std::fprintf(out_, "\n");
    open_ = false;
  }

 private:
  std::FILE* out_;
  bool terminal_;
  bool quiet_;
  bool open_ = false;
  double last_s_ = -1;
  int last_quarter_ = 0;
};

}  // namespace

int generate_command(const Args& args) {
  po::options_description options("generate options");
  options.add_options()("help,h", "show this help")(
      "world", po::value<std::string>(),
      "a preset (retail, crm_fatigue, subscription_churn) or a world file (YAML)")(
      "customers", po::value<std::int64_t>()->default_value(10000), "customers to simulate")(
      "days", po::value<int>()->default_value(365), "days of logs")(
      "seed", po::value<std::uint64_t>()->default_value(1), "random seed: same seed, same bytes")(
      "threads", po::value<int>()->default_value(2), "worker threads (the output does not depend on it)")(
      "out", po::value<std::string>(), "output directory (must not exist, or be empty)")(
      "quiet,q", "print no progress");
  po::variables_map vm;
  po::positional_options_description positional;
  if (int rc = parse_options("generate",
                             "--world WORLD.yaml|PRESET --customers N --days D --seed S --out DIR",
                             args, options, positional, vm);
      rc >= 0)
    return rc;
  for (const char* required : {"world", "out"})
    if (!vm.count(required)) return usage_error(std::string("generate: missing --") + required);
  const auto customers = vm["customers"].as<std::int64_t>();
  const int days = vm["days"].as<int>();
  const int threads = vm["threads"].as<int>();
  if (customers < 1 || customers > 1000000000) return usage_error("generate: --customers must be in [1, 1e9]");
  if (days < 1 || days > 36500) return usage_error("generate: --days must be in [1, 36500]");
  if (threads < 1 || threads > 256) return usage_error("generate: --threads must be in [1, 256]");

  const std::string world_arg = vm["world"].as<std::string>();
  auto loaded = scenario::load_world(world_arg);
  if (!loaded.ok()) {
    for (const auto& e : loaded.errors) std::cerr << e.to_string() << "\n";
    std::cerr << "mirror: generate: the world is invalid; nothing was written\n";
    return kBadInput;
  }
  generate::GenerateOptions o;
  o.world = std::move(*loaded.world);
  o.customers = static_cast<std::uint64_t>(customers);
  o.days = days;
  o.seed = vm["seed"].as<std::uint64_t>();
  o.threads = threads;
  o.out_dir = vm["out"].as<std::string>();
  o.world_source = core::world_preset(world_arg) ? "preset " + world_arg : world_arg;
  GenerateProgressDisplay display(stderr, vm.count("quiet") > 0);
  o.on_progress = [&](const generate::GenerateProgress& p) { display.update(p); };
  try {
    const auto r = generate::generate_world(o);
    display.finish();
    const double rows = static_cast<double>(r.events + r.decisions);
    std::printf("%s: %s customers x %d days in %.1f s: %s events, %s decisions (%.2fM rows/s, %.1f MB)\n",
                o.world.name.c_str(), with_commas(static_cast<std::int64_t>(r.customers)).c_str(),
                r.days, r.seconds, with_commas(r.events).c_str(), with_commas(r.decisions).c_str(),
                rows / std::max(r.seconds, 1e-9) / 1e6, r.bytes / 1e6);
    std::printf("written to %s: events.csv decisions.csv customers.csv truth.h5 world.yaml\n",
                o.out_dir.c_str());
  } catch (const generate::GenerateError& e) {
    display.finish();
    std::cerr << "mirror: generate failed: " << e.what() << "; nothing was written\n";
    return kBadInput;
  } catch (const std::exception& e) {
    display.finish();
    std::cerr << "mirror: generate failed: " << e.what() << "; nothing was written\n";
    return kRunFailed;
  }
  return kOk;
}

}  // namespace mirror::cli
