#include "field_parse.hpp"

#include <charconv>
#include <cmath>

namespace mirror::ingest {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Reads exactly n digits at s[pos]; -1 if they are not all digits.
int digits(std::string_view s, std::size_t pos, std::size_t n) {
  if (pos + n > s.size()) return -1;
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return -1;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

}  // namespace

std::optional<std::int64_t> parse_int(std::string_view text) {
  text = trim(text);
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  std::int64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return v;
}

std::optional<double> parse_double(std::string_view text) {
  text = trim(text);
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  double v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty() || !std::isfinite(v))
    return std::nullopt;
  return v;
}

std::optional<std::int64_t> days_from_civil(int y, int m, int d) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m < 1 || m > 12 || d < 1) return std::nullopt;
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (d > kDays[m - 1] + (m == 2 && leap ? 1 : 0)) return std::nullopt;
  // Days from civil, counting years from March so the leap day comes last.
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const std::int64_t yoe = y - era * 400;
  const std::int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

std::optional<core::Timestamp> parse_timestamp(std::string_view text) {
  const std::string_view s = trim(text);
  int year, month, day;
  std::size_t pos;
  if (s.size() == 8) {
    year = digits(s, 0, 4), month = digits(s, 4, 2), day = digits(s, 6, 2);
    pos = 8;
  } else {
    if (s.size() < 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
    year = digits(s, 0, 4), month = digits(s, 5, 2), day = digits(s, 8, 2);
    pos = 10;
  }
  if (year < 0 || month < 0 || day < 0) return std::nullopt;
  const auto days = days_from_civil(year, month, day);
  if (!days) return std::nullopt;
  std::int64_t seconds = 0;
  if (pos < s.size()) {
    if (s[pos] != ' ' && s[pos] != 'T') return std::nullopt;
    ++pos;
    const int hh = digits(s, pos, 2);
    if (hh < 0 || hh > 23 || pos + 2 >= s.size() || s[pos + 2] != ':') return std::nullopt;
    const int mm = digits(s, pos + 3, 2);
    if (mm < 0 || mm > 59) return std::nullopt;
    pos += 5;
    int ss = 0;
    if (pos < s.size() && s[pos] == ':') {
      ss = digits(s, pos + 1, 2);
      if (ss < 0 || ss > 60) return std::nullopt;
      pos += 3;
      if (pos < s.size() && s[pos] == '.') {  // fractions of a second are dropped
        ++pos;
        const std::size_t start = pos;
        while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
        if (pos == start) return std::nullopt;
      }
    }
    seconds = hh * 3600 + mm * 60 + ss;
    if (pos < s.size()) {
      if (s[pos] == 'Z' && pos + 1 == s.size()) {
        pos = s.size();
      } else if (s[pos] == '+' || s[pos] == '-') {
        const int sign = s[pos] == '+' ? 1 : -1;
        const int oh = digits(s, pos + 1, 2);
        const std::size_t mpos = pos + 3 < s.size() && s[pos + 3] == ':' ? pos + 4 : pos + 3;
        const int om = digits(s, mpos, 2);
        if (oh < 0 || oh > 23 || om < 0 || om > 59 || mpos + 2 != s.size()) return std::nullopt;
        seconds -= sign * (oh * 3600 + om * 60);  // local = UTC + offset
        pos = s.size();
      } else {
        return std::nullopt;
      }
    }
  }
  return *days * core::kSecondsPerDay + seconds;
}

}  // namespace mirror::ingest
