// 84.51 "Complete Journey": transactions and coupon redemptions become events, campaign
// mailings become decisions (dated at the campaign's start; their propensity is unknown).
#include <algorithm>
#include <optional>
#include <unordered_map>

#include "field_parse.hpp"
#include "formats.hpp"
#include "mirror/ingest/ingest.hpp"

namespace mirror::ingest {

namespace {

enum class Table { kDescriptions, kCampaigns, kRedemptions, kTransactions };

std::string base_name(const std::string& path) {
  const auto slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

class CompleteJourneyFormat : public Format {
 public:
  // Campaign descriptions first: mailings are dated by their campaign's start.
  std::vector<std::string> order_inputs(std::vector<std::string> inputs) const override {
    std::stable_partition(inputs.begin(), inputs.end(), [](const std::string& p) {
      return base_name(p).rfind("campaign_descriptions", 0) == 0;
    });
    return inputs;
  }

  bool begin_input(const std::string& path, const CsvReader& first, IngestSink&) override {
    const auto has = [&](std::string_view name) {
      return std::find(first.fields().begin(), first.fields().end(), name) != first.fields().end();
    };
    using V = std::vector<std::string>;
    if (has("campaign_type")) {
      table_ = Table::kDescriptions;
      columns_.emplace(path, first, V{"campaign_id", "campaign_type", "start_date", "end_date"}, V{});
    } else if (has("redemption_date")) {
      table_ = Table::kRedemptions;
      columns_.emplace(path, first, V{"household_id", "coupon_upc", "campaign_id", "redemption_date"},
                       V{});
    } else if (has("transaction_timestamp")) {
      table_ = Table::kTransactions;
      columns_.emplace(path, first,
                       V{"household_id", "basket_id", "product_id", "quantity", "sales_value",
                         "transaction_timestamp"},
                       V{"store_id", "retail_disc", "coupon_disc", "coupon_match_disc", "week"});
    } else if (first.size() == 2 && has("campaign_id") && has("household_id")) {
      table_ = Table::kCampaigns;
      columns_.emplace(path, first, V{"campaign_id", "household_id"}, V{});
    } else {
      throw IngestError(path + ":" + std::to_string(first.line()) +
                        ": not a Complete Journey table this ingest reads (expected "
                        "transactions, campaigns, campaign_descriptions or coupon_redemptions)");
    }
    return true;
  }

  std::string_view row(const CsvReader& r, IngestSink& sink) override {
    const auto& c = *columns_;
    if (r.size() != c.width()) return reason::kFieldCount;
    switch (table_) {
      case Table::kDescriptions: return description(r);
      case Table::kCampaigns: return mailing(r, sink);
      case Table::kRedemptions: return redemption(r, sink);
      case Table::kTransactions: return transaction(r, sink);
    }
    return {};
  }

 private:
  std::string_view description(const CsvReader& r) {
    const auto& c = *columns_;
    const auto start = parse_timestamp(r[c["start_date"]]);
    if (!start || !parse_timestamp(r[c["end_date"]])) return reason::kBadTimestamp;
    campaigns_[std::string(r[c["campaign_id"]])] = {*start, std::string(r[c["campaign_type"]])};
    return {};
  }

  std::string_view mailing(const CsvReader& r, IngestSink& sink) {
    static constexpr std::string_view kUnknownCampaign = "campaign without a description";
    const auto& c = *columns_;
    const auto household = r[c["household_id"]];
    if (household.empty()) return reason::kNoCustomer;
    auto it = campaigns_.find(std::string(r[c["campaign_id"]]));
    if (it == campaigns_.end()) return kUnknownCampaign;
    auto& d = sink.dictionaries;
    auto& b = sink.decisions();
    b.customer.push_back(sink.customer(household));
    b.timestamp.push_back(it->second.start);
    b.arm.push_back(-1);
    b.policy.push_back(d.policy.id(it->second.type));
    b.channel.push_back(d.channel.id("mail"));
    b.message.push_back(d.message.id(it->first));
    b.offer.push_back(-1);
    b.propensity.push_back(core::kNoReward);
    b.cost.push_back(0);
    b.position.push_back(0);
    b.reward.push_back(core::kNoReward);
    sink.decision_pushed(it->second.start);
    return {};
  }

  std::string_view redemption(const CsvReader& r, IngestSink& sink) {
    const auto& c = *columns_;
    const auto household = r[c["household_id"]];
    if (household.empty()) return reason::kNoCustomer;
    const auto t = parse_timestamp(r[c["redemption_date"]]);
    if (!t) return reason::kBadTimestamp;
    auto& d = sink.dictionaries;
    sink.event(sink.customer(household), *t, core::EventType::kCouponRedeem, 0, 1, -1,
               d.item.id(r[c["coupon_upc"]]), d.campaign.id(r[c["campaign_id"]]));
    return {};
  }

  std::string_view transaction(const CsvReader& r, IngestSink& sink) {
    const auto& c = *columns_;
    const auto household = r[c["household_id"]];
    if (household.empty()) return reason::kNoCustomer;
    const auto t = parse_timestamp(r[c["transaction_timestamp"]]);
    if (!t) return reason::kBadTimestamp;
    const auto value = parse_double(r[c["sales_value"]]);
    const auto quantity = parse_int(r[c["quantity"]]);
    if (!value || !quantity) return reason::kBadNumber;
    if (*value < 0) return reason::kNegativeAmount;
    sink.event(sink.customer(household), *t, core::EventType::kPurchase, core::to_micros(*value),
               static_cast<std::int32_t>(*quantity), -1,
               sink.dictionaries.item.id(r[c["product_id"]]));
    return {};
  }

  struct Campaign {
    core::Timestamp start;
    std::string type;
  };
  Table table_ = Table::kTransactions;
  std::optional<ColumnMap> columns_;
  std::unordered_map<std::string, Campaign> campaigns_;
};

}  // namespace

std::unique_ptr<Format> make_complete_journey_format() {
  return std::make_unique<CompleteJourneyFormat>();
}

}  // namespace mirror::ingest
