// customers.csv of `mirror generate`: each customer's observable segment and consent at the start.
#include <algorithm>
#include <stdexcept>

#include "mirror/fidelity/fidelity.hpp"
#include "mirror/ingest/csv_reader.hpp"

namespace mirror::fidelity {

std::unordered_map<std::string, CustomerContext> read_customers(const std::string& path,
                                                                const WorldActions& world) {
  ingest::CsvReader csv(ingest::open_byte_source(path), ingest::CsvReader::Separator::kComma);
  const auto at = [&](std::int64_t line) { return path + ":" + std::to_string(line) + ": "; };
  if (!csv.next()) throw std::runtime_error(path + ": empty, expected a header line");
  const std::vector<std::string> header(csv.fields().begin(), csv.fields().end());
  const auto column = [&](const std::string& name) {
    const auto it = std::find(header.begin(), header.end(), name);
    if (it == header.end()) throw std::runtime_error(at(csv.line()) + "no column '" + name + "'");
    return static_cast<std::size_t>(it - header.begin());
  };
  const std::size_t id = column("customer_id"), segment = column("segment");
  std::vector<std::size_t> optin;
  for (const auto& c : world.channels) optin.push_back(column(c + "_optin"));
  std::unordered_map<std::string, std::size_t> segment_index;
  for (std::size_t s = 0; s < world.segments.size(); ++s) segment_index[world.segments[s]] = s;
  std::unordered_map<std::string, CustomerContext> out;
  while (csv.next()) {
    if (csv.size() != header.size())
      throw std::runtime_error(at(csv.line()) + "expected " + std::to_string(header.size()) +
                               " fields, found " + std::to_string(csv.size()));
    const std::string name(csv[segment]);
    const auto s = segment_index.find(name);
    if (s == segment_index.end())
      throw std::runtime_error(at(csv.line()) + "segment: unknown segment '" + name + "'");
    CustomerContext x;
    x.segment = static_cast<int>(s->second);
    for (std::size_t c = 0; c < optin.size(); ++c)
      if (csv[optin[c]] == "1") x.consent |= 1u << c;
    out[std::string(csv[id])] = x;
  }
  return out;
}

}  // namespace mirror::fidelity
