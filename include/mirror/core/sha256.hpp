#pragma once

#include <string>
#include <string_view>

namespace mirror::core {

// Lower-case hex SHA-256 of `data` (OpenSSL).
std::string sha256_hex(std::string_view data);

// Lower-case hex SHA-256 of a file's bytes, read in blocks. Throws std::runtime_error.
std::string sha256_file_hex(const std::string& path);

}  // namespace mirror::core
