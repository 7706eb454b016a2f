// The HTTP client against the HTTP server on loopback (both on one
// io_context, run by the test thread), and against peers that refuse,
// never answer or answer garbage: every call ends, with the reason.
#include "web/http_client.hpp"

#include <gtest/gtest.h>

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/write.hpp>
#include <optional>
#include <string>

#include "web/http_server.hpp"

namespace swarm::web {
namespace {

using asio::ip::tcp;
using namespace std::chrono_literals;

class Echo : public HttpHandler {
 public:
  HttpResponse handle(const HttpRequest& request) override {
    return HttpResponse::json(201, "{\"method\":\"" + request.method + "\",\"body\":\"" +
                                       request.body + "\",\"auth\":\"" +
                                       std::string(request.header("authorization").value_or("")) +
                                       "\"}");
  }
};

/// Runs `fetch` to its end on `io`; the reply, or the error's text.
struct Outcome {
  std::optional<HttpReply> reply;
  std::string error;
};

Outcome run_fetch(asio::io_context& io, tcp::endpoint endpoint, ClientRequest request,
                  ClientLimits limits = {}) {
  Outcome out;
  bool done = false;
  asio::co_spawn(io, http_fetch(endpoint, std::move(request), limits),
                 [&](std::exception_ptr failure, HttpReply reply) {
                   done = true;
                   if (!failure) {
                     out.reply = std::move(reply);
                     return;
                   }
                   try {
                     std::rethrow_exception(failure);
                   } catch (const HttpClientError& error) {
                     out.error = error.what();
                   }
                 });
  const auto give_up = std::chrono::steady_clock::now() + 10s;
  while (!done && std::chrono::steady_clock::now() < give_up) {
    io.restart();
    io.run_one_for(10ms);
  }
  EXPECT_TRUE(done);
  return out;
}

TEST(HttpClient, AsksTheServerAndReadsItsAnswer) {
  asio::io_context io;
  Echo handler;
  const HttpAccess access(std::nullopt);
  HttpServer server(io, {asio::ip::make_address("127.0.0.1"), 0}, handler, access);
  server.start();
  const Outcome got = run_fetch(io, server.local_endpoint(),
                                {"POST", "/api/target", "127.0.0.1", R"(body)", "secret-token"});
  ASSERT_TRUE(got.reply) << got.error;
  EXPECT_EQ(got.reply->status, 201);
  EXPECT_EQ(got.reply->body, R"({"method":"POST","body":"body","auth":"Bearer secret-token"})");
}

TEST(HttpClient, SaysWhyThereIsNoAnswer) {
  asio::io_context io;
  // Nobody listens on a port just released.
  tcp::endpoint unused;
  {
    tcp::acceptor probe(io, {asio::ip::make_address("127.0.0.1"), 0});
    unused = probe.local_endpoint();
  }
  const Outcome refused = run_fetch(io, unused, {"GET", "/", "127.0.0.1", "", ""});
  EXPECT_FALSE(refused.reply);
  EXPECT_NE(refused.error.find("connect: "), std::string::npos) << refused.error;

  // A peer that accepts and never answers: the whole call is bounded.
  tcp::acceptor silent(io, {asio::ip::make_address("127.0.0.1"), 0});
  const auto started = std::chrono::steady_clock::now();
  const Outcome timed_out =
      run_fetch(io, silent.local_endpoint(), {"GET", "/", "127.0.0.1", "", ""}, {300ms});
  EXPECT_FALSE(timed_out.reply);
  EXPECT_NE(timed_out.error.find("no answer within 0.3s"), std::string::npos) << timed_out.error;
  EXPECT_LT(std::chrono::steady_clock::now() - started, 3s);
}

TEST(HttpClient, RefusesAnAnswerThatIsNotHttp) {
  asio::io_context io;
  tcp::acceptor liar(io, {asio::ip::make_address("127.0.0.1"), 0});
  tcp::socket peer(io);
  liar.async_accept(peer, [&](asio::error_code error) {
    if (!error) asio::write(peer, asio::buffer(std::string("SSH-2.0-OpenSSH_9.2\r\n")));
  });
  const Outcome got = run_fetch(io, liar.local_endpoint(), {"GET", "/", "127.0.0.1", "", ""});
  EXPECT_FALSE(got.reply);
  EXPECT_NE(got.error.find("malformed response"), std::string::npos) << got.error;
}

}  // namespace
}  // namespace swarm::web
