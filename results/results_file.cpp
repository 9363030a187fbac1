// The HDF5 results file; layout in docs/results-format.md.
#include "mirror/results/results_file.hpp"

#include <H5Cpp.h>
#include <unistd.h>

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <functional>

namespace mirror::results {

namespace fs = std::filesystem;

namespace {

constexpr hsize_t kChunkRows = 65536;

H5::StrType string_type() {
  H5::StrType t(H5::PredType::C_S1, H5T_VARIABLE);
  t.setCset(H5T_CSET_UTF8);
  return t;
}

void string_attribute(H5::H5Object& obj, const std::string& name, const std::string& value) {
  const auto type = string_type();
  obj.createAttribute(name, type, H5::DataSpace(H5S_SCALAR)).write(type, value);
}

template <class T>
void number_attribute(H5::H5Object& obj, const std::string& name, const H5::PredType& type,
                      T value) {
  obj.createAttribute(name, type, H5::DataSpace(H5S_SCALAR)).write(type, &value);
}

void strings_attribute(H5::H5Object& obj, const std::string& name,
                       const std::vector<std::string>& values) {
  std::vector<const char*> ptrs;
  for (const auto& v : values) ptrs.push_back(v.c_str());
  const hsize_t n = values.size();
  const auto type = string_type();
  auto attr = obj.createAttribute(name, type, n ? H5::DataSpace(1, &n) : H5::DataSpace(H5S_NULL));
  if (n) attr.write(type, ptrs.data());
}

void doubles_attribute(H5::H5Object& obj, const std::string& name,
                       const std::vector<double>& values) {
  const hsize_t n = values.size();
  obj.createAttribute(name, H5::PredType::NATIVE_DOUBLE, H5::DataSpace(1, &n))
      .write(H5::PredType::NATIVE_DOUBLE, values.data());
}

// A 1-D dataset; large ones are chunked and compressed.
void column(H5::Group& g, const std::string& name, const H5::PredType& type, const void* data,
            std::size_t rows) {
  const hsize_t n = rows;
  H5::DataSpace space(1, &n);
  H5::DSetCreatPropList props;
  if (n > 1024) {
    const hsize_t chunk = std::min(n, kChunkRows);
    props.setChunk(1, &chunk);
    props.setDeflate(1);
  }
  auto ds = g.createDataSet(name, type, space, props);
  if (n) ds.write(data, type);
}

template <class Row, class Get>
void typed_column(H5::Group& g, const std::string& name, const H5::PredType& type,
                  const std::vector<Row>& rows, Get get) {
  using Value = decltype(get(rows.front()));
  std::vector<Value> values;
  values.reserve(rows.size());
  for (const auto& r : rows) values.push_back(get(r));
  column(g, name, type, values.data(), values.size());
}

template <class Row, class Get>
void string_column(H5::Group& g, const std::string& name, const std::vector<Row>& rows, Get get) {
  std::vector<std::string> values;
  for (const auto& r : rows) values.push_back(get(r));
  std::vector<const char*> ptrs;
  for (const auto& v : values) ptrs.push_back(v.c_str());
  const hsize_t n = values.size();
  const auto type = string_type();
  auto ds = g.createDataSet(name, type, H5::DataSpace(1, &n));
  if (n) ds.write(ptrs.data(), type);
}

const H5::PredType& kF64 = H5::PredType::NATIVE_DOUBLE;
const H5::PredType& kI64 = H5::PredType::NATIVE_INT64;
const H5::PredType& kI32 = H5::PredType::NATIVE_INT32;
const H5::PredType& kU32 = H5::PredType::NATIVE_UINT32;

std::string utc_now() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

void write_meta(H5::H5File& file, const RunResults& r) {
  auto meta = file.createGroup("/meta");
  const auto& m = r.meta;
  string_attribute(meta, "scenario_path", m.scenario_path);
  string_attribute(meta, "scenario_text", m.scenario_text);
  string_attribute(meta, "scenario_sha256", m.scenario_sha256);
  string_attribute(meta, "scenario_name", m.scenario_name);
  string_attribute(meta, "version", m.version);
  string_attribute(meta, "git_commit", m.git_commit);
  string_attribute(meta, "design", m.design);
  string_attribute(meta, "control_arm", m.control_arm);
  string_attribute(meta, "written_at", utc_now());
  number_attribute(meta, "seed", H5::PredType::NATIVE_UINT64, m.seed);
  number_attribute(meta, "threads", kI32, static_cast<std::int32_t>(m.threads));
  number_attribute(meta, "shards", kI32, static_cast<std::int32_t>(m.shards));
  number_attribute(meta, "wall_time_s", kF64, m.wall_time_s);
  number_attribute(meta, "horizon_days", kI32, m.horizon_days);
  number_attribute(meta, "population", kU32, m.population);
  std::vector<std::string> arms;
  for (const auto& a : r.arms) arms.push_back(a.name);
  strings_attribute(meta, "arms", arms);

  auto world = file.createGroup("/meta/world");
  const auto& w = r.world;
  number_attribute(world, "contact_lift", kF64, w.contact_lift);
  number_attribute(world, "annoyance_penalty", kF64, w.annoyance_penalty);
  number_attribute(world, "annoyed_multiplier", kF64, w.annoyed_multiplier);
  number_attribute(world, "fatigue_half_life_days", kF64, w.fatigue_half_life_days);
  number_attribute(world, "fatigue_strength", kF64, w.fatigue_strength);
  number_attribute(world, "unsubscribe_fatigue", kF64, w.unsubscribe_fatigue);
  number_attribute(world, "heterogeneity", kF64, w.heterogeneity);
  number_attribute(world, "gross_margin", kF64, w.gross_margin);
  doubles_attribute(world, "unsubscribe_rate",
                    {w.unsubscribe_rate[0], w.unsubscribe_rate[1], w.unsubscribe_rate[2]});
  strings_attribute(world, "channels", {"email", "sms", "push"});

  auto seg = file.createGroup("/meta/world/segments");
  const auto& s = w.segments;
  using S = core::SegmentSpec;
  string_column(seg, "name", s, [](const S& x) { return x.name; });
  typed_column(seg, "share", kF64, s, [](const S& x) { return x.share; });
  typed_column(seg, "visit_rate", kF64, s, [](const S& x) { return x.visit_rate; });
  typed_column(seg, "purchase_rate", kF64, s, [](const S& x) { return x.purchase_rate; });
  typed_column(seg, "spend_mean", kF64, s, [](const S& x) { return x.spend_mean; });
  typed_column(seg, "spend_sigma", kF64, s, [](const S& x) { return x.spend_sigma; });
  typed_column(seg, "notice_rate_email", kF64, s, [](const S& x) { return x.notice_rate[0]; });
  typed_column(seg, "notice_rate_sms", kF64, s, [](const S& x) { return x.notice_rate[1]; });
  typed_column(seg, "notice_rate_push", kF64, s, [](const S& x) { return x.notice_rate[2]; });
  typed_column(seg, "offer_sensitivity", kF64, s, [](const S& x) { return x.offer_sensitivity; });
  typed_column(seg, "persuadable_share", kF64, s, [](const S& x) { return x.persuadable_share; });
  typed_column(seg, "annoyed_share", kF64, s, [](const S& x) { return x.annoyed_share; });
  typed_column(seg, "churn_rate", kF64, s, [](const S& x) { return x.churn_rate; });
}

void write_arm(H5::H5File& file, const ArmResult& arm) {
  file.createGroup("/arms/" + arm.name);
  auto daily = file.createGroup("/arms/" + arm.name + "/daily");
  const auto& d = arm.daily;
  using D = DailyTotals;
  const auto money = [](core::Micros m) { return core::from_micros(m); };
  typed_column(daily, "day", kI32, d, [](const D& x) { return x.day; });
  typed_column(daily, "revenue", kF64, d, [&](const D& x) { return money(x.revenue); });
  typed_column(daily, "margin", kF64, d, [&](const D& x) { return money(x.margin); });
  typed_column(daily, "cost", kF64, d, [&](const D& x) { return money(x.cost); });
  typed_column(daily, "visits", kI64, d, [](const D& x) { return x.visits; });
  typed_column(daily, "conversions", kI64, d, [](const D& x) { return x.conversions; });
  typed_column(daily, "contacts", kI64, d, [](const D& x) { return x.contacts; });
  typed_column(daily, "contacts_email", kI64, d, [](const D& x) { return x.contacts_by_channel[0]; });
  typed_column(daily, "contacts_sms", kI64, d, [](const D& x) { return x.contacts_by_channel[1]; });
  typed_column(daily, "contacts_push", kI64, d, [](const D& x) { return x.contacts_by_channel[2]; });
  typed_column(daily, "notices", kI64, d, [](const D& x) { return x.notices; });
  typed_column(daily, "unsubscribes", kI64, d, [](const D& x) { return x.unsubscribes; });
  typed_column(daily, "churned", kI64, d, [](const D& x) { return x.churned; });
  typed_column(daily, "active", kI64, d, [](const D& x) { return x.active; });
  typed_column(daily, "blocked_by_caps", kI64, d, [](const D& x) { return x.blocked_by_caps; });
  typed_column(daily, "blocked_by_consent", kI64, d, [](const D& x) { return x.blocked_by_consent; });

  auto customers = file.createGroup("/arms/" + arm.name + "/customers");
  const auto& c = arm.customers;
  using C = CustomerResult;
  typed_column(customers, "customer_id", H5::PredType::NATIVE_UINT64, c,
               [](const C& x) { return x.customer_id; });
  typed_column(customers, "segment", kI32, c, [](const C& x) { return x.segment; });
  typed_column(customers, "effect_type", kI32, c, [](const C& x) { return x.effect_type; });
  typed_column(customers, "revenue", kF64, c, [&](const C& x) { return money(x.revenue); });
  typed_column(customers, "margin", kF64, c, [&](const C& x) { return money(x.margin); });
  typed_column(customers, "cost", kF64, c, [&](const C& x) { return money(x.cost); });
  typed_column(customers, "profit", kF64, c, [](const C& x) { return x.profit(); });
  typed_column(customers, "visits", kU32, c, [](const C& x) { return x.visits; });
  typed_column(customers, "conversions", kU32, c, [](const C& x) { return x.conversions; });
  typed_column(customers, "contacts", kU32, c, [](const C& x) { return x.contacts; });
  typed_column(customers, "unsubscribes", kU32, c, [](const C& x) { return x.unsubscribes; });
  typed_column(customers, "active_at_end", H5::PredType::NATIVE_UINT8, c,
               [](const C& x) { return x.active_at_end; });
}

void write_summary(H5::H5File& file, const std::vector<SummaryRow>& rows) {
  auto g = file.createGroup("/summary");
  using R = SummaryRow;
  string_column(g, "arm", rows, [](const R& x) { return x.arm; });
  string_column(g, "metric", rows, [](const R& x) { return x.metric; });
  typed_column(g, "n", kI64, rows, [](const R& x) { return x.n; });
  typed_column(g, "mean", kF64, rows, [](const R& x) { return x.mean; });
  typed_column(g, "ci_low", kF64, rows, [](const R& x) { return x.ci_low; });
  typed_column(g, "ci_high", kF64, rows, [](const R& x) { return x.ci_high; });
  typed_column(g, "uplift", kF64, rows, [](const R& x) { return x.uplift; });
  typed_column(g, "uplift_ci_low", kF64, rows, [](const R& x) { return x.uplift_ci_low; });
  typed_column(g, "uplift_ci_high", kF64, rows, [](const R& x) { return x.uplift_ci_high; });
}

std::string describe(const H5::Exception& e) {
  std::string where = e.getFuncName();
  return e.getDetailMsg() + (where.empty() ? "" : " (in " + where + ")");
}

// Runs `body` on the file at `path` opened read-only; HDF5 errors become ResultsFileError.
template <class T>
T read_file(const std::string& path, const std::string& what,
            const std::function<T(H5::H5File&)>& body) {
  H5::Exception::dontPrint();
  if (!fs::exists(path)) throw ResultsFileError(path + ": no such file");
  try {
    H5::H5File file(path, H5F_ACC_RDONLY);
    return body(file);
  } catch (const H5::Exception& e) {
    throw ResultsFileError(path + ": cannot read " + what + ": " + describe(e));
  }
}

}  // namespace

void write_results_file(const RunResults& results, const std::string& path) {
  H5::Exception::dontPrint();
  const fs::path target(path);
  std::error_code ec;
  if (target.has_parent_path()) {
    fs::create_directories(target.parent_path(), ec);
    if (ec)
      throw ResultsFileError(path + ": cannot create directory " +
                             target.parent_path().string() + ": " + ec.message());
  }
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  try {
    H5::H5File file(tmp, H5F_ACC_TRUNC);
    write_meta(file, results);
    file.createGroup("/arms");
    for (const auto& arm : results.arms) write_arm(file, arm);
    write_summary(file, results.summary);
    file.close();
  } catch (const H5::Exception& e) {
    fs::remove(tmp, ec);
    throw ResultsFileError(path + ": cannot write results: " + describe(e));
  }
  fs::rename(tmp, target, ec);
  if (ec) {
    std::error_code ignored;
    fs::remove(tmp, ignored);
    throw ResultsFileError(path + ": cannot move the finished file into place: " + ec.message());
  }
}

std::vector<double> read_column(const std::string& path, const std::string& dataset) {
  return read_file<std::vector<double>>(path, dataset, [&](H5::H5File& f) {
    auto ds = f.openDataSet(dataset);
    std::vector<double> out(ds.getSpace().getSimpleExtentNpoints());
    if (!out.empty()) ds.read(out.data(), H5::PredType::NATIVE_DOUBLE);
    return out;
  });
}

std::vector<std::string> read_strings(const std::string& path, const std::string& dataset) {
  return read_file<std::vector<std::string>>(path, dataset, [&](H5::H5File& f) {
    auto ds = f.openDataSet(dataset);
    const auto n = ds.getSpace().getSimpleExtentNpoints();
    std::vector<char*> raw(n, nullptr);
    const auto type = string_type();
    if (n) ds.read(raw.data(), type);
    std::vector<std::string> out(raw.begin(), raw.end());
    if (n) {
      auto space = ds.getSpace();
      H5::DataSet::vlenReclaim(raw.data(), type, space);
    }
    return out;
  });
}

std::string read_string_attribute(const std::string& path, const std::string& object,
                                  const std::string& attribute) {
  return read_file<std::string>(path, object + "@" + attribute, [&](H5::H5File& f) {
    auto attr = f.openGroup(object).openAttribute(attribute);
    std::string value;
    attr.read(attr.getStrType(), value);
    return value;
  });
}

std::vector<std::string> list_group(const std::string& path, const std::string& group) {
  return read_file<std::vector<std::string>>(path, group, [&](H5::H5File& f) {
    auto g = f.openGroup(group);
    std::vector<std::string> names;
    for (hsize_t i = 0; i < g.getNumObjs(); ++i) names.push_back(g.getObjnameByIdx(i));
    std::sort(names.begin(), names.end());
    return names;
  });
}

}  // namespace mirror::results
