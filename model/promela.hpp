#pragma once
// Export of the teardown model to Promela (SPIN): the same transition system `check` explores for one set of
// knobs, written so that one SPIN state is one teardown state (README "Promela export"). Also the reading side of
// the round trip: the states a replayed SPIN trail prints, turned back into model States.
//
// The Promela text is generated from the knob values and the C++ tables (rules, fields); the endpoint rules are
// RFC 9293 §3.10 as model/endpoint.cpp implements them, transcribed clause by clause.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/knobs.hpp"
#include "model/teardown.hpp"

namespace model::promela {

/// The names of the properties the export can state as assertions (and no-deadlock as SPIN's invalid end
/// states). eventual-close is a liveness property and is not exported.
const std::vector<std::string_view>& exportable_properties();

/// \returns a message naming the knob when the exporter does not support these knob values yet, or nothing.
std::optional<std::string> unsupported(const Knobs& knobs);

/// The Promela model for `knobs` with assertions for `properties` (names from exportable_properties()).
/// \pre unsupported(knobs) returned nothing; every name is exportable.
std::string export_model(const Knobs& knobs, const std::vector<std::string>& properties);

/// SPIN stores this many states before the loop that mirrors the model: the all-zero state before the setup
/// step that puts B in LISTEN and switches the `@start` filters on.
inline constexpr std::uint64_t kSetupStates = 1;

/// What a replayed trail printed (`spin -t m.pml` or `./pan -r`): the knobs (lines "@@KNOB name=value") and the
/// state after every step, the initial state first (lines "@@TD v1 v2 ...").
struct Printed {
  std::vector<std::pair<std::string, std::string>> knobs;  ///< in order; "profile" first
  std::vector<State> states;
};
/// \returns the parsed output, or an error naming the line.
std::pair<std::optional<Printed>, std::string> read_printed(std::string_view text);

}  // namespace model::promela
