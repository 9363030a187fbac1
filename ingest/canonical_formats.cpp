// The canonical events and decisions CSV formats of ARCHITECTURE.md.
#include <cmath>
#include <optional>

#include "formats.hpp"
#include "field_parse.hpp"
#include "mirror/ingest/ingest.hpp"

namespace mirror::ingest {

namespace {

std::string_view field_or_empty(const CsvReader& r, int i) {
  return i < 0 ? std::string_view() : r[static_cast<std::size_t>(i)];
}

// Parses an optional money column: empty is 0, negative is rejected.
std::string_view parse_amount(std::string_view text, core::Micros& out) {
  out = 0;
  if (text.empty()) return {};
  const auto v = parse_double(text);
  if (!v) return reason::kBadNumber;
  if (*v < 0) return reason::kNegativeAmount;
  out = core::to_micros(*v);
  return {};
}

class EventsFormat : public Format {
 public:
  bool begin_input(const std::string& path, const CsvReader& first, IngestSink&) override {
    columns_.emplace(path, first, std::vector<std::string>{"customer_id", "timestamp", "event_type"},
                     std::vector<std::string>{"amount", "channel", "item", "campaign", "quantity"});
    at_ = columns_->declared();
    return true;
  }

  std::string_view row(const CsvReader& r, IngestSink& sink) override {
    if (r.size() != columns_->width()) return reason::kFieldCount;
    const auto id = r[at_[kCustomerId]];
    if (id.empty()) return reason::kNoCustomer;
    const auto t = parse_timestamp(r[at_[kTimestamp]]);
    if (!t) return reason::kBadTimestamp;
    const auto type = core::parse_event_type(r[at_[kEventType]]);
    if (!type) return reason::kUnknownEventType;
    core::Micros amount = 0;
    if (auto bad = parse_amount(field_or_empty(r, at_[kAmount]), amount); !bad.empty()) return bad;
    std::int64_t quantity = 0;
    if (const auto q = field_or_empty(r, at_[kQuantity]); !q.empty()) {
      const auto v = parse_int(q);
      if (!v) return reason::kBadNumber;
      quantity = *v;
    }
    auto& d = sink.dictionaries;
    sink.event(sink.customer(id), *t, *type, amount, static_cast<std::int32_t>(quantity),
               d.channel.id_or_none(field_or_empty(r, at_[kChannel])),
               d.item.id_or_none(field_or_empty(r, at_[kItem])),
               d.campaign.id_or_none(field_or_empty(r, at_[kCampaign])));
    return {};
  }

 private:
  enum Column { kCustomerId, kTimestamp, kEventType, kAmount, kChannel, kItem, kCampaign, kQuantity };
  std::vector<int> at_;  // Column -> field index
  std::optional<ColumnMap> columns_;
};

class DecisionsFormat : public Format {
 public:
  bool begin_input(const std::string& path, const CsvReader& first, IngestSink&) override {
    columns_.emplace(path, first,
                     std::vector<std::string>{"customer_id", "timestamp", "arm", "policy",
                                              "channel", "message", "offer", "propensity", "cost"},
                     std::vector<std::string>{"reward", "position"});
    at_ = columns_->declared();
    return true;
  }

  std::string_view row(const CsvReader& r, IngestSink& sink) override {
    if (r.size() != columns_->width()) return reason::kFieldCount;
    const auto id = r[at_[kCustomerId]];
    if (id.empty()) return reason::kNoCustomer;
    const auto t = parse_timestamp(r[at_[kTimestamp]]);
    if (!t) return reason::kBadTimestamp;
    double propensity = core::kNoReward;  // NaN: the log does not know it
    if (const auto p = r[at_[kPropensity]]; !p.empty()) {
      const auto v = parse_double(p);
      if (!v) return reason::kBadNumber;
      if (!(*v > 0.0 && *v <= 1.0)) return reason::kBadPropensity;
      propensity = *v;
    }
    core::Micros cost = 0;
    if (auto bad = parse_amount(r[at_[kCost]], cost); !bad.empty()) return bad;
    double reward = core::kNoReward;
    if (const auto text = field_or_empty(r, at_[kReward]); !text.empty()) {
      const auto v = parse_double(text);
      if (!v) return reason::kBadNumber;
      reward = *v;
    }
    std::int64_t position = 0;
    if (const auto text = field_or_empty(r, at_[kPosition]); !text.empty()) {
      const auto v = parse_int(text);
      if (!v || *v < 0) return reason::kBadNumber;
      position = *v;
    }
    auto& d = sink.dictionaries;
    auto& b = sink.decisions();
    b.customer.push_back(sink.customer(id));
    b.timestamp.push_back(*t);
    b.arm.push_back(d.arm.id_or_none(r[at_[kArm]]));
    b.policy.push_back(d.policy.id_or_none(r[at_[kPolicy]]));
    b.channel.push_back(d.channel.id_or_none(r[at_[kChannel]]));
    b.message.push_back(d.message.id_or_none(r[at_[kMessage]]));
    b.offer.push_back(d.offer.id_or_none(r[at_[kOffer]]));
    b.propensity.push_back(propensity);
    b.cost.push_back(cost);
    b.position.push_back(static_cast<std::int32_t>(position));
    b.reward.push_back(reward);
    sink.decision_pushed(*t);
    return {};
  }

 private:
  enum Column { kCustomerId, kTimestamp, kArm, kPolicy, kChannel, kMessage, kOffer, kPropensity, kCost, kReward, kPosition };
  std::vector<int> at_;  // Column -> field index
  std::optional<ColumnMap> columns_;
};

}  // namespace

std::unique_ptr<Format> make_events_format() { return std::make_unique<EventsFormat>(); }
std::unique_ptr<Format> make_decisions_format() { return std::make_unique<DecisionsFormat>(); }

}  // namespace mirror::ingest
