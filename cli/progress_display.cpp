#include "progress_display.hpp"

#include <unistd.h>

#include <cmath>
#include <string>

namespace mirror::cli {

namespace {
std::string rate_text(double per_s) {
  char buf[32];
  if (per_s >= 1e6)
    std::snprintf(buf, sizeof buf, "%.2fM", per_s / 1e6);
  else if (per_s >= 1e3)
    std::snprintf(buf, sizeof buf, "%.1fk", per_s / 1e3);
  else
    std::snprintf(buf, sizeof buf, "%.0f", per_s);
  return buf;
}

std::string eta_text(double rate, double left) {
  if (rate <= 0) return "--";  // nothing measured yet
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0fs", std::ceil(left / rate));
  return buf;
}
}  // namespace

ProgressDisplay::ProgressDisplay(std::FILE* out) : out_(out), terminal_(isatty(fileno(out))) {}

void ProgressDisplay::update(const engine::Progress& p) {
  const double rate = p.elapsed_s > 0 ? p.twin_days_done / p.elapsed_s : 0.0;
  const double left = static_cast<double>(p.twin_days_total - p.twin_days_done);
  const std::string eta = eta_text(rate, left);
  if (terminal_) {
    std::fprintf(out_, "\r\033[K[arm %d/%d %s] day %d/%d  %s twin-days/s  ETA %s", p.arm + 1,
                 p.arm_count, p.arm_name.c_str(), p.days_done, p.horizon_days,
                 rate_text(rate).c_str(), eta.c_str());
    line_open_ = true;
  } else {
    // Not a terminal (a log file, CI): a line per arm at 0, 50 and 100 percent.
    const int half = p.horizon_days > 0 ? 2 * p.days_done / p.horizon_days : 2;
    if (p.arm == last_arm_ && half == last_decile_) return;
    last_arm_ = p.arm;
    last_decile_ = half;
    std::fprintf(out_, "arm %d/%d %s: day %d/%d, %s twin-days/s, ETA %s\n", p.arm + 1,
                 p.arm_count, p.arm_name.c_str(), p.days_done, p.horizon_days,
                 rate_text(rate).c_str(), eta.c_str());
  }
  std::fflush(out_);
}

void ProgressDisplay::finish() {
  if (line_open_) std::fprintf(out_, "\n");
  line_open_ = false;
  std::fflush(out_);
}

}  // namespace mirror::cli
