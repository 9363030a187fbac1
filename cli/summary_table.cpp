#include "summary_table.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

namespace mirror::cli {

namespace {

std::string number(double v, bool sign = false) {
  char buf[48];
  const double a = std::fabs(v);
  const int decimals = a >= 1000 ? 0 : a >= 10 ? 2 : a >= 1 ? 3 : 4;
  std::snprintf(buf, sizeof buf, sign ? "%+.*f" : "%.*f", decimals, v);
  return buf;
}

std::string interval(double lo, double hi, bool sign = false) {
  return "[" + number(lo, sign) + ", " + number(hi, sign) + "]";
}

std::string pad(const std::string& s, std::size_t width) {
  return s.size() >= width ? s + " " : s + std::string(width - s.size(), ' ');
}

}  // namespace

std::string format_summary_table(const results::RunResults& run,
                                 const std::vector<core::Metric>& metrics) {
  std::size_t arm_width = 8;
  for (const auto& a : run.arms) arm_width = std::max(arm_width, a.name.size() + 2);
  std::ostringstream out;
  out << run.meta.scenario_name << ": " << run.meta.population << " customers x "
      << run.meta.horizon_days << " days, " << run.arms.size() << " arms, " << run.meta.design
      << " design, control '" << run.meta.control_arm << "', seed " << run.meta.seed << "\n";
  out << "per customer over the horizon; 95% confidence intervals; * = uplift interval "
         "excludes 0\n\n";
  out << pad("metric", 15) << pad("arm", arm_width) << pad("mean", 12) << pad("95% CI", 26)
      << pad("uplift vs control", 19) << "95% CI\n";
  for (core::Metric m : metrics) {
    const std::string name = core::metric_name(m);
    bool first = true;
    for (const auto& row : run.summary) {
      if (row.metric != name) continue;
      out << pad(first ? name : "", 15) << pad(row.arm, arm_width) << pad(number(row.mean), 12)
          << pad(interval(row.ci_low, row.ci_high), 26);
      if (row.arm == run.meta.control_arm) {
        out << "(control)";
      } else {
        const bool significant = row.uplift_ci_low > 0 || row.uplift_ci_high < 0;
        out << pad(number(row.uplift, true), 19)
            << interval(row.uplift_ci_low, row.uplift_ci_high, true) << (significant ? " *" : "");
      }
      out << "\n";
      first = false;
    }
  }
  return out.str();
}

}  // namespace mirror::cli
