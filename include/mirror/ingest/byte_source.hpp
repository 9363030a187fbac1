// Reads a file's bytes, decompressing .xz and .gz on the fly, in large blocks.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

namespace mirror::ingest {

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Fills up to n bytes; returns how many, 0 at the end. Throws IngestError on failure.
  virtual std::size_t read(char* buffer, std::size_t n) = 0;
};

// Chooses the decoder from the file's first bytes (xz and gzip magic), not its name.
std::unique_ptr<ByteSource> open_byte_source(const std::string& path);

}  // namespace mirror::ingest
