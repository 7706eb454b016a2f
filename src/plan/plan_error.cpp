#include "plan/plan_error.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

namespace swarm::plan {
namespace {

// Sorted in file order; never empty, so that line() and friends are safe.
std::vector<Problem> normalized(std::vector<Problem> problems) {
  if (problems.empty()) problems.push_back({{}, "invalid plan"});
  std::stable_sort(problems.begin(), problems.end(), [](const Problem& a, const Problem& b) {
    return std::pair(a.where.line, a.where.column) < std::pair(b.where.line, b.where.column);
  });
  return problems;
}

std::string format_all(const std::string& path, const std::vector<Problem>& problems) {
  std::string text;
  for (const auto& problem : problems) {
    if (!text.empty()) text += '\n';
    text += format_problem(path, problem);
  }
  return text;
}

}  // namespace

std::string format_problem(const std::string& path, const Problem& problem) {
  if (problem.where.line <= 0) return fmt::format("{}: {}", path, problem.message);
  return fmt::format("{}:{}:{}: {}", path, problem.where.line, problem.where.column,
                     problem.message);
}

PlanError::PlanError(std::string path, SourceLocation where, std::string message)
    : PlanError(std::move(path), std::vector<Problem>{{where, std::move(message)}}) {}

PlanError::PlanError(std::string path, std::vector<Problem> problems)
    : std::runtime_error(format_all(path, normalized(problems))),
      path_(std::move(path)),
      problems_(normalized(std::move(problems))) {}

}  // namespace swarm::plan
