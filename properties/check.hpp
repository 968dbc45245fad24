#pragma once
// Checking a model against properties: one search with every chosen property watching it, then the trap
// analysis for eventual-close, and a verdict and (for a violation) a shortest trace per property.

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "checker/search.hpp"
#include "model/teardown.hpp"
#include "properties/properties.hpp"

namespace properties {

using Trace = std::vector<checker::Step<model::TeardownModel>>;

enum class Verdict { Holds, Violated, Unknown };
std::string_view name(Verdict v);

struct Result {
  std::size_t property;  ///< index into all()
  Verdict verdict = Verdict::Unknown;
  Trace trace;      ///< a shortest violating trace (BFS), empty unless violated
  std::string why;  ///< what the last step does wrong, in words
  /// eventual-close only: trace[trapped_from] is the first state from which no final state is reachable;
  /// the trace then runs into a dead end, or (cycle_start set) its last state repeats trace[*cycle_start].
  std::optional<std::size_t> trapped_from;
  std::optional<std::size_t> cycle_start;
};

struct CheckOptions {
  std::vector<std::size_t> properties;  ///< empty: all
  checker::SearchOptions search;
};

struct Report {
  std::vector<Result> results;
  checker::Outcome outcome = checker::Outcome::Complete;
  checker::Stats stats;
};

/// Runs the search once with every chosen property. A property that holds only gets Holds when the search
/// completed; after a limit it is Unknown (inconclusive). The search stops early once every chosen property
/// is violated, as SPIN stops at an error: eventual-close counts as violated once the search meets a dead end
/// that is not final (the dead end is a trap). When the search completes, eventual-close's trace comes from
/// the trap analysis and is a shortest one into a trap (a dead end or a cycle); when it stopped early, it is
/// a shortest trace to a non-final dead end, which a trap reached through a cycle could beat by a few steps.
Report check(const model::TeardownModel& model, const CheckOptions& options);

/// Parses a reachability goal, "A=FIN_WAIT_1 B=CLOSE_WAIT" (both sides, any order). \returns the states of A
/// and B, or nothing with `error` saying what is wrong.
std::optional<std::pair<model::TcpState, model::TcpState>> parse_goal(std::string_view goal, std::string& error);

/// A shortest trace to a state where A is in `a` and B in `b`.
struct ReachReport {
  std::optional<Trace> witness;
  checker::Outcome outcome = checker::Outcome::Complete;
  checker::Stats stats;
};
ReachReport reach(const model::TeardownModel& model, model::TcpState a, model::TcpState b,
                  const checker::SearchOptions& options);

}  // namespace properties
