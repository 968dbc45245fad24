#pragma once
// Exact real time (knob timing=exact, issue 6). The tick model counts whole ticks: an event of tick t happens
// somewhere in [t, t + 1), a segment sent in tick t may arrive in any tick up to t + MSL, a timer set in tick t
// fires in tick t + D. That over-approximates real time: a trace of ticks may be impossible with real instants.
//
// Real-time semantics (what exact timing explores, and what smt/timing.hpp checks a trace against):
//   - every event has a real time; events happen in trace order (equal times allowed); an event of tick t
//     (after t Tick steps) happens in [t, t + 1);
//   - a segment spends strictly less than MSL in the network (it arrives before its send time + MSL), and at
//     least min_delay; while it is in flight, nothing happens at or after its send time + MSL (it must arrive
//     first: the network loses a segment only as a counted fault, chosen when it is sent);
//   - a timer (RTO, TIME-WAIT, FIN-WAIT-2) of D ticks started at time c fires exactly at c + D, and nothing
//     else happens after c + D before it fires; restarting it restarts c.
// All of these are difference constraints x - y < c or x - y <= c with integer c, so the set of real times a
// path allows is a zone, kept as a canonical difference-bound matrix (DBM) over a few clocks: Z (the start of
// the current tick), N (the last event), one per channel slot (its segment's send time) and one per side (the
// start of its running timer; one timer runs at a time per side). A timed state (model/timed_model.hpp) is a
// state of the untimed model and its zone interned as an id, so paths that reach one tick state with different timing
// stay apart, and a step whose constraints are unsatisfiable is not taken: every path explored is real-time feasible.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "model/knobs.hpp"
#include "model/tcp.hpp"

namespace model {
struct State;
struct Label;
}  // namespace model

namespace model::timing {

inline constexpr unsigned kSlots = 8;  ///< channel slots: direction d, index i is slot d * 4 + i
inline constexpr unsigned kZ = 0;      ///< clock: the start of the current tick
inline constexpr unsigned kN = 1;      ///< clock: the last event
inline constexpr unsigned kSlot0 = 2;  ///< clocks kSlot0 + slot: the send time of the segment in that slot
inline constexpr unsigned kTimer0 = kSlot0 + kSlots;  ///< clocks kTimer0 + side: the running timer's start
inline constexpr unsigned kNew = kTimer0 + 2;         ///< the step's new instant (an event, or the next tick)
inline constexpr unsigned kClocks = kNew + 1;

/// x_i - x_j < c (strict) or <= c.
struct Rel {
  unsigned i = 0, j = 0;
  int c = 0;
  bool strict = false;
};

/// A few items without allocation (this runs for every transition).
template <class T, unsigned N>
struct Small {
  std::array<T, N> items{};
  unsigned count = 0;
  void push_back(const T& t) { items[count++] = t; }
  const T* begin() const { return items.data(); }
  const T* end() const { return items.data() + count; }
  std::size_t size() const { return count; }
  bool empty() const { return count == 0; }
  const T& operator[](std::size_t i) const { return items[i]; }
};

/// What one step does to real time: the constraints on its new instant kNew (an event's time, or the start of
/// the next tick), and where each clock of the next state comes from.
struct StepTiming {
  bool tick = false;
  Small<Rel, 3 + 2 * 2 + 2 * kSlots> rels;
  /// For each slot of the next state: the clock it takes its value from (kNew for a segment sent by this step,
  /// kSlot0 + s for one still in flight from slot s), or -1 for an empty slot.
  std::array<int, kSlots> slot_from{};
  std::array<int, 2> timer_from{};  ///< per side: kNew (started now), kTimer0 + side (still running), -1 (off)
};

/// The slots of `s` the delivery `l` may take its segment from: every slot of its direction holding an equal
/// segment (equal segments may have been sent at different instants). Empty for other events.
Small<unsigned, kSlots> delivery_slots(const State& s, const Label& l);

/// The timing of the step s -(l)-> next (applications act at once under apps=eager: at the instant of the
/// step before), taking the delivered segment from `slot` (see delivery_slots; ignored
/// for other events). Timer restarts come from the label (Label::restarted).
/// \throws std::logic_error when the channels of `next` do not follow from `s` and `l`.
StepTiming step_timing(const Knobs& knobs, const State& s, const Label& l, const State& next, unsigned slot);

/// The zone every path starts from: time 0, no clock running.
std::uint32_t initial_zone();
/// The zone after the step, or kInfeasible when no real times fit.
std::uint32_t apply(std::uint32_t zone, const StepTiming& step);
inline constexpr std::uint32_t kInfeasible = 0xFFFFFFFFu;
/// Whether zone `big` includes zone `small` (every bound of `big` is at least as loose): both are canonical,
/// so this is one comparison per bound.
bool includes(std::uint32_t big, std::uint32_t small);
/// Distinct zones interned so far (in this process).
std::size_t zone_count();

/// A zone as bytes that mean the same in another process (a distributed search sends zones with their states),
/// and back, interned here.
inline constexpr std::size_t kZoneBytes = (kNew) * (kNew);
void zone_to_bytes(std::uint32_t zone, std::byte* out);
std::uint32_t zone_from_bytes(const std::byte* in);

}  // namespace model::timing
