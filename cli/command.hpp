// What every `mirror` subcommand shares: exit codes, usage errors, the command table.
#pragma once

#include <boost/program_options.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mirror::cli {

constexpr int kOk = 0;
constexpr int kRunFailed = 1;
constexpr int kBadInput = 2;

using Args = std::vector<std::string>;

// Prints "mirror: MESSAGE" and a hint to stderr; returns kBadInput.
int usage_error(const std::string& message);

// Parses ARGS against OPTIONS. Returns kOk after printing --help, kBadInput after a usage
// error, or -1 when the command should go on. SYNOPSIS follows "usage: mirror COMMAND".
int parse_options(const std::string& command, const std::string& synopsis, const Args& args,
                  const boost::program_options::options_description& options,
                  const boost::program_options::positional_options_description& positional,
                  boost::program_options::variables_map& vm);

// 1234567 -> "1,234,567".
std::string with_commas(std::int64_t n);

// Reads --calibration-end (YYYY-MM-DD, midnight UTC) into `out` when given. Returns -1 when
// fine, else kBadInput after a usage error.
int read_calibration_end(const std::string& command,
                         const boost::program_options::variables_map& vm,
                         std::optional<std::int64_t>& out);

// One subcommand: its name, its arguments and a line for `mirror --help`, and its entry.
struct Command {
  const char* name;
  const char* synopsis;
  const char* summary;
  int (*main)(const Args& args);
};

// The commands; scenario_commands.cpp holds run and check.
int run_command(const Args& args);
int check_command(const Args& args);
int compare_command(const Args& args);  // compare_command.cpp
int ingest_command(const Args& args);   // ingest_command.cpp
int profile_command(const Args& args);  // profile_command.cpp
int validate_command(const Args& args);  // validate_command.cpp
int train_command(const Args& args);     // train_command.cpp
int ope_command(const Args& args);      // ope_command.cpp
int export_command(const Args& args);   // export_command.cpp
int segment_command(const Args& args);  // segment_command.cpp
int generate_command(const Args& args);  // generate_command.cpp
int fidelity_command(const Args& args);  // fidelity_command.cpp

}  // namespace mirror::cli
