#include "protocol/lua/lua_parsers.hpp"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <exception>
#include <new>
#include <string>
#include <utility>

namespace swarm::protocol {
namespace {

constexpr const char* kSpecType = "swarm.reply_parser";  // metatable name

int collect_spec(lua_State* state) {
  static_cast<ParserSpec*>(lua_touserdata(state, 1))->~ParserSpec();
  return 0;
}

int spec_to_string(lua_State* state) {
  static constexpr const char* kNames[] = {"crlf", "length", "delimiter", "prefixed", "resp", "ws"};
  auto* spec = static_cast<ParserSpec*>(lua_touserdata(state, 1));
  lua_pushfstring(state, "swarm.reply_parser_%s", kNames[static_cast<int>(spec->kind)]);
  return 1;
}

/// Pushes a new descriptor userdata owning `spec`.
void push_spec(lua_State* state, ParserSpec&& spec) {
  void* memory = lua_newuserdata(state, sizeof(ParserSpec));
  new (memory) ParserSpec(std::move(spec));
  luaL_getmetatable(state, kSpecType);
  lua_setmetatable(state, -2);
}

/// Looks the key at the top up in the cache (upvalue 1); on a miss, makes a
/// descriptor with `make` and caches it. Leaves the descriptor on top.
template <class Make>
int cached(lua_State* state, Make make) {
  lua_pushvalue(state, -1);
  lua_rawget(state, lua_upvalueindex(1));
  if (!lua_isnil(state, -1)) return 1;
  lua_pop(state, 1);
  push_spec(state, make());
  lua_pushvalue(state, -2);  // key
  lua_pushvalue(state, -2);  // descriptor
  lua_rawset(state, lua_upvalueindex(1));
  return 1;
}

int parser_singleton(lua_State* state) {
  lua_pushvalue(state, lua_upvalueindex(1));
  return 1;
}

int parser_length(lua_State* state) {
  lua_Number length = luaL_checknumber(state, 1);
  if (!(length >= 0 && length <= 1e15) || std::floor(length) != length) {
    return luaL_argerror(state, 1, "a reply length must be a whole number >= 0");
  }
  lua_settop(state, 1);
  return cached(state, [&] {
    return ParserSpec{.kind = ParserSpec::Kind::length, .length = static_cast<std::size_t>(length)};
  });
}

int parser_delimiter(lua_State* state) {
  std::size_t size = 0;
  const char* text = luaL_checklstring(state, 1, &size);
  if (size == 0) return luaL_argerror(state, 1, "the delimiter is empty");
  lua_settop(state, 1);
  return cached(state, [&] {
    ParserSpec spec{.kind = ParserSpec::Kind::delimiter};
    spec.delimiter.emplace(std::string(text, size));
    return spec;
  });
}

/// Reads integer field `name` of the table at 1 into `out` if present.
template <class T>
void read_whole_field(lua_State* state, const char* name, T& out) {
  lua_getfield(state, 1, name);
  if (!lua_isnil(state, -1)) {
    if (!lua_isnumber(state, -1) ||
        std::floor(lua_tonumber(state, -1)) != lua_tonumber(state, -1)) {
      luaL_error(state, "reply_parser_prefixed: '%s' must be a whole number", name);
    }
    out = static_cast<T>(lua_tonumber(state, -1));
  }
  lua_pop(state, 1);
}

PrefixedFormat read_prefixed_format(lua_State* state) {
  PrefixedFormat format;
  read_whole_field(state, "bytes", format.bytes);
  read_whole_field(state, "offset", format.offset);
  read_whole_field(state, "adjust", format.adjust);
  read_whole_field(state, "max_frame", format.max_frame);
  lua_getfield(state, 1, "endian");
  if (!lua_isnil(state, -1)) {
    const char* endian = lua_tostring(state, -1);
    bool big = endian != nullptr && std::strcmp(endian, "big") == 0;
    if (!big && (endian == nullptr || std::strcmp(endian, "little") != 0)) {
      luaL_error(state, "reply_parser_prefixed: endian must be \"big\" or \"little\"");
    }
    format.endian = big ? PrefixedFormat::Endian::big : PrefixedFormat::Endian::little;
  }
  lua_pop(state, 1);
  return format;
}

int parser_prefixed(lua_State* state) {
  if (lua_isnoneornil(state, 1)) lua_newtable(state);
  luaL_checktype(state, 1, LUA_TTABLE);
  PrefixedFormat format = read_prefixed_format(state);
  bool bad = false;
  if (std::string problem = format.problem(); !problem.empty()) {
    lua_pushfstring(state, "reply_parser_prefixed: %s", problem.c_str());
    bad = true;
  }
  if (bad) return lua_error(state);  // raised with no C++ object left to unwind
  char key[96];
  int size = std::snprintf(key, sizeof key, "%d%c%zu,%lld,%zu", format.bytes,
                           format.endian == PrefixedFormat::Endian::big ? 'b' : 'l', format.offset,
                           static_cast<long long>(format.adjust), format.max_frame);
  lua_settop(state, 0);
  lua_pushlstring(state, key, static_cast<std::size_t>(size));
  return cached(state,
                [&] { return ParserSpec{.kind = ParserSpec::Kind::prefixed, .prefixed = format}; });
}

/// Pushes a table whose values the GC may collect once nothing else uses them.
void push_weak_table(lua_State* state) {
  lua_newtable(state);
  lua_createtable(state, 0, 1);
  lua_pushliteral(state, "v");
  lua_setfield(state, -2, "__mode");
  lua_setmetatable(state, -2);
}

void register_spec_type(lua_State* state) {
  luaL_newmetatable(state, kSpecType);
  lua_pushcfunction(state, collect_spec);
  lua_setfield(state, -2, "__gc");
  lua_pushcfunction(state, spec_to_string);
  lua_setfield(state, -2, "__tostring");
  lua_pushliteral(state, "swarm.reply_parser");
  lua_setfield(state, -2, "__metatable");  // keep scripts from swapping it
  lua_pop(state, 1);
}

}  // namespace

int open_swarm_library(lua_State* state) {
  register_spec_type(state);
  lua_createtable(state, 0, 9);
  push_spec(state, ParserSpec{.kind = ParserSpec::Kind::crlf});
  lua_pushcclosure(state, parser_singleton, 1);
  lua_setfield(state, -2, "reply_parser_crlf");
  push_spec(state, ParserSpec{.kind = ParserSpec::Kind::resp});
  lua_pushcclosure(state, parser_singleton, 1);
  lua_setfield(state, -2, "reply_parser_resp");
  push_spec(state, ParserSpec{.kind = ParserSpec::Kind::ws});
  lua_pushcclosure(state, parser_singleton, 1);
  lua_setfield(state, -2, "reply_parser_ws");
  add_websocket_functions(state);
  const std::pair<const char*, lua_CFunction> cached_makers[] = {
      {"reply_parser_length", parser_length},
      {"reply_parser_delimiter", parser_delimiter},
      {"reply_parser_prefixed", parser_prefixed},
  };
  for (const auto& [name, make] : cached_makers) {
    push_weak_table(state);
    lua_pushcclosure(state, make, 1);
    lua_setfield(state, -2, name);
  }
  return 1;
}

const ParserSpec* to_parser_spec(lua_State* state, int index) {
  void* data = lua_touserdata(state, index);
  if (data == nullptr || !lua_getmetatable(state, index)) return nullptr;
  luaL_getmetatable(state, kSpecType);
  bool ours = lua_rawequal(state, -1, -2) != 0;
  lua_pop(state, 2);
  return ours ? static_cast<const ParserSpec*>(data) : nullptr;
}

}  // namespace swarm::protocol
