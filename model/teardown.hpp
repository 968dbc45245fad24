#pragma once
// The teardown model: two endpoints (A, the client and active opener; B, the server, always listening), one
// channel per direction, applications, timers and connection incarnations, as DESIGN.md "The model" says.
// It satisfies checker::Model.

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "model/endpoint.hpp"
#include "model/knobs.hpp"
#include "model/tcp.hpp"

namespace model {

inline constexpr unsigned kMaxCapacity = 4;

/// Directions: 0 is A>B, 1 is B>A. Endpoints: 0 is A, 1 is B.
struct State {
  Tcb tcb[2];
  std::array<Segment, kMaxCapacity> channel[2];  ///< the first count[d] slots are in flight, the rest zero
  std::uint8_t count[2];
  std::uint8_t losses;  ///< faults used so far
  std::uint8_t dups;
  std::uint8_t filters_on;   ///< bit k: filter k is active
  std::uint8_t reserved[3];  ///< always 0
  // Symbolic ISNs only (isn=symbolic or clock:RATE; all 0 otherwise):
  std::uint32_t constraints;  ///< the path's constraints on the ISN symbols, interned (model/symbolic.hpp)
  std::uint8_t symbols[2];    ///< ISN symbols each side has drawn: its next connection's ISS is symbol k + 1
  std::uint8_t clock[2];      ///< clock:RATE: whole ticks since the side's last ISS, saturating at kClockCap

  friend bool operator==(const State&, const State&) = default;
};
static_assert(sizeof(State) == 2 * 36 + 2 * 4 * 12 + 8 + 8);
/// clock:RATE counts ticks since a side's last ISS up to this; beyond it, only "at least this many" is known.
inline constexpr std::uint8_t kClockCap = 4;

enum class Event : std::uint8_t {
  Open,         ///< the client's application opens a connection (active OPEN)
  Send,         ///< an application sends one data unit
  Close,        ///< an application calls CLOSE
  Abort,        ///< an application calls ABORT
  Crash,        ///< the host crashes: its TCB vanishes without a segment
  Deliver,      ///< the network delivers a segment
  Tick,         ///< time passes: timers count down, segments age, segments older than MSL vanish
  Retransmit,   ///< the retransmission timer fires and the segment at SND.UNA is sent again
  GiveUp,       ///< the retransmission timer fires after R2 retransmissions: the TCB is deleted
  TimeWaitEnd,  ///< the TIME-WAIT timer fires: the TCB is deleted
  FinWait2End,  ///< the FIN-WAIT-2 timer of an orphaned connection fires: the TCB is deleted
  FilterOn,     ///< a firewall rule switches on
};
std::string_view name(Event e);

/// What happened to a segment an endpoint emitted. Lost and Duplicated are network faults, chosen as the
/// segment is sent and counted against the loss and duplication budgets. Filtered: a firewall rule dropped it.
/// QueueFull: its direction already held `capacity` segments, and the queue dropped it (tail drop, congestion):
/// a fault of its own kind, with no budget, so that the network never blocks a sender.
enum class Fate : std::uint8_t { None, Queued, Lost, Duplicated, Filtered, QueueFull };

struct Label {
  Event event = Event::Tick;
  std::uint8_t actor = 2;       ///< 0: A, 1: B, 2: the network or time
  std::uint8_t index = 0;       ///< Deliver/Lose/Duplicate: direction; FilterOn: the filter
  Fate fate = Fate::None;       ///< of `emitted`
  Rule rule = Rule::Processed;  ///< Deliver: which rule decided
  std::uint8_t delivered = 0;   ///< Deliver: data units handed to the receiving application
  // Deliver, ghost facts for the properties (Arrival's): a delivered unit was another incarnation's, a
  // delivered unit was out of its stream's order, the FIN was taken, and it was misplaced.
  bool stray = false;
  bool misordered = false;
  bool fin_taken = false;
  bool fin_misplaced = false;
  /// Bit k: the step (re)started a timer of endpoint k (exact time restarts its clock, model/timed_model.hpp).
  /// What the step returns about time, so that the state needs no field for it.
  std::uint8_t restarted = 0;
  Segment segment;  ///< Deliver/Lose/Duplicate: the segment in question
  Segment emitted;  ///< the segment an endpoint sent, if fate != None

