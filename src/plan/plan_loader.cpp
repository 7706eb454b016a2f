#include "plan/plan_loader.hpp"

#include <fmt/format.h>
#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <map>
#include <memory>
#include <span>
#include <system_error>
#include <utility>
#include <vector>

#include "plan/plan_fields.hpp"
#include "plan/plan_thresholds.hpp"
#include "plan/rate.hpp"
#include "plan/yaml_limits.hpp"
#include "plan/yaml_value.hpp"

namespace swarm::plan {
namespace {

constexpr std::array<std::string_view, 5> top_keys{"protocol", "on_connect", "actions",
                                                   "thresholds", "rate"};
constexpr std::array<std::string_view, 5> action_keys{"command", "args", "rounds",
                                                      "sleep_between_rounds", "sleep_after_action"};

// One entry of a YAML map.
struct Entry {
  YAML::Node value;          // the value as written (may be null)
  SourceLocation key_where;  // the key's place, for values left empty
};

// A map's known entries by key.
using Entries = std::map<std::string, Entry, std::less<>>;

const Entry* find(const Entries& entries, std::string_view key) {
  const auto it = entries.find(key);
  return it == entries.end() ? nullptr : &it->second;
}

std::string join(std::span<const std::string_view> words) {
  std::string text;
  for (const auto word : words) {
    if (!text.empty()) text += ", ";
    text += word;
  }
  return text;
}

// The entries of `map` whose keys are in `known`; unknown, repeated and
// non-scalar keys are problems. `context` ends messages: "in action 2".
Entries read_entries(const YAML::Node& map, std::span<const std::string_view> known,
                     std::string_view context, std::vector<Problem>& problems) {
  Entries entries;
  for (const auto& item : map) {
    const SourceLocation where = location_of(item.first, location_of(map.Mark()));
    const std::string key = item.first.IsScalar() ? item.first.Scalar() : describe(item.first);
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      problems.push_back({where, fmt::format("unknown key '{}' {} (expected one of: {})", key,
                                             context, join(known))});
    } else if (const Entry* first = find(entries, key)) {
      problems.push_back({where, fmt::format("duplicate key '{}' {} (first at {}:{})", key, context,
                                             first->key_where.line, first->key_where.column)});
    } else {
      entries.emplace(key, Entry{item.second, where});
    }
  }
  return entries;
}

bool is_module_name(const std::string& name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
  });
}

std::string parse_protocol(const Entry& entry, std::vector<Problem>& problems) {
  const YAML::Node& node = entry.value;
  if (node.IsScalar() && is_module_name(node.Scalar())) return node.Scalar();
  problems.push_back({location_of(node, entry.key_where),
                      fmt::format("protocol: expected a module name (letters, digits, '_' or "
                                  "'-'), got {}",
                                  describe(node))});
  return {};
}

// `rate: 1000` or `rate: 1000/s`: calls per second, all connections together.
void parse_rate(const Entry& entry, Plan& plan, std::vector<Problem>& problems) {
  const YAML::Node& node = entry.value;
  plan.rate_where = location_of(node, entry.key_where);
  std::string_view text = node.IsScalar() ? std::string_view(node.Scalar()) : std::string_view();
  if (text.ends_with("/s")) text.remove_suffix(2);
  double rate = -1;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), rate);
  if (text.empty() || error != std::errc{} || end != text.data() + text.size()) {
    problems.push_back({plan.rate_where, fmt::format("rate: expected calls per second, all "
                                                     "connections together (e.g. 1000 or "
                                                     "1000/s), got {}",
                                                     describe(node))});
    return;
  }
  if (auto problem = rate_problem(rate)) {
    problems.push_back({plan.rate_where, "rate: " + *problem});
    return;
  }
  plan.rate = rate;
}

void parse_command(const Entries& entries, std::size_t number, Action& action,
                   std::vector<Problem>& problems) {
  const Entry* entry = find(entries, "command");
  if (!entry) {
    problems.push_back({action.where, fmt::format("missing 'command' in action {}", number)});
    return;
  }
  const YAML::Node& node = entry->value;
  action.where = location_of(node, entry->key_where);
  if (node.IsScalar() && !node.Scalar().empty()) {
    action.command = node.Scalar();
    return;
  }
  problems.push_back({action.where, fmt::format("command: expected the name of a function of "
                                                "the protocol module, got {}",
                                                describe(node))});
}

