// Topic names and filters, checked when the plan is loaded: a broker
// closes the connection of a client that publishes to "a/#" or subscribes
// to "a/b#", so such a plan is refused with the place of the topic instead.
// Substitutions render digits only, so the text as written decides.
#include <fmt/format.h>

#include "protocol/builtin/mqtt/mqtt_parts.hpp"

namespace swarm::protocol::builtin::mqtt {
namespace {

[[noreturn]] void refuse(plan::SourceLocation where, std::string_view what, std::string_view topic,
                         std::string_view why) {
  throw BindError(where, fmt::format("{}: '{}' {}", what, topic, why));
}

/// Whether `level` holds a wildcard beside other characters (a wildcard is
/// a level of its own).
bool bad_level(std::string_view level) {
  const bool has_wildcard = level.find_first_of("+#") != std::string_view::npos;
  return has_wildcard && level.size() != 1;
}

}  // namespace

void check_topic_name(std::string_view topic, plan::SourceLocation where, std::string_view what) {
  if (topic.empty()) refuse(where, what, topic, "is empty (a topic name has a character at least)");
  if (topic.find_first_of("+#") != std::string_view::npos) {
    refuse(where, what, topic, "has a wildcard (+ or #): those are for subscribing");
  }
  if (topic.find('\0') != std::string_view::npos) refuse(where, what, topic, "has a NUL");
  if (topic.size() > 65535) refuse(where, what, topic.substr(0, 20), "is longer than 65535 bytes");
}

void check_topic_filter(std::string_view filter, plan::SourceLocation where,
                        std::string_view what) {
  if (filter.empty()) refuse(where, what, filter, "is empty");
  if (filter.find('\0') != std::string_view::npos) refuse(where, what, filter, "has a NUL");
  if (filter.size() > 65535)
    refuse(where, what, filter.substr(0, 20), "is longer than 65535 bytes");
  std::size_t start = 0;
  for (;;) {
    const std::size_t slash = filter.find('/', start);
    const std::string_view level = filter.substr(start, slash - start);
    if (bad_level(level)) {
      refuse(where, what, filter, "has a wildcard inside a level (+ and # take a whole level)");
    }
    if (level == "#" && slash != std::string_view::npos) {
      refuse(where, what, filter, "has # before its last level");
    }
    if (slash == std::string_view::npos) return;
    start = slash + 1;
  }
}

std::vector<Payload> read_filters(const ArgReader& args) {
  std::vector<Payload> filters;
  auto add = [&](const plan::Value& value, const std::string& what) {
    const std::string text = scalar_text(value);
    check_topic_filter(text, value.where, what);
    filters.emplace_back(TextTemplate::compile(text, value.where, what));
  };
  if (const plan::Value* topic = args.find("topic")) add(*topic, args.what("topic"));
  if (const plan::Value* list = args.find("topics")) {
    for (const plan::Value& topic : *list->as_list()) add(topic, args.what("topics"));
  }
  if (filters.empty()) {
    throw BindError(args.where("topics"),
                    fmt::format("command '{}' needs arg 'topic' (text) or 'topics' (a list of "
                                "text)",
                                args.command()));
  }
  return filters;
}

}  // namespace swarm::protocol::builtin::mqtt
