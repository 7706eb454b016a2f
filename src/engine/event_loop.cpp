#include "engine/event_loop.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <ctime>
#include <system_error>

namespace swarm::engine {
namespace {

constexpr int kMaxEvents = 512;  // events taken per epoll_wait
// What a watched descriptor reports: input, output and hang-up, by edge.
constexpr std::uint32_t kWatched = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;

[[noreturn]] void throw_errno(const char* what) {
  throw std::system_error(errno, std::generic_category(), what);
}

}  // namespace

EventLoop::EventLoop(EventHandler on_events, TimerHeap::Handler on_timer)
    : on_events_(on_events), now_(Clock::now()), timers_(on_timer) {
  epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd_ < 0) throw_errno("epoll_create1");
  wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wake_fd_ < 0) throw_errno("eventfd");
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.ptr = nullptr;  // nullptr marks the wake-up descriptor
  if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &event) != 0) throw_errno("epoll_ctl");
}

EventLoop::~EventLoop() {
  ::close(wake_fd_);
  ::close(epoll_fd_);
}

int EventLoop::watch(int fd, void* target) noexcept {
  epoll_event event{};
  event.events = kWatched;
  event.data.ptr = target;
  return ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &event) == 0 ? 0 : errno;
}

int EventLoop::rearm(int fd, void* target) noexcept {
  // Modifying a registration re-checks readiness: what is still pending is
  // reported by the next epoll_wait, edge-triggered or not.
  epoll_event event{};
  event.events = kWatched;
  event.data.ptr = target;
  return ::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, fd, &event) == 0 ? 0 : errno;
}

void EventLoop::post(std::function<void()> fn) {
  {
    std::lock_guard lock(inbox_mutex_);
    inbox_.push_back(std::move(fn));
  }
  std::uint64_t one = 1;
  [[maybe_unused]] auto written = ::write(wake_fd_, &one, sizeof one);
}

void EventLoop::every(std::chrono::nanoseconds period, std::function<void()> fn) {
  upkeep_ = std::move(fn);
  upkeep_period_ = std::chrono::duration_cast<Clock::duration>(period);
  next_upkeep_ = Clock::now() + upkeep_period_;
}

Clock::duration EventLoop::wait_timeout() const {
  if (!ready_.empty()) return Clock::duration::zero();
  const bool upkeep = upkeep_period_ > Clock::duration::zero();
  if (timers_.empty() && !upkeep) return Clock::duration(-1);
  Clock::time_point next = upkeep ? next_upkeep_ : timers_.earliest();
  if (!timers_.empty()) next = std::min(next, timers_.earliest());
  auto left = next - now_;
  if (left <= Clock::duration::zero()) return Clock::duration::zero();
  return std::min<Clock::duration>(left, std::chrono::minutes(1));
}

int EventLoop::wait(epoll_event* events, int capacity) {
  // To the nanosecond where the kernel can (epoll_pwait2, Linux 5.11): in
  // rate mode a call due at T must go out at T, since any lateness counts
  // in its latency; epoll_wait's milliseconds would add up to 1 ms.
  const Clock::duration timeout = wait_timeout();
  if (precise_) {
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(timeout).count();
    timespec wait{static_cast<time_t>(ns / 1'000'000'000), static_cast<long>(ns % 1'000'000'000)};
    const int count =
        ::epoll_pwait2(epoll_fd_, events, capacity, ns < 0 ? nullptr : &wait, nullptr);
    if (count >= 0 || errno != ENOSYS) return count;
    precise_ = false;
  }
  // Round up so a timer never fires early and the loop never spins.
  const auto ms = timeout < Clock::duration::zero()
                      ? -1
                      : std::chrono::ceil<std::chrono::milliseconds>(timeout).count();
  return ::epoll_wait(epoll_fd_, events, capacity, static_cast<int>(ms));
}

void EventLoop::run() {
  std::array<epoll_event, kMaxEvents> events;
  while (!stopping_) {
    int count = wait(events.data(), kMaxEvents);
    if (count < 0 && errno != EINTR) throw_errno("epoll_wait");
    now_ = Clock::now();
    for (int i = 0; i < count; ++i) {
      void* target = events[i].data.ptr;
      if (target == nullptr) {
        drain_inbox();
      } else {
        on_events_(target, events[i].events);
      }
    }
    timers_.fire_expired(now_);
    resume_ready();
    if (upkeep_period_ > Clock::duration::zero() && now_ >= next_upkeep_) {
      next_upkeep_ = now_ + upkeep_period_;
      upkeep_();
    }
  }
}

void EventLoop::drain_inbox() {
  std::uint64_t counter;
  [[maybe_unused]] auto got = ::read(wake_fd_, &counter, sizeof counter);
  std::vector<std::function<void()>> work;
  {
    std::lock_guard lock(inbox_mutex_);
    work.swap(inbox_);
  }
  for (auto& fn : work) fn();
}

void EventLoop::resume_ready() {
  // Resumed coroutines may defer more; those wait for the next round so that
  // I/O and timers are never starved. Two buffers that trade places keep
  // their capacity, so a plan without sleeps allocates nothing here.
  resuming_.swap(ready_);
  for (auto handle : resuming_) handle.resume();
  resuming_.clear();
}

}  // namespace swarm::engine
