#pragma once
// What `check` and `reach` with `--minimize steps|faults` and `--all-shortest N` add to the report: parsing the two
// options, the line that says what a trace minimises and by how much, and the JSON fields for it.

#include <optional>
#include <string>
#include <string_view>

#include "properties/check.hpp"

namespace cli {

/// "steps" or "faults"; nothing for anything else.
std::optional<properties::Minimize> parse_minimize(const std::string& text);
/// A count from 1 to 1000 (an empty text: 0, one trace); nothing for anything else.
std::optional<std::size_t> parse_all_shortest(const std::string& text);

/// The text report's heading over a violated property's trace, ending in a colon: for steps,
/// "A shortest trace:" (with more than one, "A shortest trace (fewest steps: S):"); for faults, "A trace with
/// the fewest faults: F (L losses, D duplications, R filter drops), then fewest steps: S:". It says when the
/// minimisation was cut short by a limit, and that eventual-close is not minimised in faults.
std::string minimal_heading(const properties::Result& r, properties::Minimize by, bool several);

/// The JSON fields after "proof" in a result, each preceded by a comma: "minimized", "faults", "losses",
/// "duplications", "filter_drops", "queue_drops", "minimal", and with `several` "traces" (the result's trace, then the
/// others, as counterexamples::trace_json writes them). Empty when the property is not violated.
std::string minimal_json(const properties::Result& r, properties::Minimize by, bool several);

/// The same for a `reach` witness (`reach --minimize`, `--all-shortest`): "A witness with the fewest faults: ...",
/// and the JSON fields after "trace" in reach's report ("traces" holds every witness). Empty without a witness.
std::string witness_heading(const properties::ReachReport& r, properties::Minimize by, bool several);
std::string witness_json(const properties::ReachReport& r, properties::Minimize by, bool several, std::string_view why);

}  // namespace cli
