// Runs the `mirror` program as a user would, in a fresh directory per test.
#pragma once

#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "scratch_dir.hpp"

namespace mirror::test_support {

struct CliOutcome {
  int exit_code = -1;
  std::string out;  // stdout and stderr together
};

class MirrorCliTest : public ScratchDirTest {
 protected:
  CliOutcome mirror(const std::string& args) {
    static const std::string kMirror = std::string(MIRROR_BINARY_DIR) + "/bin/mirror";
    const auto log = dir_ / "out.log";
    const std::string cmd = kMirror + " " + args + " > " + log.string() + " 2>&1";
    const int status = std::system(cmd.c_str());
    CliOutcome o;
    o.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    std::ifstream in(log);
    std::stringstream ss;
    ss << in.rdbuf();
    o.out = ss.str();
    return o;
  }
};

}  // namespace mirror::test_support
