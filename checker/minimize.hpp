#pragma once
// Minimal traces by a cost: a Dijkstra search for the path to a goal that is smallest in (cost, steps),
// lexicographically, where each label costs a small non-negative integer given by the caller (for the
// teardown model: 1 per network fault, 0 otherwise). With every cost 0 it is a breadth-first search. Asked
// for several traces, it returns up to that many distinct ones (they differ in at least one label) of the
// same minimal (cost, steps).
//
// Storage: visited states live in the store SearchOptions::store names (ids, bytes, the state and memory
// limits), as in search.hpp; a hash store keeps every state's bytes here (Dijkstra pops ids in any order). The store's
// parent word is not used: Dijkstra may find a cheaper parent after a state is inserted. Beside the store, per id: the
// best key (cost << 32 | steps) and the parent and successor index it came by (a label is recovered by re-running
// successors() and taking that index, so two transitions to the same state with different costs are never confused);
// and, only when more than one trace is asked for, every (parent, index) that ties with the best key. Single-threaded;
// SearchOptions' order and threads are ignored, its limits apply and end the search as inconclusive (the best trace
// found so far, if any, is returned but not proven minimal).
//
// The goal is an object with any of these members (like a search observer, but answering yes or no):
//   bool on_state(const State& s);                                     // reaching s is a goal
//   bool on_edge(const State& from, const Label& l, const State& to);  // taking this step is a goal; `to`
//                                                                      // is not stored
//   bool on_deadlock(const State& s);                                  // s has no successor and is a goal
// A goal state is not expanded: any goal beyond it costs strictly more.

#include <chrono>
#include <cstdint>
#include <cstring>
#include <functional>
#include <limits>
#include <optional>
#include <queue>
#include <string>
#include <vector>

#include "checker/any_store.hpp"
#include "checker/model.hpp"
#include "checker/search.hpp"
#include "checker/stats.hpp"
#include "checker/store.hpp"

