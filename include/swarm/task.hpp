// swarm::Task<T>: the coroutine type of swarm's engine and of native protocol
// modules.
//
// Why not asio::awaitable: a connection keeps one coroutine frame for its whole
// life, so frame size and allocation decide how much an idle connection costs.
// Task is lazy, uses symmetric transfer (no stack growth when a chain of tasks
// completes), and takes its frames from a per-thread pool of size classes, so
// a steady-state request allocates nothing. It also keeps the public API free
// of asio types.
#pragma once

#include <coroutine>
#include <cstddef>
#include <exception>
#include <new>
#include <optional>
#include <type_traits>
#include <utility>

namespace swarm {

namespace detail {

/// Allocates a coroutine frame of `size` bytes from this thread's pool.
void* frame_allocate(std::size_t size);
/// Returns a frame obtained from frame_allocate() with the same `size`.
void frame_deallocate(void* frame, std::size_t size) noexcept;
/// Bytes of coroutine frames this thread holds now (for memory reports).
std::size_t frame_bytes_in_use() noexcept;

/// What every Task promise shares: the continuation, the frame allocator and
/// exception capture.
class PromiseBase {
 public:
  static void* operator new(std::size_t size) { return frame_allocate(size); }
  static void operator delete(void* frame, std::size_t size) noexcept {
    frame_deallocate(frame, size);
  }

  std::suspend_always initial_suspend() const noexcept { return {}; }

  /// Resumes whoever awaited this task. A task that runs with nobody
  /// awaiting it was started by spawn() (a lazy task only runs when awaited
  /// or spawned): it frees itself.
  struct FinalAwaiter {
    bool await_ready() const noexcept { return false; }
    template <class Promise>
    std::coroutine_handle<> await_suspend(std::coroutine_handle<Promise> self) noexcept {
      PromiseBase& promise = self.promise();
      if (promise.continuation_) return promise.continuation_;
      std::exception_ptr failure = promise.exception_;
      self.destroy();
      if (failure) std::terminate();  // a spawned task must not throw
      return std::noop_coroutine();
    }
    void await_resume() const noexcept {}
  };
  FinalAwaiter final_suspend() const noexcept { return {}; }

  void unhandled_exception() noexcept { exception_ = std::current_exception(); }

  void set_continuation(std::coroutine_handle<> continuation) noexcept {
    continuation_ = continuation;
  }

 protected:
  void rethrow_if_failed() const {
    if (exception_) std::rethrow_exception(exception_);
  }

 private:
  // Two words: every idle connection keeps a couple of these frames.
  std::coroutine_handle<> continuation_;  // who resumes when this task ends;
                                          // none: spawned, free at the end
  std::exception_ptr exception_;          // what escaped the coroutine body
};

template <class T>
class Promise;

}  // namespace detail

/// A lazily started coroutine producing a T. Await it (`co_await task`) from
/// another Task, or hand a Task<void> to spawn() to run it on its own.
template <class T = void>
class [[nodiscard]] Task {
 public:
  using promise_type = detail::Promise<T>;
  using Handle = std::coroutine_handle<promise_type>;

  Task() noexcept = default;
  explicit Task(Handle handle) noexcept : handle_(handle) {}
  Task(Task&& other) noexcept : handle_(std::exchange(other.handle_, {})) {}
  Task& operator=(Task&& other) noexcept {
    if (this != &other) {
      if (handle_) handle_.destroy();
      handle_ = std::exchange(other.handle_, {});
    }
    return *this;
  }
  Task(const Task&) = delete;
  Task& operator=(const Task&) = delete;
  ~Task() {
    if (handle_) handle_.destroy();
  }

  // Awaiting a task starts it and resumes the awaiter when it ends. The task
  // is its own awaiter, so a co_await keeps one word in the caller's frame,
  // not two.
  bool await_ready() const noexcept { return false; }
  std::coroutine_handle<> await_suspend(std::coroutine_handle<> awaiter) noexcept {
    handle_.promise().set_continuation(awaiter);
    return handle_;
  }
  T await_resume() { return handle_.promise().result(); }

  /// Gives up ownership of the frame: used by spawn().
  Handle release() noexcept { return std::exchange(handle_, {}); }

 private:
  Handle handle_;  // the coroutine frame, owned
};

namespace detail {

template <class T>
class Promise : public PromiseBase {
 public:
  Task<T> get_return_object() noexcept {
    return Task<T>(std::coroutine_handle<Promise>::from_promise(*this));
  }
  template <class U>
  void return_value(U&& value) {
    value_.emplace(std::forward<U>(value));
  }
  T result() {
    rethrow_if_failed();
    return std::move(*value_);
  }

 private:
  std::optional<T> value_;  // set by co_return
};

template <>
class Promise<void> : public PromiseBase {
 public:
  Task<void> get_return_object() noexcept {
    return Task<void>(std::coroutine_handle<Promise>::from_promise(*this));
  }
  void return_void() noexcept {}
  void result() { rethrow_if_failed(); }
};

}  // namespace detail

/// Starts `task` now, on the calling thread, with nobody awaiting it: it runs
/// until its first suspension and frees its own frame when it ends. It must
/// not let an exception escape (that terminates the process).
inline void spawn(Task<void> task) {
  task.release().resume();
}

}  // namespace swarm
