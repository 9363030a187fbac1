// Suggestions for misspelt keys and names.
#pragma once

#include <string>
#include <vector>

namespace mirror::scenario {

// Optimal-string-alignment distance (Levenshtein plus adjacent transpositions).
int edit_distance(const std::string& a, const std::string& b);

// The closest candidate within a small distance (at most 2, and less than the word's
// length), or "" when none is close. Ties go to the earlier candidate.
std::string closest_match(const std::string& word, const std::vector<std::string>& candidates);

// " (did you mean 'x'?)" or "".
std::string suggestion(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace mirror::scenario
