// Open Bandit Dataset logs as a decision log: the item shown is the message, its slot the
// position, the click the reward, with the logging policy's propensity and the user context.
#include <optional>

#include "field_parse.hpp"
#include "formats.hpp"
#include "mirror/ingest/ingest.hpp"

namespace mirror::ingest {

namespace {

std::string stem(const std::string& path) {
  auto name = path.substr(path.find_last_of('/') + 1);
  return name.substr(0, name.find('.'));
}

class ObdFormat : public Format {
 public:
  bool begin_input(const std::string& path, const CsvReader& first, IngestSink& sink) override {
    std::vector<std::string> required = {"", "timestamp", "item_id", "position", "click",
                                         "propensity_score"};
    std::vector<std::string> context;
    for (std::size_t i = 0; i < first.size(); ++i) {
      const std::string name(first[i]);
      if (name.rfind("user_feature_", 0) == 0 || name.rfind("user-item_affinity_", 0) == 0)
        context.push_back(name);
    }
    columns_.emplace(path, first, required, context);
    context_columns_.clear();
    hashed_.clear();
    for (const auto& name : context) {
      context_columns_.push_back((*columns_)[name]);
      hashed_.push_back(name.rfind("user_feature_", 0) == 0);
    }
    features_.resize(context.size());
    sink.set_context(context);
    // The logging policy is the data set's folder: random/ or bts/.
    policy_ = path.find("/bts/") != std::string::npos      ? "bts"
              : path.find("/random/") != std::string::npos ? "random"
                                                           : "unknown";
    campaign_ = stem(path);
    return true;
  }

  std::string_view row(const CsvReader& r, IngestSink& sink) override {
    const auto& c = *columns_;
    if (r.size() != c.width()) return reason::kFieldCount;
    const auto t = parse_timestamp(r[c["timestamp"]]);
    if (!t) return reason::kBadTimestamp;
    const auto position = parse_int(r[c["position"]]);
    const auto click = parse_double(r[c["click"]]);
    const auto propensity = parse_double(r[c["propensity_score"]]);
    if (!position || !click || !propensity || !parse_int(r[c["item_id"]]))
      return reason::kBadNumber;
    if (!(*propensity > 0.0 && *propensity <= 1.0)) return reason::kBadPropensity;
    std::vector<float> row_context(context_columns_.size());
    for (std::size_t k = 0; k < context_columns_.size(); ++k) {
      const auto text = r[context_columns_[k]];
      if (hashed_[k]) {
        // Hashed categorical features: their id in a per-column dictionary.
        row_context[k] = static_cast<float>(features_[k].id(text));
      } else {
        const auto v = parse_double(text);
        if (!v) return reason::kBadNumber;
        row_context[k] = static_cast<float>(*v);
      }
    }
    auto& d = sink.dictionaries;
    auto& b = sink.decisions();
    b.customer.push_back(-1);
    b.timestamp.push_back(*t);
    b.arm.push_back(d.arm.id(campaign_));
    b.policy.push_back(d.policy.id(policy_));
    b.channel.push_back(d.channel.id("web"));
    b.message.push_back(d.message.id(r[c["item_id"]]));
    b.offer.push_back(-1);
    b.propensity.push_back(*propensity);
    b.cost.push_back(0);
    b.position.push_back(static_cast<std::int32_t>(*position));
    b.reward.push_back(*click);
    b.context.insert(b.context.end(), row_context.begin(), row_context.end());
    sink.decision_pushed(*t);
    return {};
  }

 private:
  std::optional<ColumnMap> columns_;
  std::vector<int> context_columns_;
  std::vector<bool> hashed_;
  std::vector<core::Dictionary> features_;
  std::string policy_;
  std::string campaign_;
};

}  // namespace

std::unique_ptr<Format> make_obd_format() { return std::make_unique<ObdFormat>(); }

}  // namespace mirror::ingest
