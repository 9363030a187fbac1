// The benchmarks' memory readings: this process's resident set from /proc/self/status.
#pragma once

#include <cstdlib>
#include <fstream>
#include <string>

namespace mirror::bench {

// A size field of /proc/self/status in bytes: "VmHWM:" (peak RSS) or "VmRSS:" (current);
// -1 when the field is missing.
inline long status_bytes(const std::string& field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(field, 0) == 0) return std::atol(line.c_str() + field.size()) * 1024L;
  return -1;
}
inline long peak_rss_bytes() { return status_bytes("VmHWM:"); }
inline long current_rss_bytes() { return status_bytes("VmRSS:"); }
// Resets VmHWM, so the next peak is of what follows (Linux: clear_refs 5).
inline void reset_peak_rss() { std::ofstream("/proc/self/clear_refs") << "5"; }

}  // namespace mirror::bench
