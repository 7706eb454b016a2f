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

void append_connections(std::string& out, const ReportContext& context, const Recorder& r) {
  const auto connecting = r.in_state[static_cast<std::size_t>(ConnState::connecting)];
  Line("connections")
      .add("target", format_exact(context.target))
      .add("open", format_exact(r.open))
      .add("connecting", format_exact(connecting))
      .add("established", format_exact(r.connects))
      .add("attempts", format_exact(r.connect_attempts))
      .end(out);
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

std::vector<std::pair<std::uint64_t, std::string>> ranked(
    const std::map<std::string, std::uint64_t>& messages, std::size_t width) {
  std::vector<std::pair<std::uint64_t, std::string>> out;
  for (const auto& [message, times] : messages) {
    std::string text = message;
    std::replace_if(
        text.begin(), text.end(), [](char c) { return c == '\n' || c == '\r'; }, ' ');
    if (text.size() > width) text = text.substr(0, width - 3) + "...";
    out.emplace_back(times, std::move(text));
  }
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

std::vector<std::pair<std::uint64_t, std::string>> detail_list(const Recorder& r,
                                                               std::size_t width) {
  std::map<std::string, std::uint64_t> messages;
  for (const auto& [kind, detail] : r.error_details) {
    messages[fmt::format("{}: {}", kind, detail.first)] += detail.count;
  }
  return ranked(messages, width);
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