void parse_args(const Entries& entries, Action& action, std::vector<Problem>& problems) {
  action.args = Value{Map{}};
  action.args_where = action.where;
  const Entry* entry = find(entries, "args");
  if (!entry) return;
  action.args_where = entry->key_where;
  const YAML::Node& node = entry->value;
  if (node.IsNull()) return;  // `args:` left empty means no args, as `{}`
  if (!node.IsMap()) {
    problems.push_back(
        {location_of(node, entry->key_where),
         fmt::format("args: expected a map of name: value, got {}", describe(node))});
    return;
  }
  action.args = to_value(node, "args", entry->key_where, problems);
}

// `on_connect`: a map of settings the protocol applies to each new
// connection; checked against the protocol later, like args.
Value parse_on_connect(const Entry& entry, std::vector<Problem>& problems) {
  const YAML::Node& node = entry.value;
  if (node.IsNull()) return Value{Map{}, entry.key_where};  // left empty: no settings
  if (!node.IsMap()) {
    problems.push_back(
        {location_of(node, entry.key_where),
         fmt::format("on_connect: expected a map of name: value, got {}", describe(node))});
    return Value{};
  }
  return to_value(node, "on_connect", entry.key_where, problems);
}

// Sets `target` from the entry `key` when present and valid.
template <typename Range, typename Parse>
void parse_range_field(const Entries& entries, std::string_view key, Range& target, Parse parse,
                       std::vector<Problem>& problems) {
  const Entry* entry = find(entries, key);
  if (!entry) return;
  if (const auto range = parse(entry->value, FieldContext{key, entry->key_where, &problems})) {
    target = *range;
  }
}

Action parse_action(const YAML::Node& node, std::size_t number, SourceLocation fallback,
                    std::vector<Problem>& problems) {
  Action action;
  action.where = location_of(node, fallback);
  action.args_where = action.where;
  if (!node.IsMap()) {
    problems.push_back(
        {action.where,
         fmt::format("action {}: expected a map with 'command', got {}", number, describe(node))});
    return action;
  }
  const Entries entries =
      read_entries(node, action_keys, fmt::format("in action {}", number), problems);
  parse_command(entries, number, action, problems);
  parse_args(entries, action, problems);
  parse_range_field(entries, "rounds", action.rounds, parse_count_range, problems);
  parse_range_field(entries, "sleep_between_rounds", action.sleep_between_rounds,
                    parse_duration_range, problems);
  parse_range_field(entries, "sleep_after_action", action.sleep_after_action, parse_duration_range,
                    problems);
  return action;
}

std::vector<Action> parse_actions(const Entry& entry, std::vector<Problem>& problems) {
  const YAML::Node& node = entry.value;
  const SourceLocation where = location_of(node, entry.key_where);
  if (!node.IsSequence() || node.size() == 0) {
    problems.push_back(
        {where,
         fmt::format("actions: expected a list of at least one action, got {}", describe(node))});
    return {};
  }
  std::vector<Action> actions;
  actions.reserve(node.size());
  for (std::size_t i = 0; i < node.size(); ++i) {
    actions.push_back(parse_action(node[i], i + 1, where, problems));
  }
  return actions;
}

// The script's single document; syntax errors, limits passed, an empty
// script and extra documents are thrown at once, as nothing else can be
// checked.
YAML::Node load_document(std::string_view text, const std::string& path) {
  std::vector<YAML::Node> documents;
  try {
    if (auto problem = find_yaml_limit_problem(text)) throw PlanError(path, {std::move(*problem)});
    documents = YAML::LoadAll(std::string(text));
  } catch (const YAML::DeepRecursion& error) {
    throw PlanError(path, location_of(error.mark), "invalid YAML: nested too deep");
  } catch (const YAML::Exception& error) {
    throw PlanError(path, location_of(error.mark), fmt::format("invalid YAML: {}", error.msg));
  }
  if (documents.empty() || documents.front().IsNull()) {
    throw PlanError(path, {1, 1},
                    "the plan is empty (expected a map with 'protocol' and 'actions')");
  }
  for (std::size_t i = 1; i < documents.size(); ++i) {
    if (documents[i].IsNull()) continue;  // a trailing `---` holds nothing
    throw PlanError(path, location_of(documents[i].Mark()),
                    "a second YAML document: a plan is a single document");
  }
  return documents.front();
}

