#pragma once
// "Can every reachable state still reach a goal?" (CTL: AG EF goal), answered after a complete search.
//
// The transition graph is the one the search recorded (or is rebuilt once as compact arrays), the states that
// can reach a goal are marked by sweeps over it (reaching()), and every unmarked state is trapped: no path from
// it reaches a goal. The witness is a shortest path from an initial state to a trapped state, then the dead end
// or cycle it is trapped in (every successor of a trapped state is trapped).
// Memory: beyond the graph, a byte per state, and only when the sweeps do not settle: the reversed graph.

#include <algorithm>
#include <cstdint>
#include <deque>
#include <optional>
#include <stdexcept>
#include <vector>

#include "checker/graph.hpp"
#include "checker/search.hpp"

namespace checker {

template <class M>
struct Trap {
  std::vector<Step<M>> prefix;  ///< shortest path from an initial state to the first trapped state
  /// From the first trapped state (prefix.back()) onwards: a path to a dead end, or a path whose last state
  /// repeats trap[cycle_start] (a cycle). trap.front() is prefix.back().
  std::vector<Step<M>> trap;
  bool dead_end = false;
  std::size_t cycle_start = 0;  ///< meaningful when !dead_end
};

template <class M>
struct TrapResult {
  std::size_t trapped_states = 0;
  std::optional<Trap<M>> witness;  ///< present iff trapped_states > 0
};

/// The explored graph: the one the search recorded (SearchOptions::record_graph), or else rebuilt by
/// re-running successors(). States the search pruned have no successors here.
/// \pre the search completed. \throws InternalError when a successor is missing from the store.
template <class M>
Graph explored_graph(const Explorer<M>& ex) {
  if (ex.recorded_graph()) return *ex.recorded_graph();
  std::vector<std::vector<std::pair<StateId, StateId>>> edges(1);
  ex.for_each_state([&](StateId s, const typename M::State& state) {
    if (ex.pruned(s)) return;
    ex.model().successors(state, [&](const auto&, const typename M::State& next) {
      const std::optional<StateId> id = ex.find(next);
      if (!id) throw InternalError("graph rebuilding: a successor of state " + std::to_string(s) + " is not stored");
      edges[0].emplace_back(s, *id);
    });
  });
  return graph_from_edges(ex.stored_states(), edges);
}

/// Marks the states of `g` that can reach one of `goals`. Sweeps over the forward graph from the highest id
/// down, marking a state when a successor is marked, until a sweep marks nothing: search ids grow with depth,
/// so most paths to a goal run towards higher ids and the first sweep marks most states, and later sweeps visit
/// only the states still unmarked (a trapped state's edges, each sweep). After kMaxSweeps sweeps the rest is
/// settled by a backward breadth-first search over the reversed graph, which costs a copy of the edges.
inline std::vector<std::uint8_t> reaching(const Graph& g, const std::vector<StateId>& goals) {
  constexpr int kMaxSweeps = 16;
  const std::size_t n = g.size();
  std::vector<std::uint8_t> reaches(n, 0);
  for (StateId s : goals) reaches[s] = 1;
  for (int sweep = 0; sweep < kMaxSweeps; ++sweep) {
    bool changed = false;
    for (std::size_t s = n; s-- > 0;) {
      if (reaches[s]) continue;
      for (const StateId* t = g.begin(static_cast<StateId>(s)); t != g.end(static_cast<StateId>(s)); ++t)
        if (reaches[*t]) {
          reaches[s] = 1;
          changed = true;
          break;
        }
    }
    if (!changed) return reaches;
  }
  const Graph backward = g.reversed();
  std::vector<StateId> queue;
  for (StateId s = 0; s < n; ++s)
    if (reaches[s]) queue.push_back(s);
  for (std::size_t head = 0; head < queue.size(); ++head)
    for (const StateId* p = backward.begin(queue[head]); p != backward.end(queue[head]); ++p)
      if (!reaches[*p]) {
        reaches[*p] = 1;
        queue.push_back(*p);
      }
  return reaches;
}

/// Which states can reach a goal, and a witness if some cannot; `goals` are the goal states' ids (an observer
/// can collect them during the search, which saves reading every state back from the store).
/// \pre `ex` ran to Outcome::Complete (otherwise unexplored successors would look like dead ends).
template <class M>
TrapResult<M> find_trap_from(const Explorer<M>& ex, const std::vector<StateId>& goals) {
  if (ex.outcome() != Outcome::Complete)
    throw std::logic_error("trap analysis needs a complete search (one no observer or limit stopped)");
  std::optional<Graph> rebuilt;
  if (!ex.recorded_graph()) rebuilt = explored_graph(ex);
  const Graph& forward = rebuilt ? *rebuilt : *ex.recorded_graph();
  const std::size_t n = forward.size();
  const std::vector<std::uint8_t> reaches = reaching(forward, goals);

  TrapResult<M> result;
  result.trapped_states = static_cast<std::size_t>(std::count(reaches.begin(), reaches.end(), 0));
  if (result.trapped_states == 0) return result;

  // Shortest path from the initial states to the nearest trapped state (forward BFS over the graph, so the
  // answer does not depend on the order the search used).
  std::vector<StateId> via(n, kNoState);
  std::vector<std::uint8_t> seen(n, 0);
  std::vector<StateId> queue;
  for (StateId s = 0; s < n; ++s)
    if (ex.parent(s) == kNoState) {
      seen[s] = 1;
      queue.push_back(s);
    }
  StateId entry = kNoState;
  for (std::size_t head = 0; head < queue.size() && entry == kNoState; ++head) {
    const StateId s = queue[head];
    if (!reaches[s]) {
      entry = s;
      break;
    }
    for (const StateId* t = forward.begin(s); t != forward.end(s); ++t)
      if (!seen[*t]) {
        seen[*t] = 1;
        via[*t] = s;
        queue.push_back(*t);
      }
  }
  if (entry == kNoState) throw InternalError("trap analysis: a trapped state is unreachable");
  std::vector<StateId> prefix_ids;
  for (StateId s = entry; s != kNoState; s = via[s]) prefix_ids.push_back(s);
  std::reverse(prefix_ids.begin(), prefix_ids.end());

  // From the entry, depth-first until a dead end or an edge back into the current path (a cycle).
  enum : std::uint8_t { kWhite, kGrey, kBlack };
  std::vector<std::uint8_t> colour(n, kWhite);
  struct Frame {
    StateId s;
    const StateId* next;
  };
  std::vector<Frame> path{{entry, forward.begin(entry)}};
  colour[entry] = kGrey;
  Trap<M> trap;
  std::optional<StateId> closes;
  while (!path.empty()) {
    Frame& f = path.back();
    if (forward.degree(f.s) == 0) {
      trap.dead_end = true;
      break;
    }
    if (f.next == forward.end(f.s)) {
      colour[f.s] = kBlack;
      path.pop_back();
      continue;
    }
    const StateId t = *f.next++;
    if (colour[t] == kGrey) {
      closes = t;
      break;
    }
    if (colour[t] == kWhite) {
      colour[t] = kGrey;
      path.push_back({t, forward.begin(t)});
    }
  }
  if (path.empty()) throw InternalError("trap analysis: a trapped state has neither a dead end nor a cycle");

  std::vector<StateId> trap_ids;
  for (const Frame& f : path) trap_ids.push_back(f.s);
  if (closes) {
    trap.cycle_start =
        static_cast<std::size_t>(std::find(trap_ids.begin(), trap_ids.end(), *closes) - trap_ids.begin());
    trap_ids.push_back(*closes);
  }
  trap.prefix = ex.steps_along(prefix_ids);
  trap.trap.push_back(trap.prefix.back());
  for (std::size_t k = 1; k < trap_ids.size(); ++k)
    trap.trap.push_back({ex.label_between(trap_ids[k - 1], trap_ids[k]), ex.state(trap_ids[k]), trap_ids[k]});
  result.witness = std::move(trap);
  return result;
}

/// find_trap_from() with the goals chosen by `is_goal`, called as is_goal(const State&, StateId) once per stored
/// state.
template <class M, class Goal>
TrapResult<M> find_trap(const Explorer<M>& ex, Goal&& is_goal) {
  if (ex.outcome() != Outcome::Complete)
    throw std::logic_error("trap analysis needs a complete search (one no observer or limit stopped)");
  std::vector<StateId> goals;
  ex.for_each_state([&](StateId s, const typename M::State& state) {
    if (is_goal(state, s)) goals.push_back(s);
  });
  return find_trap_from(ex, goals);
}

}  // namespace checker
