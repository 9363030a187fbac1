// Streamed tables and matrices in one HDF5 file, written atomically and without object
// times, so that a seed's truth file is the same bytes on every run.
#include "mirror/results/table_file.hpp"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <map>

#include "h5_io.hpp"
#include "mirror/results/results_file.hpp"

namespace mirror::results {

namespace fs = std::filesystem;
using namespace h5;

namespace {

// Object creation properties without access/modification times (they would make every
// file different).
H5::DSetCreatPropList timeless_dataset() {
  H5::DSetCreatPropList p;
  H5Pset_obj_track_times(p.getId(), 0);
  return p;
}

H5::Group timeless_group(H5::H5File& file, const std::string& name) {
  const hid_t gcpl = H5Pcreate(H5P_GROUP_CREATE);
  H5Pset_obj_track_times(gcpl, 0);
  const hid_t id = H5Gcreate2(file.getId(), name.c_str(), H5P_DEFAULT, gcpl, H5P_DEFAULT);
  H5Pclose(gcpl);
  if (id < 0) throw H5::GroupIException("create group", name);
  H5::Group g(id);
  H5Gclose(id);  // H5::Group(id) took its own reference
  return g;
}

H5::Group open_or_create(H5::H5File& file, const std::string& group) {
  if (group == "/" || group.empty()) return file.openGroup("/");
  for (auto slash = group.find('/', 1); slash != std::string::npos;
       slash = group.find('/', slash + 1))
    if (!file.nameExists(group.substr(0, slash))) timeless_group(file, group.substr(0, slash));
  if (!file.nameExists(group)) return timeless_group(file, group);
  return file.openGroup(group);
}

// A 1-D or 2-D float64 dataset that grows by rows.
struct GrowingDataset {
  H5::DataSet ds;
  hsize_t rows = 0;
  hsize_t width = 0;  // 0: 1-D
};

GrowingDataset create_growing(H5::Group& g, const std::string& name, hsize_t width) {
  const int rank = width ? 2 : 1;
  const hsize_t dims[2] = {0, width};
  const hsize_t max[2] = {H5S_UNLIMITED, width};
  const hsize_t chunk[2] = {width ? std::max<hsize_t>(1, 65536 / width) : kChunkRows, width};
  H5::DataSpace space(rank, dims, max);
  auto props = timeless_dataset();
  props.setChunk(rank, chunk);
  props.setDeflate(1);
  return {g.createDataSet(name, kF64, space, props), 0, width};
}

void append(GrowingDataset& d, const double* data, hsize_t rows) {
  if (rows == 0) return;
  const int rank = d.width ? 2 : 1;
  const hsize_t size[2] = {d.rows + rows, d.width};
  d.ds.extend(size);
  auto file_space = d.ds.getSpace();
  const hsize_t start[2] = {d.rows, 0};
  const hsize_t count[2] = {rows, d.width};
  file_space.selectHyperslab(H5S_SELECT_SET, count, start);
  H5::DataSpace memory(rank, count);
  d.ds.write(data, kF64, memory, file_space);
  d.rows += rows;
}

void string_attr(H5::H5Object& obj, const std::string& name, const std::string& value) {
  if (obj.attrExists(name)) obj.removeAttr(name);
  string_attribute(obj, name, value);
}

}  // namespace

struct TableFileWriter::Impl {
  std::string path;
  std::string tmp;
  H5::H5File file;
  std::map<std::string, std::vector<GrowingDataset>> tables;  // group -> columns
  std::map<std::string, GrowingDataset> matrices;
  bool committed = false;
};

TableFileWriter::TableFileWriter(const std::string& path) : impl_(std::make_unique<Impl>()) {
  H5::Exception::dontPrint();
  impl_->path = path;
  impl_->tmp = path + ".tmp." + std::to_string(::getpid());
  try {
    H5::FileCreatPropList fcpl;
    impl_->file = H5::H5File(impl_->tmp, H5F_ACC_TRUNC, fcpl);
  } catch (const H5::Exception& e) {
    throw ResultsFileError(path + ": cannot create: " + describe(e));
  }
}

TableFileWriter::~TableFileWriter() {
  if (impl_->committed) return;
  try {
    impl_->tables.clear();
    impl_->matrices.clear();
    impl_->file.close();
  } catch (...) {
  }
  std::error_code ec;
  fs::remove(impl_->tmp, ec);
}

void TableFileWriter::attribute(const std::string& group, const std::string& name,
                                const std::string& value) {
  try {
    auto g = open_or_create(impl_->file, group);
    string_attr(g, name, value);
  } catch (const H5::Exception& e) {
    throw ResultsFileError(impl_->path + ": cannot write " + group + ": " + describe(e));
  }
}

void TableFileWriter::attribute(const std::string& group, const std::string& name, double value) {
  try {
    auto g = open_or_create(impl_->file, group);
    if (g.attrExists(name)) g.removeAttr(name);
    number_attribute(g, name, kF64, value);
  } catch (const H5::Exception& e) {
    throw ResultsFileError(impl_->path + ": cannot write " + group + ": " + describe(e));
  }
}

void TableFileWriter::table(const std::string& group, const Table& table) {
  try {
    auto g = open_or_create(impl_->file, group);
    std::vector<std::string> order;
    for (const auto& c : table.columns) {
      order.push_back(c.name);
      const hsize_t n = c.strings.empty() ? c.numbers.size() : c.strings.size();
      H5::DataSpace space(1, &n);
      if (!c.strings.empty()) {
        std::vector<const char*> ptrs;
        for (const auto& s : c.strings) ptrs.push_back(s.c_str());
        const auto type = string_type();
        g.createDataSet(c.name, type, space, timeless_dataset()).write(ptrs.data(), type);
      } else {
        auto ds = g.createDataSet(c.name, kF64, space, timeless_dataset());
        if (n) ds.write(c.numbers.data(), kF64);
      }
    }
    strings_attribute(g, "columns", order);
  } catch (const H5::Exception& e) {
    throw ResultsFileError(impl_->path + ": cannot write " + group + ": " + describe(e));
  }
}

void TableFileWriter::append_rows(const std::string& group, const Table& rows) {
  try {
    auto it = impl_->tables.find(group);
    if (it == impl_->tables.end()) {
      auto g = open_or_create(impl_->file, group);
      std::vector<std::string> order;
      std::vector<GrowingDataset> columns;
      for (const auto& c : rows.columns) {
        order.push_back(c.name);
        columns.push_back(create_growing(g, c.name, 0));
      }
      strings_attribute(g, "columns", order);
      it = impl_->tables.emplace(group, std::move(columns)).first;
    }
    if (it->second.size() != rows.columns.size())
      throw ResultsFileError(impl_->path + ": " + group + ": the columns changed between blocks");
    for (std::size_t i = 0; i < rows.columns.size(); ++i)
      append(it->second[i], rows.columns[i].numbers.data(), rows.columns[i].numbers.size());
  } catch (const H5::Exception& e) {
    throw ResultsFileError(impl_->path + ": cannot write " + group + ": " + describe(e));
  }
}

void TableFileWriter::append_matrix(const std::string& dataset,
                                    const std::vector<std::string>& column_names,
                                    const std::vector<double>& row_major) {
  const hsize_t width = column_names.size();
  if (width == 0 || row_major.size() % width)
    throw ResultsFileError(impl_->path + ": " + dataset + ": rows of the wrong width");
  try {
    auto it = impl_->matrices.find(dataset);
    if (it == impl_->matrices.end()) {
      const auto slash = dataset.rfind('/');
      auto g = open_or_create(impl_->file, slash == 0 ? "/" : dataset.substr(0, slash));
      auto d = create_growing(g, dataset.substr(slash + 1), width);
      strings_attribute(d.ds, "columns", column_names);
      it = impl_->matrices.emplace(dataset, std::move(d)).first;
    }
    append(it->second, row_major.data(), row_major.size() / width);
  } catch (const H5::Exception& e) {
    throw ResultsFileError(impl_->path + ": cannot write " + dataset + ": " + describe(e));
  }
}

void TableFileWriter::commit() {
  try {
    impl_->tables.clear();
    impl_->matrices.clear();
    impl_->file.close();
  } catch (const H5::Exception& e) {
    throw ResultsFileError(impl_->path + ": cannot finish: " + describe(e));
  }
  std::error_code ec;
  fs::rename(impl_->tmp, impl_->path, ec);
  if (ec) throw ResultsFileError(impl_->path + ": cannot move into place: " + ec.message());
  impl_->committed = true;
}

std::vector<double> read_matrix(const std::string& path, const std::string& dataset,
                                std::size_t& width) {
  std::vector<double> out;
  read_file(path, dataset, [&](H5::H5File& f) {
    auto ds = f.openDataSet(dataset);
    hsize_t dims[2] = {0, 0};
    ds.getSpace().getSimpleExtentDims(dims);
    width = dims[1];
    out = read_numbers<double>(ds, kF64);
  });
  return out;
}

std::string read_text_attribute(const std::string& path, const std::string& group,
                                const std::string& name) {
  std::string out;
  read_file(path, group, [&](H5::H5File& f) { out = read_string_attribute(f.openGroup(group), name); });
  return out;
}

double read_number_attribute(const std::string& path, const std::string& group,
                             const std::string& name) {
  double v = 0;
  read_file(path, group, [&](H5::H5File& f) {
    f.openGroup(group).openAttribute(name).read(kF64, &v);
  });
  return v;
}

}  // namespace mirror::results
