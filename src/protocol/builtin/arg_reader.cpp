#include "protocol/builtin/arg_reader.hpp"

#include <fmt/format.h>

#include <type_traits>
#include <variant>

namespace swarm::protocol::builtin {

ArgReader::ArgReader(std::string_view command, const plan::Value& args)
    : command_(command), args_(args) {}

const plan::Value* ArgReader::find(std::string_view name) const {
  if (const plan::Map* map = args_.as_map()) {
    for (const auto& [key, value] : *map) {
      if (key == name) return &value;
    }
  }
  return nullptr;
}

std::optional<std::string> ArgReader::text(std::string_view name) const {
  const plan::Value* value = find(name);
  if (value == nullptr) return std::nullopt;
  return scalar_text(*value);
}

std::int64_t ArgReader::integer(std::string_view name, std::int64_t lo, std::int64_t hi,
                                std::int64_t fallback) const {
  const plan::Value* value = find(name);
  if (value == nullptr) return fallback;
  const auto* number = std::get_if<std::int64_t>(&value->data);
  if (number == nullptr) fail(name, "expected a whole number");
  if (*number < lo || *number > hi) {
    fail(name, fmt::format("expected {} to {}, got {}", lo, hi, *number));
  }
  return *number;
}

bool ArgReader::boolean(std::string_view name, bool fallback) const {
  const plan::Value* value = find(name);
  if (value == nullptr) return fallback;
  const bool* flag = std::get_if<bool>(&value->data);
  if (flag == nullptr) fail(name, "expected true or false");
  return *flag;
}

plan::SourceLocation ArgReader::where(std::string_view name) const {
  const plan::Value* value = find(name);
  return value != nullptr ? value->where : args_.where;
}

std::string ArgReader::what(std::string_view name) const {
  if (command_ == "on_connect") return fmt::format("on_connect setting '{}'", name);
  return fmt::format("command '{}' arg '{}'", command_, name);
}

void ArgReader::fail(std::string_view name, std::string_view message) const {
  throw BindError(where(name), fmt::format("{}: {}", what(name), message));
}

std::string scalar_text(const plan::Value& value) {
  return std::visit(
      [](const auto& item) -> std::string {
        using T = std::decay_t<decltype(item)>;
        if constexpr (std::is_same_v<T, std::string>)
          return item;
        else if constexpr (std::is_same_v<T, bool>)
          return item ? "true" : "false";
        else if constexpr (std::is_same_v<T, std::int64_t> || std::is_same_v<T, double>)
          return fmt::format("{}", item);
        else
          return std::string();
      },
      value.data);
}

}  // namespace swarm::protocol::builtin
