#include "protocol/builtin/http/http_command.hpp"

#include <fmt/format.h>

#include <deque>
#include <utility>

#include "protocol/builtin/http/http_reply_parser.hpp"
#include "protocol/builtin/http/http_request.hpp"

namespace swarm::protocol::builtin::http {
namespace {

/// The status a plan expects (`expect: 200` or `expect: 2xx`).
struct Expect {
  unsigned code = 0;   // a code; 0 when a class or nothing is expected
  unsigned klass = 0;  // its hundreds (2 for 2xx); 0 when nothing is expected

  bool given() const noexcept { return klass != 0; }
  bool matches(unsigned status) const noexcept {
    return status / 100 == klass && (code == 0 || status == code);
  }
};

Expect expect_of(const ArgReader& args) {
  const auto text = args.text("expect");
  if (!text) return {};
  const std::string& value = *text;
  const bool klass = value.size() == 3 && value[1] == 'x' && value[2] == 'x';
  const bool digits =
      value.size() == 3 && value.find_first_not_of("0123456789") == std::string::npos;
  if ((!klass && !digits) || value[0] < '1' || value[0] > '5') {
    args.fail("expect", fmt::format("expected a status code 100 to 599 or a class such as 2xx, "
                                    "got '{}'",
                                    value));
  }
  const auto hundreds = static_cast<unsigned>(value[0] - '0');
  return {klass ? 0 : static_cast<unsigned>(std::stoul(value)), hundreds};
}

class HttpCommand final : public BoundCommand {
 public:
  HttpCommand(HttpRequest request, Expect expect, std::uint32_t pipeline)
      : request_(std::move(request)), expect_(expect), pipeline_(pipeline) {}

  Task<void> run(Call& call) const override;

 private:
  /// The batch for server name `host`, when every request is the same.
  const std::string& constant_batch(std::string_view host) const;
  /// Counts one reply's status; false when it ended the connection (then
  /// closed, to reconnect).
  bool judge(const HttpReplyParser& parser, Client& client) const;

  HttpRequest request_;     // what each request is
  Expect expect_;           // the status that is no error
  std::uint32_t pipeline_;  // requests per call
  // Constant batches by server name, made on first use. A bound command
  // belongs to one worker: its connections' coroutines take turns on one
  // thread, so this cache needs no lock. A deque: a batch being written
  // while another server's is added stays where it is.
  mutable std::deque<std::pair<std::string, std::string>> batches_;
};

const std::string& HttpCommand::constant_batch(std::string_view host) const {
  for (const auto& [name, batch] : batches_) {
    if (name == host) return batch;
  }
  std::string batch;
  for (std::uint32_t i = 0; i < pipeline_; ++i) request_.render(batch, Substitutions{}, host);
  return batches_.emplace_back(std::string(host), std::move(batch)).second;
}

Task<void> HttpCommand::run(Call& call) const {
  Client& client = call.client();
  HttpReplyParser parser(request_.head());
  const std::string_view host = client.server_name();
  std::optional<BufferPool::Lease> lease;
  std::string_view batch;
  if (request_.is_constant()) {
    batch = constant_batch(host);
  } else {
    lease.emplace(call.buffers().lend());
    for (std::uint32_t i = 0; i < pipeline_; ++i)
      request_.render(**lease, call.next_request(), host);
    batch = **lease;
  }
  if (pipeline_ == 1) {
    Reply reply = co_await client.send_for_reply(batch, parser);
    if (reply.status == IoStatus::ok) judge(parser, client);
    co_return;
  }
  if (co_await client.send_pipelined(batch, pipeline_) != IoStatus::ok) co_return;
  for (std::uint32_t i = 0; i < pipeline_; ++i) {
    Reply reply = co_await client.read_reply(parser);
    // After a close the rest of the batch gets no reply (counted so).
    if (reply.status != IoStatus::ok || !judge(parser, client)) co_return;
  }
}

bool HttpCommand::judge(const HttpReplyParser& parser, Client& client) const {
  const unsigned status = parser.status();
  char code[4] = {static_cast<char>('0' + status / 100 % 10),
                  static_cast<char>('0' + status / 10 % 10), static_cast<char>('0' + status % 10),
                  0};
  const char klass[4] = {code[0], 'x', 'x', 0};
  // Without `expect`, the server refused when it says 4xx or 5xx; with it,
  // any other status (and any other class) is an error of its kind.
  const bool code_error = expect_.given() ? !expect_.matches(status) : status >= 400;
  const bool class_error = expect_.given() ? status / 100 != expect_.klass : status >= 400;
  client.count_reply(std::string_view(code, 3), code_error);
  client.count_reply(std::string_view(klass, 3), class_error);
  if (parser.keep_alive()) return true;
  // The server ends the connection after this reply: so does swarm, and
  // the plan starts again on a new one.
  client.count_reply("close", false);
  client.close_connection();
  return false;
}

}  // namespace

std::unique_ptr<BoundCommand> bind_request(const ArgReader& args, std::uint32_t pipeline) {
  return std::make_unique<HttpCommand>(HttpRequest::bind(args), expect_of(args), pipeline);
}

std::string request_row(const ArgReader& args) {
  if (auto name = args.text("name")) return *name;
  std::string path = args.text("path").value_or("");
  if (path.size() > 60) path = path.substr(0, 57) + "...";
  return fmt::format("{} {}", args.text("method").value_or("GET"), path);
}

}  // namespace swarm::protocol::builtin::http
