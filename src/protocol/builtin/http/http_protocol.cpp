// The http protocol's description: its one command and the args it takes
// (the table plans are checked against, and `swarm --protocols` prints).
#include <fmt/format.h>

#include "protocol/builtin/http/http.hpp"
#include "protocol/builtin/http/http_command.hpp"

namespace swarm::protocol::builtin {
namespace {

std::string templated(std::string_view help) {
  return fmt::format("{} ({})", help, kTemplateHelp);
}

class HttpProtocol final : public Protocol {
 public:
  std::string_view name() const override { return "http"; }
  std::string_view summary() const override {
    return "HTTP/1.1 on persistent connections. Replies are counted by status code and class "
           "(200, 2xx; 4xx and 5xx as errors, or any status but `expect`); a reply that ends "
           "the connection (Connection: close) is counted as `close` and swarm reconnects";
  }
  // No defaults(): the whole reply is held while it arrives, so the engine's
  // --max-reply (1 MiB) bounds it; a user fetching more raises it.
  const std::vector<CommandDef>& commands() const override { return commands_; }

 private:
  std::vector<CommandDef> commands_{
      {{"request",
        std::vector<ArgSpec>{
            {"path", ArgType::text, true,
             templated("the request target, e.g. /index.html?q={rand:1-100}")},
            {"method", ArgType::text, false, "GET (default), HEAD, POST, PUT, DELETE, ..."},
            {"headers", ArgType::map, false,
             "header: value pairs (each value takes substitutions); Host defaults to the "
             "server's name"},
            {"body", ArgType::text, false, templated("the body; or give size")},
            {"size", ArgType::integer, false, "the body as this many bytes, made once at load"},
            {"expect", ArgType::text, false,
             "the status that is no error: a code (200) or a class (2xx); default: 4xx and 5xx "
             "are errors"},
            {"name", ArgType::text, false, "the report row (default: METHOD /path)"}},
        "one request and its response; Content-Length is swarm's"},
       http::bind_request,
       true,
       http::request_row},
  };
};

}  // namespace

const Protocol& http_protocol() {
  static const HttpProtocol protocol;
  return protocol;
}

}  // namespace swarm::protocol::builtin
