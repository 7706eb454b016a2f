// The error every plan problem is reported with: what is wrong, and where.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "plan/plan.hpp"

namespace swarm::plan {

/// One thing wrong with a script.
struct Problem {
  SourceLocation where;  // line 0: the file as a whole (it cannot be read, is empty)
  std::string message;   // what is wrong, e.g. "rounds: expected ..., got 'abc'"
};

/// A script that cannot be run. what() is `PATH:LINE:COL: MESSAGE` (or
/// `PATH: MESSAGE` without a position), one line per problem when several
/// were found at once, in file order.
class PlanError : public std::runtime_error {
 public:
  PlanError(std::string path, SourceLocation where, std::string message);
  PlanError(std::string path, std::vector<Problem> problems);  // problems not empty

  /// The script's path, as given.
  const std::string& path() const noexcept { return path_; }
  /// The first problem's line (1-based), 0 when it concerns the whole file.
  int line() const noexcept { return problems_.front().where.line; }
  /// The first problem's column (1-based), 0 when it concerns the whole file.
  int column() const noexcept { return problems_.front().where.column; }
  /// The first problem's message, without the position.
  const std::string& message() const noexcept { return problems_.front().message; }
  /// Every problem found, at least one.
  const std::vector<Problem>& problems() const noexcept { return problems_; }

 private:
  std::string path_;               // the script's path, as given
  std::vector<Problem> problems_;  // at least one, in file order
};

/// `PATH:LINE:COL: MESSAGE`, or `PATH: MESSAGE` when the line is 0.
std::string format_problem(const std::string& path, const Problem& problem);

}  // namespace swarm::plan
