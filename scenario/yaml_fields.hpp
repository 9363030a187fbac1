// Reading YAML maps into plain values with located errors (FILE:LINE:COL: key.path: what
// was expected), shared by the world file and `mirror train --config` readers. A reader
// derives from YamlFields, reads its keys with these helpers and collects every problem.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "mirror/scenario/load_scenario.hpp"

namespace mirror::scenario {

class YamlFields {
 public:
  using Keys = std::vector<std::string>;
  using Entries = std::vector<std::pair<YAML::Node, YAML::Node>>;
  static constexpr double kInf = std::numeric_limits<double>::infinity();

  explicit YamlFields(std::string label) : label_(std::move(label)) {}

 protected:
  // --- errors ----------------------------------------------------------------------------
  void add(const YAML::Mark& mark, const std::string& path, const std::string& message);
  void error(const YAML::Node& n, const std::string& path, const std::string& message) {
    add(n.Mark(), path, message);
  }
  // The collected errors in file order.
  std::vector<ScenarioError> sorted_errors();
  static std::string join(const std::string& path, const std::string& key) {
    return path.empty() ? key : path + "." + key;
  }
  static std::string kind_of(const YAML::Node& n);

  // A map's entries whose keys are in `allowed`; unknown and duplicate keys are errors (with
  // a suggestion). Records each value's position under its key path in marks_.
  Entries entries(const YAML::Node& map, const std::string& path, const Keys& allowed);

  // --- scalars ---------------------------------------------------------------------------
  // Each leaves `out` unchanged and records an error when the value does not fit.
  bool scalar(const YAML::Node& n, const std::string& path, const std::string& expected);
  void text(const YAML::Node& n, const std::string& path, std::string& out) {
    if (scalar(n, path, "a string")) out = n.Scalar();
  }
  void number(const YAML::Node& n, const std::string& path, double& out, double lo, double hi,
              bool lo_open = false, bool hi_open = false);
  void integer(const YAML::Node& n, const std::string& path, int& out, long lo, long hi);
  void unsigned_integer(const YAML::Node& n, const std::string& path, std::uint64_t& out);
  void boolean(const YAML::Node& n, const std::string& path, bool& out);
  void probability(const YAML::Node& n, const std::string& p, double& out) { number(n, p, out, 0, 1); }
  void non_negative(const YAML::Node& n, const std::string& p, double& out) { number(n, p, out, 0, kInf); }
  void positive(const YAML::Node& n, const std::string& p, double& out) { number(n, p, out, 0, kInf, true); }
  void any_number(const YAML::Node& n, const std::string& p, double& out) { number(n, p, out, -kInf, kInf); }

  // A list of maps; `read` reads one entry's key into the struct. The first of `keys` is
  // required in every entry.
  template <class T, class Read>
  void list(const YAML::Node& n, const std::string& path, const Keys& keys, std::vector<T>& out,
            Read read) {
    if (!n.IsSequence()) {
      error(n, path, "expected a list, found " + kind_of(n));
      return;
    }
    if (n.size() == 0) {
      error(n, path, "must list at least one entry");
      return;
    }
    out.clear();
    for (std::size_t i = 0; i < n.size(); ++i) {
      const std::string p = path + "[" + std::to_string(i) + "]";
      const YAML::Node item = n[i];
      marks_[p] = item.Mark();
      T value{};
      if (!item.IsMap()) {
        error(item, p, "expected a map, found " + kind_of(item));
        continue;
      }
      const auto e = entries(item, p, keys);
      bool named = false;
      for (const auto& [k, v] : e) {
        named |= k.Scalar() == keys.front();
        read(value, k.Scalar(), v, join(p, k.Scalar()));
      }
      if (!named) error(item, p, "missing required key '" + keys.front() + "'");
      out.push_back(std::move(value));
    }
  }

  std::string label_;
  std::vector<ScenarioError> errors_;
  std::map<std::string, YAML::Mark> marks_;
};

}  // namespace mirror::scenario
