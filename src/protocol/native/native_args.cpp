#include "protocol/native/native_args.hpp"

#include <fmt/format.h>

#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace swarm::protocol {
namespace {

std::string flow_text(const plan::Value& value);

std::string flow_text(const plan::List& list) {
  std::string text = "[";
  for (std::size_t i = 0; i < list.size(); ++i) text += (i ? ", " : "") + flow_text(list[i]);
  return text + "]";
}

std::string flow_text(const plan::Map& map) {
  std::string text = "{";
  for (std::size_t i = 0; i < map.size(); ++i) {
    text += (i ? ", " : "") + map[i].first + ": " + flow_text(map[i].second);
  }
  return text + "}";
}

std::string flow_text(const plan::Value& value) {
  return std::visit(
      [](const auto& item) -> std::string {
        using T = std::decay_t<decltype(item)>;
        if constexpr (std::is_same_v<T, std::monostate>)
          return "null";
        else if constexpr (std::is_same_v<T, bool>)
          return item ? "true" : "false";
        else if constexpr (std::is_same_v<T, std::string>)
          return item;
        else if constexpr (std::is_same_v<T, plan::List> || std::is_same_v<T, plan::Map>)
          return flow_text(item);
        else
          return fmt::format("{}", item);
      },
      value.data);
}

}  // namespace

Args to_native_args(const plan::Value& args) {
  std::vector<std::pair<std::string, std::string>> entries;
  if (const plan::Map* map = args.as_map()) {
    for (const auto& [key, value] : *map) entries.emplace_back(key, flow_text(value));
  }
  return Args(std::move(entries));
}

}  // namespace swarm::protocol
