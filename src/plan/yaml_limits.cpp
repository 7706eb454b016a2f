#include "plan/yaml_limits.hpp"

#include <fmt/format.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/parser.h>

#include <cstdint>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "plan/yaml_value.hpp"

namespace swarm::plan {
namespace {

/// Thrown from inside the event handler to end the parse at a limit.
struct LimitReached {
  Problem problem;  // what was passed, and where
};

/// Counts the nodes of a document as the parser reports them, each alias as
/// the size of the subtree its anchor names, without building anything.
class ExpansionCounter final : public YAML::EventHandler {
 public:
  explicit ExpansionCounter(std::string_view text) : text_(text) {}

  void OnDocumentStart(const YAML::Mark& mark) override {
    // yaml-cpp 0.7 starts the same empty document again and again at a
    // stray ',' or ']' where a document should begin (its issue #1040):
    // without progress, stop.
    if (documents_++ > 0 && mark.pos == last_start_) {
      const char token = mark.pos >= 0 && static_cast<std::size_t>(mark.pos) < text_.size()
                             ? text_[static_cast<std::size_t>(mark.pos)]
                             : '?';
      throw LimitReached{
          {location_of(mark), fmt::format("invalid YAML: unexpected '{}'", printable_char(token))}};
    }
    last_start_ = mark.pos;
    sizes_.clear();
    open_.clear();
    total_ = 0;
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override { leaf(mark, anchor); }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    add(mark, anchor < sizes_.size() ? sizes_[anchor] : 1);
  }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                const std::string&) override {
    leaf(mark, anchor);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    begin(mark, anchor);
  }
  void OnSequenceEnd() override { end(); }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    begin(mark, anchor);
  }
  void OnMapEnd() override { end(); }

 private:
  /// A list or map not yet closed.
  struct Open {
    YAML::anchor_t anchor;  // its anchor, 0 when none
    std::uint64_t nodes;    // nodes so far, itself included
  };

  void leaf(const YAML::Mark& mark, YAML::anchor_t anchor) {
    add(mark, 1);
    remember(anchor, 1);
  }
  void begin(const YAML::Mark& mark, YAML::anchor_t anchor) {
    if (open_.size() >= kMaxPlanDepth) {
      throw LimitReached{
          {location_of(mark),
           fmt::format("lists and maps nested deeper than {} levels", kMaxPlanDepth)}};
    }
    add(mark, 1);
    open_.push_back({anchor, 1});
  }
  void end() {
    const Open closed = open_.back();
    open_.pop_back();
    remember(closed.anchor, closed.nodes);
    if (!open_.empty()) open_.back().nodes += closed.nodes - 1;  // itself was added at begin
  }
  // Every node counts once in total_ and once in each enclosing list or map;
  // sizes stay below the limit, so nothing overflows.
  void add(const YAML::Mark& mark, std::uint64_t nodes) {
    total_ += nodes;
    if (total_ > kMaxPlanNodes) {
      throw LimitReached{
          {location_of(mark),
           fmt::format("the plan expands to more than {} nodes (aliases included): an alias "
                       "bomb, or a plan far larger than any swarm can run",
                       kMaxPlanNodes)}};
    }
    if (!open_.empty()) open_.back().nodes += nodes;
  }
  void remember(YAML::anchor_t anchor, std::uint64_t nodes) {
    if (anchor == 0) return;
    if (sizes_.size() <= anchor) sizes_.resize(anchor + 1, 1);
    sizes_[anchor] = nodes;
  }

  static std::string printable_char(char c) {
    const auto byte = static_cast<unsigned char>(c);
    return byte >= 0x20 && byte < 0x7f ? std::string(1, c) : fmt::format("\\x{:02x}", byte);
  }

  std::string_view text_;             // the script, for messages
  std::size_t documents_ = 0;         // documents begun
  int last_start_ = -1;               // where the last one began
  std::vector<std::uint64_t> sizes_;  // expanded size by anchor id
  std::vector<Open> open_;            // enclosing lists and maps, innermost last
  std::uint64_t total_ = 0;           // nodes in the document so far, expanded
};

}  // namespace

std::optional<Problem> find_yaml_limit_problem(std::string_view yaml_text) {
  std::istringstream stream{std::string(yaml_text)};
  YAML::Parser parser(stream);
  ExpansionCounter counter(yaml_text);
  try {
    while (parser.HandleNextDocument(counter)) {
    }
  } catch (LimitReached& reached) {
    return std::move(reached.problem);
  }
  return std::nullopt;
}

}  // namespace swarm::plan