// A plan whose iterations can never call a command nor sleep would spin
// every connection's worker at full speed doing nothing: refused. (Rounds 0
// with a sleep holds idle connections, and is fine.)
void check_not_empty(const Plan& plan, std::vector<Problem>& problems) {
  const bool empty = std::all_of(plan.actions.begin(), plan.actions.end(), [](const Action& a) {
    return a.rounds.hi == 0 && a.sleep_after_action.hi == std::chrono::nanoseconds::zero();
  });
  if (!empty) return;
  problems.push_back({plan.actions.front().where,
                      "every action has rounds 0 and sleep_after_action 0: each connection "
                      "would spin doing nothing. Give an action rounds >= 1, or a "
                      "sleep_after_action to hold idle connections (e.g. 1h)"});
}

struct FileCloser {
  void operator()(std::FILE* file) const { std::fclose(file); }
};

// The error for the last failed file call, from errno: "cannot read: No such
// file or directory".
PlanError cannot_read(const std::string& path) {
  const std::error_code error(errno, std::generic_category());
  return PlanError(path, {}, fmt::format("cannot read: {}", error.message()));
}

}  // namespace

Plan parse_plan(std::string_view yaml_text, const std::string& path_for_messages) {
  const YAML::Node root = load_document(yaml_text, path_for_messages);
  const SourceLocation root_where = location_of(root, {1, 1});
  if (!root.IsMap()) {
    throw PlanError(path_for_messages, root_where,
                    fmt::format("expected a map with 'protocol' and 'actions' at the top level, "
                                "got {}",
                                describe(root)));
  }
  std::vector<Problem> problems;
  const Entries entries = read_entries(root, top_keys, "at the top level", problems);
  Plan plan;
  plan.path = path_for_messages;
  if (const Entry* protocol = find(entries, "protocol")) {
    plan.protocol = parse_protocol(*protocol, problems);
    plan.protocol_where = location_of(protocol->value, protocol->key_where);
  } else {
    problems.push_back({root_where, "missing 'protocol' (the protocol module's name)"});
  }
  if (const Entry* on_connect = find(entries, "on_connect")) {
    plan.on_connect = parse_on_connect(*on_connect, problems);
  }
  if (const Entry* actions = find(entries, "actions")) {
    plan.actions = parse_actions(*actions, problems);
  } else {
    problems.push_back({root_where, "missing 'actions' (the list of actions to run)"});
  }
  if (const Entry* rate = find(entries, "rate")) parse_rate(*rate, plan, problems);
  if (const Entry* thresholds = find(entries, "thresholds")) {
    plan.thresholds =
        parse_thresholds(thresholds->value, thresholds->key_where, plan.actions, problems);
  }
  if (problems.empty()) check_not_empty(plan, problems);
  if (!problems.empty()) throw PlanError(path_for_messages, std::move(problems));
  return plan;
}

Plan load_plan(const std::string& path) {
  const std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "rb"));
  if (!file) throw cannot_read(path);
  // Read one byte past the limit, never more: the path may be a device or
  // a pipe that never ends.
  std::string text;
  std::array<char, 16384> buffer{};
  std::size_t count = 0;
  while (text.size() <= kMaxPlanBytes &&
         (count = std::fread(buffer.data(), 1, buffer.size(), file.get())) > 0) {
    text.append(buffer.data(), count);
  }
  // A directory opens fine on Linux; reading it fails with EISDIR.
  if (std::ferror(file.get())) throw cannot_read(path);
  if (text.size() > kMaxPlanBytes) {
    throw PlanError(path, {1, 1},
                    fmt::format("the file is larger than {} MiB: a plan is a short list of "
                                "actions, is this the right file?",
                                kMaxPlanBytes >> 20));
  }
  return parse_plan(text, path);
}

void validate_plan(const Plan& plan, const ActionCheck& check, const ConnectCheck& check_connect) {
  std::vector<Problem> problems;
  if (check_connect) {
    if (auto problem = check_connect(plan.on_connect)) {
      if (problem->where.line == 0) problem->where = plan.on_connect.where;
      if (problem->where.line == 0) problem->where = plan.protocol_where;
      problems.push_back(std::move(*problem));
    }
  }
  for (const Action& action : plan.actions) {
    if (auto problem = check(action)) {
      if (problem->where.line == 0) problem->where = action.where;
      problems.push_back(std::move(*problem));
    }
  }
  if (!problems.empty()) throw PlanError(plan.path, std::move(problems));
}

}  // namespace swarm::plan
