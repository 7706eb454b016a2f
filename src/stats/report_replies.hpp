// The report lines about what servers answered and sent, beyond counts of
// requests: replies by kind per command (errors by their first word, hits
// and misses), and messages received unasked (per second, per topic).
// Kept apart from report.cpp: protocols add kinds, the report's frame stays.
#pragma once

#include <string>
#include <vector>

#include "stats/command_rows.hpp"
#include "stats/received.hpp"
#include "stats/reply_kinds.hpp"

namespace swarm::stats {

/// One command's replies by kind, now and at the earlier snapshot.
struct KindsRow {
  std::string name;   // the command
  ReplyKinds now;     // since the start
  ReplyKinds before;  // at the earlier snapshot (empty in the final report)
};

/// The rows of `rows` that counted reply kinds.
std::vector<KindsRow> kinds_rows(const std::vector<CommandRow>& rows);

/// The status block's "reply errors" and "reply kinds" lines (none
/// when nothing was counted): the last interval, then since the start.
void append_status_kinds(std::string& out, const std::vector<KindsRow>& rows,
                         const std::string& window);
/// The final report's lines: every kind since the start, per command.
void append_final_kinds(std::string& out, const std::vector<KindsRow>& rows);

/// The status block's "received" line (none when nothing came): messages
/// per second over the interval, and the busiest topics.
void append_status_received(std::string& out, const ReceivedStats& now, const ReceivedStats& before,
                            double seconds);
/// The final report's "received" line: messages in all, per second on
/// average, and per topic.
void append_final_received(std::string& out, const ReceivedStats& end, double seconds);

}  // namespace swarm::stats
