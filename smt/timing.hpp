#pragma once
// Real-time feasibility of a trace (issue 6, item 1): does the trace's sequence of ticks and events fit real
// instants under the exact real-time semantics of model/timing.hpp? A trace of the tick model (timing=ticks)
// may not: the tick model lets a segment sent late in tick t arrive late in tick t + MSL, more than MSL later.
//
// Each step's event gets one Z3 real (step 0, the initial state, is the origin, time 0); each step adds the
// difference constraints model::timing::step_timing gives for it, over the variables that its clocks (Z, the
// start of the tick; N, the last event; each channel slot's send time; each side's timer start) stand for, and
// the clocks are then remapped the way the step says. The trace is feasible when the conjunction is
// satisfiable in linear real arithmetic; otherwise the unsat core of the named constraints says why.
//
// Two things a stored trace does not show are decided here:
//   - timer restarts: Tcb::armed is cleared in stored states, so each step is made again by the model
//     (TeardownModel::with_armed), which says which timers it (re)started, exactly as the timing=exact search sees
//     them.
//   - which copy a delivery takes: equal segments may be in flight with different send times. Every candidate
//     slot (model::timing::delivery_slots) is tried, depth-first over the trace, up to kMaxCombinations
//     combinations in all; the first satisfiable one gives the times.

#include <string>
#include <vector>

#include <optional>

#include "checker/search.hpp"
#include "model/teardown.hpp"
#include "properties/check.hpp"

namespace smt::timing {

/// Ways of matching deliveries to equal in-flight segments tried at most, over the whole trace.
inline constexpr unsigned kMaxCombinations = 256;

struct RealTime {
  bool feasible = false;  ///< real times exist for every step
  /// When feasible, per step of the trace (same size; step 0 is 0): the event's real time in ticks; for a Tick
  /// step, the instant the new tick starts (its tick number). Empty when infeasible.
  std::vector<double> seconds;
  /// When feasible, per step: for a Deliver, the step that sent the segment it takes (the slot choice made,
  /// 0 for a segment in flight in the initial state); -1 for other steps.
  std::vector<int> sent_at;
  /// When infeasible: why, in words, from Z3's unsat core over the named constraints (and whether the cap on
  /// delivery combinations was hit).
  std::string why;
};

/// The real times of `trace` (trace[0] is the initial state, each later step has its label), under the
/// knobs of `model`. Works on traces of either timing knob.
/// \throws std::logic_error when a step is not a step of `model` (its label does not lead to its state).
RealTime realtime(const model::TeardownModel& model, const std::vector<checker::Step<model::TeardownModel>>& trace);

/// How a verdict of check() below was reached.
enum class DecidedBy {
  Ticks,     ///< the whole-tick search alone: a holds there holds in real time (safety properties only)
  Trace,     ///< the whole-tick search's counterexample, which Z3 found real-time feasible
  Zones,     ///< the exact-time (zone) search, after the tick search's counterexample was an artefact
};
std::string_view name(DecidedBy d);

/// A check whose counterexamples are marked real-time feasible or artefacts of whole ticks.
struct TimedReport {
  properties::Report report;  ///< the verdicts and traces (under timing=exact: real-time ones)
  /// Per result of `report`: for a violation, realtime() of its trace; otherwise nothing.
  std::vector<std::optional<RealTime>> real_time;
  /// Per result: how its verdict was reached (Ticks for every result under timing=ticks).
  std::vector<DecidedBy> decided_by;
  /// Under timing=exact: per result, the verdict of the whole-tick search (what the tick model alone says).
  std::vector<properties::Verdict> ticks_verdict;
  checker::Stats ticks_stats;                ///< the whole-tick search's
  std::optional<checker::Stats> zone_stats;  ///< the exact-time search's, when one ran
};

/// Checks `knobs`' model and judges every counterexample in real time.
///
/// Under timing=ticks: one search in whole ticks; each violation's trace gets realtime().
/// Under timing=exact, a search in whole ticks first, because it is an order of magnitude faster and real-time
/// behaviour is a subset of it (the zone search only prunes steps):
///   - an edge or state property that holds in whole ticks holds in real time;
///   - a violation whose trace is real-time feasible is a real-time violation; under --minimize faults or by
///     steps it is still minimal, since every real-time trace is a tick trace. Artefacts among `more` are dropped;
///   - the rest (artefacts, Deadlock and Trap properties, which time can make worse, and unknowns) are
///     decided by one exact-time search (knobs as given) of those properties alone, with what is left of
///     the time limit.
/// report.stats then adds up both searches (seconds, states, transitions; peak memory and depth the larger).
TimedReport check(const model::Knobs& knobs, const properties::CheckOptions& options);

}  // namespace smt::timing
