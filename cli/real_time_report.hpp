#pragma once
// What a check or sweep says about real time (issue 6): whether each counterexample is real-time feasible
// (with the instant of every step) or an artefact of whole ticks (with Z3's reason), and under --timing exact
// how each verdict was reached and what whole ticks alone would have said.

#include <cstddef>
#include <string>

#include "smt/timing.hpp"

namespace cli {

/// The JSON fields a result gains, each preceded by a comma: "real_time" (null unless violated; else
/// {"feasible":true,"times":[instant of each step in ticks],"sent_at":[...]} or {"feasible":false,"why":TEXT}),
/// "timing" ("ticks" or "exact"), and under exact timing "decided_by" ("ticks", "trace" or "zones") and
/// "ticks_verdict".
std::string real_time_json(const smt::timing::TimedReport& t, std::size_t i, bool exact);

/// The text report's paragraph for a violated result, ending in a newline: "Real time: feasible; the steps
/// happen at ..." or "Real time: an artefact of whole ticks: WHY", and how the verdict was reached.
std::string real_time_text(const smt::timing::TimedReport& t, std::size_t i, bool exact);

/// A sweep cell's verdict: VIOLATED, holds or unknown; under ticks, a violation whose counterexample is an
/// artefact of whole ticks is "VIOLATED*".
std::string sweep_cell(const smt::timing::TimedReport& t, std::size_t i);

}  // namespace cli
