// The response reader: whole responses out of a byte stream cut anywhere,
// with a length, chunked, or up to the end of the connection; too large and
// malformed answers refused.
#include "web/response_reader.hpp"

#include <gtest/gtest.h>

#include <string>

namespace swarm::web {
namespace {

/// Feeds `stream` in pieces of `chunk` bytes until the reader is done;
/// `close`: then the connection ends.
HttpReply read_all(const std::string& stream, std::size_t chunk, bool close = false) {
  ResponseReader reader(1 << 20);
  for (std::size_t at = 0; at < stream.size() && !reader.complete(); at += chunk) {
    reader.feed(std::string_view(stream).substr(at, chunk));
    EXPECT_FALSE(reader.error()) << *reader.error();
  }
  if (close) reader.finish();
  EXPECT_TRUE(reader.complete()) << "chunk " << chunk;
  EXPECT_FALSE(reader.error());
  return reader.take();
}

TEST(ResponseReader, ReadsALengthResponseCutAnywhere) {
  const std::string body = R"({"ok": true, "reply": "OK"})";
  const std::string stream =
      "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-A: 1\r\n"
      "x-a: 2\r\nContent-Length: " +
      std::to_string(body.size()) + "\r\n\r\n" + body + "TRAILING";
  for (std::size_t chunk : {1, 2, 3, 5, 7, 16, 100, 100000}) {
    const HttpReply reply = read_all(stream, chunk);
    EXPECT_EQ(reply.status, 200);
    EXPECT_EQ(reply.body, body);
    EXPECT_EQ(reply.header("content-type"), "application/json");
    EXPECT_EQ(reply.header("x-a"), "1, 2");
  }
}

TEST(ResponseReader, JoinsChunksAndReadsToTheEndOfTheConnection) {
  const std::string chunked =
      "HTTP/1.1 409 Conflict\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n"
      "0\r\n\r\n";
  for (std::size_t chunk : {1, 4, 1000}) {
    const HttpReply reply = read_all(chunked, chunk);
    EXPECT_EQ(reply.status, 409);
    EXPECT_EQ(reply.body, "hello world");
  }
  const HttpReply to_end = read_all("HTTP/1.0 200 OK\r\n\r\nuntil the end", 3, true);
  EXPECT_EQ(to_end.body, "until the end");
}

TEST(ResponseReader, RefusesWhatIsTooLargeOrNotHttp) {
  ResponseReader small(10);
  small.feed("HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n");
  ASSERT_TRUE(small.error());
  EXPECT_NE(small.error()->find("over the 10"), std::string::npos);

  ResponseReader chunks(10);
  chunks.feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n12345678\r\n8\r\n123");
  EXPECT_TRUE(chunks.error());

  ResponseReader garbage(100);
  garbage.feed("SSH-2.0-OpenSSH_9.2\r\n");
  EXPECT_TRUE(garbage.error());

  ResponseReader cut(100);
  cut.feed("HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\nonly some");
  EXPECT_FALSE(cut.error());
  cut.finish();
  ASSERT_TRUE(cut.error());
  EXPECT_NE(cut.error()->find("closed before"), std::string::npos);
}

}  // namespace
}  // namespace swarm::web
