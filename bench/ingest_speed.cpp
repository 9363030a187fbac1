// Ingest speed on the full UCI Online Retail file (541,909 rows): CSV parsing alone, and the
// whole `mirror ingest` (parse, validate, quarantine, HDF5 store), on the plain and the xz
// file. The baseline, timed in the same process, is the loop a user would write first:
// std::getline and a split into std::vector<std::string>.
// usage: ingest_speed [--data DIR] [--repeat N]
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "mirror/ingest/byte_source.hpp"
#include "mirror/ingest/csv_reader.hpp"
#include "mirror/ingest/ingest.hpp"

using namespace mirror;
namespace fs = std::filesystem;

namespace {

// Best of `repeat` runs, in seconds.
double best_time(int repeat, const std::function<void()>& body) {
  double best = 1e30;
  for (int i = 0; i < repeat; ++i) {
    const auto start = std::chrono::steady_clock::now();
    body();
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  return best;
}

std::size_t naive_parse(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::vector<std::string> fields;
  std::size_t rows = 0, chars = 0;
  while (std::getline(in, line)) {
    fields.clear();
    std::string field;
    bool quoted = false;
    for (char c : line) {
      if (c == '"') quoted = !quoted;
      else if (c == ',' && !quoted) fields.push_back(std::move(field)), field.clear();
      else field.push_back(c);
    }
    fields.push_back(std::move(field));
    chars += fields[0].size();
    ++rows;
  }
  return rows + (chars == 0);
}

std::size_t reader_parse(const std::string& path) {
  ingest::CsvReader reader(ingest::open_byte_source(path), ingest::CsvReader::Separator::kComma);
  std::size_t rows = 0, chars = 0;
  while (reader.next()) {
    chars += reader[0].size();
    ++rows;
  }
  return rows + (chars == 0);
}

}  // namespace

int main(int argc, char** argv) {
  std::string data = "../shared/data";
  int repeat = 3;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--data")) data = argv[i + 1];
    else if (!std::strcmp(argv[i], "--repeat")) repeat = std::atoi(argv[i + 1]);
  }
  const std::string xz = data + "/uci_online_retail/onlineretail.csv.xz";
  if (!fs::exists(xz)) {
    std::fprintf(stderr, "ingest_speed: %s not found (use --data DIR)\n", xz.c_str());
    return 2;
  }
  const auto work = fs::temp_directory_path() / ("ingest_speed_" + std::to_string(::getpid()));
  fs::create_directories(work);
  const std::string plain = (work / "onlineretail.csv").string();
  {
    auto source = ingest::open_byte_source(xz);
    std::ofstream out(plain, std::ios::binary);
    std::vector<char> buf(1 << 20);
    while (const auto n = source->read(buf.data(), buf.size())) out.write(buf.data(), n);
  }
  const double rows = 541910;  // with the header
  const double mb = static_cast<double>(fs::file_size(plain)) / 1e6;

  std::size_t check_naive = 0, check_reader = 0;
  const double t_naive = best_time(repeat, [&] { check_naive = naive_parse(plain); });
  const double t_reader = best_time(repeat, [&] { check_reader = reader_parse(plain); });
  const double t_reader_xz = best_time(repeat, [&] { reader_parse(xz); });
  const auto full = [&](const std::string& input) {
    ingest::IngestOptions o;
    o.format = "online-retail";
    o.inputs = {input};
    o.out = (work / "store.h5").string();
    o.max_bad_fraction = 0.3;
    ingest::run_ingest(o);
  };
  const double t_full = best_time(repeat, [&] { full(plain); });
  const double t_full_xz = best_time(repeat, [&] { full(xz); });
  if (check_naive != check_reader) std::fprintf(stderr, "row counts differ: %zu vs %zu\n", check_naive, check_reader);

  std::printf("UCI Online Retail, %.0f rows, %.1f MB uncompressed; best of %d\n", rows - 1, mb, repeat);
  std::printf("%-44s %8s %14s %8s\n", "", "seconds", "rows/s", "ratio");
  const auto line = [&](const char* what, double t) {
    std::printf("%-44s %8.3f %14.0f %8.2f\n", what, t, rows / t, t_naive / t);
  };
  line("baseline: getline + split to strings", t_naive);
  line("CsvReader, plain file", t_reader);
  line("CsvReader, xz file (decompression included)", t_reader_xz);
  line("mirror ingest, plain file (store written)", t_full);
  line("mirror ingest, xz file (store written)", t_full_xz);
  fs::remove_all(work);
  return 0;
}
