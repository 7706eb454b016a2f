#include "protocol/lua/parser_slot.hpp"

namespace swarm::protocol {

ReplyParser* ParserSlot::arm(lua_State* thread, int index) {
  armed_ = nullptr;
  if (lua_type(thread, index) == LUA_TFUNCTION) {
    function_.use(thread, index);
    armed_ = &function_;
  } else if (const ParserSpec* spec = to_parser_spec(thread, index)) {
    switch (spec->kind) {
      case ParserSpec::Kind::crlf:
        armed_ = &crlf_;
        break;
      case ParserSpec::Kind::length:
        length_.set_length(spec->length);
        armed_ = &length_;
        break;
      case ParserSpec::Kind::delimiter:
        delimiter_.use(&*spec->delimiter);
        armed_ = &delimiter_;
        break;
      case ParserSpec::Kind::prefixed:
        prefixed_.set_format(spec->prefixed);
        armed_ = &prefixed_;
        break;
      case ParserSpec::Kind::resp:
        armed_ = &resp_;
        break;
      case ParserSpec::Kind::ws:
        armed_ = &ws_;
        break;
    }
  }
  if (armed_ != nullptr) armed_->begin();
  return armed_;
}

const LuaFunctionParser* ParserSlot::failed_function() const {
  return armed_ == &function_ && function_.failed() ? &function_ : nullptr;
}

void ParserSlot::clear() {
  if (armed_ == &function_) function_.forget();
  armed_ = nullptr;
}

}  // namespace swarm::protocol
