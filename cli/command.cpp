#include "command.hpp"

#include <iostream>

#include "mirror/ingest/ingest.hpp"

namespace mirror::cli {

namespace po = boost::program_options;

int parse_options(const std::string& command, const std::string& synopsis, const Args& args,
                  const po::options_description& options,
                  const po::positional_options_description& positional, po::variables_map& vm) {
  try {
    po::store(po::command_line_parser(args).options(options).positional(positional).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    return usage_error(command + ": " + e.what());
  }
  if (vm.count("help")) {
    std::cout << "usage: mirror " << command << " " << synopsis << "\n\n" << options;
    return kOk;
  }
  return -1;
}

std::string with_commas(std::int64_t n) {
  std::string digits = std::to_string(n < 0 ? -n : n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

int read_calibration_end(const std::string& command, const po::variables_map& vm,
                         std::optional<std::int64_t>& out) {
  if (!vm.count("calibration-end")) return -1;
  const auto text = vm["calibration-end"].as<std::string>();
  out = ingest::parse_date(text);
  if (!out) return usage_error(command + ": --calibration-end '" + text + "' is not a date YYYY-MM-DD");
  return -1;
}

}  // namespace mirror::cli
