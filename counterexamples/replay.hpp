#pragma once
// Replay: re-checks a saved trace (what `--trace-out` writes) against the model, step by step, and re-checks
// that its last step breaks the property it names (or reaches the goal it names).

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "model/knobs.hpp"
#include "properties/check.hpp"

namespace counterexamples {

struct Replayed {
  model::Knobs knobs;
  std::string property;  ///< a property name, or "reach"
  std::string goal;      ///< reach only: "A=STATE B=STATE"
  properties::Trace trace;
  std::string why;                          ///< what the last step does wrong (or, for reach, reaches), in words
  std::optional<std::size_t> trapped_from;  ///< eventual-close, as in properties::Result
  std::optional<std::size_t> cycle_start;
};

struct ReplayResult {
  std::optional<Replayed> replayed;
  /// When replayed is empty: what is wrong and where ("step 7 does not follow from step 6: ...",
  /// "line 3, column 9: expected ...", "model.msl: ...").
  std::string error;
};

/// The default bound on each search behind re-checking eventual-close.
inline constexpr std::size_t kTrapSearchStates = 5000000;

/// Replays the JSON text of a saved trace.
///
/// Step 0 must be the model's initial state; every later step must be a transition of the model from the
/// previous one: its label, actor, segments, fate, direction, both endpoints and the network must be exactly
/// what some successor renders (the notes are not compared). Steps are matched against every successor, and
/// when two successors render alike (two `@anytime` filters switching on) both are followed. The file's
/// "model" must name known knobs only; missing knobs take the profile's values. Finally the named property
/// must be broken by the last step (eventual-close: no final state is reachable from the last state), or, for
/// "reach", the last state must be the goal.
/// `trap_search_states` bounds each "is a final state reachable?" search of eventual-close (a search that hits it
/// fails the replay as too large to re-check).
ReplayResult replay(std::string_view text, std::size_t trap_search_states = kTrapSearchStates);

}  // namespace counterexamples
