#include "did_you_mean.hpp"

#include <gtest/gtest.h>

using namespace mirror::scenario;

TEST(DidYouMean, EditDistance) {
  EXPECT_EQ(edit_distance("", ""), 0);
  EXPECT_EQ(edit_distance("abc", "abc"), 0);
  EXPECT_EQ(edit_distance("horizon_day", "horizon_days"), 1);  // insertion
  EXPECT_EQ(edit_distance("emial", "email"), 1);               // transposition
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3);
}

TEST(DidYouMean, SuggestsOnlyCloseCandidates) {
  const std::vector<std::string> keys{"size", "source"};
  EXPECT_EQ(closest_match("sise", keys), "size");
  EXPECT_EQ(closest_match("sourse", keys), "source");
  EXPECT_EQ(closest_match("population", keys), "");
  EXPECT_EQ(closest_match("x", {"y"}), "");  // distance 1 is the whole word
  EXPECT_EQ(suggestion("batch_and_blst", {"none", "batch_and_blast"}),
            " (did you mean 'batch_and_blast'?)");
  EXPECT_EQ(suggestion("zzz", {"none"}), "");
}
