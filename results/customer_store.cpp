#include "mirror/results/customer_store.hpp"

#include <unistd.h>

#include <filesystem>
#include <stdexcept>

#include "h5_io.hpp"
#include "mirror/results/results_file.hpp"

namespace mirror::results {

namespace fs = std::filesystem;
using namespace h5;

namespace {

const char* const kDictionaryNames[] = {"customer", "channel", "item",    "campaign",
                                        "arm",      "policy",  "message", "offer"};

// An extendible, chunked, compressed dataset of `width` columns (1 = a plain column).
H5::DataSet growing_dataset(H5::Group& g, const std::string& name, const H5::PredType& type,
                            hsize_t width = 1) {
  const int rank = width == 1 ? 1 : 2;
  const hsize_t dims[2] = {0, width};
  const hsize_t max[2] = {H5S_UNLIMITED, width};
  H5::DataSpace space(rank, dims, max);
  H5::DSetCreatPropList props;
  const hsize_t chunk[2] = {std::max<hsize_t>(1, kChunkRows / width), width};
  props.setChunk(rank, chunk);
  props.setDeflate(1);
  return g.createDataSet(name, type, space, props);
}

void append_rows(H5::DataSet& ds, const H5::PredType& type, const void* data, hsize_t rows,
                 hsize_t width = 1) {
  if (rows == 0) return;
  const int rank = width == 1 ? 1 : 2;
  hsize_t old_dims[2] = {0, width};
  ds.getSpace().getSimpleExtentDims(old_dims);
  const hsize_t new_dims[2] = {old_dims[0] + rows, width};
  ds.extend(new_dims);
  auto file_space = ds.getSpace();
  const hsize_t start[2] = {old_dims[0], 0};
  const hsize_t count[2] = {rows, width};
  file_space.selectHyperslab(H5S_SELECT_SET, count, start);
  H5::DataSpace memory(rank, count);
  ds.write(data, type, memory, file_space);
}

template <class T>
void read_rows(const H5::DataSet& ds, const H5::PredType& type, std::vector<T>& out,
               hsize_t first, hsize_t rows, hsize_t width = 1) {
  out.resize(rows * width);
  if (rows == 0) return;
  const int rank = width == 1 ? 1 : 2;
  auto file_space = ds.getSpace();
  const hsize_t start[2] = {first, 0};
  const hsize_t count[2] = {rows, width};
  file_space.selectHyperslab(H5S_SELECT_SET, count, start);
  H5::DataSpace memory(rank, count);
  ds.read(out.data(), type, memory, file_space);
}

hsize_t rows_of(const H5::DataSet& ds) {
  hsize_t dims[2] = {0, 0};
  ds.getSpace().getSimpleExtentDims(dims);
  return dims[0];
}

struct EventColumns {
  H5::DataSet customer, timestamp, type, amount, quantity, channel, item, campaign;
};

struct DecisionColumns {
  H5::DataSet customer, timestamp, arm, policy, channel, message, offer, propensity, cost,
      position, reward, context;
};

// A table's columns into group `g`, their order in its "columns" attribute.
void write_table_columns(H5::Group& g, const Table& table) {
  std::vector<std::string> order;
  for (const auto& c : table.columns) {
    order.push_back(c.name);
    if (!c.strings.empty()) string_column(g, c.name, c.strings);
    else column(g, c.name, kF64, c.numbers.data(), c.numbers.size());
  }
  strings_attribute(g, "columns", order);
}

Table read_table_columns(const H5::Group& g) {
  Table table;
  for (const auto& name : read_strings_attribute(g, "columns")) {
    auto ds = g.openDataSet(name);
    Table::Column c{name, {}, {}};
    if (ds.getTypeClass() == H5T_STRING) c.strings = read_strings(ds);
    else c.numbers = read_numbers<double>(ds, kF64);
    table.columns.push_back(std::move(c));
  }
  return table;
}

}  // namespace

struct StoreWriter::Impl {
  std::string path;
  std::string tmp;
  H5::H5File file;
  EventColumns events;
  DecisionColumns decisions;
  hsize_t context_width = 0;
  Table attributes;
  bool committed = false;
};

StoreWriter::StoreWriter(const std::string& path) : impl_(std::make_unique<Impl>()) {
  H5::Exception::dontPrint();
  impl_->path = path;
  impl_->tmp = path + ".tmp." + std::to_string(::getpid());
  const fs::path target(path);
  std::error_code ec;
  if (target.has_parent_path()) fs::create_directories(target.parent_path(), ec);
  try {
    impl_->file = H5::H5File(impl_->tmp, H5F_ACC_TRUNC);
    auto g = impl_->file.createGroup("/events");
    auto& e = impl_->events;
    e.customer = growing_dataset(g, "customer", kU32);
    e.timestamp = growing_dataset(g, "timestamp", kI64);
    e.type = growing_dataset(g, "type", kU8);
    e.amount = growing_dataset(g, "amount", kF64);
    e.quantity = growing_dataset(g, "quantity", kI32);
    e.channel = growing_dataset(g, "channel", kI32);
    e.item = growing_dataset(g, "item", kI32);
    e.campaign = growing_dataset(g, "campaign", kI32);
    strings_attribute(g, "type_names", core::event_type_names());
    auto d = impl_->file.createGroup("/decisions");
    auto& c = impl_->decisions;
    c.customer = growing_dataset(d, "customer", kI64);
    c.timestamp = growing_dataset(d, "timestamp", kI64);
    c.arm = growing_dataset(d, "arm", kI32);
    c.policy = growing_dataset(d, "policy", kI32);
    c.channel = growing_dataset(d, "channel", kI32);
    c.message = growing_dataset(d, "message", kI32);
    c.offer = growing_dataset(d, "offer", kI32);
    c.propensity = growing_dataset(d, "propensity", kF64);
    c.cost = growing_dataset(d, "cost", kF64);
    c.position = growing_dataset(d, "position", kI32);
    c.reward = growing_dataset(d, "reward", kF64);
  } catch (const H5::Exception& ex) {
    fs::remove(impl_->tmp, ec);
    throw ResultsFileError(path + ": cannot create the store: " + describe(ex));
  }
}

StoreWriter::~StoreWriter() {
  if (impl_->committed) return;
  try {
    impl_->file.close();
  } catch (...) {
  }
  std::error_code ec;
  fs::remove(impl_->tmp, ec);
}

void StoreWriter::append(const core::EventBatch& b) {
  const hsize_t n = b.size();
  auto& e = impl_->events;
  std::vector<double> amount(n);
  for (hsize_t i = 0; i < n; ++i) amount[i] = core::from_micros(b.amount[i]);
  try {
    append_rows(e.customer, kU32, b.customer.data(), n);
    append_rows(e.timestamp, kI64, b.timestamp.data(), n);
    append_rows(e.type, kU8, b.type.data(), n);
    append_rows(e.amount, kF64, amount.data(), n);
    append_rows(e.quantity, kI32, b.quantity.data(), n);
    append_rows(e.channel, kI32, b.channel.data(), n);
    append_rows(e.item, kI32, b.item.data(), n);
    append_rows(e.campaign, kI32, b.campaign.data(), n);
  } catch (const H5::Exception& ex) {
    throw ResultsFileError(impl_->path + ": cannot write events: " + describe(ex));
  }
}

void StoreWriter::append(const core::DecisionBatch& b, std::size_t context_width) {
  const hsize_t n = b.size();
  auto& c = impl_->decisions;
  std::vector<double> cost(n);
  for (hsize_t i = 0; i < n; ++i) cost[i] = core::from_micros(b.cost[i]);
  try {
    if (context_width > 0 && impl_->context_width == 0) {
      auto d = impl_->file.openGroup("/decisions");
      c.context = growing_dataset(d, "context", kF32, context_width);
      impl_->context_width = context_width;
    }
    if (context_width != impl_->context_width)
      throw ResultsFileError(impl_->path + ": decision context width changed");
    append_rows(c.customer, kI64, b.customer.data(), n);
    append_rows(c.timestamp, kI64, b.timestamp.data(), n);
    append_rows(c.arm, kI32, b.arm.data(), n);
    append_rows(c.policy, kI32, b.policy.data(), n);
    append_rows(c.channel, kI32, b.channel.data(), n);
    append_rows(c.message, kI32, b.message.data(), n);
    append_rows(c.offer, kI32, b.offer.data(), n);
    append_rows(c.propensity, kF64, b.propensity.data(), n);
    append_rows(c.cost, kF64, cost.data(), n);
    append_rows(c.position, kI32, b.position.data(), n);
    append_rows(c.reward, kF64, b.reward.data(), n);
    if (context_width) append_rows(c.context, kF32, b.context.data(), n, context_width);
  } catch (const H5::Exception& ex) {
    throw ResultsFileError(impl_->path + ": cannot write decisions: " + describe(ex));
  }
}

void StoreWriter::set_attributes(Table attributes) { impl_->attributes = std::move(attributes); }

void StoreWriter::commit(StoreMeta m, const core::Dictionaries& dictionaries) {
  auto& file = impl_->file;
  try {
    auto meta = file.createGroup("/meta");
    string_attribute(meta, "format", m.format);
    string_attribute(meta, "command_line", m.command_line);
    string_attribute(meta, "version", m.version);
    string_attribute(meta, "git_commit", m.git_commit);
    string_attribute(meta, "written_at", utc_now());
    if (m.calibration_end) number_attribute(meta, "calibration_end", kI64, *m.calibration_end);
    number_attribute(meta, "first_event", kI64, m.first_event);
    number_attribute(meta, "last_event", kI64, m.last_event);
    number_attribute(meta, "rows_read", kI64, m.rows_read);
    number_attribute(meta, "rows_accepted", kI64, m.rows_accepted);
    number_attribute(meta, "rows_quarantined", kI64, m.rows_quarantined);
    auto inputs = file.createGroup("/meta/inputs");
    using I = StoreInput;
    string_column(inputs, "path", m.inputs, [](const I& x) { return x.path; });
    string_column(inputs, "sha256", m.inputs, [](const I& x) { return x.sha256; });
    typed_column(inputs, "bytes", kI64, m.inputs,
                 [](const I& x) { return static_cast<std::int64_t>(x.bytes); });
    typed_column(inputs, "rows_read", kI64, m.inputs, [](const I& x) { return x.rows_read; });
    typed_column(inputs, "rows_accepted", kI64, m.inputs,
                 [](const I& x) { return x.rows_accepted; });
    typed_column(inputs, "rows_quarantined", kI64, m.inputs,
                 [](const I& x) { return x.rows_quarantined; });
    auto quarantine = file.createGroup("/meta/quarantine");
    std::vector<std::string> reasons;
    std::vector<std::int64_t> counts;
    for (const auto& [reason, count] : m.quarantined_by_reason) {
      reasons.push_back(reason);
      counts.push_back(count);
    }
    string_column(quarantine, "reason", reasons);
    column(quarantine, "count", kI64, counts.data(), counts.size());
    auto decisions = file.openGroup("/decisions");
    strings_attribute(decisions, "context_names", m.context_names);

    auto dict = file.createGroup("/dictionaries");
    const core::Dictionary* all[] = {&dictionaries.customer, &dictionaries.channel,
                                     &dictionaries.item,     &dictionaries.campaign,
                                     &dictionaries.arm,      &dictionaries.policy,
                                     &dictionaries.message,  &dictionaries.offer};
    for (int i = 0; i < 8; ++i) string_column(dict, kDictionaryNames[i], all[i]->values());
    if (!impl_->attributes.columns.empty()) {
      auto g = file.createGroup("/attributes");
      write_table_columns(g, impl_->attributes);
    }
    file.close();
  } catch (const H5::Exception& ex) {
    throw ResultsFileError(impl_->path + ": cannot finish the store: " + describe(ex));
  }
  std::error_code ec;
  fs::rename(impl_->tmp, impl_->path, ec);
  if (ec)
    throw ResultsFileError(impl_->path + ": cannot move the finished store into place: " +
                           ec.message());
  impl_->committed = true;
}

struct StoreReader::Impl {
  std::string path;
  H5::H5File file;
  StoreMeta meta;
  hsize_t context_width = 0;
};

StoreReader::StoreReader(const std::string& path) : impl_(std::make_unique<Impl>()) {
  impl_->path = path;
  read_file(path, "the store", [&](H5::H5File& f) {
    impl_->file = f;
    auto meta = f.openGroup("/meta");
    auto& m = impl_->meta;
    m.format = read_string_attribute(meta, "format");
    m.command_line = read_string_attribute(meta, "command_line");
    m.version = read_string_attribute(meta, "version");
    m.git_commit = read_string_attribute(meta, "git_commit");
    m.written_at = read_string_attribute(meta, "written_at");
    const auto read_i64 = [&](const char* name) {
      std::int64_t v = 0;
      meta.openAttribute(name).read(kI64, &v);
      return v;
    };
    if (meta.attrExists("calibration_end")) m.calibration_end = read_i64("calibration_end");
    m.first_event = read_i64("first_event");
    m.last_event = read_i64("last_event");
    m.rows_read = read_i64("rows_read");
    m.rows_accepted = read_i64("rows_accepted");
    m.rows_quarantined = read_i64("rows_quarantined");
    auto inputs = f.openGroup("/meta/inputs");
    const auto paths = read_strings(inputs.openDataSet("path"));
    const auto sha = read_strings(inputs.openDataSet("sha256"));
    const auto bytes = read_numbers<std::int64_t>(inputs.openDataSet("bytes"), kI64);
    const auto read = read_numbers<std::int64_t>(inputs.openDataSet("rows_read"), kI64);
    const auto ok = read_numbers<std::int64_t>(inputs.openDataSet("rows_accepted"), kI64);
    const auto bad = read_numbers<std::int64_t>(inputs.openDataSet("rows_quarantined"), kI64);
    for (std::size_t i = 0; i < paths.size(); ++i)
      m.inputs.push_back({paths[i], static_cast<std::uint64_t>(bytes[i]), sha[i], read[i], ok[i],
                          bad[i]});
    auto quarantine = f.openGroup("/meta/quarantine");
    const auto reasons = read_strings(quarantine.openDataSet("reason"));
    const auto counts = read_numbers<std::int64_t>(quarantine.openDataSet("count"), kI64);
    for (std::size_t i = 0; i < reasons.size(); ++i) m.quarantined_by_reason[reasons[i]] = counts[i];
    auto decisions = f.openGroup("/decisions");
    m.context_names = read_strings_attribute(decisions, "context_names");
    impl_->context_width = m.context_names.size();
  });
}

StoreReader::~StoreReader() = default;

const StoreMeta& StoreReader::meta() const { return impl_->meta; }

std::vector<std::string> StoreReader::dictionary(const std::string& name) const {
  std::vector<std::string> out;
  read_file(impl_->path, "dictionary " + name, [&](H5::H5File& f) {
    out = read_strings(f.openDataSet("/dictionaries/" + name));
  });
  return out;
}

Table StoreReader::attributes() const {
  Table table;
  read_file(impl_->path, "attributes", [&](H5::H5File& f) {
    if (f.nameExists("/attributes")) table = read_table_columns(f.openGroup("/attributes"));
  });
  return table;
}

std::int64_t StoreReader::event_count() const {
  return static_cast<std::int64_t>(rows_of(impl_->file.openDataSet("/events/customer")));
}

std::int64_t StoreReader::decision_count() const {
  return static_cast<std::int64_t>(rows_of(impl_->file.openDataSet("/decisions/customer")));
}

void StoreReader::for_each_event_batch(
    std::size_t batch_rows, const std::function<void(const core::EventBatch&)>& consume) const {
  auto& f = impl_->file;
  EventColumns e{f.openDataSet("/events/customer"), f.openDataSet("/events/timestamp"),
                 f.openDataSet("/events/type"),     f.openDataSet("/events/amount"),
                 f.openDataSet("/events/quantity"), f.openDataSet("/events/channel"),
                 f.openDataSet("/events/item"),     f.openDataSet("/events/campaign")};
  const hsize_t total = rows_of(e.customer);
  core::EventBatch b;
  std::vector<double> amount;
  for (hsize_t first = 0; first < total; first += batch_rows) {
    const hsize_t n = std::min<hsize_t>(batch_rows, total - first);
    try {
      read_rows(e.customer, kU32, b.customer, first, n);
      read_rows(e.timestamp, kI64, b.timestamp, first, n);
      read_rows(e.type, kU8, b.type, first, n);
      read_rows(e.amount, kF64, amount, first, n);
      read_rows(e.quantity, kI32, b.quantity, first, n);
      read_rows(e.channel, kI32, b.channel, first, n);
      read_rows(e.item, kI32, b.item, first, n);
      read_rows(e.campaign, kI32, b.campaign, first, n);
    } catch (const H5::Exception& ex) {
      throw ResultsFileError(impl_->path + ": cannot read events: " + describe(ex));
    }
    b.amount.resize(n);
    for (hsize_t i = 0; i < n; ++i) b.amount[i] = core::to_micros(amount[i]);
    consume(b);
  }
}

core::DecisionBatch StoreReader::read_decisions() const {
  auto& f = impl_->file;
  core::DecisionBatch b;
  try {
    auto g = f.openGroup("/decisions");
    const hsize_t n = rows_of(g.openDataSet("customer"));
    read_rows(g.openDataSet("customer"), kI64, b.customer, 0, n);
    read_rows(g.openDataSet("timestamp"), kI64, b.timestamp, 0, n);
    read_rows(g.openDataSet("arm"), kI32, b.arm, 0, n);
    read_rows(g.openDataSet("policy"), kI32, b.policy, 0, n);
    read_rows(g.openDataSet("channel"), kI32, b.channel, 0, n);
    read_rows(g.openDataSet("message"), kI32, b.message, 0, n);
    read_rows(g.openDataSet("offer"), kI32, b.offer, 0, n);
    read_rows(g.openDataSet("propensity"), kF64, b.propensity, 0, n);
    std::vector<double> cost;
    read_rows(g.openDataSet("cost"), kF64, cost, 0, n);
    b.cost.resize(n);
    for (hsize_t i = 0; i < n; ++i) b.cost[i] = core::to_micros(cost[i]);
    read_rows(g.openDataSet("position"), kI32, b.position, 0, n);
    read_rows(g.openDataSet("reward"), kF64, b.reward, 0, n);
    if (impl_->context_width)
      read_rows(g.openDataSet("context"), kF32, b.context, 0, n, impl_->context_width);
  } catch (const H5::Exception& ex) {
    throw ResultsFileError(impl_->path + ": cannot read decisions: " + describe(ex));
  }
  return b;
}

std::size_t Table::rows() const {
  if (columns.empty()) return 0;
  const auto& c = columns.front();
  return c.strings.empty() ? c.numbers.size() : c.strings.size();
}

const std::vector<double>& Table::numbers(const std::string& name) const {
  for (const auto& c : columns)
    if (c.name == name && c.strings.empty()) return c.numbers;
  throw std::invalid_argument("the table has no numeric column '" + name + "'");
}

void write_store_table(const std::string& path, const std::string& group, const Table& table,
                       const std::vector<CountMatrix>& matrices) {
  for (const auto& c : table.columns)
    if ((c.strings.empty() ? c.numbers.size() : c.strings.size()) != table.rows())
      throw ResultsFileError(path + ": column " + c.name + " of " + group + " has the wrong length");
  write_file_atomically(
      path, group,
      [&](H5::H5File& file) {
        // Parents first: "/validation/bg_nbd/tracking" needs "/validation/bg_nbd".
        for (auto slash = group.find('/', 1); slash != std::string::npos;
             slash = group.find('/', slash + 1))
          if (!file.nameExists(group.substr(0, slash))) file.createGroup(group.substr(0, slash));
        if (file.nameExists(group)) file.unlink(group);
        auto g = file.createGroup(group);
        write_table_columns(g, table);
        for (const auto& m : matrices) {
          const hsize_t dims[2] = {m.steps ? m.counts.size() / m.steps : 0, m.steps};
          H5::DataSpace space(2, dims);
          H5::DSetCreatPropList props;
          if (dims[0] > 0 && dims[1] > 0) {
            const hsize_t chunk[2] = {std::min<hsize_t>(dims[0], 4096), dims[1]};
            props.setChunk(2, chunk);
            props.setDeflate(1);
          }
          auto ds = g.createDataSet(m.name, kU16, space, props);
          if (!m.counts.empty()) ds.write(m.counts.data(), kU16);
        }
      },
      /*copy_of_existing=*/true);
}

Table read_store_table(const std::string& path, const std::string& group) {
  Table table;
  read_file(path, group, [&](H5::H5File& f) { table = read_table_columns(f.openGroup(group)); });
  return table;
}

}  // namespace mirror::results
