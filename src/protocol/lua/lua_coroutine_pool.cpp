#include "protocol/lua/lua_coroutine_pool.hpp"

#include <algorithm>
#include <utility>

namespace swarm::protocol {

LuaRunner::LuaRunner(lua_State* main, int states_ref)
    : main_(main), thread_(lua_newthread(main)), parsers_(main) {
  thread_ref_ = luaL_ref(main_, LUA_REGISTRYINDEX);
  context_ = protocol::push_client(main_, thread_, states_ref);
  client_ref_ = luaL_ref(main_, LUA_REGISTRYINDEX);
}

LuaRunner::~LuaRunner() {
  context_->client = nullptr;  // a script may still hold the client
  luaL_unref(main_, LUA_REGISTRYINDEX, client_ref_);
  luaL_unref(main_, LUA_REGISTRYINDEX, thread_ref_);
}

std::unique_ptr<LuaRunner> CoroutinePool::acquire() {
  if (idle_.empty()) {
    ++created_;
    least_idle_ = 0;
    return std::make_unique<LuaRunner>(main_, states_ref_);
  }
  std::unique_ptr<LuaRunner> runner = std::move(idle_.back());
  idle_.pop_back();
  least_idle_ = std::min(least_idle_, idle_.size());
  return runner;
}

std::size_t CoroutinePool::trim() {
  const std::size_t drop = std::min((least_idle_ + 1) / 2, idle_.size());
  idle_.resize(idle_.size() - drop);
  least_idle_ = idle_.size();
  return drop;
}

void CoroutinePool::release(std::unique_ptr<LuaRunner> runner) {
  runner->context().client = nullptr;
  lua_settop(runner->thread(), 0);
  runner->parsers().clear();
  if (idle_.size() < kMaxIdle) idle_.push_back(std::move(runner));
}

}  // namespace swarm::protocol
