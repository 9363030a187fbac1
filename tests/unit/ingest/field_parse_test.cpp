#include "field_parse.hpp"

#include <gtest/gtest.h>

#include "mirror/ingest/profile.hpp"

namespace mirror::ingest {
namespace {

TEST(FieldParse, Numbers) {
  EXPECT_EQ(parse_int("42"), 42);
  EXPECT_EQ(parse_int(" -7 "), -7);
  EXPECT_FALSE(parse_int("4.2"));
  EXPECT_FALSE(parse_int(""));
  EXPECT_FALSE(parse_int("12a"));
  EXPECT_DOUBLE_EQ(*parse_double("2.55"), 2.55);
  EXPECT_DOUBLE_EQ(*parse_double("+1e3"), 1000.0);
  EXPECT_FALSE(parse_double("nan"));
  EXPECT_FALSE(parse_double("inf"));
  EXPECT_FALSE(parse_double("1,5"));
}

TEST(FieldParse, DatesAndTimestamps) {
  EXPECT_EQ(parse_timestamp("1970-01-01"), 0);
  EXPECT_EQ(parse_timestamp("19970101"), 852076800);
  EXPECT_EQ(parse_timestamp("1997-01-01"), 852076800);
  EXPECT_EQ(parse_timestamp("2010-12-01 08:26:00"), 1291191960);
  EXPECT_EQ(parse_timestamp("2010-12-01T08:26:00Z"), 1291191960);
  EXPECT_EQ(parse_timestamp("2010-12-01 08:26"), 1291191960);
  // Open Bandit: fractions are dropped, the zone applied.
  EXPECT_EQ(parse_timestamp("2019-11-24 00:03:13.442536+00:00"), 1574553793);
  // Complete Journey: 14:06:53 at UTC-5 is 19:06:53 UTC.
  EXPECT_EQ(parse_timestamp("2017-01-28 14:06:53-05:00"), *parse_timestamp("2017-01-28 19:06:53"));
  EXPECT_EQ(parse_timestamp("2000-02-29"), 951782400);
  EXPECT_FALSE(parse_timestamp("2001-02-29"));
  EXPECT_FALSE(parse_timestamp("2001-13-01"));
  EXPECT_FALSE(parse_timestamp("2001-1-1"));
  EXPECT_FALSE(parse_timestamp("2001-01-01 25:00:00"));
  EXPECT_FALSE(parse_timestamp("2001-01-01 10:00:00 PM"));
  EXPECT_FALSE(parse_timestamp("yesterday"));
}

TEST(FieldParse, DaysRoundTrip) {
  for (std::int32_t day : {-1, 0, 9861, 10957, 11016, 20000})
    EXPECT_EQ(core::day_of(*parse_timestamp(format_day(day))), day) << format_day(day);
  EXPECT_EQ(format_day(10227), "1998-01-01");
}

}  // namespace
}  // namespace mirror::ingest
