#pragma once
// The named teardown properties (DESIGN.md "Properties"): what each means, and the check that decides it
// on one step of the search, a state, a state without successors, or (eventual-close) the whole graph.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/teardown.hpp"

namespace properties {

/// Where a property is decided.
enum class Hook {
  Edge,      ///< on a transition (state, label, next state)
  State,     ///< on a reachable state
  Deadlock,  ///< on a state without successors
  Trap,      ///< after the search: every state must still reach an accepted final state
};

struct Info {
  std::string_view name;
  std::string_view explanation;  ///< one paragraph, printed by `teardown list properties` and under a violation
  Hook hook;
};

/// Every property, in the order reports list them.
const std::vector<Info>& all();
/// The index of the property called `name`, if there is one.
std::optional<std::size_t> find(std::string_view name);

/// Why the step from `from` by `label` to `to` breaks property `p` (a sentence), or nothing.
/// \pre all()[p].hook == Hook::Edge.
std::optional<std::string> check_edge(std::size_t p, const model::TeardownModel& m, const model::State& from,
                                      const model::Label& label, const model::State& to);
/// Why state `s` breaks property `p`, or nothing. \pre all()[p].hook is State or Deadlock.
std::optional<std::string> check_state(std::size_t p, const model::TeardownModel& m, const model::State& s);

}  // namespace properties
