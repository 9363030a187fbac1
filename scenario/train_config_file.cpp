// Reads a `mirror train --config` file: known keys with checked types and ranges; every
// problem collected with its position and key.
#include "mirror/scenario/train_config_file.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "yaml_fields.hpp"

namespace mirror::scenario {

namespace {

const YamlFields::Keys kTrainKeys{"store",           "out",       "hidden",          "epochs",
                                  "patience",        "learning_rate", "batch_customers", "validation_days",
                                  "seed",            "threads",   "calibration_end", "action_into_state",
                                  "tenure",          "decay_after", "attributes",      "step",
                                  "customers",       "offer_memory", "propensity_weights"};

// YYYY-MM-DD with a real month and day.
bool is_date(const std::string& s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (s[i] < '0' || s[i] > '9') return false;
  const int year = std::stoi(s.substr(0, 4)), month = std::stoi(s.substr(5, 2)), day = std::stoi(s.substr(8, 2));
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12) return false;
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return day >= 1 && day <= kDays[month - 1] + (month == 2 && leap ? 1 : 0);
}

class TrainConfigReader : YamlFields {
 public:
  using YamlFields::YamlFields;

  TrainConfigFile load(const std::string& text) {
    TrainConfigFile result;
    if (const auto root = top_map(text, "training settings"))
      for (const auto& [k, v] : entries(*root, "", kTrainKeys)) read(k.Scalar(), v);
    if (errors_.empty()) result.settings = std::move(s_);
    result.errors = sorted_errors();
    return result;
  }

 private:
  void set_int(const YAML::Node& v, const std::string& key, std::optional<int>& out, long lo, long hi) {
    int value = 0;
    const auto before = errors_.size();
    integer(v, key, value, lo, hi);
    if (errors_.size() == before) out = value;
  }

  void read(const std::string& key, const YAML::Node& v) {
    const auto before = errors_.size();
    if (key == "hidden") {
      set_int(v, key, s_.hidden, 1, 1024);
    } else if (key == "epochs") {
      set_int(v, key, s_.epochs, 1, 1000000);
    } else if (key == "patience") {
      set_int(v, key, s_.patience, 1, 1000000);
    } else if (key == "batch_customers") {
      set_int(v, key, s_.batch_customers, 1, 100000000);
    } else if (key == "validation_days") {
      set_int(v, key, s_.validation_days, 1, 100000);
    } else if (key == "decay_after") {
      set_int(v, key, s_.decay_after, 0, 1000000);
    } else if (key == "customers") {
      set_int(v, key, s_.customers, 1, 2000000000);
    } else if (key == "threads") {
      set_int(v, key, s_.threads, 0, 1024);
    } else if (key == "learning_rate") {
      double rate = 0;
      positive(v, key, rate);
      if (errors_.size() == before) s_.learning_rate = rate;
    } else if (key == "seed") {
      std::uint64_t seed = 0;
      unsigned_integer(v, key, seed);
      if (errors_.size() == before) s_.seed = seed;
    } else if (key == "action_into_state") {
      bool into = false;
      boolean(v, key, into);
      if (errors_.size() == before) s_.action_into_state = into;
    } else if (key == "tenure") {
      bool on = true;
      boolean(v, key, on);
      if (errors_.size() == before) s_.tenure = on;
    } else if (key == "offer_memory") {
      std::string value;
      text(v, key, value);
      if (errors_.size() != before) return;
      if (value == "true") s_.offer_memory = OfferMemory::on;
      else if (value == "false") s_.offer_memory = OfferMemory::off;
      else if (value == "auto") s_.offer_memory = OfferMemory::automatic;
      else error(v, key, "expected true, false or auto, found '" + value + "'");
    } else if (key == "propensity_weights") {
      bool on = false;
      boolean(v, key, on);
      if (errors_.size() == before) s_.propensity_weights = on;
    } else if (key == "attributes") {
      bool on = true;
      boolean(v, key, on);
      if (errors_.size() == before) s_.attributes = on;
    } else if (key == "step") {
      std::string step;
      text(v, key, step);
      if (errors_.size() != before) return;
      if (step == "day") s_.step_days = 1;
      else if (step == "week") s_.step_days = 7;
      else error(v, key, "expected day or week, found '" + step + "'");
    } else if (key == "calibration_end") {
      std::string date;
      text(v, key, date);
      if (errors_.size() != before) return;
      if (!is_date(date)) error(v, key, "expected a date YYYY-MM-DD, found '" + date + "'");
      else s_.calibration_end = date;
    } else if (key == "store" || key == "out") {
      std::string path;
      text(v, key, path);
      if (errors_.size() != before) return;
      if (path.empty()) {
        error(v, key, "expected a path, found an empty string");
        return;
      }
      namespace fs = std::filesystem;
      const fs::path dir = fs::path(label_).parent_path();
      const std::string resolved =
          fs::path(path).is_absolute() || dir.empty() ? path : (dir / path).string();
      (key == "store" ? s_.store : s_.out) = resolved;
    }
  }

  TrainSettings s_;
};

}  // namespace

TrainConfigFile load_train_config_text(const std::string& text, const std::string& label) {
  return TrainConfigReader(label).load(text);
}

TrainConfigFile load_train_config_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    TrainConfigFile r;
    r.errors.push_back({path, 0, 0, "", "cannot read the training config file"});
    return r;
  }
  std::ostringstream text;
  text << in.rdbuf();
  return load_train_config_text(text.str(), path);
}

}  // namespace mirror::scenario
