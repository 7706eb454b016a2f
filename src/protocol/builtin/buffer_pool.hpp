// BufferPool: request buffers for one worker's built-in commands. A request
// is built in a buffer that must outlive its write (which may wait for the
// socket), and a worker's connections write at the same time, so each write
// takes a buffer of its own, back in the pool once written. The pool keeps
// their capacity: a steady state allocates nothing.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace swarm::protocol::builtin {

class BufferPool {
 public:
  /// A buffer lent until this handle dies.
  class Lease {
   public:
    Lease(BufferPool& pool, std::string buffer) noexcept
        : pool_(&pool), buffer_(std::move(buffer)) {}
    Lease(Lease&& other) noexcept
        : pool_(std::exchange(other.pool_, nullptr)), buffer_(std::move(other.buffer_)) {}
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    ~Lease() {
      if (pool_ != nullptr) pool_->give_back(std::move(buffer_));
    }
    std::string& operator*() noexcept { return buffer_; }
    std::string* operator->() noexcept { return &buffer_; }

   private:
    BufferPool* pool_;    // where it goes back
    std::string buffer_;  // empty when lent
  };

  /// Buffers larger than this are not kept (a huge request was an exception).
  static constexpr std::size_t kKeepCapacity = 1 << 20;

  /// Room a new buffer starts with: most requests fit, so a buffer does
  /// not grow again when a counter gains a digit.
  static constexpr std::size_t kInitialCapacity = 512;

  /// An empty buffer (with the capacity it had).
  Lease lend() {
    if (free_.empty()) {
      std::string buffer;
      buffer.reserve(kInitialCapacity);
      return Lease(*this, std::move(buffer));
    }
    std::string buffer = std::move(free_.back());
    free_.pop_back();
    return Lease(*this, std::move(buffer));
  }

 private:
  void give_back(std::string buffer) {
    if (buffer.capacity() > kKeepCapacity) return;
    buffer.clear();
    free_.push_back(std::move(buffer));
  }

  std::vector<std::string> free_;  // buffers not lent now
};

}  // namespace swarm::protocol::builtin
