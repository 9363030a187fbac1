#include "mirror/ingest/ingest.hpp"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>

#include "field_parse.hpp"
#include "formats.hpp"
#include "mirror/core/sha256.hpp"
#include "mirror/core/version.hpp"
#include "mirror/ingest/customer_attributes.hpp"
#include "mirror/results/results_file.hpp"

namespace mirror::ingest {

namespace fs = std::filesystem;

namespace {

constexpr std::int64_t kProgressEvery = 65536;

// Rejected rows, written to a temporary file renamed when the ingest ends.
class QuarantineFile {
 public:
  explicit QuarantineFile(const std::string& path)
      : path_(path), tmp_(path + ".tmp." + std::to_string(::getpid())), out_(tmp_) {
    if (!out_) throw IngestError(path + ": cannot write the quarantine file");
    out_ << "input,line,reason,raw\n";
  }
  ~QuarantineFile() {
    if (!done_) {
      std::error_code ec;
      fs::remove(tmp_, ec);
    }
  }
  void add(const std::string& input, std::int64_t line, std::string_view reason,
           std::string_view raw) {
    quote(input);
    out_ << ',' << line << ',';
    quote(reason);
    out_ << ',';
    quote(raw);
    out_ << '\n';
  }
  void finish() {
    out_.close();
    if (!out_) throw IngestError(path_ + ": cannot write the quarantine file");
    std::error_code ec;
    fs::rename(tmp_, path_, ec);
    if (ec) throw IngestError(path_ + ": cannot move the quarantine file into place");
    done_ = true;
  }

 private:
  void quote(std::string_view s) {
    out_.put('"');
    for (std::size_t q; (q = s.find('"')) != std::string_view::npos; s.remove_prefix(q + 1)) {
      out_.write(s.data(), static_cast<std::streamsize>(q + 1));
      out_.put('"');  // doubled
    }
    out_.write(s.data(), static_cast<std::streamsize>(s.size()));
    out_.put('"');
  }
  std::string path_;
  std::string tmp_;
  std::ofstream out_;
  bool done_ = false;
};

}  // namespace

const std::vector<std::string>& ingest_formats() {
  static const std::vector<std::string> kFormats = {
      "events", "decisions", "cdnow", "online-retail", "grocery", "complete-journey", "obd"};
  return kFormats;
}

std::unique_ptr<Format> make_format(const std::string& name) {
  if (name == "events") return make_events_format();
  if (name == "decisions") return make_decisions_format();
  if (name == "cdnow") return make_cdnow_format();
  if (name == "online-retail") return make_online_retail_format();
  if (name == "grocery") return make_grocery_format();
  if (name == "complete-journey") return make_complete_journey_format();
  if (name == "obd") return make_obd_format();
  std::string known;
  for (const auto& f : ingest_formats()) known += (known.empty() ? "" : ", ") + f;
  throw IngestError("unknown format '" + name + "' (known: " + known + ")");
}

std::optional<core::Timestamp> parse_date(const std::string& text) {
  if (text.size() != 10) return std::nullopt;
  return parse_timestamp(text);
}

IngestReport run_ingest(const IngestOptions& options) {
  auto format = make_format(options.format);
  if (options.inputs.empty()) throw IngestError("no input files");
  if (!(options.max_bad_fraction >= 0.0 && options.max_bad_fraction <= 1.0))
    throw IngestError("--max-bad-fraction must be in [0, 1]");
  for (const auto* list : {&options.inputs, &options.decision_inputs})
    for (const auto& input : *list)
      if (!fs::is_regular_file(input)) throw IngestError(input + ": no such file");
  if (!options.attributes.empty() && !fs::is_regular_file(options.attributes))
    throw IngestError(options.attributes + ": no such file");
  // Read and checked before anything is written: a bad attribute file leaves no store.
  std::optional<CustomerAttributes> attributes;
  if (!options.attributes.empty()) attributes = read_customer_attributes(options.attributes, options.attributes_id, options.attributes_text);

  IngestReport report;
  report.quarantine_path =
      options.quarantine.empty() ? fs::path(options.out).replace_extension(".quarantine.csv").string()
                                 : options.quarantine;
  QuarantineFile quarantine(report.quarantine_path);
  results::StoreWriter writer(options.out);
  IngestSink sink(writer);

  // The main inputs, then canonical decision logs into the same store (one customer
  // dictionary, so events and decisions of a customer meet).
  const auto read_inputs = [&](Format& fmt, const std::vector<std::string>& paths) {
    for (const auto& path : fmt.order_inputs(paths)) {
      InputReport input;
      input.path = path;
      input.bytes = fs::file_size(path);
      try {
        input.sha256 = core::sha256_file_hex(path);
      } catch (const std::exception& e) {
        throw IngestError(e.what());
      }
      CsvReader reader(open_byte_source(path), fmt.separator(path));
      bool first = true;
      while (reader.next()) {
        if (first) {
          first = false;
          if (fmt.begin_input(path, reader, sink)) continue;
        }
        ++input.rows_read;
        const auto rejected = fmt.row(reader, sink);
        if (rejected.empty()) {
          ++input.rows_accepted;
        } else {
          ++input.rows_quarantined;
          ++report.quarantined_by_reason[std::string(rejected)];
          quarantine.add(path, reader.line(), rejected, reader.raw());
        }
        if (options.on_progress && input.rows_read % kProgressEvery == 0)
          options.on_progress(path, input.rows_read, reader.bytes_consumed());
      }
      if (first) throw IngestError(path + ": the file is empty");
      report.rows_read += input.rows_read;
      report.rows_accepted += input.rows_accepted;
      report.rows_quarantined += input.rows_quarantined;
      report.inputs.push_back(input);
    }
  };
  read_inputs(*format, options.inputs);
  if (!options.decision_inputs.empty()) {
    auto decisions = make_format("decisions");
    read_inputs(*decisions, options.decision_inputs);
  }
  sink.flush();
  quarantine.finish();

  report.customers = static_cast<std::int64_t>(sink.dictionaries.customer.size());
  report.events = sink.event_count();
  report.decisions = sink.decision_count();
  if (report.bad_fraction() > options.max_bad_fraction) {
    report.too_many_bad = true;
    return report;  // the writer's destructor removes the unfinished store
  }

  results::StoreMeta meta;
  meta.format = options.format;
  meta.command_line = options.command_line;
  meta.version = core::kVersion;
  meta.git_commit = core::kGitCommit;
  meta.calibration_end = options.calibration_end;
  if (report.events + report.decisions > 0) {
    meta.first_event = sink.first();
    meta.last_event = sink.last();
  }
  meta.inputs = report.inputs;
  meta.quarantined_by_reason = report.quarantined_by_reason;
  meta.rows_read = report.rows_read;
  meta.rows_accepted = report.rows_accepted;
  meta.rows_quarantined = report.rows_quarantined;
  meta.context_names = sink.context_names();
  if (attributes) {
    auto aligned = align_customer_attributes(*attributes, sink.dictionaries.customer.values());
    report.attribute_names = attributes->names;
    report.customers_without_attributes = aligned.customers_without;
    report.attribute_rows_unmatched = aligned.rows_unmatched;
    writer.set_attributes(std::move(aligned.table));
  }
  try {
    writer.commit(std::move(meta), sink.dictionaries);
  } catch (const results::ResultsFileError& e) {
    throw IngestError(e.what());
  }
  return report;
}

}  // namespace mirror::ingest
