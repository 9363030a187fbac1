// Small HDF5 helpers shared by the results file and the customer store (results module only).
#pragma once

#include <H5Cpp.h>

#include <functional>
#include <string>
#include <vector>

namespace mirror::results::h5 {

inline constexpr hsize_t kChunkRows = 65536;

inline const H5::PredType& kF64 = H5::PredType::NATIVE_DOUBLE;
inline const H5::PredType& kF32 = H5::PredType::NATIVE_FLOAT;
inline const H5::PredType& kI64 = H5::PredType::NATIVE_INT64;
inline const H5::PredType& kI32 = H5::PredType::NATIVE_INT32;
inline const H5::PredType& kU32 = H5::PredType::NATIVE_UINT32;
inline const H5::PredType& kU16 = H5::PredType::NATIVE_UINT16;
inline const H5::PredType& kU8 = H5::PredType::NATIVE_UINT8;

H5::StrType string_type();
void string_attribute(H5::H5Object& obj, const std::string& name, const std::string& value);
void strings_attribute(H5::H5Object& obj, const std::string& name,
                       const std::vector<std::string>& values);
void doubles_attribute(H5::H5Object& obj, const std::string& name,
                       const std::vector<double>& values);
template <class T>
void number_attribute(H5::H5Object& obj, const std::string& name, const H5::PredType& type,
                      T value) {
  obj.createAttribute(name, type, H5::DataSpace(H5S_SCALAR)).write(type, &value);
}
std::string read_string_attribute(const H5::H5Object& obj, const std::string& name);
std::vector<std::string> read_strings_attribute(const H5::H5Object& obj, const std::string& name);

// A 1-D dataset; large ones are chunked and compressed.
void column(H5::Group& g, const std::string& name, const H5::PredType& type, const void* data,
            std::size_t rows);
void string_column(H5::Group& g, const std::string& name, const std::vector<std::string>& values);
std::vector<std::string> read_strings(const H5::DataSet& ds);
template <class T>
std::vector<T> read_numbers(const H5::DataSet& ds, const H5::PredType& type) {
  std::vector<T> out(ds.getSpace().getSimpleExtentNpoints());
  if (!out.empty()) ds.read(out.data(), type);
  return out;
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
  string_column(g, name, values);
}

std::string utc_now();
std::string describe(const H5::Exception& e);

// Runs `body` on the file at `path` opened read-only; HDF5 errors become ResultsFileError.
void read_file(const std::string& path, const std::string& what,
               const std::function<void(H5::H5File&)>& body);

// Writes through `body` into a temporary file beside `path`, then renames it into place.
// When `copy_of_existing`, the temporary starts as a copy of `path` (to add a group).
// Throws ResultsFileError and leaves nothing behind on failure.
void write_file_atomically(const std::string& path, const std::string& what,
                           const std::function<void(H5::H5File&)>& body,
                           bool copy_of_existing = false);

}  // namespace mirror::results::h5
