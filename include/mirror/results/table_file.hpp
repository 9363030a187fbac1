// A write-once HDF5 file of named tables, some streamed row block by row block, and numeric
// matrices streamed by rows: what `mirror generate` writes as truth.h5. Written to a
// temporary name and renamed by commit(); without commit() nothing is left. The bytes
// depend only on what was written (no creation times), so equal inputs give equal files.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "mirror/results/customer_store.hpp"

namespace mirror::results {

class TableFileWriter {
 public:
  explicit TableFileWriter(const std::string& path);  // throws ResultsFileError
  ~TableFileWriter();
  TableFileWriter(const TableFileWriter&) = delete;
  TableFileWriter& operator=(const TableFileWriter&) = delete;

  // A string attribute on `group` ("/" for the file), created with its parents.
  void attribute(const std::string& group, const std::string& name, const std::string& value);
  void attribute(const std::string& group, const std::string& name, double value);
  // A whole table (readable with read_store_table).
  void table(const std::string& group, const Table& table);
  // Appends rows to a numeric table: the first call fixes the columns.
  void append_rows(const std::string& group, const Table& rows);
  // Appends rows to a 2-D float64 dataset `width` wide; `column_names` go into the
  // `columns` attribute on the first call.
  void append_matrix(const std::string& dataset, const std::vector<std::string>& column_names,
                     const std::vector<double>& row_major);
  void commit();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Readers for tests and later stages.
std::vector<double> read_matrix(const std::string& path, const std::string& dataset,
                                std::size_t& width);
std::string read_text_attribute(const std::string& path, const std::string& group,
                                const std::string& name);
double read_number_attribute(const std::string& path, const std::string& group,
                             const std::string& name);

}  // namespace mirror::results
