#include "h5_io.hpp"

#include <unistd.h>

#include <algorithm>
#include <ctime>
#include <filesystem>

#include "mirror/results/results_file.hpp"

namespace mirror::results::h5 {

namespace fs = std::filesystem;

H5::StrType string_type() {
  H5::StrType t(H5::PredType::C_S1, H5T_VARIABLE);
  t.setCset(H5T_CSET_UTF8);
  return t;
}

void string_attribute(H5::H5Object& obj, const std::string& name, const std::string& value) {
  const auto type = string_type();
  obj.createAttribute(name, type, H5::DataSpace(H5S_SCALAR)).write(type, value);
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
  obj.createAttribute(name, kF64, H5::DataSpace(1, &n)).write(kF64, values.data());
}

std::string read_string_attribute(const H5::H5Object& obj, const std::string& name) {
  auto attr = obj.openAttribute(name);
  std::string value;
  attr.read(attr.getStrType(), value);
  return value;
}

std::vector<std::string> read_strings_attribute(const H5::H5Object& obj, const std::string& name) {
  auto attr = obj.openAttribute(name);
  auto space = attr.getSpace();
  if (space.getSimpleExtentType() == H5S_NULL) return {};
  const auto n = space.getSimpleExtentNpoints();
  std::vector<char*> raw(n, nullptr);
  const auto type = string_type();
  attr.read(type, raw.data());
  std::vector<std::string> out;
  for (auto* p : raw) out.emplace_back(p ? p : "");
  H5::DataSet::vlenReclaim(raw.data(), type, space);
  return out;
}

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

void string_column(H5::Group& g, const std::string& name, const std::vector<std::string>& values) {
  std::vector<const char*> ptrs;
  for (const auto& v : values) ptrs.push_back(v.c_str());
  const hsize_t n = values.size();
  const auto type = string_type();
  auto ds = g.createDataSet(name, type, H5::DataSpace(1, &n));
  if (n) ds.write(ptrs.data(), type);
}

std::vector<std::string> read_strings(const H5::DataSet& ds) {
  const auto n = ds.getSpace().getSimpleExtentNpoints();
  std::vector<char*> raw(n, nullptr);
  const auto type = string_type();
  if (n) ds.read(raw.data(), type);
  std::vector<std::string> out;
  out.reserve(n);
  for (auto* p : raw) out.emplace_back(p ? p : "");
  if (n) {
    auto space = ds.getSpace();
    H5::DataSet::vlenReclaim(raw.data(), type, space);
  }
  return out;
}

std::string utc_now() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string describe(const H5::Exception& e) {
  std::string where = e.getFuncName();
  return e.getDetailMsg() + (where.empty() ? "" : " (in " + where + ")");
}

void read_file(const std::string& path, const std::string& what,
               const std::function<void(H5::H5File&)>& body) {
  H5::Exception::dontPrint();
  if (!fs::exists(path)) throw ResultsFileError(path + ": no such file");
  try {
    H5::H5File file(path, H5F_ACC_RDONLY);
    body(file);
  } catch (const H5::Exception& e) {
    throw ResultsFileError(path + ": cannot read " + what + ": " + describe(e));
  }
}

void write_file_atomically(const std::string& path, const std::string& what,
                           const std::function<void(H5::H5File&)>& body,
                           bool copy_of_existing) {
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
    if (copy_of_existing) {
      fs::copy_file(target, tmp, fs::copy_options::overwrite_existing, ec);
      if (ec) throw ResultsFileError(path + ": cannot copy for update: " + ec.message());
    }
    H5::H5File file(tmp, copy_of_existing ? H5F_ACC_RDWR : H5F_ACC_TRUNC);
    body(file);
    file.close();
  } catch (const H5::Exception& e) {
    fs::remove(tmp, ec);
    throw ResultsFileError(path + ": cannot write " + what + ": " + describe(e));
  } catch (...) {
    fs::remove(tmp, ec);
    throw;
  }
  fs::rename(tmp, target, ec);
  if (ec) {
    std::error_code ignored;
    fs::remove(tmp, ignored);
    throw ResultsFileError(path + ": cannot move the finished file into place: " + ec.message());
  }
}

}  // namespace mirror::results::h5
