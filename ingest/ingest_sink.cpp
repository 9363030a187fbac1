#include <algorithm>

#include "format.hpp"
#include "mirror/ingest/ingest.hpp"

namespace mirror::ingest {

namespace {
constexpr std::size_t kBatchRows = 65536;
}  // namespace

void IngestSink::saw(core::Timestamp t) {
  first_ = std::min(first_, t);
  last_ = std::max(last_, t);
}

void IngestSink::event(std::uint32_t customer, core::Timestamp t, core::EventType type,
                       core::Micros amount, std::int32_t quantity, std::int32_t channel,
                       std::int32_t item, std::int32_t campaign) {
  events_.push(customer, t, type, amount, quantity, channel, item, campaign);
  saw(t);
  if (events_.size() >= kBatchRows) flush();
}

void IngestSink::decision_pushed(core::Timestamp t) {
  saw(t);
  if (decisions_.size() >= kBatchRows) flush();
}

void IngestSink::set_context(std::vector<std::string> names) {
  if (decision_count() > 0 && names != context_names_)
    throw IngestError("the decision context columns differ between inputs; ingest them into "
                      "separate stores");
  context_names_ = std::move(names);
}

void IngestSink::flush() {
  if (events_.size()) {
    writer_.append(events_);
    events_written_ += events_.size();
    events_.clear();
  }
  if (decisions_.size()) {
    writer_.append(decisions_, context_names_.size());
    decisions_written_ += decisions_.size();
    decisions_.clear();
  }
}

ColumnMap::ColumnMap(const std::string& path, const CsvReader& header,
                     const std::vector<std::string>& required,
                     const std::vector<std::string>& optional)
    : width_(header.size()) {
  std::string present;
  for (std::size_t i = 0; i < header.size(); ++i) {
    index_.emplace(std::string(header[i]), static_cast<int>(i));
    present += (i ? "," : "") + std::string(header[i]);
  }
  for (const auto& name : required)
    if (!index_.count(name))
      throw IngestError(path + ":" + std::to_string(header.line()) + ": missing column '" + name +
                        "' (the header has: " + present + ")");
  for (const auto& name : required) declared_.push_back((*this)[name]);
  for (const auto& name : optional) declared_.push_back((*this)[name]);
  for (const auto& [name, i] : index_) {
    const bool known = std::find(required.begin(), required.end(), name) != required.end() ||
                       std::find(optional.begin(), optional.end(), name) != optional.end();
    if (!known)
      throw IngestError(path + ":" + std::to_string(header.line()) + ": unknown column '" + name +
                        "' (expected " + [&] {
                          std::string all;
                          for (const auto& n : required) all += (all.empty() ? "" : ",") + n;
                          for (const auto& n : optional) all += ",[" + n + "]";
                          return all;
                        }() + ")");
  }
}

int ColumnMap::operator[](const std::string& name) const {
  auto it = index_.find(name);
  return it == index_.end() ? -1 : it->second;
}

}  // namespace mirror::ingest