namespace checker {

template <class M>
struct MinimizeResult {
  /// Stopped: a goal was found and the traces are minimal. Complete: no goal is reachable. A limit: the
  /// search ended early; `traces` holds the best found so far (if any), not proven minimal.
  Outcome outcome = Outcome::Complete;
  Stats stats;
  std::uint32_t cost = 0;   ///< of every trace in `traces`
  std::uint32_t steps = 0;  ///< transitions in every trace in `traces`
  std::vector<std::vector<Step<M>>> traces;
};

/// Up to `max_traces` distinct traces to a goal with the least (cost, steps), where `cost(label)` is a
/// label's cost. \pre max_traces >= 1; costs are small enough that no path's total exceeds 2^32 - 1.
/// \throws InternalError when a trace does not rebuild.
template <Model M, class Cost, class Goal>
MinimizeResult<M> minimize(const M& model, const SearchOptions& options, Cost&& cost, Goal&& goal,
                           std::size_t max_traces = 1) {
  using State = typename M::State;
  using Label = typename M::Label;
  using Clock = std::chrono::steady_clock;
  struct Via {
    StateId from;
    std::uint32_t index;  ///< position of the transition in successors(from)
  };
  enum class EndKind { AtState, Edge, Deadlock };
  struct End {
    EndKind kind;
    StateId at;
    std::uint32_t index;  ///< Edge only
    std::uint64_t key;
  };
  constexpr std::uint64_t kInfinite = std::numeric_limits<std::uint64_t>::max();

  const auto start = Clock::now();
  const auto elapsed = [&] { return std::chrono::duration<double>(Clock::now() - start).count(); };
  std::size_t budget = options.limits.max_memory_bytes;
  if (budget == 0) budget = physical_memory_bytes() / 4 * 3;
  StoreConfig config;
  config.kind = options.store;
  config.state_size = sizeof(State);
  config.slices = declared_slices<M>();
  if (options.limits.max_states != 0) config.max_states = options.limits.max_states;
  config.max_bytes = budget / 2;  // the rest: keys, vias, the heap (about 24 bytes a state), ties
  config.initial_log2_slots = options.initial_log2_slots;
  AnyStore store(config);
  const bool keep_ties = max_traces > 1;

  std::vector<std::uint64_t> dist;
  std::vector<Via> via;
  std::vector<std::vector<Via>> ties;
  using Entry = std::pair<std::uint64_t, StateId>;
  std::priority_queue<Entry, std::vector<Entry>, std::greater<>> heap;
  MinimizeResult<M> result;
  std::optional<Outcome> halted;
  std::size_t transitions = 0;
  std::size_t depth = 0;

  // Inserts `s` reached by `how` with key `key`; returns false when the store is full.
  const auto reach = [&](const State& s, Via how, std::uint64_t key) {
    const auto* bytes = reinterpret_cast<const std::byte*>(&s);
    const auto r = store.find_or_insert(bytes, kNoState);
    if (r.full()) {
      halted = r.outcome == StateStore::Outcome::FullStates ? Outcome::StateLimit : Outcome::MemoryLimit;
      return false;
    }
    if (r.is_new()) {
      dist.push_back(key);
      via.push_back(how);
      if (keep_ties) ties.emplace_back(1, how);
      heap.emplace(key, r.id);
    } else if (key < dist[r.id]) {
      dist[r.id] = key;
      via[r.id] = how;
      if (keep_ties) ties[r.id].assign(1, how);
      heap.emplace(key, r.id);
    } else if (key == dist[r.id] && keep_ties && how.from != kNoState) {
      ties[r.id].push_back(how);
    }
    return true;
  };
  const auto state_of = [&](StateId id) {
    State s;
    store.read(id, reinterpret_cast<std::byte*>(&s));
    return s;
  };

  model.initial([&](const State& s) {
    if (!halted) reach(s, Via{kNoState, 0}, 0);
  });

  std::uint64_t best = kInfinite;
  std::vector<End> ends;
  std::size_t pops = 0;
  while (!halted && !heap.empty()) {
    // Named copies, not a structured binding: the lambdas below capture them (clang before 16 cannot capture a
    // binding, and the fuzz build uses Debian 12's clang 14).
    const std::uint64_t key = heap.top().first;
    const StateId id = heap.top().second;
    heap.pop();
    if (key != dist[id]) continue;  // stale: a cheaper way was found after this entry was pushed
    if (key > best || (!keep_ties && key == best)) break;
    if (++pops % 1024 == 0) {
      const double limit = options.limits.time_limit_seconds;
      if (limit > 0 && elapsed() >= limit) {
        halted = Outcome::TimeLimit;
        break;
      }
      if (stop_requested()) {
        halted = Outcome::Interrupted;
        break;
      }
    }
    depth = std::max<std::size_t>(depth, key & 0xFFFFFFFFu);
    const State s = state_of(id);
    if constexpr (requires { goal.on_state(s); }) {
      if (goal.on_state(s)) {
        best = std::min(best, key);
        ends.push_back(End{EndKind::AtState, id, 0, key});
        continue;
      }
    }
    std::uint32_t index = 0;
    model.successors(s, [&](const Label& label, const State& next) {
      const std::uint32_t k = index++;
      if (halted) return;
      const std::uint64_t next_key = key + (std::uint64_t{cost(label)} << 32) + 1;
      if constexpr (requires { goal.on_edge(s, label, next); }) {
        if (goal.on_edge(s, label, next)) {
          if (next_key <= best) {
            best = next_key;
            ends.push_back(End{EndKind::Edge, id, k, next_key});
          }
          return;
        }
      }
      if (next_key <= best) reach(next, Via{id, k}, next_key);
    });
    transitions += index;
    if (index == 0) {
      if constexpr (requires { goal.on_deadlock(s); }) {
        if (goal.on_deadlock(s)) {
          best = std::min(best, key);
          ends.push_back(End{EndKind::Deadlock, id, 0, key});
        }
      }
    }
  }

  result.stats.states = store.size();
  result.stats.transitions = transitions;
  result.stats.depth = depth;
  result.stats.seconds = elapsed();
  result.stats.states_per_second =
      result.stats.seconds > 0 ? static_cast<double>(store.size()) / result.stats.seconds : 0;
  result.stats.peak_memory_bytes = peak_resident_bytes();
  result.stats.store = options.store;
  if (options.store == StoreKind::Hash)
    result.stats.omission_probability = HashStore::omission_probability(store.size());
  result.outcome = halted ? *halted : (best == kInfinite ? Outcome::Complete : Outcome::Stopped);
  if (best == kInfinite) return result;
  result.cost = static_cast<std::uint32_t>(best >> 32);
  result.steps = static_cast<std::uint32_t>(best & 0xFFFFFFFFu);

  // The transition `how` as a step: re-run successors() and take the index-th.
  const auto step_by = [&](Via how) {
    std::optional<Step<M>> step;
    std::uint32_t index = 0;
    model.successors(state_of(how.from), [&](const Label& label, const State& next) {
      if (index++ == how.index) step = Step<M>{label, next, kNoState};
    });
    if (!step)
      throw InternalError("minimal trace rebuilding: state " + std::to_string(how.from) + " has no successor " +
                          std::to_string(how.index));
    return *step;
  };
  // `path` holds the transitions back from the end, last first; the first of them starts at an initial state.
  const auto emit = [&](StateId first, const std::vector<Via>& path, const End& end) {
    std::vector<Step<M>> steps;
    steps.push_back(Step<M>{std::nullopt, state_of(first), first});
    StateId at = first;
    for (auto it = path.rbegin(); it != path.rend(); ++it) {
      if (it->from != at) throw InternalError("minimal trace rebuilding: the path is not connected");
      Step<M> step = step_by(*it);
      const StateId to = std::next(it) != path.rend() ? std::next(it)->from : end.at;
      const State target = state_of(to);
      if (std::memcmp(&step.state, &target, sizeof(State)) != 0)
        throw InternalError("minimal trace rebuilding: successor " + std::to_string(it->index) + " of state " +
                            std::to_string(it->from) + " is not state " + std::to_string(to));
      step.id = to;
      steps.push_back(std::move(step));
      at = to;
    }
    if (end.kind == EndKind::Edge) {
      Step<M> step = step_by(Via{end.at, end.index});
      const auto* bytes = reinterpret_cast<const std::byte*>(&step.state);
      step.id = store.find(bytes).value_or(kNoState);
      steps.push_back(std::move(step));
    }
    for (const auto& known : result.traces) {
      bool same = known.size() == steps.size();
      for (std::size_t i = 1; same && i < steps.size(); ++i) same = *known[i].label == *steps[i].label;
      if (same) return;  // another successor index with an equal label: not a distinct trace
    }
    result.traces.push_back(std::move(steps));
  };

  std::vector<Via> path;
  // Walks tying parents back from `at` to an initial state, emitting each complete path.
  std::function<void(StateId, const End&)> back = [&](StateId at, const End& end) {
    if (result.traces.size() >= max_traces) return;
    const std::vector<Via>& from = keep_ties ? ties[at] : std::vector<Via>{via[at]};
    if (from.front().from == kNoState) {
      emit(at, path, end);
      return;
    }
    for (const Via& how : from) {
      if (dist[how.from] >= dist[at]) throw InternalError("minimal trace rebuilding: a parent is not closer");
      path.push_back(how);
      back(how.from, end);
      path.pop_back();
      if (result.traces.size() >= max_traces) return;
    }
  };
  for (const End& end : ends)
    if (end.key == best) back(end.at, end);
  return result;
}

}  // namespace checker
