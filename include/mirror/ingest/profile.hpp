// Customer profiles from a store: RFM(T) summaries, quintile segments, channel engagement
// and daily/weekly purchase sequences. Model scores (BTYD) are added by the twins module.
#pragma once

#include <optional>
#include <string>

#include "mirror/core/customer_log.hpp"
#include "mirror/results/customer_store.hpp"

namespace mirror::ingest {

struct ProfileOptions {
  // Last day of the calibration period; default: the store's, else the last event's day.
  std::optional<core::Timestamp> calibration_end;
};

struct Profiles {
  results::Table table;                         // one row per customer, columns in profiles.md
  std::vector<results::CountMatrix> sequences;  // "daily_purchases", "weekly_purchases"
  std::int32_t first_day = 0;                   // day (since 1970) of sequence step 0
  std::int32_t calibration_end_day = 0;
  std::int32_t last_day = 0;
};

// One pass over the store's events; memory grows with customers x days, not with rows.
Profiles build_profiles(const results::StoreReader& store, const ProfileOptions& options);

// "YYYY-MM-DD" of a day number.
std::string format_day(std::int32_t day);

}  // namespace mirror::ingest
