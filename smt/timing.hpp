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
// Timer restarts come from each step's label (Label::restarted), exactly as the exact-time search
// (model/timed_model.hpp) reads them. What a stored trace does not show is decided here:
//   - which copy a delivery takes: equal segments may be in flight with different send times. Every candidate
//     slot (model::timing::delivery_slots) is tried, depth-first over the trace, up to kMaxCombinations
//     combinations in all; the first satisfiable one gives the times.

#include <string>
#include <vector>

#include "checker/search.hpp"
#include "model/teardown.hpp"

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
/// \throws std::logic_error when a step's channels do not follow from its label (it is not a step of `model`).
RealTime realtime(const model::TeardownModel& model, const std::vector<checker::Step<model::TeardownModel>>& trace);

}  // namespace smt::timing
