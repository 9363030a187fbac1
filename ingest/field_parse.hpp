// Parsing of single CSV fields: numbers, money, dates and timestamps. Every parser returns
// nullopt on malformed text instead of guessing.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "mirror/core/customer_log.hpp"

namespace mirror::ingest {

std::optional<std::int64_t> parse_int(std::string_view text);
std::optional<double> parse_double(std::string_view text);  // finite values only

// Days since 1970-01-01 of a proleptic Gregorian date; nullopt for an invalid date.
std::optional<std::int64_t> days_from_civil(int year, int month, int day);

// "YYYYMMDD", "YYYY-MM-DD", "YYYY-MM-DD HH:MM[:SS[.fff]]" with an optional "T" and an
// optional zone "Z", "+HH:MM", "-HHMM" (converted to UTC).
std::optional<core::Timestamp> parse_timestamp(std::string_view text);

}  // namespace mirror::ingest
