#include "console/console_handler.hpp"

namespace swarm::console {

asio::awaitable<std::string> ConsoleHandler::answer(ConsoleCommand command) {
  using Kind = ConsoleCommand::Kind;
  switch (command.kind) {
    case Kind::incr:
      co_return on_incr(command.count);
    case Kind::decr:
      co_return on_decr(command.count);
    case Kind::stop:
      co_return on_stop();
    case Kind::stat:
      co_return on_stat();
    case Kind::stat_html:
      co_return on_stat_html(command.path);
    case Kind::rate:
      co_return set_rate(command.rate);
    case Kind::rebalance:
      co_return on_rebalance();
    case Kind::quit:
    case Kind::help:
    case Kind::auth:
      break;
  }
  co_return "Error: the session answers that itself";
}

}  // namespace swarm::console
