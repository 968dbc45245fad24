#pragma once
// The check every `check`, `sweep` and `explain` runs: a search in whole ticks, each counterexample judged in
// real time by Z3 (smt/timing.hpp), and under timing=exact the zone search for what whole ticks cannot decide.
// It lives here, above smt/, because it drives checking; smt/ answers the Z3 questions only.

#include <optional>
#include <string_view>
#include <vector>

#include "model/knobs.hpp"
#include "properties/check.hpp"
#include "smt/timing.hpp"

namespace properties {

/// How a verdict of check_timed() below was reached.
enum class DecidedBy {
  Ticks,      ///< the whole-tick search alone: a holds there holds in real time (safety properties only)
  TickTrace,  ///< the whole-tick search's counterexample, which Z3 found real-time feasible
  Zones,      ///< the exact-time (zone) search, after the tick search's counterexample was an artefact
};
std::string_view name(DecidedBy d);

/// A check whose counterexamples are marked real-time feasible or artefacts of whole ticks.
struct TimedReport {
  Report report;  ///< the verdicts and traces (under timing=exact: real-time ones)
  /// Per result of `report`: for a violation, smt::timing::realtime() of its trace; otherwise nothing.
  std::vector<std::optional<smt::timing::RealTime>> real_time;
  /// Per result: how its verdict was reached (Ticks for every result under timing=ticks).
  std::vector<DecidedBy> decided_by;
  /// Under timing=exact: per result, the verdict of the whole-tick search (what the tick model alone says).
  std::vector<Verdict> ticks_verdict;
  checker::Stats ticks_stats;                ///< the whole-tick search's
  std::optional<checker::Stats> zone_stats;  ///< the exact-time search's, when one ran
  /// When the exact-time search ran: the distinct zones interned by then (in this process), and the successors
  /// it dropped because a strictly larger zone of the same discrete state was stored (none without covering).
  std::size_t zones = 0;
  std::optional<std::size_t> covered;
};

/// Checks `knobs`' model and judges every counterexample in real time.
///
/// Under timing=ticks: one search in whole ticks; each violation's trace gets smt::timing::realtime().
/// Under timing=exact, a search in whole ticks first, because it is an order of magnitude faster and real-time
/// behaviour is a subset of it (the zone search only prunes steps):
///   - an edge or state property that holds in whole ticks holds in real time;
///   - a violation whose trace is real-time feasible is a real-time violation; under --minimize faults or by
///     steps it is still minimal, since every real-time trace is a tick trace. Artefacts among `more` are dropped;
///   - the rest (artefacts, Deadlock and Trap properties, which time can make worse, and unknowns) are
///     decided by one exact-time search (knobs as given) of those properties alone, with what is left of
///     the time limit.
/// report.stats then adds up both searches (seconds, states, transitions; peak memory and depth the larger).
TimedReport check_timed(const model::Knobs& knobs, const CheckOptions& options);

/// A shortest trace to a state where A is in `a` and B in `b`, on `knobs`' model: under timing=exact a search of
/// the timed model (model/timed_model.hpp), so the witness is real-time feasible; under timing=ticks, in whole
/// ticks.
/// With `by` Faults or max_traces > 1, the witnesses come from reach_minimal (fewest faults, then steps; up to
/// max_traces distinct ones).
ReachReport reach_timed(const model::Knobs& knobs, model::TcpState a, model::TcpState b,
                        const checker::SearchOptions& options, Minimize by = Minimize::Steps,
                        std::size_t max_traces = 1);

}  // namespace properties
