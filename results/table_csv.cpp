// Tables as CSV, for people and spreadsheets.
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "mirror/results/customer_store.hpp"
#include "mirror/results/results_file.hpp"

namespace mirror::results {

namespace {

void write_text(std::ostream& out, const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) {
    out << s;
    return;
  }
  out << '"';
  for (char c : s) out << (c == '"' ? "\"\"" : std::string(1, c));
  out << '"';
}

}  // namespace

void write_table_csv(const Table& table, const std::string& path) {
  namespace fs = std::filesystem;
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(tmp);
    if (!out) throw ResultsFileError(path + ": cannot write");
    for (std::size_t c = 0; c < table.columns.size(); ++c) {
      if (c) out << ',';
      write_text(out, table.columns[c].name);
    }
    out << '\n';
    char buf[32];
    for (std::size_t r = 0; r < table.rows(); ++r) {
      for (std::size_t c = 0; c < table.columns.size(); ++c) {
        if (c) out << ',';
        const auto& col = table.columns[c];
        if (!col.strings.empty()) {
          write_text(out, col.strings[r]);
        } else if (std::isfinite(col.numbers[r])) {
          std::snprintf(buf, sizeof buf, "%.10g", col.numbers[r]);
          out << buf;
        }
      }
      out << '\n';
    }
    if (!out.flush()) {
      std::error_code ec;
      fs::remove(tmp, ec);
      throw ResultsFileError(path + ": write failed");
    }
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) {
    fs::remove(tmp, ec);
    throw ResultsFileError(path + ": cannot move the finished file into place");
  }
}

}  // namespace mirror::results
