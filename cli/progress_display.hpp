// Shows a run's progress: a live line on a terminal, plain lines otherwise.
#pragma once

#include <cstdio>

#include "mirror/engine/engine.hpp"

namespace mirror::cli {

class ProgressDisplay {
 public:
  explicit ProgressDisplay(std::FILE* out);
  void update(const engine::Progress& p);
  void finish();

 private:
  std::FILE* out_;
  bool terminal_;
  int last_arm_ = -1;
  int last_decile_ = -1;
  bool line_open_ = false;
};

}  // namespace mirror::cli
