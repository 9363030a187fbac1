// The `mirror` program: dispatches to one subcommand per file.
// Exit codes: 0 ok, 1 the run failed, 2 bad input or usage.
#include <algorithm>
#include <iostream>
#include <string>

#include "command.hpp"
#include "mirror/core/version.hpp"

namespace mirror::cli {
namespace {

constexpr Command kCommands[] = {
    {"run", "SCENARIO", "simulate a scenario, print the summary, write the HDF5 results", run_command},
    {"check", "SCENARIO", "validate a scenario file and exit", check_command},
    {"compare", "RESULTS", "rank the arms of a run by a metric, with intervals", compare_command},
    {"ingest", "--format F --input PATH... --out STORE", "read event and decision logs into a store",
     ingest_command},
    {"profile", "STORE [--out CSV]", "customer profiles, RFM segments and BTYD scores", profile_command},
    {"segment", "STORE --rules FILE [--out CSV]", "rule-based segments of a store's profiles",
     segment_command},
    {"train", "--store STORE --out MODEL", "train the LCM behaviour model on a store", train_command},
    {"validate", "--model btyd STORE", "holdout forecasts of a model against the data", validate_command},
    {"ope", "--log LOG --policy POLICY", "estimate a policy's value from a decision log (OPE)",
     ope_command},
    {"export", "--results R.h5 --arm ARM --out POLICY", "an arm's next-best-action table and policy artifact",
     export_command},
    {"generate", "--world W --customers N --days D --out DIR", "synthetic logs with known truth",
     generate_command},
    {"fidelity", "--world W --out DIR", "the mirror world and OPE against a generated world's truth",
     fidelity_command},
};

void print_usage(std::ostream& out) {
  out << "usage: mirror <command> [options]\n\ncommands:\n";
  for (const auto& c : kCommands) {
    std::string name = std::string(c.name) + " " + c.synopsis;
    name.resize(std::max<size_t>(name.size() + 2, 24), ' ');
    out << "  " << name << c.summary << "\n";
  }
  out << "\noptions:\n"
         "  -h, --help  show this help (or `mirror <command> --help`)\n"
         "  --version   print the version\n";
}

}  // namespace

int usage_error(const std::string& message) {
  std::cerr << "mirror: " << message << "\n\n";
  print_usage(std::cerr);
  return kBadInput;
}

}  // namespace mirror::cli

int main(int argc, char** argv) {
  using namespace mirror::cli;
  Args args(argv + 1, argv + argc);
  if (args.empty()) return usage_error("missing command");
  const std::string command = args.front();
  args.erase(args.begin());
  if (command == "-h" || command == "--help" || command == "help") {
    print_usage(std::cout);
    return kOk;
  }
  if (command == "--version" || command == "version") {
    std::cout << "mirror " << mirror::core::kVersion << " (" << mirror::core::kGitCommit << ")\n";
    return kOk;
  }
  for (const auto& c : kCommands)
    if (command == c.name) return c.main(args);
  return usage_error("unknown command '" + command + "'");
}
