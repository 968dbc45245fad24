#pragma once
// What a check or sweep says about real time (issue 6): whether each counterexample is real-time feasible
// (with the instant of every step) or an artefact of whole ticks (with Z3's reason), and under --timing exact
// how each verdict was reached and what whole ticks alone would have said. A violation whose trace is an
// artefact is shown as violated in whole ticks only (issue 14, item 4): VIOLATED*, "artefact" in JSON, and
// inconclusive for the exit code, since a real-time trace may or may not exist beyond the one found.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "model/knobs.hpp"
#include "properties/check.hpp"
#include "properties/timed.hpp"
#include "smt/timing.hpp"

namespace cli {

/// Whether `r` says that no real times fit its trace. A judgement that gave up before trying every way to match
/// deliveries to equal segments in flight (smt::timing::kMaxCombinations) is no such proof: false.
bool no_real_times(const smt::timing::RealTime& r);

/// Whether result i is violated in whole ticks only: violated, and its trace judged an artefact of whole ticks
/// (no_real_times). A violation with no judgement, or one that could not be judged to the end, is not.
bool artefact(const properties::TimedReport& t, std::size_t i);

/// The verdict a summary line or a sweep cell shows: VIOLATED, VIOLATED* (artefact()), holds or unknown.
std::string verdict_text(const properties::TimedReport& t, std::size_t i);

/// The JSON "verdict" of result i: "violated" (a real-time-feasible or unjudged violation), "artefact"
/// (artefact()), "holds" or "unknown".
std::string_view verdict_json(const properties::TimedReport& t, std::size_t i);

/// The footnote under a summary or sweep table that shows VIOLATED*, without a newline: "* violated in whole
/// ticks only; no real times fit TRACE ...", where `trace` names the trace ("this trace", "the trace found").
std::string artefact_footnote(std::string_view trace);

/// The JSON fields a result gains, each preceded by a comma: "real_time" (null unless violated; else
/// {"feasible":true,"times":[instant of each step in ticks],"sent_at":[...]} or {"feasible":false,"why":TEXT}),
/// "timing" ("ticks" or "exact"), and under exact timing "decided_by" ("ticks", "trace" or "zones") and
/// "ticks_verdict".
std::string real_time_json(const properties::TimedReport& t, std::size_t i, bool exact);
/// The "real_time" value alone for one judgement, as real_time_json writes it.
std::string real_time_value_json(const smt::timing::RealTime& r);

/// The text report's paragraph for a violated result, ending in a newline: "Real time: feasible; the steps
/// happen at ..." or "Real time: an artefact of whole ticks: WHY", and how the verdict was reached.
std::string real_time_text(const properties::TimedReport& t, std::size_t i, bool exact);
/// The same paragraph for one judgement, without how a verdict was reached.
std::string real_time_text(const smt::timing::RealTime& r);

/// Under timing=ticks with --all-shortest: judges each further minimal trace (Result::more) of every violation
/// in real time. When a violation's first trace is an artefact and a further one fits real times, the first
/// that fits becomes the result's trace (with its judgement in t.real_time), so that a violation is shown in
/// whole ticks only when every trace found is an artefact. Eventual-close's trap trace (trapped_from) stays
/// first. \returns per result, the judgement of each trace of its `more`, in order (after any such move).
/// \pre `knobs` are those t was checked with, timing=ticks.
std::vector<std::vector<smt::timing::RealTime>> judge_more(properties::TimedReport& t, const model::Knobs& knobs);

}  // namespace cli
