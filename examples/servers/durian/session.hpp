// One client connection, from accept to close.
#pragma once

#include <array>
#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>

#include "counters.hpp"
#include "handler.hpp"

namespace durian {

// What the connections of one worker thread share.
struct WorkerContext {
  Shared& shared;                     // state of the whole server
  ThreadCounters& counters;           // this thread's counts
  std::array<char, 65536> scratch{};  // read buffer, used only between a read and the next co_await
};

// Runs one connection to its end: reads request lines, answers each, and
// closes on `quit`, on a line that is too long, or when the client goes.
asio::awaitable<void> run_session(asio::ip::tcp::socket socket, WorkerContext& worker);

}  // namespace durian
