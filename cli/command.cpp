#include "command.hpp"

#include <iostream>

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

}  // namespace mirror::cli
