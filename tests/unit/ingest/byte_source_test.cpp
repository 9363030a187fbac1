#include "mirror/ingest/byte_source.hpp"

#include <gtest/gtest.h>
#include <lzma.h>
#include <zlib.h>

#include <fstream>
#include <string>

#include "mirror/ingest/ingest.hpp"
#include "scratch_dir.hpp"

namespace mirror::ingest {
namespace {

class ByteSourceTest : public test_support::ScratchDirTest {
 protected:
  std::string text() const {
    std::string s;
    for (int i = 0; i < 200000; ++i) s += std::to_string(i) + ",x\n";
    return s;
  }
  static std::string read_all(ByteSource& source) {
    std::string out;
    char buf[4096];
    while (const auto n = source.read(buf, sizeof buf)) out.append(buf, n);
    return out;
  }
};

TEST_F(ByteSourceTest, PlainFile) {
  const auto p = path("plain.csv");
  std::ofstream(p) << text();
  EXPECT_EQ(read_all(*open_byte_source(p)), text());
}

TEST_F(ByteSourceTest, GzipIsRecognisedByItsBytesNotItsName) {
  const auto p = path("data.csv");  // no .gz suffix on purpose
  gzFile f = gzopen(p.c_str(), "wb");
  const auto t = text();
  gzwrite(f, t.data(), static_cast<unsigned>(t.size()));
  gzclose(f);
  EXPECT_EQ(read_all(*open_byte_source(p)), t);
}

TEST_F(ByteSourceTest, Xz) {
  const auto t = text();
  std::string packed(lzma_stream_buffer_bound(t.size()), '\0');
  std::size_t used = 0;
  ASSERT_EQ(lzma_easy_buffer_encode(1, LZMA_CHECK_CRC64, nullptr,
                                    reinterpret_cast<const std::uint8_t*>(t.data()), t.size(),
                                    reinterpret_cast<std::uint8_t*>(packed.data()), &used,
                                    packed.size()),
            LZMA_OK);
  const auto p = path("data.csv.xz");
  std::ofstream(p, std::ios::binary).write(packed.data(), static_cast<std::streamsize>(used));
  EXPECT_EQ(read_all(*open_byte_source(p)), t);

  // Cut short: a clear error, not silently fewer rows.
  const auto cut = path("cut.csv.xz");
  std::ofstream(cut, std::ios::binary).write(packed.data(), static_cast<std::streamsize>(used / 2));
  auto source = open_byte_source(cut);
  EXPECT_THROW(read_all(*source), IngestError);
}

TEST_F(ByteSourceTest, MissingFileIsAnError) {
  EXPECT_THROW(open_byte_source(path("nope.csv")), IngestError);
}

}  // namespace
}  // namespace mirror::ingest
