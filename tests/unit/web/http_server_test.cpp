// The HTTP server on a real loopback socket: answers, keep-alive, HEAD,
// event streams, limits, refusals and shutdown. The server's io_context runs
// on the test thread; the client is a blocking socket on another thread.
#include "web/http_server.hpp"

#include <gtest/gtest.h>

#include <asio/connect.hpp>
#include <asio/read.hpp>
#include <asio/write.hpp>
#include <atomic>
#include <chrono>
#include <functional>
#include <future>
#include <stdexcept>
#include <string>
#include <thread>

#include "web/html_report.hpp"
#include "web/web_assets.hpp"

namespace swarm::web {
namespace {

using asio::ip::tcp;
using namespace std::chrono_literals;

bool run_until(asio::io_context& io, const std::function<bool()>& done) {
  const auto give_up = std::chrono::steady_clock::now() + 5s;
  while (!done()) {
    if (std::chrono::steady_clock::now() > give_up) return false;
    io.restart();
    io.run_one_for(10ms);
  }
  return true;
}

class EchoHandler : public HttpHandler {
 public:
  HttpResponse handle(const HttpRequest& request) override {
    ++calls;
    if (request.path == "/events") {
      HttpResponse r;
      r.event_stream = true;
      r.content_type = "text/event-stream";
      r.body = "event: hello\ndata: {}\n\n";
      return r;
    }
    if (request.path == "/throw") throw std::runtime_error("handler broke");
    return HttpResponse::text(200, request.method + " " + request.path + " " + request.body);
  }
  int calls = 0;
};

/// A blocking client; reads answers with a deadline.
struct Client {
  explicit Client(const tcp::endpoint& server) : socket(io) {
    socket.connect(server);
    timeval timeout{5, 0};
    setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  }
  void send(const std::string& bytes) { asio::write(socket, asio::buffer(bytes)); }
  /// Reads until `until` is in what was read (or the peer closes).
  std::string read_until(const std::string& until) {
    char buffer[4096];
    while (received.find(until) == std::string::npos) {
      asio::error_code ec;
      const std::size_t n = socket.read_some(asio::buffer(buffer), ec);
      if (ec) break;
      received.append(buffer, n);
    }
    return received;
  }
  /// Reads until the peer closes.
  std::string read_to_end() { return read_until(std::string(1, '\0') + "never"); }
  asio::io_context io;
  tcp::socket socket;
  std::string received;
};

struct HttpServerTest : ::testing::Test {
  void start(HttpServerOptions options = {}, std::optional<TokenCheck> token = std::nullopt) {
    access.emplace(std::move(token));
    server.emplace(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0), handler, *access,
                   options);
    server->start();
  }
  /// Runs `client` on a thread while the server runs here; returns its result.
  std::string with_client(const std::function<std::string(Client&)>& client) {
    std::promise<std::string> result;
    auto future = result.get_future();
    std::thread thread([&] {
      Client c(server->local_endpoint());
      result.set_value(client(c));
    });
    EXPECT_TRUE(run_until(io, [&] { return future.wait_for(0s) == std::future_status::ready; }));
    thread.join();
    return future.get();
  }
  asio::io_context io;
  EchoHandler handler;
  std::optional<HttpAccess> access;
  std::optional<HttpServer> server;
};

const std::string kHost = "Host: 127.0.0.1\r\n";

TEST_F(HttpServerTest, AnswersKeepsAliveAndHead) {
  start();
  const std::string text = with_client([](Client& c) {
    c.send("POST /a HTTP/1.1\r\n" + kHost + "Content-Length: 2\r\n\r\nhi");
    c.read_until("POST /a hi");
    c.send("HEAD /b HTTP/1.1\r\n" + kHost + "\r\nGET /c HTTP/1.1\r\n" + kHost +
           "Connection: close\r\n\r\n");
    return c.read_to_end();
  });
  EXPECT_NE(text.find("HTTP/1.1 200 OK\r\n"), std::string::npos);
  EXPECT_NE(text.find("Content-Length: 10\r\nConnection: keep-alive\r\n\r\nPOST /a hi"),
            std::string::npos);
  EXPECT_EQ(text.find("HEAD /b"), std::string::npos);  // HEAD: no body
  EXPECT_NE(text.find("Content-Length: 8\r\nConnection: keep-alive\r\n\r\nHTTP/1.1"),
            std::string::npos);
  EXPECT_TRUE(text.ends_with("Connection: close\r\n\r\nGET /c "));
  EXPECT_EQ(handler.calls, 3);
}

TEST_F(HttpServerTest, MalformedRequestsAndHandlerErrors) {
  start();
  EXPECT_NE(with_client([](Client& c) {
              c.send("GET /throw HTTP/1.1\r\n" + kHost + "\r\n");
              return c.read_until("handler broke");
            }).find("HTTP/1.1 500 Internal Server Error"),
            std::string::npos);
  const std::string bad = with_client([](Client& c) {
    c.send("GARBAGE\r\n\r\n");
    return c.read_to_end();
  });
  EXPECT_TRUE(bad.starts_with("HTTP/1.1 400 Bad Request"));
  EXPECT_NE(bad.find("Connection: close"), std::string::npos);
  EXPECT_TRUE(run_until(io, [&] { return server->session_count() == 0; }));
}

TEST_F(HttpServerTest, EventStreamsGetEveryPublishedEvent) {
  start();
  std::atomic<bool> subscribed = false;
  std::promise<std::string> result;
  auto future = result.get_future();
  std::thread thread([&] {
    Client c(server->local_endpoint());
    c.send("GET /events HTTP/1.1\r\n" + kHost + "\r\n");
    c.read_until("event: hello\ndata: {}\n\n");
    subscribed = true;
    result.set_value(c.read_until("data: 2\n\n"));
  });
  ASSERT_TRUE(run_until(io, [&] { return subscribed.load() && server->stream_count() == 1; }));
  server->publish(std::make_shared<const std::string>("event: x\ndata: 1\n\n"));
  server->publish(std::make_shared<const std::string>("event: x\ndata: 2\n\n"));
  EXPECT_TRUE(run_until(io, [&] { return future.wait_for(0s) == std::future_status::ready; }));
  thread.join();
  const std::string text = future.get();
  EXPECT_NE(text.find("Content-Type: text/event-stream\r\n"), std::string::npos);
  EXPECT_EQ(text.find("Content-Length"), std::string::npos);
  EXPECT_NE(
      text.find("\r\n\r\nevent: hello\ndata: {}\n\nevent: x\ndata: 1\n\nevent: x\ndata: 2\n\n"),
      std::string::npos);
}

TEST_F(HttpServerTest, TooManyConnectionsAreToldToComeBack) {
  HttpServerOptions options;
  options.max_sessions = 1;
  start(options);
  std::atomic<bool> first_in = false;
  std::promise<std::string> second;
  auto future = second.get_future();
  std::thread thread([&] {
    Client a(server->local_endpoint());
    a.send("GET /a HTTP/1.1\r\n" + kHost + "\r\n");
    a.read_until("GET /a");
    first_in = true;
    Client b(server->local_endpoint());
    second.set_value(b.read_to_end());
  });
  EXPECT_TRUE(run_until(io, [&] { return future.wait_for(0s) == std::future_status::ready; }));
  thread.join();
  EXPECT_TRUE(future.get().starts_with("HTTP/1.1 503 Service Unavailable"));
}

TEST_F(HttpServerTest, RefusalsWaitWhatTheThrottleSays) {
  start({}, TokenCheck{[](std::string_view t) { return t == "right-token-0123"; },
                       [] { return std::chrono::milliseconds(300); }});
  const auto began = std::chrono::steady_clock::now();
  const std::string text = with_client([](Client& c) {
    c.send("GET /a HTTP/1.1\r\nAuthorization: Bearer wrong\r\n\r\n");
    return c.read_until("wrong token");
  });
  EXPECT_GE(std::chrono::steady_clock::now() - began, 300ms);
  EXPECT_TRUE(text.starts_with("HTTP/1.1 401 Unauthorized"));
  EXPECT_EQ(handler.calls, 0);
  EXPECT_NE(with_client([](Client& c) {
              c.send("GET /a HTTP/1.1\r\nAuthorization: Bearer right-token-0123\r\n\r\n");
              return c.read_until("GET /a");
            }).find("200 OK"),
            std::string::npos);
}

TEST_F(HttpServerTest, ClosingEndsEveryConnection) {
  start();
  std::atomic<bool> in = false;
  std::promise<std::string> result;
  auto future = result.get_future();
  std::thread thread([&] {
    Client c(server->local_endpoint());
    c.send("GET /events HTTP/1.1\r\n" + kHost + "\r\n");
    c.read_until("data: {}\n\n");
    in = true;
    result.set_value(c.read_to_end());
  });
  ASSERT_TRUE(run_until(io, [&] { return in.load() && server->stream_count() == 1; }));
  server->publish(std::make_shared<const std::string>("event: end\ndata: {}\n\n"));
  server->close();
  EXPECT_TRUE(run_until(io, [&] { return future.wait_for(0s) == std::future_status::ready; }));
  thread.join();
  EXPECT_TRUE(future.get().ends_with("event: end\ndata: {}\n\n"));
  EXPECT_EQ(server->session_count(), 0u);
}

TEST(HttpServer, APortInUseIsNamed) {
  asio::io_context io;
  EchoHandler handler;
  const HttpAccess access(std::nullopt);
  HttpServer first(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0), handler, access);
  try {
    HttpServer second(io, first.local_endpoint(), handler, access);
    FAIL() << "a second server bound the same port";
  } catch (const std::runtime_error& error) {
    EXPECT_NE(std::string(error.what()).find("cannot listen on 127.0.0.1:"), std::string::npos);
    EXPECT_NE(std::string(error.what()).find("Address already in use"), std::string::npos);
  }
}

TEST(HtmlReport, EverythingInlineAndTheDataSafe) {
  const std::string page = render_html_report("{\"a\": \"</script><!--\"}");
  EXPECT_EQ(page.find("<!--SWARM_"), std::string::npos);
  EXPECT_NE(page.find("{\"a\": \"\\u003c/script>\\u003c!--\"}"), std::string::npos);
  EXPECT_NE(page.find("Chart.js v"), std::string::npos);
  EXPECT_EQ(page.find("src=\""), std::string::npos);   // no external script
  EXPECT_EQ(page.find("href=\""), std::string::npos);  // no external stylesheet
  ASSERT_TRUE(find_asset("dashboard.html"));
  EXPECT_EQ(find_asset("dashboard.js")->content_type, "text/javascript; charset=utf-8");
  EXPECT_FALSE(find_asset("nothing.js"));
}

}  // namespace
}  // namespace swarm::web
