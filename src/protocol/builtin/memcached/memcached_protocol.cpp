// The memcached protocol (text): get, set, delete, incr, each a request
// line (set: and its data block) and a reply. Replies are counted by kind:
// get hit and miss; NOT_FOUND; and as errors NOT_STORED, EXISTS, ERROR,
// CLIENT_ERROR, SERVER_ERROR.
#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "protocol/builtin/memcached/memcached.hpp"
#include "protocol/builtin/memcached/memcached_parser.hpp"
#include "protocol/builtin/payload.hpp"

namespace swarm::protocol::builtin {
namespace {

using memcached::MemcachedParser;

/// The first word of a reply line: "STORED", "VALUE", "CLIENT_ERROR".
std::string_view first_word(std::string_view reply) {
  return reply.substr(0, reply.find_first_of(" \r\n"));
}

/// Whether a reply's first word says the server refused or failed.
bool is_error(std::string_view word) {
  return word == "ERROR" || word == "CLIENT_ERROR" || word == "SERVER_ERROR" ||
         word == "NOT_STORED" || word == "EXISTS";
}

class MemcachedCommand final : public RequestReply<MemcachedParser> {
 public:
  /// `verb` and `key`, then `middle` (set: " flags exptime ", incr: " 1"),
  /// then for set the data's size and the data.
  MemcachedCommand(std::string verb, Payload key, std::optional<Payload> data, std::string middle,
                   std::uint32_t pipeline, bool read)
      : RequestReply(pipeline),
        verb_(std::move(verb)),
        key_(std::move(key)),
        data_(std::move(data)),
        middle_(std::move(middle)),
        read_(read) {
    if (key_.is_constant() && (!data_ || data_->is_constant())) build_once();
  }

 private:
  void render(std::string& out, const Substitutions& with) const override {
    out += verb_;
    key_.render(out, with);
    out += middle_;
    if (!data_) {
      out += "\r\n";
      return;
    }
    // The size goes before the data: render the data, then put it in front.
    const std::size_t at = out.size();
    data_->render(out, with);
    char digits[24];
    auto [end, error] = std::to_chars(digits, digits + sizeof digits - 2, out.size() - at);
    static_cast<void>(error);
    *end++ = '\r';
    *end++ = '\n';
    out.insert(at, digits, static_cast<std::size_t>(end - digits));
    out += "\r\n";
  }

  std::optional<std::string> check(std::string_view reply, Client& client) const override {
    const std::string_view word = first_word(reply);
    if (read_ && (word == "VALUE" || word == "END")) {
      client.count_reply(word == "VALUE" ? "hit" : "miss", false);
    } else if (is_error(word)) {
      client.count_reply(word.substr(0, 40), true);
    } else if (word == "NOT_FOUND") {
      client.count_reply(word, false);
    }
    return std::nullopt;
  }

  std::string verb_;             // "get ", "set ", ...
  Payload key_;                  // the key
  std::optional<Payload> data_;  // set: the value
  std::string middle_;           // between the key and the end or the data's size
  bool read_;                    // get: count hits and misses
};

/// The key: text with substitutions, without spaces or control characters
/// in its fixed parts (memcached refuses those).
Payload key_of(const ArgReader& args) {
  const std::string text = *args.text("key");
  if (text.empty() || std::any_of(text.begin(), text.end(),
                                  [](unsigned char c) { return c <= ' ' || c == 0x7f; })) {
    args.fail("key", "a memcached key has no spaces or control characters, and is not empty");
  }
  return Payload(TextTemplate::compile(text, args.where("key"), args.what("key")));
}

std::unique_ptr<BoundCommand> bind_get(const ArgReader& args, std::uint32_t pipeline) {
  return std::make_unique<MemcachedCommand>("get ", key_of(args), std::nullopt, "", pipeline, true);
}

std::unique_ptr<BoundCommand> bind_set(const ArgReader& args, std::uint32_t pipeline) {
  auto data = Payload::read(args, "value");
  if (!data) {
    throw BindError(args.where("value"),
                    fmt::format("command '{}' needs arg 'value' (text) or 'size' (a whole number)",
                                args.command()));
  }
  const std::int64_t flags = args.integer("flags", 0, UINT32_MAX, 0);
  const std::int64_t exptime = args.integer("exptime", -1, INT32_MAX, 0);
  return std::make_unique<MemcachedCommand>("set ", key_of(args), std::move(data),
                                            fmt::format(" {} {} ", flags, exptime), pipeline,
                                            false);
}

std::unique_ptr<BoundCommand> bind_delete(const ArgReader& args, std::uint32_t pipeline) {
  return std::make_unique<MemcachedCommand>("delete ", key_of(args), std::nullopt, "", pipeline,
                                            false);
}

std::unique_ptr<BoundCommand> bind_incr(const ArgReader& args, std::uint32_t pipeline) {
  const std::int64_t by = args.integer("by", 0, INT64_MAX, 1);
  return std::make_unique<MemcachedCommand>("incr ", key_of(args), std::nullopt,
                                            fmt::format(" {}", by), pipeline, false);
}

std::string templated(std::string_view help) {
  return fmt::format("{} ({})", help, kTemplateHelp);
}

ArgSpec key() {
  return {"key", ArgType::text, true, templated("the key")};
}

class MemcachedProtocol final : public Protocol {
 public:
  std::string_view name() const override { return "memcached"; }
  std::string_view summary() const override {
    return "memcached's text protocol. Replies are counted by kind: get hit and miss, "
           "NOT_FOUND, NOT_STORED, EXISTS, ERROR, CLIENT_ERROR, SERVER_ERROR";
  }
  const std::vector<CommandDef>& commands() const override { return commands_; }
  ProtocolDefaults defaults() const override { return {(std::size_t{1} << 30) + 1024}; }

 private:
  std::vector<CommandDef> commands_{
      {{"get", std::vector<ArgSpec>{key()}, "get key; counts hit and miss"}, bind_get},
      {{"set",
        std::vector<ArgSpec>{
            key(),
            {"value", ArgType::text, false, templated("the value; or give size")},
            {"size", ArgType::integer, false, "the value as this many bytes, made once at load"},
            {"flags", ArgType::integer, false, "the item's flags (default 0)"},
            {"exptime", ArgType::integer, false,
             "expiry, seconds or a Unix time (default 0: none)"}},
        "set key flags exptime bytes"},
       bind_set},
      {{"delete", std::vector<ArgSpec>{key()}, "delete key"}, bind_delete},
      {{"incr",
        std::vector<ArgSpec>{key(), {"by", ArgType::integer, false, "the increment (default 1)"}},
        "incr key by"},
       bind_incr},
  };
};

}  // namespace

const Protocol& memcached_protocol() {
  static const MemcachedProtocol protocol;
  return protocol;
}

}  // namespace swarm::protocol::builtin
