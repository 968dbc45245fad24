#pragma once
// Exact real time as an adapter (knob timing=exact): TimedModel wraps the untimed TeardownModel, which stays a
// pure successor function in whole ticks with no timing in it. A timed state is an untimed state plus the zone
// of real times its path allows (model/timing.hpp); each untimed step is taken once per real-time-feasible way
// to take it (once per slot an equal segment may be delivered from), with the zone the step leaves, and not at
// all when no real times fit. Timer restarts come from what the step returns (Label::restarted).
//
// It satisfies checker::Model, and the covering hooks of checker/covering.hpp: a state's discrete part is its
// untimed state, its symbolic part is its zone, and zone inclusion is the covering order.

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <utility>
#include <vector>

#include "model/teardown.hpp"
#include "model/timing.hpp"

namespace model {

struct TimedState {
  State untimed;
  std::uint32_t zone = 0;  ///< interned (model/timing.hpp)

  friend bool operator==(const TimedState&, const TimedState&) = default;
};
static_assert(sizeof(TimedState) == sizeof(State) + 4, "a timed state has no padding: it is hashed as bytes");

/// The untimed state of either kind of state: what properties, renderers and traces look at.
inline const State& untimed(const State& s) {
  return s;
}
inline const State& untimed(const TimedState& s) {
  return s.untimed;
}

class TimedModel {
 public:
  using State = TimedState;
  using Label = model::Label;
  /// The untimed model's slices, the zone in the last one.
  static constexpr std::array<std::size_t, 5> kSlices = TeardownModel::kSlices;

  /// `untimed` must outlive this.
  explicit TimedModel(const TeardownModel& untimed) : untimed_(untimed) {}

  const TeardownModel& untimed() const { return untimed_; }
  const Knobs& knobs() const { return untimed_.knobs(); }

  template <class Yield>
  void initial(Yield&& yield) const {
    yield(TimedState{untimed_.initial_state(), timing::initial_zone()});
  }

  template <class Yield>
  void successors(const TimedState& s, Yield&& yield) const {
    thread_local std::vector<std::pair<Label, model::State>> out;
    out.clear();
    untimed_.successors_into(s.untimed, out);
    for (const auto& [label, next] : out) {
      timing::Small<unsigned, timing::kSlots> slots = timing::delivery_slots(s.untimed, label);
      if (slots.empty()) slots.push_back(0);
      for (unsigned slot : slots) {  // equal segments may have been sent at different instants
        const std::uint32_t zone = timing::apply(s.zone, timing::step_timing(knobs(), s.untimed, label, next, slot));
        if (zone != timing::kInfeasible) yield(label, TimedState{next, zone});
      }
    }
  }

  bool final(const TimedState& s) const { return untimed_.final(s.untimed); }

  // Distribution (checker/distributed.hpp): a state travels as its untimed bytes and its zone's bounds (a zone id
  // means nothing in another process), and its owner follows the discrete part, so that the states that may
  // cover one another meet on one rank.
  static constexpr std::size_t kWireSize = sizeof(model::State) + timing::kZoneBytes;
  void to_wire(const TimedState& s, std::byte* out) const {
    std::memcpy(out, &s.untimed, sizeof(model::State));
    timing::zone_to_bytes(s.zone, out + sizeof(model::State));
  }
  TimedState from_wire(const std::byte* in) const {
    TimedState s;
    std::memcpy(&s.untimed, in, sizeof(model::State));
    s.zone = timing::zone_from_bytes(in + sizeof(model::State));
    return s;
  }
  std::uint64_t owner_hash(const TimedState& s) const { return discrete_hash(s); }

  // Covering (checker/covering.hpp).
  std::uint64_t discrete_hash(const TimedState& s) const;
  bool same_discrete(const TimedState& a, const TimedState& b) const { return a.untimed == b.untimed; }
  std::uint32_t symbolic(const TimedState& s) const { return s.zone; }
  bool includes(std::uint32_t big, std::uint32_t small) const { return timing::includes(big, small); }

 private:
  const TeardownModel& untimed_;
};

/// The untimed model behind either model: what the properties look at.
inline const TeardownModel& untimed(const TeardownModel& m) {
  return m;
}
inline const TeardownModel& untimed(const TimedModel& m) {
  return m.untimed();
}

}  // namespace model
