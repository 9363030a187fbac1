// The CDNOW sample ingested with the published 39-week calibration, for tests that need a
// real store. Fails loudly when the shared data is missing.
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>

#include "mirror/ingest/ingest.hpp"

namespace mirror::test_support {

inline std::string ingest_cdnow_sample(const std::string& out) {
  const std::string sample = std::string(MIRROR_SOURCE_DIR) + "/../shared/data/cdnow/CDNOW_sample.txt";
  if (!std::filesystem::exists(sample)) throw std::runtime_error("missing data file " + sample);
  ingest::IngestOptions o;
  o.format = "cdnow";
  o.inputs = {sample};
  o.out = out;
  o.calibration_end = ingest::parse_date("1997-09-30");
  ingest::run_ingest(o);
  return out;
}

}  // namespace mirror::test_support
