// Purchase logs of the shared public data sets: CDNOW, UCI Online Retail, online grocery.
#include <optional>
#include <unordered_set>

#include "field_parse.hpp"
#include "formats.hpp"
#include "mirror/ingest/ingest.hpp"

namespace mirror::ingest {

namespace {

// CDNOW_master.txt (whitespace, header customer_id date number_of_cds dollar_value),
// CDNOW_sample.txt (whitespace, no header: master_id sample_id date cds dollars) and
// cdnowElog_BTYD.csv (masterid,sampleid,date,cds,sales). The sample files use the sample
// id, as the published calibration summaries do.
class CdnowFormat : public Format {
 public:
  CsvReader::Separator separator(const std::string& path) const override {
    const bool csv = path.size() >= 4 && path.compare(path.size() - 4, 4, ".csv") == 0;
    return csv ? CsvReader::Separator::kComma : CsvReader::Separator::kWhitespace;
  }

  bool begin_input(const std::string& path, const CsvReader& first, IngestSink&) override {
    if (first.size() == 4 && first[0] == "customer_id") {
      id_ = 0, date_ = 1, cds_ = 2, dollars_ = 3, width_ = 4;
      return true;
    }
    if (first.size() == 5 && first[0] == "masterid") {
      id_ = 1, date_ = 2, cds_ = 3, dollars_ = 4, width_ = 5;
      return true;
    }
    if (first.size() == 5 && parse_int(first[0])) {
      id_ = 1, date_ = 2, cds_ = 3, dollars_ = 4, width_ = 5;
      return false;
    }
    throw IngestError(path + ":" + std::to_string(first.line()) +
                      ": not a CDNOW file (expected the master file's header 'customer_id date "
                      "number_of_cds dollar_value', the elog header 'masterid,sampleid,date,cds,"
                      "sales', or five whitespace-separated numbers per line)");
  }

  std::string_view row(const CsvReader& r, IngestSink& sink) override {
    if (r.size() != width_) return reason::kFieldCount;
    const auto t = parse_timestamp(r[date_]);
    if (!t) return reason::kBadTimestamp;
    const auto cds = parse_int(r[cds_]);
    const auto dollars = parse_double(r[dollars_]);
    if (!cds || !dollars || !parse_int(r[id_])) return reason::kBadNumber;
    if (*dollars < 0 || *cds < 0) return reason::kNegativeAmount;
    // Leading zeros differ between files ("00001" vs "1"): ids are numbers.
    const auto id = std::to_string(*parse_int(r[id_]));
    sink.event(sink.customer(id), *t, core::EventType::kPurchase, core::to_micros(*dollars),
               static_cast<std::int32_t>(*cds));
    return {};
  }

 private:
  std::size_t id_ = 0, date_ = 0, cds_ = 0, dollars_ = 0, width_ = 0;
};

// UCI Online Retail: one row per invoice line. Cancellations (InvoiceNo "C...") become
// returns when the customer bought that item before, else they are quarantined.
class OnlineRetailFormat : public Format {
 public:
  bool begin_input(const std::string& path, const CsvReader& first, IngestSink&) override {
    columns_.emplace(path, first,
                     std::vector<std::string>{"InvoiceNo", "StockCode", "Description", "Quantity",
                                              "InvoiceDate", "UnitPrice", "CustomerID", "Country"},
                     std::vector<std::string>{});
    at_ = columns_->declared();
    return true;
  }

  std::string_view row(const CsvReader& r, IngestSink& sink) override {
    static constexpr std::string_view kNoMatch = "cancellation without a matching invoice";
    static constexpr std::string_view kNonPositiveQuantity = "non-positive quantity on a sale";
    static constexpr std::string_view kNegativePrice = "negative unit price";
    if (r.size() != columns_->width()) return reason::kFieldCount;
    const auto customer_text = r[at_[kCustomerid]];
    if (customer_text.empty()) return reason::kNoCustomer;
    const auto t = parse_timestamp(r[at_[kInvoicedate]]);
    if (!t) return reason::kBadTimestamp;
    const auto quantity = parse_int(r[at_[kQuantity]]);
    const auto price = parse_double(r[at_[kUnitprice]]);
    const auto customer_number = parse_double(customer_text);  // "17850" or "17850.0"
    if (!quantity || !price || !customer_number) return reason::kBadNumber;
    if (*price < 0) return kNegativePrice;
    const auto customer = sink.customer(std::to_string(static_cast<std::int64_t>(*customer_number)));
    const auto item = sink.dictionaries.item.id(r[at_[kStockcode]]);
    const std::uint64_t key = (static_cast<std::uint64_t>(customer) << 32) | static_cast<std::uint32_t>(item);
    const auto invoice = r[at_[kInvoiceno]];
    const bool cancellation = !invoice.empty() && (invoice.front() == 'C' || invoice.front() == 'c');
    if (cancellation) {
      if (!bought_.count(key)) return kNoMatch;
      const auto refund = core::to_micros(static_cast<double>(-*quantity) * *price);
      if (refund < 0) return reason::kNegativeAmount;
      sink.event(customer, *t, core::EventType::kReturn, refund,
                 static_cast<std::int32_t>(-*quantity), -1, item);
      return {};
    }
    if (*quantity <= 0) return kNonPositiveQuantity;
    bought_.insert(key);
    sink.event(customer, *t, core::EventType::kPurchase,
               core::to_micros(static_cast<double>(*quantity) * *price),
               static_cast<std::int32_t>(*quantity), -1, item);
    return {};
  }

 private:
  enum Column { kInvoiceno, kStockcode, kDescription, kQuantity, kInvoicedate, kUnitprice, kCustomerid, kCountry };
  std::vector<int> at_;  // Column -> field index
  std::optional<ColumnMap> columns_;
  std::unordered_set<std::uint64_t> bought_;  // (customer, item) pairs sold so far
};

// BTYDplus groceryElog: purchase dates without amounts.
class GroceryFormat : public Format {
 public:
  bool begin_input(const std::string& path, const CsvReader& first, IngestSink&) override {
    columns_.emplace(path, first, std::vector<std::string>{"cust", "date"},
                     std::vector<std::string>{});
    return true;
  }

  std::string_view row(const CsvReader& r, IngestSink& sink) override {
    const auto& c = *columns_;
    if (r.size() != c.width()) return reason::kFieldCount;
    const auto id = r[c["cust"]];
    if (id.empty()) return reason::kNoCustomer;
    const auto t = parse_timestamp(r[c["date"]]);
    if (!t) return reason::kBadTimestamp;
    sink.event(sink.customer(id), *t, core::EventType::kPurchase, 0, 1);
    return {};
  }

 private:
  std::optional<ColumnMap> columns_;
};

}  // namespace

std::unique_ptr<Format> make_cdnow_format() { return std::make_unique<CdnowFormat>(); }
std::unique_ptr<Format> make_online_retail_format() {
  return std::make_unique<OnlineRetailFormat>();
}
std::unique_ptr<Format> make_grocery_format() { return std::make_unique<GroceryFormat>(); }

}  // namespace mirror::ingest
