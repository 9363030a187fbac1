// Static customer attributes for `mirror ingest --attributes FILE`: a CSV with a header, a
// customer id column (`customer_id` unless named otherwise) and one column per attribute (a
// generated world's customers.csv, Complete Journey's demographics.csv with `household_id`).
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "mirror/results/customer_store.hpp"

namespace mirror::ingest {

struct CustomerAttributes {
  std::string path;
  std::string sha256;
  std::vector<std::string> names;    // attribute columns in file order (without the id)
  std::vector<bool> numeric;         // per column: every non-empty value is a finite number
  std::vector<std::string> ids;      // per row
  std::vector<std::string> values;   // rows x columns, as written (empty: missing)
  std::unordered_map<std::string, std::size_t> row_of;  // customer id -> row
};

// Reads and checks the file; throws IngestError with file and line for a missing, empty or
// repeated id, a row with the wrong number of fields, an empty file, or a `text_columns` name
// the header lacks. Columns named in `text_columns` stay text even when they hold numbers
// (codes: postcodes, store ids).
CustomerAttributes read_customer_attributes(const std::string& path, const std::string& id_column = "customer_id",
                                            const std::vector<std::string>& text_columns = {});

// The attributes in the order of `customers` (a store's customer dictionary): a "customer"
// column, then each attribute as numbers (NaN where missing) or text ("" where missing).
// Counts the customers without a row and the rows of customers not in `customers`.
struct AlignedAttributes {
  results::Table table;
  std::int64_t customers_without = 0;
  std::int64_t rows_unmatched = 0;
};
AlignedAttributes align_customer_attributes(const CustomerAttributes& attributes,
                                            const std::vector<std::string>& customers);

}  // namespace mirror::ingest
