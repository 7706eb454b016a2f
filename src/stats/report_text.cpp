#include "stats/report_text.hpp"

#include <algorithm>

#include "stats/units.hpp"

namespace swarm::stats::text {
std::size_t name_width(const std::vector<CommandRow>& rows) {
  std::size_t width = std::max<std::size_t>(14, kHandshakeRow.size() + 3);
  for (const auto& row : rows) width = std::max(width, row.name.size() + 3);
  return width;
}

std::string percentiles(const Histogram& latency, std::initializer_list<double> points) {
  std::string out;
  for (const double p : points) {
    const std::string value = latency.empty() ? "-" : format_us(latency.percentile(p));
    fmt::format_to(std::back_inserter(out), "{:>{}}", value, kValueWidth);
  }
  return out;
}

std::string reason_items(const Recorder& r) {
  std::string out;
  auto add = [&out](std::string_view name, std::uint64_t count) {
    if (count == 0) return;
    if (!out.empty()) out += "  ";
    fmt::format_to(std::back_inserter(out), "{} {}", name, format_exact(count));
  };
  for (std::size_t i = 0; i < kReasons; ++i) {
    const std::string prefix = std::string(to_string(static_cast<Reason>(i))) + ":";
    auto named = r.error_details.lower_bound(prefix);
    if (named == r.error_details.end() || !named->first.starts_with(prefix)) {
      add(to_string(static_cast<Reason>(i)), r.errors[i]);
      continue;
    }
    // The ones counted without a name (a plain close beside WebSocket
    // closes by code) first, then each name.
    std::uint64_t by_name = 0;
    for (auto it = named; it != r.error_details.end() && it->first.starts_with(prefix); ++it) {
      by_name += it->second.count;
    }
    if (r.errors[i] > by_name) add(to_string(static_cast<Reason>(i)), r.errors[i] - by_name);
    for (; named != r.error_details.end() && named->first.starts_with(prefix); ++named) {
      add(named->first, named->second.count);
    }
  }
  return out;
}

void add_reasons(Line& line, const Recorder& r) {
  const std::string items = reason_items(r);
  if (!items.empty()) line.add(items);
}

std::string reason_items(const std::array<std::uint64_t, kReasons>& counts) {
  std::string out;
  for (std::size_t i = 0; i < kReasons; ++i) {
    if (counts[i] == 0) continue;
    if (!out.empty()) out += "  ";
    fmt::format_to(std::back_inserter(out), "{} {}", to_string(static_cast<Reason>(i)),
                   format_exact(counts[i]));
  }
  return out;
}

void add_reasons(Line& line, const std::array<std::uint64_t, kReasons>& counts) {
  const std::string items = reason_items(counts);
  if (!items.empty()) line.add(items);
}

std::array<std::uint64_t, kReasons> reasons_between(const Recorder& now, const Recorder& before) {
  std::array<std::uint64_t, kReasons> out{};
  for (std::size_t i = 0; i < kReasons; ++i) out[i] = delta(now.errors[i], before.errors[i]);
  return out;
}

void append_connections(std::string& out, const ReportContext& context, const Recorder& r) {
  const auto connecting = r.in_state[static_cast<std::size_t>(ConnState::connecting)];
  Line("connections")
      .add("target", format_exact(context.target))
      .add("open", format_exact(r.open))
      .add("connecting", format_exact(connecting))
      .add("established", format_exact(r.connects))
      .add("attempts", format_exact(r.connect_attempts))
      .add("dialing", format_exact(r.dialing))
      .end(out);
}

/// How connect attempts ended, each once: with the connections line,
/// attempts = open + dialing + ended.
void append_ended(std::string& out, const Recorder& r) {
  std::uint64_t total = r.ended_by_plan + r.ended_by_console;
  for (const auto count : r.ended) total += count;
  Line line("ended");
  if (total == 0) {
    line.add("none").end(out);
    return;
  }
  line.add("total", format_exact(total));
  add_reasons(line, r.ended);
  if (r.ended_by_plan > 0) line.add("close_connection", format_exact(r.ended_by_plan));
  if (r.ended_by_console > 0) line.add("decr/stop", format_exact(r.ended_by_console));
  line.end(out);
}

void append_aggregates(std::string& out, const Recorder& r) {
  Line line("Aggregates");
  for (std::size_t i = 0; i < kConnStates; ++i) {
    line.add(to_string(static_cast<ConnState>(i)), format_exact(r.entered[i]));
  }
  add_reasons(line, r);
  line.end(out);
}

void append_rates(std::string& out, std::string_view label, const Recorder& now,
                  const Recorder& before, double seconds) {
  const auto rate = [&](std::uint64_t Recorder::*counter) {
    return per_second(delta(now.*counter, before.*counter), seconds);
  };
  Line(label)
      .add("connects", format_rate(rate(&Recorder::connects)))
      .add("requests", format_rate(rate(&Recorder::requests)))
      .add("replies", format_rate(rate(&Recorder::replies)))
      .add("iterations", format_rate(rate(&Recorder::iterations)))
      .add("in", format_bytes(rate(&Recorder::bytes_in)))
      .add("out", format_bytes(rate(&Recorder::bytes_out)))
      .end(out);
}

void append_syn_retries(std::string& out, std::uint64_t total, std::uint64_t recent,
                        std::string_view window) {
  if (total == 0) return;
  Line line("syn retries");
  if (!window.empty()) line.add(fmt::format("last {} {}", window, format_exact(recent)));
  line.add(
      fmt::format("{} {} connects needed a SYN retransmission (1s or more each): the "
                  "server's listen backlog overflowed; raise it (the server's listen() "
                  "backlog, net.core.somaxconn, net.ipv4.tcp_max_syn_backlog) or lower "
                  "--connect-rate or --max-connecting",
                  window.empty() ? "in all" : "since start", format_exact(total)));
  line.end(out);
}

std::uint64_t scheduled_calls(const Recorder& r) {
  std::uint64_t total = 0;
  for (const auto& command : r.actions.commands()) total += command.scheduled;
  return total;
}

void append_rate(std::string& out, const ReportContext& context, std::uint64_t scheduled,
                 std::chrono::steady_clock::time_point from,
                 std::chrono::steady_clock::time_point to, std::string_view window,
                 std::uint64_t owed) {
  if (!context.rate.used()) return;
  Line line("rate");
  const double target = context.rate.target();
  if (target > 0) {
    const double connections = static_cast<double>(std::max<std::int64_t>(1, context.target));
    line.add("target", fmt::format("{}/s", format_rate(target)))
        .add(fmt::format("({}/s per connection over {})", format_rate(target / connections),
                         format_exact(context.target)));
  } else {
    line.add("target off (the plan's sleeps pace the calls)");
  }
  const double seconds = context.rate.seconds_on(from, to);
  const std::string achieved = seconds > 0 ? format_rate(per_second(scheduled, seconds)) : "-";
  if (window.empty()) {
    line.add(fmt::format("achieved {}/s over {} with a target", achieved,
                         format_elapsed(std::chrono::duration<double>(seconds))))
        .add("scheduled calls", format_exact(scheduled));
  } else {
    line.add(fmt::format("achieved {}/s (last {})", achieved, window));
  }
  if (owed > 0) line.add(fmt::format("behind {} call{}", format_exact(owed), owed == 1 ? "" : "s"));
  line.end(out);
  if (target <= 0 || static_cast<double>(owed) < target) return;
  Line("rate hint")
      .add(fmt::format("calls are more than a second behind their due time: the server stalls, "
                       "or {} connections (one call at a time each) cannot carry {}/s; latency "
                       "from the due time grows until they catch up (add connections with incr, "
                       "or lower the rate)",
                       format_exact(context.target), format_rate(target)))
      .end(out);
}

std::string one_line(std::string_view message, std::size_t width) {
  std::string text;
  for (const char c : message) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '\n' || c == '\r') {
      text += ' ';
    } else if (byte < 0x20 || byte == 0x7f) {
      fmt::format_to(std::back_inserter(text), "\\x{:02x}", byte);
    } else {
      text += c;
    }
    if (text.size() > width) return text.substr(0, width - 3) + "...";
  }
  return text;
}

