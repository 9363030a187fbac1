#include "file_text.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace mirror::scenario {

std::optional<ScenarioError> read_file_text(const std::string& path, std::string& text) {
  const auto unreadable = [&](const std::string& why) {
    return ScenarioError{path, 0, 0, "", "cannot read file: " + why};
  };
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) return unreadable("it is a directory");
  std::ifstream in(path, std::ios::binary);
  if (!in) return unreadable(std::strerror(errno));
  std::ostringstream out;
  out << in.rdbuf();
  text = out.str();
  return std::nullopt;
}

}  // namespace mirror::scenario
