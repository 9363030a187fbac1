#include "mirror/ingest/customer_attributes.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "mirror/core/sha256.hpp"
#include "mirror/ingest/byte_source.hpp"
#include "mirror/ingest/csv_reader.hpp"
#include "mirror/ingest/ingest.hpp"

namespace mirror::ingest {

namespace {

bool is_number(const std::string& text) {
  if (text.empty()) return false;
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  return end == text.c_str() + text.size() && std::isfinite(v);
}

}  // namespace

CustomerAttributes read_customer_attributes(const std::string& path, const std::string& id_name,
                                            const std::vector<std::string>& text_columns) {
  CustomerAttributes a;
  a.path = path;
  try {
    a.sha256 = core::sha256_file_hex(path);
  } catch (const std::exception& e) {
    throw IngestError(e.what());
  }
  CsvReader reader(open_byte_source(path), CsvReader::Separator::kComma);
  if (!reader.next()) throw IngestError(path + ": the file is empty");
  int id_column = -1;
  std::vector<std::size_t> attribute_columns;
  for (std::size_t i = 0; i < reader.size(); ++i) {
    const std::string name(reader[i]);
    if (name == id_name) {
      if (id_column >= 0) throw IngestError(path + ":1: " + id_name + ": the column appears twice");
      id_column = static_cast<int>(i);
    } else {
      if (name.empty()) throw IngestError(path + ":1: column " + std::to_string(i + 1) + " has no name");
      if (std::find(a.names.begin(), a.names.end(), name) != a.names.end())
        throw IngestError(path + ":1: " + name + ": the column appears twice");
      if (name == "customer" || name.find('/') != std::string::npos || name == ".")
        throw IngestError(path + ":1: " + name + ": not usable as an attribute name (\"customer\", \".\" and '/' are reserved)");
      a.names.push_back(name);
      attribute_columns.push_back(i);
    }
  }
  if (id_column < 0)
    throw IngestError(path + ":1: no " + id_name + " column (a header with " + id_name +
                      " is expected; --attributes-id names another)");
  const std::size_t width = reader.size();
  a.numeric.assign(a.names.size(), true);
  for (const auto& name : text_columns) {
    const auto it = std::find(a.names.begin(), a.names.end(), name);
    if (it == a.names.end())
      throw IngestError(path + ":1: --attributes-text names '" + name + "', which is not an attribute column");
    a.numeric[it - a.names.begin()] = false;
  }
  std::vector<bool> any_value(a.names.size(), false);
  while (reader.next()) {
    const auto where = path + ":" + std::to_string(reader.line());
    if (reader.size() != width)
      throw IngestError(where + ": " + std::to_string(reader.size()) + " fields where the header has " +
                        std::to_string(width));
    std::string id(reader[static_cast<std::size_t>(id_column)]);
    if (id.empty()) throw IngestError(where + ": " + id_name + ": empty");
    if (!a.row_of.emplace(id, a.ids.size()).second)
      throw IngestError(where + ": " + id_name + ": '" + id + "' has a row already");
    a.ids.push_back(std::move(id));
    for (std::size_t k = 0; k < attribute_columns.size(); ++k) {
      std::string value(reader[attribute_columns[k]]);
      if (!value.empty()) {
        any_value[k] = true;
        if (a.numeric[k] && !is_number(value)) a.numeric[k] = false;
      }
      a.values.push_back(std::move(value));
    }
  }
  for (std::size_t k = 0; k < a.names.size(); ++k)
    if (!any_value[k]) a.numeric[k] = false;  // an empty column: text, every value missing
  return a;
}

AlignedAttributes align_customer_attributes(const CustomerAttributes& a, const std::vector<std::string>& customers) {
  AlignedAttributes out;
  const std::size_t K = a.names.size();
  results::Table& t = out.table;
  t.columns.push_back({"customer", {}, customers});
  for (std::size_t k = 0; k < K; ++k) {
    results::Table::Column c{a.names[k], {}, {}};
    if (a.numeric[k]) c.numbers.assign(customers.size(), std::numeric_limits<double>::quiet_NaN());
    else c.strings.assign(customers.size(), "");
    t.columns.push_back(std::move(c));
  }
  std::size_t matched = 0;
  for (std::size_t i = 0; i < customers.size(); ++i) {
    const auto it = a.row_of.find(customers[i]);
    if (it == a.row_of.end()) {
      ++out.customers_without;
      continue;
    }
    ++matched;
    for (std::size_t k = 0; k < K; ++k) {
      const auto& value = a.values[it->second * K + k];
      auto& c = t.columns[k + 1];
      if (!a.numeric[k]) c.strings[i] = value;
      else if (!value.empty()) c.numbers[i] = std::strtod(value.c_str(), nullptr);
    }
  }
  out.rows_unmatched = static_cast<std::int64_t>(a.ids.size() - matched);
  return out;
}

}  // namespace mirror::ingest
