#include "protocol/lua/lua_instance.hpp"

#include <fmt/format.h>

#include <chrono>
#include <stdexcept>
#include <string_view>
#include <utility>

namespace swarm::protocol {
namespace {

CommandOutcome script_error(std::string_view command, std::string_view message) {
  return {CommandOutcome::Kind::script_error, fmt::format("{}: {}", command, message)};
}

/// The command stops early (a failed call, close_connection()); the engine's
/// client knows why.
CommandOutcome stopped() {
  return {};
}

/// Makes the id -> state table and the client type of a new state.
int prepare_state(lua_State* state) {
  register_client_type(state);
  lua_newtable(state);
  return luaL_ref(state, LUA_REGISTRYINDEX);
}

}  // namespace

LuaInstance::LuaInstance(const std::string& path, const plan::Plan& plan, const LuaLimits& limits)
    : state_(open_module_state(path, limits)),
      guard_(LuaGuard::of(state_.get())),
      states_ref_(prepare_state(state_.get())),
      actions_(bind_actions(plan)),
      pool_(state_.get(), states_ref_),
      push_(LuaPush::from_module(state_.get(), pool_)) {
  lua_settop(state_.get(), 0);
}

std::vector<LuaInstance::BoundAction> LuaInstance::bind_actions(const plan::Plan& plan) {
  lua_State* lua = state_.get();
  std::vector<BoundAction> bound;
  bound.reserve(plan.actions.size());
  for (const plan::Action& action : plan.actions) {
    lua_getfield(lua, 1, action.command.c_str());  // the module table is at 1
    if (!lua_isfunction(lua, -1)) {
      throw std::runtime_error(
          fmt::format("protocol module {}: '{}' is not a function", plan.protocol, action.command));
    }
    int function_ref = luaL_ref(lua, LUA_REGISTRYINDEX);
    if (action.args.is_null()) {
      lua_newtable(lua);
    } else {
      push_plan_value(lua, action.args);
    }
    bound.push_back({action.command, function_ref, luaL_ref(lua, LUA_REGISTRYINDEX)});
  }
  return bound;
}

Task<CommandOutcome> LuaInstance::run(std::size_t action, Client& client) {
  const BoundAction& bound = actions_[action];
  std::unique_ptr<LuaRunner> runner = pool_.acquire();
  runner->context().client = &client;
  lua_State* thread = runner->thread();
  lua_rawgeti(thread, LUA_REGISTRYINDEX, bound.function_ref);
  runner->push_client();
  lua_rawgeti(thread, LUA_REGISTRYINDEX, bound.args_ref);
  int arguments = 2;
  for (;;) {
    int status = 0;
    {
      LuaGuard::Call call(thread, guard_.limits().call_time);
      status = lua_resume(thread, arguments);
    }
    if (status == 0) {
      pool_.release(std::move(runner));
      co_return CommandOutcome{};
    }
    if (status != LUA_YIELD) {
      CommandOutcome outcome = failure(thread, status, bound);
      runner.reset();  // an error ends the coroutine: the GC may take it
      recover_memory();
      co_return outcome;
    }
    Resumption next = co_await perform(*runner, client, bound);
    if (next.outcome) {
      // Abandoning a suspended coroutine (never resumed), or a failed parser.
      runner.reset();
      recover_memory();
      co_return std::move(*next.outcome);
    }
    arguments = next.arguments;
  }
}

CommandOutcome LuaInstance::failure(lua_State* thread, int status, const BoundAction& bound) {
  if (status == LUA_ERRMEM) return script_error(bound.command, guard_.memory_message());
  return script_error(bound.command, lua_error_text(thread, -1));
}

void LuaInstance::recover_memory() {
  if (guard_.take_stop()) lua_gc(state_.get(), LUA_GCCOLLECT, 0);
}

Task<LuaInstance::Resumption> LuaInstance::perform(LuaRunner& runner, Client& client,
                                                   const BoundAction& bound) {
  lua_State* thread = runner.thread();
  switch (std::exchange(runner.context().call, LuaCall::none)) {
    case LuaCall::send_for_reply:
      co_return co_await perform_send_for_reply(runner, client, bound);
    case LuaCall::receive: {
      ReplyParser* parser = runner.parsers().arm(thread, -1);
      if (parser == nullptr)
        co_return Resumption{0, script_error(bound.command, "bad reply parser")};
      Reply message = co_await client.receive(*parser);
      if (message.status != IoStatus::ok) co_return Resumption{0, failed_reply(runner, bound)};
      client.count_received({}, 0);
      lua_settop(thread, 0);
      lua_pushlstring(thread, message.data.data(), message.data.size());
      co_return Resumption{1, std::nullopt};
    }
    case LuaCall::send_noreply: {
      std::size_t size = 0;
      const char* request = lua_tolstring(thread, -1, &size);
      IoStatus status = co_await client.send_noreply(std::string_view(request, size));
      if (status != IoStatus::ok) co_return Resumption{0, stopped()};
      break;
    }
    case LuaCall::sleep: {
      std::chrono::duration<double> seconds(runner.context().sleep_seconds);
      IoStatus status =
          co_await client.sleep(std::chrono::duration_cast<std::chrono::nanoseconds>(seconds));
      if (status != IoStatus::ok) co_return Resumption{0, stopped()};
      break;
    }
    case LuaCall::close:
      client.close_connection();
      co_return Resumption{0, stopped()};
    case LuaCall::none:
      co_return Resumption{
          0, script_error(bound.command, "the command yielded outside a client call")};
  }
  lua_settop(thread, 0);
  co_return Resumption{};
}

Task<LuaInstance::Resumption> LuaInstance::perform_send_for_reply(LuaRunner& runner, Client& client,
                                                                  const BoundAction& bound) {
  lua_State* thread = runner.thread();
  std::size_t size = 0;
  const char* request = lua_tolstring(thread, -2, &size);
  ReplyParser* parser = runner.parsers().arm(thread, -1);
  if (parser == nullptr) {
    co_return Resumption{0, script_error(bound.command, "bad reply parser")};
  }
  Reply reply = co_await client.send_for_reply(std::string_view(request, size), *parser);
  if (reply.status != IoStatus::ok) {
    co_return Resumption{0, failed_reply(runner, bound)};
  }
  lua_settop(thread, 0);
  lua_pushlstring(thread, reply.data.data(), reply.data.size());
  co_return Resumption{1, std::nullopt};
}

CommandOutcome LuaInstance::failed_reply(LuaRunner& runner, const BoundAction& bound) {
  // A Lua parser function that failed is the script's fault, not the server's.
  if (const LuaFunctionParser* failed = runner.parsers().failed_function()) {
    return script_error(bound.command, failed->error());
  }
  return stopped();
}

std::size_t LuaInstance::memory_bytes() const {
  return guard_.used();
}

void LuaInstance::trim() {
  // An idle state allocates nothing, so its collector never runs by
  // itself: what a burst left (coroutines, parsers, client tables) would
  // stay. A full collection when much may be garbage, a step otherwise.
  constexpr std::size_t kSlack = 256 * 1024;
  const std::size_t dropped = pool_.trim();
  lua_State* lua = state_.get();
  if (dropped > 0 || memory_bytes() > 2 * collected_heap_ + kSlack) {
    lua_gc(lua, LUA_GCCOLLECT, 0);
    collected_heap_ = memory_bytes();
  } else {
    lua_gc(lua, LUA_GCSTEP, 0);
  }
}

void LuaInstance::forget_connection(std::uint64_t client_id) {
  lua_State* lua = state_.get();
  lua_rawgeti(lua, LUA_REGISTRYINDEX, states_ref_);
  lua_pushnumber(lua, static_cast<lua_Number>(client_id));
  lua_pushnil(lua);
  lua_rawset(lua, -3);
  lua_pop(lua, 1);
}

}  // namespace swarm::protocol
