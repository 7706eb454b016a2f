// LoadWatchdog: the last guard against input that hangs a parser. yaml-cpp
// 0.7 has loops it never leaves on some malformed text (swarm checks the
// ones it knows of first); whatever else a fuzzer or a user finds, swarm
// must end with a message, not hang at start.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

namespace swarm::app {

class LoadWatchdog {
 public:
  /// Ends the process with exit status 2 and a message naming `what` unless
  /// destroyed within `limit`.
  LoadWatchdog(std::string what, std::chrono::seconds limit);
  ~LoadWatchdog();
  LoadWatchdog(const LoadWatchdog&) = delete;
  LoadWatchdog& operator=(const LoadWatchdog&) = delete;

 private:
  std::mutex mutex_;                     // guards done_
  std::condition_variable done_signal_;  // wakes the watcher when loading ends
  bool done_ = false;                    // loading ended in time
  std::thread watcher_;                  // waits for done_ or the limit
};

}  // namespace swarm::app
