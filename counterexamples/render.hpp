#pragma once
// Renderers for traces of the teardown model: a text ladder for people, JSON for tools (DESIGN.md's trace
// shape), and the pieces they share (segments and endpoints as text).

#include <string>
#include <string_view>

#include "model/teardown.hpp"
#include "properties/check.hpp"

namespace counterexamples {

/// "SYN,ACK seq=5000 ack=1001 len=0" style.
std::string segment_text(const model::Segment& s);
/// "FIN|ACK" style flag names, as the JSON and probe use them.
std::string flags_text(std::uint8_t flags);

/// What happened in one step, in words, with the segment as an arrow ("A close: FIN|ACK seq=1002 ... -->").
std::string event_text(const model::Label& label);

/// The ladder: one line per step with the tick, both endpoints' states and what happened (the segment as an
/// arrow, faults marked); under it, per endpoint, only the TCB variables that changed (a diff: sequence
/// variables, incarnation, data counters, retries, timers in ticks left); `why` under the last step (the
/// one that breaks the property, marked "<=="); then a summary and kLadderLegend. `trapped_from` and
/// `cycle_start` mark an eventual-close trap.
std::string ladder(const properties::Trace& trace, std::string_view why,
                   std::optional<std::size_t> trapped_from = std::nullopt,
                   std::optional<std::size_t> cycle_start = std::nullopt);
inline constexpr std::string_view kLadderLegend =
    "  Legend: --> a segment A sends to B, <-- one B sends to A (written when it is sent and again when it\n"
    "  arrives); [LOST] and [DUPLICATED] are network faults, [FILTERED] a firewall drop, [QUEUE FULL] a\n"
    "  segment sent into a full direction (congestion); (inc N, unit K): the connection (incarnation) that\n"
    "  sent the segment and its data unit. Under a step, only what changed; timers count the ticks left\n"
    "  before they fire (off: not running).\n";

/// The JSON trace: {"steps": [...], "faults": N} (DESIGN.md, "Command line"). The last step's note is `why`;
/// for eventual-close, the step at `trapped_from` (if not the last) carries kTrappedNote.
std::string trace_json(const properties::Trace& trace, std::string_view why,
                       std::optional<std::size_t> trapped_from = std::nullopt);
inline constexpr std::string_view kTrappedNote = "trapped: from this state on, no final state is reachable";

/// One step of the JSON trace. `time` counts the ticks up to and including this step; `note` (the property's
/// explanation, on the last step) replaces the rule that decided a delivery.
std::string step_json(std::size_t index, unsigned time, const properties::Trace::value_type& step,
                      std::string_view note);

/// Network faults along a trace: losses, duplications and queue drops (filters are rules, not faults).
unsigned faults(const properties::Trace& trace);

/// JSON string escaping.
std::string quote(std::string_view text);

}  // namespace counterexamples
