// Candidate policies of the fidelity report: what `--policies` names, and the distribution
// each gives a customer.
#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "mirror/fidelity/fidelity.hpp"

namespace mirror::fidelity {

namespace {

std::size_t index_of(const std::vector<std::string>& names, const std::string& name, const std::string& what,
                     const std::string& spec) {
  const auto it = std::find(names.begin(), names.end(), name);
  if (it != names.end()) return static_cast<std::size_t>(it - names.begin());
  std::string known;
  for (const auto& n : names) known += (known.empty() ? "" : ", ") + n;
  throw std::invalid_argument("policy '" + spec + "': unknown " + what + " '" + name + "' (expected one of " +
                              known + ")");
}

CandidatePolicy constant(const std::string& name, const WorldActions& world, std::size_t action) {
  CandidatePolicy p;
  p.name = name;
  p.by_segment.assign(world.segments.size(), std::vector<double>(world.actions.size(), 0.0));
  for (auto& row : p.by_segment) row[action] = 1.0;
  return p;
}

// Per segment, the action with the highest value (ties to the lower index, so 'none' wins
// a tie).
CandidatePolicy best_per_segment(const std::string& name, const WorldActions& world,
                                 const std::vector<std::vector<double>>& value) {
  if (value.size() != world.segments.size())
    throw std::invalid_argument("policy '" + name + "': no segment values to choose from");
  CandidatePolicy p = constant(name, world, 0);
  for (std::size_t s = 0; s < value.size(); ++s) {
    const auto best = std::max_element(value[s].begin(), value[s].end()) - value[s].begin();
    std::fill(p.by_segment[s].begin(), p.by_segment[s].end(), 0.0);
    p.by_segment[s][static_cast<std::size_t>(best)] = 1.0;
  }
  return p;
}

}  // namespace

std::vector<std::string> default_policy_names(const WorldActions& world) {
  std::vector<std::string> names{"none", "random"};
  names.insert(names.end(), world.actions.begin() + 1, world.actions.end());
  names.push_back("mirror_best");
  names.push_back("oracle_best");
  return names;
}

CandidatePolicy parse_policy(const std::string& spec, const WorldActions& world,
                             const std::vector<std::vector<double>>& mirror_segment_value,
                             const std::vector<std::vector<double>>& true_segment_value) {
  if (spec == "random") {
    CandidatePolicy p;
    p.name = spec;
    p.uniform_deliverable = true;
    return p;
  }
  if (spec == "mirror_best") return best_per_segment(spec, world, mirror_segment_value);
  if (spec == "oracle_best") return best_per_segment(spec, world, true_segment_value);
  if (spec.rfind("rule:", 0) == 0) {
    CandidatePolicy p = constant(spec, world, 0);
    std::size_t begin = 5;
    while (begin <= spec.size()) {
      const std::size_t end = std::min(spec.find('+', begin), spec.size());
      const std::string term = spec.substr(begin, end - begin);
      const std::size_t eq = term.find('=');
      if (eq == std::string::npos)
        throw std::invalid_argument("policy '" + spec + "': '" + term + "' is not SEGMENT=ACTION");
      const auto s = index_of(world.segments, term.substr(0, eq), "segment", spec);
      const auto a = index_of(world.actions, term.substr(eq + 1), "action", spec);
      std::fill(p.by_segment[s].begin(), p.by_segment[s].end(), 0.0);
      p.by_segment[s][a] = 1.0;
      begin = end + 1;
    }
    return p;
  }
  std::vector<std::string> known = world.actions;
  for (const char* name : {"random", "mirror_best", "oracle_best", "rule:SEGMENT=ACTION+..."}) known.push_back(name);
  return constant(spec, world, index_of(known, spec, "policy", spec));
}

void policy_distribution(const CandidatePolicy& policy, const WorldActions& world, const CustomerContext& x,
                         std::vector<double>& out) {
  const std::size_t A = world.actions.size();
  out.assign(A, 0.0);
  const auto deliverable = [&](std::size_t a) {
    return a == 0 || (x.consent >> world.channel_index[a] & 1u) != 0;
  };
  if (policy.uniform_deliverable) {
    std::size_t k = 0;
    for (std::size_t a = 0; a < A; ++a) k += deliverable(a);
    for (std::size_t a = 0; a < A; ++a)
      if (deliverable(a)) out[a] = 1.0 / static_cast<double>(k);
    return;
  }
  const auto& row = policy.by_segment.at(static_cast<std::size_t>(x.segment));
  for (std::size_t a = 0; a < A; ++a) out[deliverable(a) ? a : 0] += row[a];
}

}  // namespace mirror::fidelity