  friend bool operator==(const Label&, const Label&) = default;
};

class TeardownModel {
 public:
  using State = model::State;
  using Label = model::Label;
  /// How the checker's tree store cuts a State into slices (offsets): TCB A, TCB B, each channel, the rest.
  /// Each slice takes few distinct values across the states of a search; the store interns them.
  static constexpr std::array<std::size_t, 5> kSlices{0, sizeof(Tcb), 2 * sizeof(Tcb),
                                                      2 * sizeof(Tcb) + sizeof(State::channel[0]),
                                                      2 * sizeof(Tcb) + 2 * sizeof(State::channel[0])};

  /// \pre validate(knobs) returned nothing.
  explicit TeardownModel(Knobs knobs);

  const Knobs& knobs() const { return knobs_; }
  const EndpointRules& rules() const { return rules_; }

  template <class Yield>
  void initial(Yield&& yield) const {
    yield(initial_state());
  }

  template <class Yield>
  void successors(const State& s, Yield&& yield) const {
    thread_local std::vector<std::pair<Label, State>> out;
    out.clear();
    successors_into(s, out);
    for (const auto& [label, next] : out) yield(label, next);
  }

  State initial_state() const;
  void successors_into(const State& s, std::vector<std::pair<Label, State>>& out) const;

  /// An accepted final state: the client has made every connection and holds no TCB, the server only
  /// listens, and nothing is in flight.
  bool final(const State& s) const;

 private:
  /// The ISS values a new connection may start with, sorted and distinct (at most 4: no allocation per state).
  struct IssChoices {
    std::array<std::uint32_t, 4> values{};
    unsigned count = 0;
    const std::uint32_t* begin() const { return values.data(); }
    const std::uint32_t* end() const { return values.data() + count; }
  };
  IssChoices iss_choices(const Tcb& history, unsigned incarnation, bool server) const;
  /// Symbolic ISNs: the next ISN symbol of `side` (and, under clock:RATE, the clock's constraint on it).
  std::uint32_t fresh_iss(State& next, unsigned side) const;
  /// Runs `emit` (which appends successors of `s` to `out`) once per feasible outcome of its comparisons
  /// across ISN symbols, and gives the successors of each run that run's constraints. Concrete ISNs: once.
  template <class Emit>
  void branch(const State& s, std::vector<std::pair<Label, State>>& out, Emit&& emit) const;
  /// Pushes `next` with the segment `emitted` by endpoint `from` sent into the network, once per fate the
  /// budgets allow (queued, lost, duplicated), or once as filtered, or once as dropped by a full queue.
  void push(State next, Label label, const std::optional<Segment>& emitted, unsigned from,
            std::vector<std::pair<Label, State>>& out) const;
  bool filtered(const State& s, unsigned direction, const Segment& seg) const;
  void user_actions(const State& s, unsigned side, std::vector<std::pair<Label, State>>& out) const;
  void crash_actions(const State& s, unsigned side, std::vector<std::pair<Label, State>>& out) const;
  void timer_actions(const State& s, unsigned side, std::vector<std::pair<Label, State>>& out) const;
  void network_actions(const State& s, unsigned direction, std::vector<std::pair<Label, State>>& out) const;
  void tick(const State& s, std::vector<std::pair<Label, State>>& out) const;

  Knobs knobs_;
  EndpointRules rules_;
};

/// Symbolic ISNs: the state or label with every sequence number X + off (model/symbolic.hpp) made concrete,
/// value(X) + off; the constant symbol stays 0. What a trace shows once Z3 has chosen the ISNs.
State concretize(State s, const std::function<std::uint32_t(sym::Symbol)>& value);
Label concretize(Label l, const std::function<std::uint32_t(sym::Symbol)>& value);

/// Channel helpers (exposed for tests).
void channel_insert(State& s, unsigned direction, const Segment& seg, bool sorted);
void channel_remove(State& s, unsigned direction, unsigned index);

}  // namespace model
