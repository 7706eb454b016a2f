#include "app/load_watchdog.hpp"

#include <cstdio>
#include <cstdlib>
#include <utility>

namespace swarm::app {

LoadWatchdog::LoadWatchdog(std::string what, std::chrono::seconds limit)
    : watcher_([this, what = std::move(what), limit] {
        std::unique_lock lock(mutex_);
        if (done_signal_.wait_for(lock, limit, [this] { return done_; })) return;
        std::fprintf(stderr,
                     "swarm: %s: still loading after %llds, giving up (a parser that does not "
                     "end on this input; please report it with the file)\n",
                     what.c_str(), static_cast<long long>(limit.count()));
        std::fflush(stderr);
        std::_Exit(2);
      }) {}

LoadWatchdog::~LoadWatchdog() {
  {
    std::lock_guard lock(mutex_);
    done_ = true;
  }
  done_signal_.notify_one();
  watcher_.join();
}

}  // namespace swarm::app
