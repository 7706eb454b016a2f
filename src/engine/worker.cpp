#include "engine/worker.hpp"

#include <sys/prctl.h>

#include <algorithm>
#include <chrono>

#include "core/frame_pool.hpp"
#include "engine/connection.hpp"
#include "engine/tls_memory.hpp"

namespace swarm::engine {

Worker::Worker(std::size_t index, const EngineConfig& config, const plan::Plan& plan,
               const protocol::Module& module)
    : index_(index),
      config_(config),
      plan_(plan),
      loop_([](void* target,
               std::uint32_t events) { static_cast<Connection*>(target)->on_events(events); },
            [](TimerNode& node) { static_cast<Connection&>(node).on_timer(); }),
      module_(module.instantiate(plan)),
      pushes_(module_->push_handler()),
      module_state_bytes_(module_->connection_state_bytes()),
      rng_(config.seed + 0x9e3779b97f4a7c15ULL * (index + 1)),
      pacer_(config.connect_rate / static_cast<double>(config.threads),
             (config.max_connecting + config.threads - 1) / config.threads),
      scratch_(std::make_unique<char[]>(kScratchSize)),
      tls_(config.tls.enabled
               ? std::make_unique<TlsContext>(config.tls, config.servers, config.on_notice)
               : nullptr),
      socket_budget_(std::max<std::size_t>(1, config.max_sockets / config.threads)),
      servers_(config.servers) {
  const protocol::Hooks hooks = module.hooks(plan);
  rows_ = protocol::report_rows(module, plan);
  auto row = static_cast<std::uint32_t>(plan.actions.size());
  if (hooks.on_connect) connect_row_ = row++;
  if (hooks.on_idle && module_->idle_period() > std::chrono::nanoseconds::zero()) idle_row_ = row;
  recorder_.actions.assign(rows_);  // rows of one name share their counts
  for (const ServerTarget& server : config.servers) {
    server_names_.push_back(server_name_of(server, config.tls));
  }
  loop_.every(kUpkeepPeriod, [this] { upkeep(); });
}

void Worker::upkeep() {
  detail::frame_pool_trim();
  module_->trim();
}

Worker::~Worker() {
  if (thread_.joinable()) thread_.join();
}

void Worker::start() {
  thread_ = std::thread([this] {
    // Timers fire when due, not up to 50 us later (the kernel's default
    // slack): in rate mode a call's lateness counts in its latency.
    ::prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
    loop_.run();
    finished_.set_value();
  });
}

bool Worker::join_until(std::chrono::steady_clock::time_point deadline) {
  if (!thread_.joinable()) return true;
  if (finished_.get_future().wait_until(deadline) != std::future_status::ready) {
    thread_.detach();  // stuck in module code: it keeps this object for good
    return false;
  }
  thread_.join();
  return true;
}

void Worker::add(std::size_t count) {
  loop_.post([this, count] {
    if (stopping_) return;
    for (std::size_t i = 0; i < count; ++i) open_one();
  });
}

void Worker::remove(std::size_t count) {
  loop_.post([this, count] {
    for (std::size_t i = 0; i < count && !live_.empty(); ++i) {
      close_one(static_cast<std::size_t>(rng_.below(live_.size())));
    }
  });
}

void Worker::stop() {
  loop_.post([this] {
    stopping_ = true;
    while (!live_.empty()) close_one(live_.size() - 1);
    if (alive_ == 0) loop_.stop();
  });
}

std::future<stats::Recorder> Worker::snapshot() {
  auto promise = std::make_shared<std::promise<stats::Recorder>>();
  auto future = promise->get_future();
  loop_.post([this, promise] {
    measure_memory();
    count_owed_calls();
    promise->set_value(recorder_);
  });
  return future;
}

void Worker::open_one() {
  // Ids are unique across workers without any shared counter.
  std::uint64_t id = opened_++ * config_.threads + index_ + 1;
  auto* connection = new Connection(*this, id);
  live_.push_back(connection);
  ++alive_;
  ++recorder_.target;
  spawn(connection->live());
}

void Worker::close_one(std::size_t index) {
  Connection* victim = live_[index];
  live_[index] = live_.back();
  live_.pop_back();
  --recorder_.target;
  victim->abort();
}

void Worker::count_owed_calls() {
  // A gauge walked at snapshot time (like memory): nothing on the hot path.
  std::uint64_t owed = 0;
  if (call_period_ > Clock::duration::zero()) {
    const Clock::time_point now = Clock::now();
    for (const Connection* connection : live_) owed += connection->owed_calls(now, call_period_);
  }
  recorder_.owed_calls = owed;
}

void Worker::measure_memory() {
  stats::MemoryUse& memory = recorder_.memory;
  // Connection objects come from the frame pool too (rounded to 16 bytes).
  memory.connections = alive_ * ((sizeof(Connection) + 15) / 16 * 16);
  memory.frames = detail::frame_bytes_in_use() - memory.connections;
  memory.spill = 0;
  for (const Connection* connection : live_) memory.spill += connection->spill_bytes();
  memory.module = module_->memory_bytes();
  memory.index = live_.capacity() * sizeof(Connection*) + loop_.timers().capacity_bytes();
  memory.buffers = kScratchSize + tls_kept_bytes_on_this_thread();
  // OpenSSL's objects made on this thread: the sessions (and the sessions
  // kept for resumption); the context was made on the control thread.
  memory.tls =
      tls_ ? static_cast<std::uint64_t>(std::max<std::int64_t>(0, tls_bytes_on_this_thread())) : 0;
}

bool Worker::take_socket() noexcept {
  if (sockets_ >= socket_budget_) return false;
  ++sockets_;
  return true;
}

void Worker::retire(Connection& connection) noexcept {
  delete &connection;
  --alive_;
  if (stopping_ && alive_ == 0) loop_.stop();
}

void Worker::set_addresses(std::size_t index, std::vector<SocketAddress> addresses) {
  loop_.post([this, index, addresses = std::move(addresses)]() mutable {
    servers_.replace(index, std::move(addresses));
  });
}

void Worker::set_call_period(Clock::duration period) {
  loop_.post([this, period] {
    const Clock::duration before = call_period_;
    if (before == period) return;
    call_period_ = period;
    loop_.refresh_now();
    for (Connection* connection : live_) connection->on_period_change(before, period);
  });
}

void Worker::notice(std::string text) const {
  if (config_.on_notice) config_.on_notice(std::move(text));
}

const SocketAddress* Worker::next_source() noexcept {
  if (config_.sources.empty()) return nullptr;
  const SocketAddress& source = config_.sources[next_source_];
  next_source_ = (next_source_ + 1) % config_.sources.size();
  return &source;
}

}  // namespace swarm::engine
