// The opening handshake (RFC 6455 4): a GET with Upgrade: websocket and a
// fresh Sec-WebSocket-Key, checked answer: 101, Upgrade and Connection,
// Sec-WebSocket-Accept = base64(SHA-1(key + GUID)), the subprotocol one of
// those offered, no extension (none was offered). A refusal ends the
// connection, counted by what was wrong ("protocol_error:ws_upgrade_403").
// The answer's head is read up to its blank line; only its status line and
// a few headers matter, read here by hand (http-parser would take more code
// than this for one response head that must be a 101).
#include <fmt/format.h>
#include <openssl/evp.h>
#include <strings.h>

#include <algorithm>
#include <array>

#include "protocol/builtin/websocket/ws_parts.hpp"
#include "swarm/reply_parsers.hpp"

namespace swarm::protocol::builtin::websocket {
namespace {

constexpr std::string_view kGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/// base64 of `bytes` into `out` (OpenSSL's encoder), without allocating:
/// what is made per connection leaves nothing in the heap.
template <std::size_t N>
std::string_view base64(const unsigned char* bytes, std::size_t size, std::array<char, N>& out) {
  static_assert(N >= 29, "room for 20 bytes of SHA-1 in base64 and the NUL");
  const int made =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes, static_cast<int>(size));
  return {out.data(), static_cast<std::size_t>(std::max(made, 0))};
}

/// A key or an accept value in base64 (24 or 28 characters).
using Base64 = std::array<char, 32>;

/// Sec-WebSocket-Accept for `key`, in `out`.
std::string_view accept_for(std::string_view key, Base64& out) {
  std::array<char, 64> input{};
  const std::size_t used = std::min(key.size(), input.size() - kGuid.size());
  std::copy_n(key.data(), used, input.data());
  std::copy(kGuid.begin(), kGuid.end(), input.data() + used);
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  EVP_Digest(input.data(), used + kGuid.size(), digest.data(), &size, EVP_sha1(), nullptr);
  return base64(digest.data(), size, out);
}

/// A fresh Sec-WebSocket-Key in `out`: 16 random bytes, base64.
std::string_view new_key(Client& client, Base64& out) {
  std::array<unsigned char, 16> bytes{};
  for (std::size_t i = 0; i < bytes.size(); i += 8) {
    std::uint64_t word = client.random();
    for (std::size_t k = 0; k < 8; ++k) bytes[i + k] = static_cast<unsigned char>(word >> (8 * k));
  }
  return base64(bytes.data(), bytes.size(), out);
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

bool same_word(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

/// The value of header `name` in a response head, or nothing.
std::optional<std::string_view> header(std::string_view head, std::string_view name) {
  std::size_t at = head.find("\r\n");
  while (at != std::string_view::npos && at + 2 < head.size()) {
    const std::size_t start = at + 2;
    const std::size_t end = head.find("\r\n", start);
    std::string_view line = head.substr(start, end - start);
    const std::size_t colon = line.find(':');
    if (colon != std::string_view::npos && same_word(trim(line.substr(0, colon)), name)) {
      return trim(line.substr(colon + 1));
    }
    at = end;
  }
  return std::nullopt;
}

/// Whether a comma-separated header value holds `token` (any case).
bool has_token(std::string_view value, std::string_view token) {
  while (!value.empty()) {
    const std::size_t comma = value.find(',');
    if (same_word(trim(value.substr(0, comma)), token)) return true;
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return false;
}

/// What is wrong with an answer: the kind it is counted under, and why.
using Problem = std::optional<std::pair<std::string, std::string>>;

Problem problem(std::string kind, std::string message) {
  return std::pair{std::move(kind), std::move(message)};
}

/// The status line's problem: not HTTP, or not 101.
Problem status_problem(std::string_view head) {
  const std::string_view status_line = head.substr(0, head.find("\r\n"));
  const bool http = status_line.starts_with("HTTP/1.") && status_line.size() >= 12;
  const std::string_view code = http ? status_line.substr(9, 3) : std::string_view();
  if (!http ||
      !std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return problem(
        "protocol_error:ws_upgrade",
        fmt::format("websocket upgrade: not an HTTP answer: \"{}\"", status_line.substr(0, 60)));
  }
  if (code == "101") return std::nullopt;
  return problem(fmt::format("protocol_error:ws_upgrade_{}", code),
                 fmt::format("websocket upgrade refused: {}", status_line.substr(0, 80)));
}

/// The subprotocol's problem: one was agreed that was not offered, or none
/// when some were.
Problem subprotocol_problem(std::string_view head, const Upgrade& upgrade) {
  auto agreed = header(head, "Sec-WebSocket-Protocol");
  const auto& offered = upgrade.subprotocols;
  const bool known = agreed && std::find(offered.begin(), offered.end(), *agreed) != offered.end();
  if (agreed ? known : offered.empty()) return std::nullopt;
  return problem(
      "protocol_error:ws_subprotocol",
      fmt::format("websocket upgrade: the server agreed to subprotocol \"{}\"; "
                  "offered: {}",
                  agreed.value_or("(none)").substr(0, 40),
                  offered.empty() ? "none" : fmt::format("{}", fmt::join(offered, ", "))));
}

/// The problem with the server's answer to the upgrade with `key`, or
/// nothing when it accepted.
Problem judge_answer(std::string_view head, std::string_view key, const Upgrade& upgrade) {
  if (auto wrong = status_problem(head)) return wrong;
  auto upgrade_header = header(head, "Upgrade");
  auto connection = header(head, "Connection");
  if (!upgrade_header || !same_word(*upgrade_header, "websocket") || !connection ||
      !has_token(*connection, "upgrade")) {
    return problem("protocol_error:ws_upgrade",
                   "websocket upgrade: a 101 without Upgrade: websocket and Connection: Upgrade");
  }
  auto accept = header(head, "Sec-WebSocket-Accept");
  Base64 expected{};
  if (!accept || *accept != accept_for(key, expected)) {
    return problem("protocol_error:ws_accept",
                   fmt::format("websocket upgrade: Sec-WebSocket-Accept is \"{}\", not the hash "
                               "of the key sent",
                               accept.value_or("(none)").substr(0, 40)));
  }
  if (auto wrong = subprotocol_problem(head, upgrade)) return wrong;
  if (auto extensions = header(head, "Sec-WebSocket-Extensions")) {
    return problem("protocol_error:ws_extension",
                   fmt::format("websocket upgrade: the server chose extensions \"{}\", none was "
                               "offered",
                               extensions->substr(0, 60)));
  }
  return std::nullopt;
}

/// The GET that asks for the upgrade.
void render_request(std::string& out, const Upgrade& upgrade, Call& call, std::string_view key) {
  Client& client = call.client();
  out += "GET ";
  upgrade.path.render(out, call.next_request());
  out += " HTTP/1.1\r\n";
  if (!upgrade.has_host)
    fmt::format_to(std::back_inserter(out), "Host: {}\r\n", client.server_name());
  fmt::format_to(std::back_inserter(out),
                 "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {}\r\n"
                 "Sec-WebSocket-Version: 13\r\n",
                 key);
  if (!upgrade.subprotocols.empty()) {
    fmt::format_to(std::back_inserter(out), "Sec-WebSocket-Protocol: {}\r\n",
                   fmt::join(upgrade.subprotocols, ", "));
  }
  if (!upgrade.origin.empty())
    fmt::format_to(std::back_inserter(out), "Origin: {}\r\n", upgrade.origin);
  const Substitutions with{client.id(), 0, &client};
  for (const auto& [name, value] : upgrade.headers) {
    out += name;
    out += ": ";
    value.render(out, with);
    out += "\r\n";
  }
  out += "\r\n";
}

/// Where a response head ends.
const DelimiterPattern& head_end() {
  static const DelimiterPattern pattern("\r\n\r\n");
  return pattern;
}

/// The upgrade, as the `open` command and as the on_connect setup.
class Upgrader final : public BoundCommand, public ConnectionSetup {
 public:
  explicit Upgrader(Upgrade upgrade) : upgrade_(std::move(upgrade)) {}
  Task<void> run(Call& call) const override { return open_connection(call, upgrade_); }
  Task<void> on_connect(Call& call) const override { return open_connection(call, upgrade_); }

 private:
  Upgrade upgrade_;  // the request's parts
};

std::vector<std::string> split_list(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    const std::size_t comma = text.find(',');
    std::string_view item = trim(text.substr(0, comma));
    if (!item.empty()) out.emplace_back(item);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

}  // namespace

Task<void> open_connection(Call& call, const Upgrade& upgrade) {
  WsState& state = call.state<WsState>();
  if (state.open) co_return;  // a plan that loops: upgraded already
  Client& client = call.client();
  Base64 key_text{};
  const std::string_view key = new_key(client, key_text);
  {
    // The buffer goes back once written: thousands of upgrades may wait
    // for their answers at once (a slow server), and a buffer kept while
    // waiting stays in the pool after the burst.
    BufferPool::Lease request = call.buffers().lend();
    render_request(*request, upgrade, call, key);
    if (co_await client.send_pipelined(*request, 1) != IoStatus::ok) co_return;
  }
  DelimiterParser parser(&head_end());
  const Reply reply = co_await client.read_reply(parser);
  if (reply.status != IoStatus::ok) co_return;
  if (auto problem = judge_answer(reply.data, key, upgrade)) {
    client.end_connection(problem->first, problem->second);
    co_return;
  }
  state.open = true;
}

std::vector<ArgSpec> Upgrade::args() {
  return {
      {"path", ArgType::text, false, fmt::format("the path to GET, default / ({})", kTemplateHelp)},
      {"headers", ArgType::map, false, "more request headers, name: value (values take {id})"},
      {"subprotocol", ArgType::text, false,
       "Sec-WebSocket-Protocol to ask for (a comma list: one of them); the server must agree"},
      {"origin", ArgType::text, false, "the Origin header"},
  };
}

Upgrade Upgrade::read(const ArgReader& args) {
  Upgrade upgrade;
  const std::string path = args.text("path").value_or("/");
  if (!path.starts_with('/') || path.find_first_of(" \r\n") != std::string::npos) {
    args.fail("path", "must start with / and hold no space or line break");
  }
  upgrade.path = TextTemplate::compile(path, args.where("path"), args.what("path"));
  if (const plan::Value* headers = args.find("headers")) {
    for (const auto& [name, value] : *headers->as_map()) {
      const std::string text = scalar_text(value);
      if (name.empty() || name.find_first_of(" :\r\n") != std::string::npos ||
          text.find_first_of("\r\n") != std::string::npos) {
        args.fail("headers", fmt::format("header '{}': a name without spaces or colons, and a "
                                         "value on one line",
                                         name));
      }
      if (same_word(name, "Host")) upgrade.has_host = true;
      upgrade.headers.emplace_back(name,
                                   TextTemplate::compile(text, value.where, args.what("headers")));
    }
  }
  upgrade.subprotocols = split_list(args.text("subprotocol").value_or(""));
  upgrade.origin = args.text("origin").value_or("");
  if (upgrade.origin.find_first_of("\r\n") != std::string::npos) {
    args.fail("origin", "must be on one line");
  }
  return upgrade;
}

std::unique_ptr<BoundCommand> bind_open(const ArgReader& args, std::uint32_t) {
  return std::make_unique<Upgrader>(Upgrade::read(args));
}

std::unique_ptr<ConnectionSetup> bind_setup(const ArgReader& settings) {
  // `on_connect: {}` upgrades with the defaults; no on_connect, not at all.
  if (!settings.given()) return nullptr;
  return std::make_unique<Upgrader>(Upgrade::read(settings));
}

}  // namespace swarm::protocol::builtin::websocket
