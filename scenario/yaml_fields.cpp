#include "yaml_fields.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <set>
#include <sstream>
#include <tuple>

#include "did_you_mean.hpp"

namespace mirror::scenario {

void YamlFields::add(const YAML::Mark& mark, const std::string& path, const std::string& message) {
  errors_.push_back({label_, mark.line >= 0 ? mark.line + 1 : 1,
                     mark.column >= 0 ? mark.column + 1 : 1, path, message});
}

std::vector<ScenarioError> YamlFields::sorted_errors() {
  std::stable_sort(errors_.begin(), errors_.end(), [](const auto& a, const auto& b) {
    return std::tie(a.line, a.column) < std::tie(b.line, b.column);
  });
  return std::move(errors_);
}

std::string YamlFields::kind_of(const YAML::Node& n) {
  if (n.IsMap()) return "a map";
  if (n.IsSequence()) return "a list";
  if (n.IsNull()) return "nothing";
  return "'" + n.Scalar() + "'";
}

std::string YamlFields::format(double v) {
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  std::ostringstream s;
  s << v;
  return s.str();
}

std::optional<YAML::Node> YamlFields::top_map(const std::string& text, const std::string& what) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    add(e.mark, "", "invalid YAML: " + e.msg);
    return std::nullopt;
  }
  if (!root || root.IsNull()) {
    errors_.push_back({label_, 1, 1, "", "the file is empty: expected " + what + " (a map of keys)"});
    return std::nullopt;
  }
  if (!root.IsMap()) {
    error(root, "", "expected " + what + " (a map of keys), found " + kind_of(root));
    return std::nullopt;
  }
  return root;
}

bool YamlFields::expect_map(const YAML::Node& n, const std::string& path) {
  if (n.IsMap()) return true;
  error(n, path, "expected a map, found " + kind_of(n));
  return false;
}

bool YamlFields::expect_list(const YAML::Node& n, const std::string& path) {
  if (n.IsSequence()) return true;
  error(n, path, "expected a list, found " + kind_of(n));
  return false;
}

YamlFields::Entries YamlFields::checked_entries(const YAML::Node& map, const std::string& path,
                                                const Keys* allowed, const std::string& what) {
  Entries out;
  std::set<std::string> seen;
  for (auto it = map.begin(); it != map.end(); ++it) {
    const YAML::Node key = it->first;
    if (!key.IsScalar()) {
      error(key, path, "expected a name as key, found " + kind_of(key));
      continue;
    }
    const std::string name = key.Scalar();
    if (!seen.insert(name).second) {
      error(key, join(path, name), "duplicate " + what + " '" + name + "'");
      continue;
    }
    if (allowed != nullptr && std::find(allowed->begin(), allowed->end(), name) == allowed->end()) {
      error(key, join(path, name), "unknown " + what + " '" + name + "'" + suggestion(name, *allowed));
      continue;
    }
    marks_[join(path, name)] = it->second.Mark();
    out.emplace_back(key, it->second);
  }
  return out;
}

const YAML::Node* YamlFields::find(const Entries& e, const std::string& key) {
  for (const auto& [k, v] : e)
    if (k.Scalar() == key) return &v;
  return nullptr;
}

bool YamlFields::scalar(const YAML::Node& n, const std::string& path, const std::string& expected) {
  if (n.IsScalar()) return true;
  error(n, path, "expected " + expected + ", found " + kind_of(n));
  return false;
}

namespace {
// yaml-cpp tags a quoted scalar "!"; a quoted value is a string even when it reads as a number.
bool quoted(const YAML::Node& n) { return n.Tag() == "!"; }
}  // namespace

bool YamlFields::number(const YAML::Node& n, const std::string& path, double& out, double lo,
                        double hi, bool lo_open, bool hi_open) {
  if (!scalar(n, path, "a number")) return false;
  const std::string& s = n.Scalar();
  if (quoted(n)) {
    error(n, path, "expected a number, found the quoted string \"" + s + "\" (remove the quotes)");
    return false;
  }
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(s.c_str(), &end);
  if (s.empty() || end != s.c_str() + s.size() || errno == ERANGE || !std::isfinite(v)) {
    error(n, path, "expected a number, found '" + s + "'");
    return false;
  }
  if ((lo_open ? v <= lo : v < lo) || (hi_open ? v >= hi : v > hi)) {
    std::string range = std::isinf(hi) ? (lo_open ? "greater than " : "at least ") + format(lo)
                                       : std::string("in ") + (lo_open ? "(" : "[") + format(lo) +
                                             ", " + format(hi) + (hi_open ? ")" : "]");
    if (std::isinf(lo) && std::isinf(hi)) range = "finite";
    error(n, path, "must be " + range + ", found " + s);
    return false;
  }
  out = v;
  return true;
}

bool YamlFields::integer_value(const YAML::Node& n, const std::string& path, long long& out,
                               long long lo, long long hi, const std::string& note) {
  if (!scalar(n, path, "an integer")) return false;
  const std::string& s = n.Scalar();
  if (quoted(n)) {
    error(n, path, "expected an integer, found the quoted string \"" + s + "\" (remove the quotes)");
    return false;
  }
  char* end = nullptr;
  errno = 0;
  const long long v = std::strtoll(s.c_str(), &end, 10);
  if (s.empty() || end != s.c_str() + s.size() || errno == ERANGE) {
    error(n, path, "expected an integer, found '" + s + "'");
    return false;
  }
  if (v < lo || v > hi) {
    error(n, path, "must be in [" + std::to_string(lo) + ", " + std::to_string(hi) + "], found " + s + note);
    return false;
  }
  out = v;
  return true;
}

bool YamlFields::unsigned_integer(const YAML::Node& n, const std::string& path, std::uint64_t& out) {
  const std::string expected = "an integer in [0, 18446744073709551615]";
  if (!scalar(n, path, expected)) return false;
  const std::string& s = n.Scalar();
  if (quoted(n)) {
    error(n, path, "expected " + expected + ", found the quoted string \"" + s + "\" (remove the quotes)");
    return false;
  }
  char* end = nullptr;
  errno = 0;
  const unsigned long long v = std::strtoull(s.c_str(), &end, 10);
  // strtoull accepts a sign (and wraps "-1"): only digits are a non-negative integer here.
  if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos ||
      end != s.c_str() + s.size() || errno == ERANGE) {
    error(n, path, "expected " + expected + ", found '" + s + "'");
    return false;
  }
  out = v;
  return true;
}

bool YamlFields::boolean(const YAML::Node& n, const std::string& path, bool& out) {
  if (!scalar(n, path, "true or false")) return false;
  const std::string& s = n.Scalar();
  if (s == "true") out = true;
  else if (s == "false") out = false;
  else error(n, path, "expected true or false, found '" + s + "'");
  return s == "true" || s == "false";
}

}  // namespace mirror::scenario