std::vector<std::pair<std::uint64_t, std::string>> ranked(const MessageCounts& messages,
                                                          std::size_t width) {
  std::vector<std::pair<std::uint64_t, std::string>> out;
  for (const auto& [message, times] : messages) out.emplace_back(times, one_line(message, width));
  std::stable_sort(out.begin(), out.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  return out;
}

std::string rest_of(const std::vector<std::pair<std::uint64_t, std::string>>& list,
                    std::size_t shown) {
  std::uint64_t times = 0;
  for (std::size_t i = shown; i < list.size(); ++i) times += list[i].first;
  return fmt::format("{} more messages ({}x)", list.size() - shown, format_exact(times));
}

void append_hints(std::string& out, const std::array<std::uint64_t, kReasons>& counts) {
  for (std::size_t i = 0; i < kReasons; ++i) {
    const char* hint = hint_for(static_cast<Reason>(i));
    if (counts[i] == 0 || hint == nullptr) continue;
    Line("hint").add(fmt::format("{}: {}", to_string(static_cast<Reason>(i)), hint)).end(out);
  }
}

void append_silent_workers(std::string& out, const Snapshot& snapshot) {
  for (const SilentWorker& worker : snapshot.silent) {
    const std::string which = fmt::format("worker {} of {}", worker.index + 1, snapshot.workers);
    const std::string what =
        worker.left_behind
            ? fmt::format(
                  "{} did not stop (no answer for {}): its {} connections were left as "
                  "they were; its counts are from its last answer",
                  which, format_elapsed(worker.silent_for), worker.connections)
            : fmt::format(
                  "{} has not answered for {}: its {} connections are frozen (a module "
                  "call that does not return?); its counts are from its last answer",
                  which, format_elapsed(worker.silent_for), worker.connections);
    Line("workers").add(what).end(out);
  }
}

std::vector<std::pair<std::uint64_t, std::string>> detail_list(const Recorder& r,
                                                               std::size_t width) {
  std::vector<std::pair<std::uint64_t, std::string>> out;
  for (const auto& [kind, detail] : r.error_details) {
    out.emplace_back(detail.count, one_line(fmt::format("{}: {}", kind, detail.first), width));
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  return out;
}

void append_tls(std::string& out, const Recorder& now, const Recorder* before,
                std::string_view window) {
  auto share = [](std::uint64_t part, std::uint64_t whole) {
    return whole == 0 ? std::string("-")
                      : fmt::format("{:.0f}%",
                                    100.0 * static_cast<double>(part) / static_cast<double>(whole));
  };
  Line line("tls");
  line.add("handshakes", format_exact(now.tls_handshakes))
      .add("resumed", fmt::format("{} ({})", format_exact(now.tls_resumed),
                                  share(now.tls_resumed, now.tls_handshakes)));
  if (before != nullptr) {
    const std::uint64_t made = delta(now.tls_handshakes, before->tls_handshakes);
    const std::uint64_t resumed = delta(now.tls_resumed, before->tls_resumed);
    line.add(fmt::format("| last {}: handshakes {}  resumed {}", window, format_exact(made),
                         share(resumed, made)));
  }
  line.end(out);
}

}  // namespace swarm::stats::text
