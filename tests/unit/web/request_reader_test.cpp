// The request reader: whole requests out of a stream cut anywhere, one at a
// time when pipelined, and the limits answered with the right status.
#include "web/request_reader.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace swarm::web {
namespace {

/// Feeds `stream` in chunks of `chunk` bytes; returns the requests read.
std::vector<HttpRequest> read_all(const std::string& stream, std::size_t chunk,
                                  RequestReader& reader) {
  std::vector<HttpRequest> out;
  std::string pending;
  for (std::size_t at = 0; at < stream.size(); at += chunk) {
    pending += stream.substr(at, chunk);
    while (true) {
      pending.erase(0, reader.feed(pending));
      if (!reader.complete()) break;
      out.push_back(reader.take());
    }
    if (reader.error()) break;
  }
  return out;
}

const std::string kTwo =
    "POST /api/incr?n=200&x=a%20b+c HTTP/1.1\r\nHost: 127.0.0.1:8412\r\n"
    "Content-Type: application/json\r\nX-Twice: 1\r\nx-twice: 2\r\nContent-Length: 10\r\n\r\n"
    "{\"n\": 200}"
    "GET /api/st%61tus HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";

TEST(RequestReader, ReadsPipelinedRequestsCutAnywhere) {
  for (std::size_t chunk : {1u, 2u, 3u, 5u, 7u, 10u, 64u, 100000u}) {
    RequestReader reader;
    const auto requests = read_all(kTwo, chunk, reader);
    ASSERT_EQ(requests.size(), 2u) << "chunk " << chunk;
    const HttpRequest& post = requests[0];
    EXPECT_EQ(post.method, "POST");
    EXPECT_EQ(post.path, "/api/incr");
    EXPECT_EQ(post.query.at("n"), "200");
    EXPECT_EQ(post.query.at("x"), "a b c");
    EXPECT_EQ(post.body, "{\"n\": 200}");
    EXPECT_EQ(post.header("host"), "127.0.0.1:8412");
    EXPECT_EQ(post.header("x-twice"), "1, 2");
    EXPECT_TRUE(post.keep_alive);
    EXPECT_EQ(requests[1].path, "/api/status");
    EXPECT_FALSE(requests[1].keep_alive);
    EXPECT_FALSE(reader.error());
  }
}

TEST(RequestReader, UpgradesAreIgnored) {
  // RFC 9110: a server may ignore Upgrade; the request is answered as is.
  RequestReader reader;
  const auto requests = read_all(
      "GET / HTTP/1.1\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\nGET /b HTTP/1.1\r\n\r\n",
      4, reader);
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[1].path, "/b");
}

TEST(RequestReader, ChunkedBodies) {
  RequestReader reader;
  const auto requests = read_all(
      "POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n{\"n\"\r\n5\r\n: "
      "12}\r\n0\r\n\r\n",
      3, reader);
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].body, "{\"n\": 12}");
}

TEST(RequestReader, LimitsAndMalformedInput) {
  {
    RequestReader reader(RequestLimits{64, 16});
    read_all("GET /" + std::string(100, 'a') + " HTTP/1.1\r\n\r\n", 7, reader);
    ASSERT_TRUE(reader.error());
    EXPECT_EQ(reader.error()->status, 431);
  }
  {
    RequestReader reader(RequestLimits{1024, 16});
    read_all("POST / HTTP/1.1\r\nContent-Length: 17\r\n\r\n", 5, reader);
    ASSERT_TRUE(reader.error());
    EXPECT_EQ(reader.error()->status, 413);
  }
  {
    RequestReader reader(RequestLimits{1024, 4});
    read_all("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n9\r\n123456789\r\n0\r\n\r\n", 5,
             reader);
    ASSERT_TRUE(reader.error());
    EXPECT_EQ(reader.error()->status, 413);
  }
  for (const std::string bad : {"NOPE\r\n\r\n", "GET / HTTP/1.1\r\nBad Header\r\n\r\n",
                                "GET /%zz HTTP/1.1\r\n\r\n", "GET /?a=%4 HTTP/1.1\r\n\r\n"}) {
    RequestReader reader;
    read_all(bad, 1, reader);
    ASSERT_TRUE(reader.error()) << bad;
    EXPECT_EQ(reader.error()->status, 400) << bad;
  }
}

TEST(HttpMessage, QueriesAndSerialization) {
  EXPECT_EQ(percent_decode("a%2Fb+c", true), "a/b c");
  EXPECT_EQ(percent_decode("a+b", false), "a+b");
  EXPECT_FALSE(percent_decode("%", true));
  EXPECT_FALSE(percent_decode("%4", true));
  EXPECT_FALSE(percent_decode("%g1", true));
  const auto query = parse_query("n=1&&flag&n=2");
  ASSERT_TRUE(query);
  EXPECT_EQ(query->at("n"), "2");
  EXPECT_EQ(query->at("flag"), "");
  const std::string bytes = serialize(HttpResponse::json(200, "{}"), true);
  EXPECT_TRUE(bytes.starts_with("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"));
  EXPECT_NE(bytes.find("Content-Length: 2\r\nConnection: keep-alive\r\n\r\n{}"), std::string::npos);
  EXPECT_EQ(json_string("a\"b\n\xff"), "\"a\\\"b\\n\xEF\xBF\xBD\"");
}

}  // namespace
}  // namespace swarm::web
