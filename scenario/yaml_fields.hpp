// Reading YAML maps into plain values with located errors (FILE:LINE:COL: key.path: what
// was expected), shared by the world file and `mirror train --config` readers. A reader
// derives from YamlFields, reads its keys with these helpers and collects every problem.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <limits>
#include <map>
#include <optional>
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
  static std::string index(const std::string& path, std::size_t i) {
    return path + "[" + std::to_string(i) + "]";
  }
  static std::string kind_of(const YAML::Node& n);
  static std::string format(double v);  // as in messages: 0.5, 1e+06, inf

  // --- structure -------------------------------------------------------------------------
  // The file's top-level map, or nothing after recording why not (invalid YAML, an empty
  // file, not a map); `what` names the content expected: "a scenario".
  std::optional<YAML::Node> top_map(const std::string& text, const std::string& what);
  bool expect_map(const YAML::Node& n, const std::string& path);
  bool expect_list(const YAML::Node& n, const std::string& path);
  void missing(const YAML::Node& parent, const std::string& path, const std::string& key) {
    error(parent, path, "missing required key '" + key + "'");
  }

  // A map's entries in file order whose keys are in `allowed`; unknown and duplicate keys
  // are errors (with a suggestion), naming the key `what` ("key", "channel", ...). Records
  // each value's position under its key path in marks_.
  Entries entries(const YAML::Node& map, const std::string& path, const Keys& allowed,
                  const std::string& what = "key") {
    return checked_entries(map, path, &allowed, what);
  }
  // The same for a map whose keys are names the file chooses: duplicates are errors.
  Entries named_entries(const YAML::Node& map, const std::string& path, const std::string& what) {
    return checked_entries(map, path, nullptr, what);
  }
  // The value under `key`, or nullptr.
  static const YAML::Node* find(const Entries& e, const std::string& key);

  // --- scalars ---------------------------------------------------------------------------
  // Each leaves `out` unchanged, records an error and returns false when the value does not
  // fit. A quoted value is a string, never a number.
  bool scalar(const YAML::Node& n, const std::string& path, const std::string& expected);
  bool text(const YAML::Node& n, const std::string& path, std::string& out) {
    if (!scalar(n, path, "a string")) return false;
    out = n.Scalar();
    return true;
  }
  bool number(const YAML::Node& n, const std::string& path, double& out, double lo, double hi,
              bool lo_open = false, bool hi_open = false);
  // An integer in [lo, hi]; `note` follows the range in the message.
  template <class Int>
  bool integer(const YAML::Node& n, const std::string& path, Int& out, long long lo, long long hi,
               const std::string& note = "") {
    long long v = 0;
    if (!integer_value(n, path, v, lo, hi, note)) return false;
    out = static_cast<Int>(v);
    return true;
  }
  bool unsigned_integer(const YAML::Node& n, const std::string& path, std::uint64_t& out);
  bool boolean(const YAML::Node& n, const std::string& path, bool& out);
  bool probability(const YAML::Node& n, const std::string& p, double& out) { return number(n, p, out, 0, 1); }
  bool non_negative(const YAML::Node& n, const std::string& p, double& out) { return number(n, p, out, 0, kInf); }
  bool positive(const YAML::Node& n, const std::string& p, double& out) { return number(n, p, out, 0, kInf, true); }
  bool any_number(const YAML::Node& n, const std::string& p, double& out) { return number(n, p, out, -kInf, kInf); }

  // A list of maps; `read` reads one entry's key into the struct. The first of `keys` is
  // required in every entry.
  template <class T, class Read>
  void list(const YAML::Node& n, const std::string& path, const Keys& keys, std::vector<T>& out,
            Read read) {
    if (!expect_list(n, path)) return;
    if (n.size() == 0) {
      error(n, path, "must list at least one entry");
      return;
    }
    out.clear();
    for (std::size_t i = 0; i < n.size(); ++i) {
      const std::string p = index(path, i);
      const YAML::Node item = n[i];
      marks_[p] = item.Mark();
      T value{};
      if (!expect_map(item, p)) continue;
      const auto e = entries(item, p, keys);
      bool named = false;
      for (const auto& [k, v] : e) {
        named |= k.Scalar() == keys.front();
        read(value, k.Scalar(), v, join(p, k.Scalar()));
      }
      if (!named) missing(item, p, keys.front());
      out.push_back(std::move(value));
    }
  }

  std::string label_;
  std::vector<ScenarioError> errors_;
  std::map<std::string, YAML::Mark> marks_;

 private:
  Entries checked_entries(const YAML::Node& map, const std::string& path, const Keys* allowed,
                          const std::string& what);
  bool integer_value(const YAML::Node& n, const std::string& path, long long& out, long long lo,
                     long long hi, const std::string& note);
};

}  // namespace mirror::scenario
