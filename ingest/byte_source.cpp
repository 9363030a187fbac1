#include "mirror/ingest/byte_source.hpp"

#include <lzma.h>
#include <zlib.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

#include "mirror/ingest/ingest.hpp"

namespace mirror::ingest {

namespace {

class FileSource : public ByteSource {
 public:
  explicit FileSource(const std::string& path) : path_(path), file_(std::fopen(path.c_str(), "rb")) {
    if (!file_) throw IngestError(path + ": cannot open: " + std::strerror(errno));
  }
  ~FileSource() override { std::fclose(file_); }
  std::size_t read(char* buffer, std::size_t n) override {
    const auto got = std::fread(buffer, 1, n, file_);
    if (got == 0 && std::ferror(file_)) throw IngestError(path_ + ": read error");
    return got;
  }

 private:
  std::string path_;
  std::FILE* file_;
};

class GzipSource : public ByteSource {
 public:
  explicit GzipSource(const std::string& path) : path_(path), file_(gzopen(path.c_str(), "rb")) {
    if (!file_) throw IngestError(path + ": cannot open");
    gzbuffer(file_, 1 << 20);
  }
  ~GzipSource() override { gzclose(file_); }
  std::size_t read(char* buffer, std::size_t n) override {
    const int got = gzread(file_, buffer, static_cast<unsigned>(n));
    if (got < 0) {
      int code = 0;
      throw IngestError(path_ + ": corrupt gzip data: " + gzerror(file_, &code));
    }
    return static_cast<std::size_t>(got);
  }

 private:
  std::string path_;
  gzFile file_;
};

class XzSource : public ByteSource {
 public:
  explicit XzSource(const std::string& path) : path_(path), file_(path), in_(1 << 20) {
    if (lzma_stream_decoder(&stream_, UINT64_MAX, LZMA_CONCATENATED) != LZMA_OK)
      throw IngestError(path + ": cannot start the xz decoder");
  }
  ~XzSource() override { lzma_end(&stream_); }
  std::size_t read(char* buffer, std::size_t n) override {
    stream_.next_out = reinterpret_cast<std::uint8_t*>(buffer);
    stream_.avail_out = n;
    while (stream_.avail_out > 0 && !done_) {
      lzma_action action = LZMA_RUN;
      if (stream_.avail_in == 0 && !eof_) {
        const auto got = file_.read(reinterpret_cast<char*>(in_.data()), in_.size());
        stream_.next_in = in_.data();
        stream_.avail_in = got;
        eof_ = got == 0;
      }
      if (eof_) action = LZMA_FINISH;
      const lzma_ret ret = lzma_code(&stream_, action);
      if (ret == LZMA_STREAM_END) done_ = true;
      else if (ret != LZMA_OK) throw IngestError(path_ + ": corrupt xz data (lzma error " + std::to_string(ret) + ")");
    }
    return n - stream_.avail_out;
  }

 private:
  std::string path_;
  FileSource file_;
  std::vector<std::uint8_t> in_;
  lzma_stream stream_ = LZMA_STREAM_INIT;
  bool eof_ = false;
  bool done_ = false;
};

}  // namespace

std::unique_ptr<ByteSource> open_byte_source(const std::string& path) {
  unsigned char magic[6] = {};
  {
    FileSource probe(path);
    probe.read(reinterpret_cast<char*>(magic), sizeof magic);
  }
  static const unsigned char kXz[6] = {0xFD, '7', 'z', 'X', 'Z', 0x00};
  if (std::memcmp(magic, kXz, 6) == 0) return std::make_unique<XzSource>(path);
  if (magic[0] == 0x1f && magic[1] == 0x8b) return std::make_unique<GzipSource>(path);
  return std::make_unique<FileSource>(path);
}

}  // namespace mirror::ingest
