#include "stats/report_replies.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>
#include <utility>

#include "stats/units.hpp"

namespace swarm::stats {
namespace {

constexpr std::size_t kStatusTopics = 5;  // topics shown in the status block
constexpr std::size_t kFinalTopics = 20;  // topics listed in the final report

/// "set -WRONGTYPE 3  -OOM 1  get hit 9.8k  miss 12" for the kinds with
/// `error` as asked; "" when there are none.
std::string kinds_text(const std::vector<std::pair<std::string, const ReplyKinds*>>& rows,
                       bool error) {
  std::string out;
  for (const auto& [name, kinds] : rows) {
    std::string items;
    for (const auto& [kind, count] : kinds->all()) {
      if (count.error != error || count.times == 0) continue;
      fmt::format_to(std::back_inserter(items), "{}{} {}", items.empty() ? "" : "  ", kind,
                     format_exact(count.times));
    }
    if (items.empty()) continue;
    fmt::format_to(std::back_inserter(out), "{}{}: {}", out.empty() ? "" : " | ", name, items);
  }
  return out;
}

void append_line(std::string& out, std::string_view label, std::string_view text) {
  fmt::format_to(std::back_inserter(out), "{:<13} {}\n", label, text);
}

/// Topics by count, most first, at most `limit` of them.
std::vector<std::pair<std::uint64_t, std::string_view>> busiest(
    const std::map<std::string, std::uint64_t, std::less<>>& counts,
    const std::map<std::string, std::uint64_t, std::less<>>* before, std::size_t limit) {
  std::vector<std::pair<std::uint64_t, std::string_view>> list;
  for (const auto& [topic, times] : counts) {
    std::uint64_t earlier = 0;
    if (before != nullptr) {
      auto found = before->find(topic);
      if (found != before->end()) earlier = found->second;
    }
    if (times > earlier) list.emplace_back(times - earlier, topic);
  }
  std::stable_sort(list.begin(), list.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  if (list.size() > limit) list.resize(limit);
  return list;
}

}  // namespace

std::vector<KindsRow> kinds_rows(const std::vector<CommandRow>& rows) {
  std::vector<KindsRow> out;
  for (const CommandRow& row : rows) {
    if (row.now.reply_kinds.empty()) continue;
    out.push_back({row.name, row.now.reply_kinds, row.before.reply_kinds});
  }
  return out;
}

void append_status_kinds(std::string& out, const std::vector<KindsRow>& rows,
                         const std::string& window) {
  std::vector<ReplyKinds> recent;
  recent.reserve(rows.size());
  std::vector<std::pair<std::string, const ReplyKinds*>> since_start;
  std::vector<std::pair<std::string, const ReplyKinds*>> last;
  for (const KindsRow& row : rows) recent.push_back(row.now.since(row.before));
  for (std::size_t i = 0; i < rows.size(); ++i) {
    since_start.emplace_back(rows[i].name, &rows[i].now);
    last.emplace_back(rows[i].name, &recent[i]);
  }
  for (const bool error : {true, false}) {
    const std::string total = kinds_text(since_start, error);
    if (total.empty()) continue;
    const std::string interval = kinds_text(last, error);
    append_line(out, error ? "reply errors" : "reply kinds",
                fmt::format("last {}: {}  || since start: {}", window,
                            interval.empty() ? "none" : interval, total));
  }
}

void append_final_kinds(std::string& out, const std::vector<KindsRow>& rows) {
  std::vector<std::pair<std::string, const ReplyKinds*>> all;
  for (const KindsRow& row : rows) all.emplace_back(row.name, &row.now);
  for (const bool error : {true, false}) {
    const std::string text = kinds_text(all, error);
    if (!text.empty()) append_line(out, error ? "reply errors" : "reply kinds", text);
  }
}

void append_status_received(std::string& out, const ReceivedStats& now, const ReceivedStats& before,
                            double seconds) {
  if (now.messages == 0) return;
  const std::uint64_t recent = now.messages > before.messages ? now.messages - before.messages : 0;
  std::string text =
      fmt::format("messages/s {}  total {}",
                  format_rate(seconds > 0 ? static_cast<double>(recent) / seconds : 0),
                  format_exact(now.messages));
  for (const auto& [times, topic] : busiest(now.by_topic, &before.by_topic, kStatusTopics)) {
    fmt::format_to(std::back_inserter(text), "  {} {}/s", topic,
                   format_rate(seconds > 0 ? static_cast<double>(times) / seconds : 0));
  }
  append_line(out, "received", text);
}

void append_final_received(std::string& out, const ReceivedStats& end, double seconds) {
  if (end.messages == 0) return;
  std::string text =
      fmt::format("messages {}  ({}/s)", format_exact(end.messages),
                  format_rate(seconds > 0 ? static_cast<double>(end.messages) / seconds : 0));
  const auto topics = busiest(end.by_topic, nullptr, kFinalTopics);
  if (!topics.empty()) text += "  by topic:";
  for (const auto& [times, topic] : topics) {
    fmt::format_to(std::back_inserter(text), "  {} {}", topic, format_exact(times));
  }
  if (end.by_topic.size() > topics.size()) {
    fmt::format_to(std::back_inserter(text), "  ({} more topics)",
                   end.by_topic.size() - topics.size());
  }
  if (end.other_topics > 0) {
    fmt::format_to(std::back_inserter(text), "  (on topics past the first {}: {})",
                   ReceivedStats::kMaxTopics, format_exact(end.other_topics));
  }
  append_line(out, "received", text);
}

}  // namespace swarm::stats
