#include "protocol/command_table.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>
#include <type_traits>
#include <variant>

namespace swarm::protocol {
namespace {

std::string joined(const std::vector<std::string>& names) {
  return fmt::format("{}", fmt::join(names, ", "));
}

/// A value as a message quotes it: 'text', 12, true, a list, a map.
std::string quoted(const plan::Value& value) {
  return std::visit(
      [](const auto& item) -> std::string {
        using T = std::decay_t<decltype(item)>;
        if constexpr (std::is_same_v<T, std::monostate>)
          return "nothing";
        else if constexpr (std::is_same_v<T, bool>)
          return item ? "true" : "false";
        else if constexpr (std::is_same_v<T, std::string>)
          return fmt::format("'{}'", item);
        else if constexpr (std::is_same_v<T, plan::List>)
          return "a list";
        else if constexpr (std::is_same_v<T, plan::Map>)
          return "a map";
        else
          return fmt::format("{}", item);
      },
      value.data);
}

/// The part of `value` that does not fit `type`: an element of a text
/// list that is not text, else the value itself.
const plan::Value& wrong_part(const plan::Value& value, ArgType type) {
  if (type != ArgType::text_list) return value;
  if (const plan::List* list = value.as_list()) {
    for (const plan::Value& item : *list) {
      if (!fits(item, ArgType::text)) return item;
    }
  }
  return value;
}

/// "command 'set'", or "on_connect" for a protocol's settings.
std::string subject(const CommandSpec& command) {
  return command.name == "on_connect" ? std::string("on_connect")
                                      : fmt::format("command '{}'", command.name);
}

/// "arg", or "setting" for a protocol's settings.
const char* noun(const CommandSpec& command) {
  return command.name == "on_connect" ? "setting" : "arg";
}

std::vector<std::string> arg_names(const std::vector<ArgSpec>& args) {
  std::vector<std::string> names;
  for (const ArgSpec& arg : args) names.push_back(arg.name);
  return names;
}

}  // namespace

CommandTable::CommandTable(std::vector<CommandSpec> commands) : commands_(std::move(commands)) {
  std::sort(commands_.begin(), commands_.end(),
            [](const CommandSpec& a, const CommandSpec& b) { return a.name < b.name; });
  auto same = std::adjacent_find(
      commands_.begin(), commands_.end(),
      [](const CommandSpec& a, const CommandSpec& b) { return a.name == b.name; });
  if (same != commands_.end()) {
    throw std::invalid_argument(fmt::format("command '{}' is defined twice", same->name));
  }
}

const CommandSpec* CommandTable::find(std::string_view name) const noexcept {
  auto at = std::lower_bound(
      commands_.begin(), commands_.end(), name,
      [](const CommandSpec& command, std::string_view key) { return command.name < key; });
  return at != commands_.end() && at->name == name ? &*at : nullptr;
}

std::vector<std::string> CommandTable::names() const {
  std::vector<std::string> names;
  for (const CommandSpec& command : commands_) names.push_back(command.name);
  return names;
}

std::optional<plan::Problem> CommandTable::check(std::string_view module,
                                                 const plan::Action& action) const {
  const CommandSpec* command = find(action.command);
  if (command == nullptr) {
    return plan::Problem{{},
                         fmt::format("unknown command '{}' (module {} has: {})", action.command,
                                     module, joined(names()))};
  }
  return check_args(*command, action.args);
}

std::optional<plan::Problem> CommandTable::check_args(const CommandSpec& command,
                                                      const plan::Value& args) {
  static const plan::Map kNone;
  const plan::Map* given = args.is_null() ? &kNone : args.as_map();
  if (given == nullptr) {
    return plan::Problem{args.where, fmt::format("args of {} must be a mapping of names to values",
                                                 subject(command))};
  }
  if (!command.args) return std::nullopt;  // takes anything
  const std::vector<ArgSpec>& takes = *command.args;
  for (const auto& [name, value] : *given) {
    auto spec = std::find_if(takes.begin(), takes.end(),
                             [&](const ArgSpec& arg) { return arg.name == name; });
    if (spec == takes.end()) {
      return plan::Problem{
          value.where,
          fmt::format("{} does not take {} '{}' (takes: {})", subject(command), noun(command), name,
                      takes.empty() ? std::string("no args") : joined(arg_names(takes)))};
    }
    if (!fits(value, spec->type)) {
      return plan::Problem{
          wrong_part(value, spec->type).where,
          fmt::format("{} {} '{}': expected {}, got {}", subject(command), noun(command), name,
                      describe(spec->type), quoted(wrong_part(value, spec->type)))};
    }
  }
  for (const ArgSpec& arg : takes) {
    auto given_arg = std::find_if(given->begin(), given->end(),
                                  [&](const auto& entry) { return entry.first == arg.name; });
    if (arg.required && given_arg == given->end()) {
      return plan::Problem{args.where, fmt::format("{} needs {} '{}' ({})", subject(command),
                                                   noun(command), arg.name, describe(arg.type))};
    }
  }
  return std::nullopt;
}

const char* describe(ArgType type) noexcept {
  switch (type) {
    case ArgType::any:
      return "any value";
    case ArgType::text:
      return "text";
    case ArgType::integer:
      return "a whole number";
    case ArgType::number:
      return "a number";
    case ArgType::boolean:
      return "true or false";
    case ArgType::list:
      return "a list";
    case ArgType::map:
      return "a map";
    case ArgType::text_list:
      return "a list of text";
  }
  return "?";
}

bool fits(const plan::Value& value, ArgType type) noexcept {
  const auto& data = value.data;
  switch (type) {
    case ArgType::any:
      return true;
    case ArgType::text:
      return !value.is_null() && !value.as_list() && !value.as_map();
    case ArgType::integer:
      return std::holds_alternative<std::int64_t>(data);
    case ArgType::number:
      return std::holds_alternative<std::int64_t>(data) || std::holds_alternative<double>(data);
    case ArgType::boolean:
      return std::holds_alternative<bool>(data);
    case ArgType::list:
      return value.as_list() != nullptr;
    case ArgType::map:
      return value.as_map() != nullptr;
    case ArgType::text_list:
      return value.as_list() != nullptr && &wrong_part(value, type) == &value;
  }
  return false;
}

std::string describe(const ArgSpec& arg) {
  std::string text =
      fmt::format("{} ({}{})", arg.name, describe(arg.type), arg.required ? ", required" : "");
  if (!arg.help.empty()) text += ": " + arg.help;
  return text;
}

}  // namespace swarm::protocol
