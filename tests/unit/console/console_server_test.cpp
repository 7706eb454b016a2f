#include "console/console_server.hpp"

#include <gtest/gtest.h>

#include <array>
#include <asio/connect.hpp>
#include <asio/write.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <memory>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "console/console_command.hpp"
#include "console/console_log.hpp"

namespace swarm::console {
namespace {

using asio::ip::tcp;
using namespace std::chrono_literals;

// How long any single expectation may take before the test fails.
constexpr auto deadline = 5s;

// Runs the io_context on the test thread until `done` or the deadline.
bool run_until(asio::io_context& io, const std::function<bool()>& done) {
  const auto give_up = std::chrono::steady_clock::now() + deadline;
  while (!done()) {
    if (std::chrono::steady_clock::now() > give_up) return false;
    io.restart();
    io.run_one_for(10ms);
  }
  return true;
}

// Records what the console asked for.
class RecordingHandler : public ConsoleHandler {
 public:
  std::string on_incr(std::uint64_t n) override {
    calls.push_back("incr " + std::to_string(n));
    return "OK";
  }
  std::string on_decr(std::uint64_t n) override {
    calls.push_back("decr " + std::to_string(n));
    return "OK\nwarning: only 3 connections were open";
  }
  std::string on_stop() override {
    calls.push_back("stop");
    if (on_stop_hook) on_stop_hook();
    return "OK";
  }
  std::string on_stat() override {
    calls.push_back("stat");
    return stat_text;
  }
  std::string set_rate(double per_second) override {
    calls.push_back("rate " + std::to_string(per_second));
    return "OK rate set";
  }

  std::vector<std::string> calls;      // one entry per call, in order
  std::string stat_text = "status\n";  // what on_stat returns
  std::function<void()> on_stop_hook;  // runs inside on_stop, e.g. to close the server
};

// A client on the same io_context that keeps reading everything it is sent.
class TestClient {
 public:
  TestClient(asio::io_context& io, const tcp::endpoint& server) : io_(io), socket_(io) {
    socket_.connect(server);  // loopback: the kernel completes it without the server's loop
    read_more();
  }

  // The pending read refers to this object: let it finish before going.
  ~TestClient() {
    asio::error_code ignored;
    socket_.close(ignored);
    run_until(io_, [&] { return !reading_; });
  }
  TestClient(const TestClient&) = delete;
  TestClient& operator=(const TestClient&) = delete;

  // Writes all of `bytes`; false when the connection failed first.
  bool send(std::string_view bytes) {
    auto result = std::make_shared<std::optional<asio::error_code>>();
    asio::async_write(socket_, asio::buffer(bytes),
                      [result](const asio::error_code& ec, std::size_t) { *result = ec; });
    return run_until(io_, [&] { return result->has_value(); }) && !result->value();
  }

  bool wait_for(std::string_view text) {
    return run_until(io_, [&] { return received_.find(text) != std::string::npos || closed_; }) &&
           received_.find(text) != std::string::npos;
  }

  bool wait_closed() {
    return run_until(io_, [&] { return closed_; });
  }

  bool closed() const { return closed_; }

  // What `printf 'incr 2\n' | nc -N` does after its input.
  void shutdown_send() { socket_.shutdown(tcp::socket::shutdown_send); }

  void close() {
    asio::error_code ignored;
    socket_.close(ignored);
  }

  const std::string& received() const { return received_; }
  void forget_received() { received_.clear(); }

 private:
  void read_more() {
    reading_ = true;
    socket_.async_read_some(asio::buffer(buffer_),
                            [this](const asio::error_code& ec, std::size_t n) {
                              reading_ = false;
                              received_.append(buffer_.data(), n);
                              if (ec) {
                                closed_ = true;
                                return;
                              }
                              read_more();
                            });
  }

  asio::io_context& io_;             // shared with the server
  tcp::socket socket_;               // the console connection
  std::array<char, 4096> buffer_{};  // one read's bytes
  std::string received_;             // everything read so far
  bool closed_ = false;              // the server closed (or reset) the connection
  bool reading_ = false;             // a read is pending
};

class ConsoleServerTest : public ::testing::Test {
 protected:
  void start(ConsoleServerOptions options = {}) {
    server_ = std::make_unique<ConsoleServer>(
        io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0), handler_, std::move(options));
    server_->start();
  }

  std::unique_ptr<TestClient> connect(std::string_view greeting = console_greeting()) {
    auto client = std::make_unique<TestClient>(io_, server_->local_endpoint());
    EXPECT_TRUE(client->wait_for(greeting));
    return client;
  }

  /// A server whose sessions need kToken, logging to log_path_.
  void start_with_token(ConsoleServerOptions options = {}) {
    options.token.emplace(kToken, "test");
    std::filesystem::remove(log_path_);
    options.log = std::make_shared<ConsoleLog>(log_path_.string());
    start(std::move(options));
  }

