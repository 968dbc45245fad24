#pragma once
// The only thing the checker knows about a model: how to start and how to step.
//
//   struct MyModel {
//     using State = ...;   // fixed-size, trivially copyable, no padding: hashed and compared as raw bytes
//     using Label = ...;   // what a transition did; copyable, printable by the model's own code
//     template <class Yield> void initial(Yield&& yield) const;                      // yield(state)
//     template <class Yield> void successors(const State& s, Yield&& yield) const;   // yield(label, next)
//   };
//
// successors() must be a pure function of its argument: trace rebuilding re-runs it and expects the same
// successors in the same order. It calls yield once per successor, so the search allocates nothing per state.

#include <concepts>
#include <cstdint>
#include <type_traits>

#include "checker/store.hpp"

namespace checker {

/// A state the store can hash and compare as bytes: no pointers to follow, no padding bytes.
template <class S>
concept PackedState = std::is_trivially_copyable_v<S> && std::has_unique_object_representations_v<S>;

// clang-format 14 mangles concepts.
// clang-format off
template <class M>
concept Model = requires { typename M::State; typename M::Label; } &&
                PackedState<typename M::State> && std::copyable<typename M::Label> &&
                requires(const M& m, const typename M::State& s, void (*on_initial)(const typename M::State&),
                         void (*on_successor)(const typename M::Label&, const typename M::State&)) {
                  m.initial(on_initial);
                  m.successors(s, on_successor);
                };
// clang-format on

/// An observer's answer to an event of the search.
enum class Action : std::uint8_t {
  Continue,  ///< go on
  Prune,     ///< on a state: do not expand it; on an edge: drop the transition
  Stop,      ///< end the search here; the event becomes the search's stop record
};

/// An observer may define any of these members; the search calls the ones it has, and only those. With
/// several threads they are called concurrently and must be safe for that.
///   Action on_state(const State& s, StateId id);                 // each new state, initial ones included
///   Action on_edge(const State& from, StateId from_id, const Label& label, const State& to);
///                                                                // each transition, before `to` is stored
///   Action on_deadlock(const State& s, StateId id);              // an expanded state with no successor
///   bool covered(const State& s);                                // true: drop this successor before it is
///                                                                // stored (a stored state covers it)
struct NoObserver {};

}  // namespace checker
