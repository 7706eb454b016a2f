// The built-in http protocol: the requests it sends (Host, headers, bodies,
// substitutions, pipelining), how replies are counted (code and class,
// `expect`, `close`), a server's close ending the connection, and plan
// mistakes placed at file:line:col.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "builtin_fixture.hpp"
#include "protocol/builtin/payload.hpp"

namespace swarm::protocol {
namespace {

using ::testing::ElementsAre;
using testing::FakeClient;

const std::string kOk = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

class HttpBuiltinTest : public testing::BuiltinTest {};

TEST_F(HttpBuiltinTest, RequestsCarryHostHeadersAndBodies) {
  instance(R"(protocol: http
actions:
  - command: request
    args: {path: /index.html}
  - command: request
    args:
      method: POST
      path: "/items/{id}?n={seq}"
      headers: {Content-Type: application/json, X-Id: "u{id}"}
      body: '{"n": {seq}}'
  - command: request
    args: {method: PUT, path: /blob, size: 5, headers: {Host: example.test}}
  - command: request
    args: {method: POST, path: /empty}
  - command: request
    args: {method: HEAD, path: /}
)");
  FakeClient client(7);
  client.incoming = kOk + kOk + kOk + kOk + "HTTP/1.1 200 OK\r\nContent-Length: 612\r\n\r\n";
  for (std::size_t i = 0; i < 5; ++i) EXPECT_EQ(run(i, client).kind, CommandOutcome::Kind::ok);
  EXPECT_THAT(
      client.sent,
      ElementsAre("GET /index.html HTTP/1.1\r\nHost: localhost:8080\r\n\r\n",
                  "POST /items/7?n=1 HTTP/1.1\r\nHost: localhost:8080\r\nContent-Type: "
                  "application/json\r\nX-Id: u7\r\nContent-Length: 8\r\n\r\n{\"n\": 1}",
                  "PUT /blob HTTP/1.1\r\nHost: example.test\r\nContent-Length: 5\r\n\r\n" +
                      builtin::filler_bytes(5),
                  "POST /empty HTTP/1.1\r\nHost: localhost:8080\r\nContent-Length: 0\r\n\r\n",
                  "HEAD / HTTP/1.1\r\nHost: localhost:8080\r\n\r\n"));
  EXPECT_EQ(client.closes, 0);
  EXPECT_THAT(client.kinds,
              ElementsAre("200", "2xx", "200", "2xx", "200", "2xx", "200", "2xx", "200", "2xx"));
}

TEST_F(HttpBuiltinTest, StatusesAreCountedByCodeAndClass) {
  instance(R"(protocol: http
actions:
  - command: request
    args: {path: /a, pipeline: 4}
  - command: request
    args: {path: /b, expect: 301, pipeline: 2}
  - command: request
    args: {path: /c, expect: 2xx, pipeline: 2}
)");
  FakeClient client;
  client.incoming =
      "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n"
      "HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nno!\r\n0\r\n\r\n"
      "HTTP/1.1 302 Found\r\nContent-Length: 0\r\n\r\n" +
      kOk +
      "HTTP/1.1 301 Moved\r\nContent-Length: 0\r\n\r\n"
      "HTTP/1.1 302 Found\r\nContent-Length: 0\r\n\r\n" +
      "HTTP/1.1 204 No Content\r\n\r\n"
      "HTTP/1.1 500 Oops\r\nContent-Length: 0\r\n\r\n";
  for (std::size_t i = 0; i < 3; ++i) EXPECT_EQ(run(i, client).kind, CommandOutcome::Kind::ok);
  EXPECT_EQ(client.sent[0],
            "GET /a HTTP/1.1\r\nHost: localhost:8080\r\n\r\n"
            "GET /a HTTP/1.1\r\nHost: localhost:8080\r\n\r\n"
            "GET /a HTTP/1.1\r\nHost: localhost:8080\r\n\r\n"
            "GET /a HTTP/1.1\r\nHost: localhost:8080\r\n\r\n");
  EXPECT_THAT(client.pipelined, ElementsAre(4, 2, 2));
  // 4xx and 5xx are errors unless expected; with `expect`, any other code
  // is (and any other class).
  EXPECT_THAT(client.kinds, ElementsAre("503!", "5xx!", "404!", "4xx!", "302", "3xx", "200", "2xx",
                                        "301", "3xx", "302!", "3xx", "204", "2xx", "500!", "5xx!"));
}

TEST_F(HttpBuiltinTest, AServerCloseEndsTheConnection) {
  instance("protocol: http\nactions: [{command: request, args: {path: /, pipeline: 3}}]\n");
  FakeClient client;
  client.incoming = kOk + "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok";
  EXPECT_EQ(run(0, client).kind, CommandOutcome::Kind::ok);
  EXPECT_EQ(client.closes, 1);
  // The third reply never comes: swarm stops reading at the close.
  EXPECT_THAT(client.kinds, ElementsAre("200", "2xx", "200", "2xx", "close"));
}

TEST_F(HttpBuiltinTest, WithoutAServerNameThereIsNoHost) {
  instance("protocol: http\nactions: [{command: request, args: {path: '*', method: OPTIONS}}]\n");
  FakeClient client;
  client.server.clear();
  client.incoming = kOk;
  EXPECT_EQ(run(0, client).kind, CommandOutcome::Kind::ok);
  EXPECT_THAT(client.sent, ElementsAre("OPTIONS * HTTP/1.1\r\n\r\n"));
}

TEST_F(HttpBuiltinTest, GarbageIsAProtocolErrorOfTheCall) {
  instance("protocol: http\nactions: [{command: request, args: {path: /}}]\n");
  FakeClient client;
  client.incoming = "220 smtp.example ESMTP\r\n";
  EXPECT_EQ(run(0, client).kind, CommandOutcome::Kind::ok);  // the engine counts it
  EXPECT_TRUE(client.kinds.empty());
}

TEST_F(HttpBuiltinTest, RowsAreNamedByMethodAndPath) {
  instance(R"(protocol: http
actions:
  - command: request
    args: {path: "/users/{id}"}
  - command: request
    args: {method: POST, path: /login, name: login}
)");
  EXPECT_THAT(report_rows(*module_, plan_), ElementsAre("GET /users/{id}", "login"));
}

TEST_F(HttpBuiltinTest, PlanProblemsSayWhere) {
  EXPECT_EQ(problems(R"(protocol: http
actions:
  - command: get
  - command: request
    args: {method: GET}
  - command: request
    args: {path: index.html}
  - command: request
    args: {path: /, method: "GE T"}
  - command: request
    args: {path: /, headers: {Content-Length: 3}}
  - command: request
    args: {path: /, headers: [a]}
  - command: request
    args: {path: /, expect: 2000}
  - command: request
    args: {path: /, body: x, size: 3}
  - command: request
    args: {path: "/{rand:9-1}"}
  - command: request
    args: {path: /, colour: red}
  - command: request
    args: {path: /, headers: {"X Y": 1}}
)"),
            "plan.yml:3:14: unknown command 'get' (module http has: request)\n"
            "plan.yml:5:11: command 'request' needs arg 'path' (text)\n"
            "plan.yml:7:18: command 'request' arg 'path': expected a path starting with '/' (or "
            "http://..., or *), without spaces or control characters (write a space as %20)\n"
            "plan.yml:9:29: command 'request' arg 'method': expected an HTTP method (GET, POST, "
            "...): letters, no spaces\n"
            "plan.yml:11:47: command 'request' arg 'headers' 'Content-Length': swarm frames the "
            "body itself (Content-Length from body or size)\n"
            "plan.yml:13:30: command 'request' arg 'headers': expected a map, got a list\n"
            "plan.yml:15:29: command 'request' arg 'expect': expected a status code 100 to 599 or "
            "a class such as 2xx, got '2000'\n"
            "plan.yml:17:36: command 'request' arg 'size': give either 'body' or 'size', not "
            "both\n"
            "plan.yml:19:18: command 'request' arg 'path': bad substitution '{rand:9-1}' "
            "(expected {rand:LO-HI}, whole numbers, LO <= HI)\n"
            "plan.yml:21:29: command 'request' does not take arg 'colour' (takes: path, method, "
            "headers, body, size, expect, name, pipeline)\n"
            "plan.yml:23:38: command 'request' arg 'headers' 'X Y': a header name is a token "
            "(letters, digits, -)");
}

}  // namespace
}  // namespace swarm::protocol