  std::string log_text() const {
    std::ifstream in(log_path_);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

  static constexpr const char* kToken = "s3cret-s3cret-s3cret";
  const std::filesystem::path log_path_ =
      std::filesystem::temp_directory_path() / "swarm_console_test.log";

  void TearDown() override {
    if (server_) server_->close();
    io_.restart();
    io_.poll();
  }

  asio::io_context io_;
  RecordingHandler handler_;
  std::unique_ptr<ConsoleServer> server_;
};

TEST_F(ConsoleServerTest, WithATokenNothingWorksBeforeAuth) {
  start_with_token();
  auto client = connect(console_auth_greeting());
  for (const char* line : {"incr 5\n", "stat\n", "stop\n", "help\n", "decr 1\n"}) {
    client->forget_received();
    ASSERT_TRUE(client->send(line));
    ASSERT_TRUE(client->wait_for("Authentication required: type `auth TOKEN` first\r\n")) << line;
  }
  EXPECT_TRUE(handler_.calls.empty());
  client->forget_received();
  ASSERT_TRUE(client->send(std::string("auth ") + kToken + "\nincr 5\n"));
  ASSERT_TRUE(client->wait_for(std::string("OK\r\n") + std::string(console_usage()) + "OK\r\n"));
  EXPECT_EQ(handler_.calls, std::vector<std::string>{"incr 5"});
}

TEST_F(ConsoleServerTest, AWrongTokenIsAnsweredLateAndThreeCloseTheSession) {
  start_with_token();
  auto client = connect(console_auth_greeting());
  client->forget_received();
  const auto started = std::chrono::steady_clock::now();
  ASSERT_TRUE(client->send("auth s3cret-s3cret-s3creT\nincr 1\n"));
  ASSERT_TRUE(client->wait_for("Authentication failed\r\n"));
  EXPECT_GE(std::chrono::steady_clock::now() - started, 250ms);
  // The line sent right after the failure was read only after the pause.
  ASSERT_TRUE(client->wait_for("Authentication required"));
  ASSERT_TRUE(client->send("auth nope-nope-nope-nope\nauth nope-nope-nope-nope\n"));
  ASSERT_TRUE(client->wait_closed());
  EXPECT_TRUE(client->received().ends_with("Authentication failed: too many attempts, closing\r\n"))
      << client->received();
  EXPECT_GE(std::chrono::steady_clock::now() - started, 250ms + 500ms + 1000ms);
  EXPECT_EQ(server_->auth_failures(), 3u);
  EXPECT_TRUE(handler_.calls.empty());
}

TEST_F(ConsoleServerTest, TheLogNamesThePeerAndEveryCommandButNeverTheToken) {
  start_with_token();
  auto client = connect(console_auth_greeting());
  ASSERT_TRUE(client->send("auth wrong-wrong-wrong-wrong\n"));
  ASSERT_TRUE(client->wait_for("Authentication failed"));
  ASSERT_TRUE(client->send(std::string("auth ") + kToken +
                           "\nincr 5\n\xc3\x28\x80"
                           "bogus\n"));
  ASSERT_TRUE(client->wait_for("Unknown command"));
  client->close();
  ASSERT_TRUE(run_until(io_, [&] { return server_->session_count() == 0; }));
  const std::string log = log_text();
  for (const char* expected :
       {"console 127.0.0.1:", ": session opened\n", ": auth ****\n",
        ": auth failed (1 in the last minute, 1 since the start)\n", ": auth ok\n", ": incr 5\n",
        ": \\xc3(\\x80bogus\n", ": session closed\n"}) {
    EXPECT_NE(log.find(expected), std::string::npos) << expected << " not in:\n" << log;
  }
  EXPECT_EQ(log.find(kToken), std::string::npos) << log;
  EXPECT_EQ(log.find("wrong-wrong"), std::string::npos) << log;
  EXPECT_TRUE(log.starts_with("swarm: 20")) << log;  // the time comes first
}

TEST_F(ConsoleServerTest, IdleSessionsAreClosed) {
  ConsoleServerOptions options;
  options.idle_timeout = 200ms;
  start(std::move(options));
  auto client = connect();
  ASSERT_TRUE(client->send("incr 1\n"));
  ASSERT_TRUE(client->wait_closed());
  EXPECT_TRUE(client->received().ends_with("Closing: idle for 0s (--console-idle-timeout)\r\n"))
      << client->received();
  EXPECT_EQ(handler_.calls, std::vector<std::string>{"incr 1"});
}

TEST_F(ConsoleServerTest, StrangersWhoNeverAuthenticateCannotLockTheOperatorOut) {
  ConsoleServerOptions options;
  options.max_sessions = 1;
  options.auth_timeout = 300ms;
  start_with_token(std::move(options));
  std::vector<std::unique_ptr<TestClient>> strangers;
  for (int i = 0; i < 4; ++i) strangers.push_back(connect(console_auth_greeting()));
  // The operator still gets in: the strangers wait in their own allowance.
  auto operator_session = connect(console_auth_greeting());
  ASSERT_TRUE(operator_session->send(std::string("auth ") + kToken + "\n"));
  ASSERT_TRUE(operator_session->wait_for("OK\r\n"));
  // And the strangers are sent away when their time to authenticate is up.
  for (auto& stranger : strangers) {
    ASSERT_TRUE(stranger->wait_closed());
    EXPECT_TRUE(stranger->received().ends_with("Closing: not authenticated within 0s\r\n"))
        << stranger->received();
  }
  // A second authenticated session is one too many.
  auto second = connect(console_auth_greeting());
  ASSERT_TRUE(second->send(std::string("auth ") + kToken + "\n"));
  ASSERT_TRUE(second->wait_closed());
  EXPECT_TRUE(
      second->received().ends_with("Too many console sessions (limit 1), try again later\r\n"));
}

TEST_F(ConsoleServerTest, GreetsWithBannerAndUsage) {
  start();
  auto client = connect();
  EXPECT_EQ(client->received(), console_greeting());
}

TEST_F(ConsoleServerTest, IncrCallsTheHandlerAndSaysOk) {
  start();
  auto client = connect();
  client->forget_received();
  ASSERT_TRUE(client->send("incr 10\n"));
  ASSERT_TRUE(client->wait_for("OK\r\n"));
  EXPECT_EQ(handler_.calls, std::vector<std::string>{"incr 10"});
  ASSERT_TRUE(client->send("DECR 3\r\n"));
  ASSERT_TRUE(client->wait_for("warning: only 3 connections were open\r\n"));
  EXPECT_EQ(client->received(), "OK\r\nOK\r\nwarning: only 3 connections were open\r\n");
  ASSERT_TRUE(client->send("stat\n"));
  ASSERT_TRUE(client->wait_for("status\r\n"));
  EXPECT_EQ(handler_.calls, (std::vector<std::string>{"incr 10", "decr 3", "stat"}));
}

TEST_F(ConsoleServerTest, TelnetOptionsAndBareCrlfAreHarmless) {
  start();
  auto client = connect();
  client->forget_received();
  ASSERT_TRUE(client->send(std::string(
      "\xff\xfd\x03\xff\xfb\x18\r\n\r\n  \r\n\xff\xfa\x1f\x00\x50\x00\x18\xff\xf0", 23)));
  ASSERT_TRUE(client->send(std::string_view("incr\xff\xfc\x01 2\r\x00", 11)));
  ASSERT_TRUE(client->wait_for("OK\r\n"));
  EXPECT_EQ(client->received(), "OK\r\n");
  EXPECT_EQ(handler_.calls, std::vector<std::string>{"incr 2"});
}

TEST_F(ConsoleServerTest, NegativeCountIsRejected) {
  start();
  auto client = connect();
  ASSERT_TRUE(client->send("incr -5\n"));
  ASSERT_TRUE(
      client->wait_for("Invalid Command: 'incr' needs a positive whole number, got '-5'\r\n"));
  client->forget_received();
  ASSERT_TRUE(client->send("help\n"));
  ASSERT_TRUE(client->wait_for(console_usage()));
  EXPECT_TRUE(handler_.calls.empty());
}

TEST_F(ConsoleServerTest, UnknownCommandPrintsUsage) {
  start();
  auto client = connect();
  client->forget_received();
  ASSERT_TRUE(client->send("foo\n"));
  ASSERT_TRUE(client->wait_for(console_usage()));
  EXPECT_EQ(client->received(), "Unknown command 'foo'\r\n" + std::string(console_usage()));
}

TEST_F(ConsoleServerTest, QuitSaysByeAndCloses) {
  start();
  auto client = connect();
  ASSERT_TRUE(client->send("quit\nincr 1\n"));
  ASSERT_TRUE(client->wait_closed());
  EXPECT_TRUE(client->received().ends_with("Bye\r\n"));
  EXPECT_TRUE(handler_.calls.empty());
  EXPECT_TRUE(run_until(io_, [&] { return server_->session_count() == 0; }));
}

TEST_F(ConsoleServerTest, HalfClosedPeerStillGetsItsReplies) {
  start();
  auto client = connect();
  ASSERT_TRUE(client->send("incr 2\nstat\n"));
  client->shutdown_send();
  ASSERT_TRUE(client->wait_closed());
  EXPECT_TRUE(client->received().ends_with("OK\r\nstatus\r\n"));
  EXPECT_EQ(handler_.calls, (std::vector<std::string>{"incr 2", "stat"}));
}

TEST_F(ConsoleServerTest, StopRepliesOkEvenWhenTheHandlerClosesTheServer) {
  start();
  auto client = connect();
  auto other = connect();
  handler_.on_stop_hook = [&] { server_->close(); };
  ASSERT_TRUE(client->send("stop\n"));
  ASSERT_TRUE(client->wait_closed());
  EXPECT_TRUE(client->received().ends_with("OK\r\n"));
  EXPECT_TRUE(other->wait_closed());
  EXPECT_EQ(handler_.calls, std::vector<std::string>{"stop"});
  EXPECT_EQ(server_->session_count(), 0u);
}

TEST_F(ConsoleServerTest, SessionLimitIsEnforced) {
  start();
  auto first = connect();
  auto second = connect();
  TestClient third(io_, server_->local_endpoint());
  ASSERT_TRUE(third.wait_closed());
  EXPECT_EQ(third.received(), "Too many console sessions (limit 2), try again later\r\n");
  first->close();
  ASSERT_TRUE(run_until(io_, [&] { return server_->session_count() == 1; }));
  auto fourth = connect();
  ASSERT_TRUE(fourth->send("incr 1\n"));
  EXPECT_TRUE(fourth->wait_for("OK\r\n"));
}

TEST_F(ConsoleServerTest, RandomBinaryDoesNoHarm) {
  ConsoleServerOptions options;
  options.max_sessions = 4;
  start(std::move(options));
  std::mt19937 random(12345);
  for (int round = 0; round < 20; ++round) {
    TestClient client(io_, server_->local_endpoint());
    std::string garbage(64 * 1024, '\0');
    for (char& c : garbage) c = static_cast<char>(random());
    // Garbage may hold ^C or ^D, which ends the session: then stop sending.
    for (std::size_t pos = 0; pos < garbage.size() && !client.closed(); pos += 997) {
      if (!client.send(std::string_view(garbage).substr(pos, 997))) break;
    }
    client.close();
  }
  EXPECT_TRUE(handler_.calls.empty());
  ASSERT_TRUE(run_until(io_, [&] { return server_->session_count() == 0; }));
  auto client = connect();
  ASSERT_TRUE(client->send("incr 3\n"));
  EXPECT_TRUE(client->wait_for("OK\r\n"));
}

TEST_F(ConsoleServerTest, LongLineIsReportedOnce) {
  start();
  auto client = connect();
  client->forget_received();
  ASSERT_TRUE(client->send(std::string(5000, 'a') + "\nincr 4\n"));
  ASSERT_TRUE(client->wait_for("OK\r\n"));
  EXPECT_EQ(client->received(), "Invalid Command: line too long (more than 1024 bytes)\r\nOK\r\n");
}

TEST_F(ConsoleServerTest, PeerThatDoesNotReadIsCutOff) {
  ConsoleServerOptions options;
  options.max_queued_output = 64 * 1024;
  start(std::move(options));
  handler_.stat_text = std::string(256 * 1024, 's');
  tcp::socket silent(io_);
  silent.connect(server_->local_endpoint());
  std::string commands;
  for (int i = 0; i < 200; ++i) commands += "stat\n";
  asio::write(silent, asio::buffer(commands));
  ASSERT_TRUE(
      run_until(io_, [&] { return handler_.calls.size() > 1 && server_->session_count() == 0; }));
  EXPECT_LT(handler_.calls.size(), 200u);
}

TEST_F(ConsoleServerTest, BindFailureSaysWhere) {
  start();
  const tcp::endpoint taken = server_->local_endpoint();
  try {
    ConsoleServer second(io_, taken, handler_);
    FAIL() << "bound a port already in use";
  } catch (const std::runtime_error& error) {
    EXPECT_EQ(
        std::string(error.what()),
        "cannot listen on 127.0.0.1:" + std::to_string(taken.port()) + ": Address already in use");
  }
}

TEST_F(ConsoleServerTest, ListensOnIpv6) {
  asio::error_code ec;
  tcp::acceptor probe(io_);
  probe.open(tcp::v6(), ec);
  if (!ec) probe.bind(tcp::endpoint(asio::ip::make_address("::1"), 0), ec);
  if (ec) GTEST_SKIP() << "no IPv6 loopback here: " << ec.message();
  probe.close();
  server_ = std::make_unique<ConsoleServer>(io_, tcp::endpoint(asio::ip::make_address("::1"), 0),
                                            handler_);
  server_->start();
  EXPECT_TRUE(to_string(server_->local_endpoint()).starts_with("[::1]:"));
  auto client = connect();
  ASSERT_TRUE(client->send("incr 7\n"));
  EXPECT_TRUE(client->wait_for("OK\r\n"));
}

}  // namespace
}  // namespace swarm::console
