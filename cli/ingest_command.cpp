// `mirror ingest`: event and decision logs into a customer store.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>

#include "command.hpp"
#include "mirror/ingest/ingest.hpp"

namespace mirror::cli {

namespace po = boost::program_options;

namespace {

std::string joined(const std::vector<std::string>& values) {
  std::string out;
  for (const auto& v : values) out += (out.empty() ? "" : ", ") + v;
  return out;
}

void print_report(const ingest::IngestReport& r, const std::string& format, double seconds) {
  std::printf("%s: %zu input%s in %.1f s (%s rows/s)\n", format.c_str(), r.inputs.size(),
              r.inputs.size() == 1 ? "" : "s", seconds,
              with_commas(static_cast<std::int64_t>(r.rows_read / std::max(seconds, 1e-9))).c_str());
  for (const auto& in : r.inputs)
    std::printf("  %s: %s rows read = %s accepted + %s quarantined\n", in.path.c_str(),
                with_commas(in.rows_read).c_str(), with_commas(in.rows_accepted).c_str(),
                with_commas(in.rows_quarantined).c_str());
  std::printf("total: %s rows read = %s accepted + %s quarantined (%.2f%%)\n",
              with_commas(r.rows_read).c_str(), with_commas(r.rows_accepted).c_str(),
              with_commas(r.rows_quarantined).c_str(), 100.0 * r.bad_fraction());
  std::printf("customers %s, events %s, decisions %s\n", with_commas(r.customers).c_str(),
              with_commas(r.events).c_str(), with_commas(r.decisions).c_str());
  if (!r.quarantined_by_reason.empty()) {
    std::printf("quarantined by reason:\n");
    for (const auto& [reason, count] : r.quarantined_by_reason)
      std::printf("  %-42s %12s\n", reason.c_str(), with_commas(count).c_str());
  }
  if (!r.attribute_names.empty())
    std::printf("attributes: %s; %s customers without a row, %s rows for customers without events (not stored)\n",
                joined(r.attribute_names).c_str(), with_commas(r.customers_without_attributes).c_str(),
                with_commas(r.attribute_rows_unmatched).c_str());
  std::printf("quarantine file: %s\n", r.quarantine_path.c_str());
}

}  // namespace

int ingest_command(const Args& args) {
  po::options_description options("ingest options");
  options.add_options()("help,h", "show this help")(
      "format", po::value<std::string>(), ("input format: " + joined(ingest::ingest_formats())).c_str())(
      "input", po::value<std::vector<std::string>>()->multitoken(), "input files (csv, .gz, .xz)")(
      "decisions", po::value<std::vector<std::string>>()->multitoken(),
      "canonical decisions CSVs read into the same store after the inputs")(
      "attributes", po::value<std::string>(),
      "CSV of static customer attributes: customer_id and one column per attribute")(
      "attributes-id", po::value<std::string>()->default_value("customer_id"),
      "the customer id column of the --attributes file")(
      "attributes-text", po::value<std::vector<std::string>>()->multitoken(),
      "attribute columns to keep as text although they hold numbers (codes)")(
      "out", po::value<std::string>(), "the store to write (HDF5)")(
      "calibration-end", po::value<std::string>(),
      "YYYY-MM-DD: last day of the calibration period (profiles and models use it)")(
      "quarantine", po::value<std::string>(), "CSV of rejected rows (default: OUT.quarantine.csv)")(
      "max-bad-fraction", po::value<double>()->default_value(0.01),
      "fail (exit 2, no store) when a larger share of rows is rejected")(
      "quiet,q", "print no progress");
  po::variables_map vm;
  po::positional_options_description positional;
  if (int rc = parse_options("ingest", "--format FORMAT --input PATH... [--decisions PATH...] [--attributes CSV] --out STORE [options]",
                             args, options, positional, vm);
      rc >= 0)
    return rc;
  for (const char* required : {"format", "input", "out"})
    if (!vm.count(required)) return usage_error(std::string("ingest: missing --") + required);

  ingest::IngestOptions o;
  o.format = vm["format"].as<std::string>();
  o.inputs = vm["input"].as<std::vector<std::string>>();
  if (vm.count("decisions")) o.decision_inputs = vm["decisions"].as<std::vector<std::string>>();
  if (vm.count("attributes")) o.attributes = vm["attributes"].as<std::string>();
  o.attributes_id = vm["attributes-id"].as<std::string>();
  if (vm.count("attributes-text")) o.attributes_text = vm["attributes-text"].as<std::vector<std::string>>();
  o.out = vm["out"].as<std::string>();
  if (vm.count("quarantine")) o.quarantine = vm["quarantine"].as<std::string>();
  o.max_bad_fraction = vm["max-bad-fraction"].as<double>();
  if (int rc = read_calibration_end("ingest", vm, o.calibration_end); rc >= 0) return rc;
  o.command_line = "mirror ingest";
  for (const auto& a : args) o.command_line += " " + a;
  const bool terminal = isatty(fileno(stderr)) && !vm.count("quiet");
  const auto start = std::chrono::steady_clock::now();
  const auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  if (terminal)
    o.on_progress = [&](const std::string& input, std::int64_t rows, std::uint64_t) {
      std::fprintf(stderr, "\r\033[K%s: %s rows", input.c_str(), with_commas(rows).c_str());
    };
  try {
    const auto report = ingest::run_ingest(o);
    if (terminal) std::fprintf(stderr, "\r\033[K");
    print_report(report, o.format, elapsed());
    if (report.too_many_bad) {
      std::fprintf(stderr,
                   "mirror: ingest failed: %.2f%% of rows were quarantined, above "
                   "--max-bad-fraction %.4g; no store was written (see %s)\n",
                   100.0 * report.bad_fraction(), o.max_bad_fraction,
                   report.quarantine_path.c_str());
      return kBadInput;
    }
    std::printf("store written to %s\n", o.out.c_str());
  } catch (const ingest::IngestError& e) {
    if (terminal) std::fprintf(stderr, "\r\033[K");
    std::cerr << "mirror: ingest failed: " << e.what() << "; nothing was written\n";
    return kBadInput;
  }
  return kOk;
}

}  // namespace mirror::cli
