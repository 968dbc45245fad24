#include "properties/properties.hpp"

#include <fmt/format.h>

namespace properties {

namespace {

using model::Event;
using model::Label;
using model::State;
using model::Tcb;
using model::TcpState;

constexpr const char* kSide[] = {"A", "B"};

bool live(TcpState s) {
  return s != TcpState::Closed && s != TcpState::Listen;
}

/// The endpoint a Deliver label's segment arrived at.
unsigned receiver(const Label& l) {
  return 1u - l.index;
}

bool quiescent(const State& s) {
  if (s.count[0] != 0 || s.count[1] != 0) return false;
  for (const Tcb& t : s.tcb)
    if (t.rto != 0 || t.time_wait != 0 || t.fin_wait2 != 0) return false;
  return true;
}

}  // namespace

const std::vector<Info>& all() {
  static const std::vector<Info> list = {
      {"stray-data",
       "Bytes sent in one connection incarnation are delivered to the application of another incarnation on the "
       "same address/port pair. This is RFC 1337's hazard H1 and the point of Faber, Touch & Yue's figure 1: an old "
       "delayed data segment whose sequence number falls inside the new connection's receive window is accepted as "
       "new data. TIME-WAIT lasting 2 x MSL is what keeps the old segments from outliving the old connection.",
       Hook::Edge},
      {"stray-segment",
       "A segment sent by an older incarnation changes the TCB of a newer incarnation's connection (its state, "
       "sequence variables or timers): data, ACK, FIN, RST or SYN alike. Broader than stray-data; even a harmless-"
       "looking old ACK that moves SND.UNA is a stray segment.",
       Hook::Edge},
      {"time-wait-assassination",
       "An endpoint's TIME-WAIT ends before its timer because a segment arrived (RFC 1337's TIME-WAIT "
       "assassination: typically an old duplicate draws an ACK, the peer, already closed, answers with a RST, and "
       "the RST deletes the TIME-WAIT TCB). A SYN that reopens TIME-WAIT as a new connection (RFC 1122 4.2.2.13, "
       "the reopen knob) is not counted: that early end is by design.",
       Hook::Edge},
      {"desync",
       "An endpoint accepts an acknowledgment that was sent in another incarnation: an old duplicate ACK moves "
       "SND.UNA of a new connection, acknowledging data the peer's current incarnation never received "
       "(RFC 1337's hazard H2, the connection becomes desynchronized).",
       Hook::Edge},
      {"new-connection-killed",
       "A connection is reset (its TCB deleted by an arriving segment) by a segment of an older incarnation, or "
       "by a reset that a closed port sent in answer to one (RFC 1337's hazard H3).",
       Hook::Edge},
      {"stream-integrity",
       "Every application receives exactly the bytes its peer sent in that incarnation, in order: each delivered "
       "unit comes from the receiver's own incarnation at the next offset, and when the peer's FIN is taken every "
       "unit sent before it has been delivered.",
       Hook::Edge},
      {"no-deadlock",
       "Every state without successors is an accepted final state: the client has made all its connections and "
       "holds no TCB, the server only listens, and nothing is in flight. A state where nothing can happen any more "
       "but a connection is still open (say FIN-WAIT-2 forever, with no FIN-WAIT-2 timeout) breaks it.",
       Hook::Deadlock},
      {"eventual-close",
       "From every reachable state an accepted final state can still be reached. Breaks when endpoints can get "
       "stuck for good, in a dead end or in a cycle: CLOSE-WAIT with an application that never closes, FIN-WAIT-2 "
       "facing a vanished peer, FIN-WAIT-1 facing LAST-ACK with the RST filtered, as in the classic experiments.",
       Hook::Trap},
      {"half-open",
       "A quiescent state (nothing in flight, no timer running) in which one endpoint holds a synchronized "
       "connection and the other has none: the open side will wait forever unless it sends something.",
       Hook::State},
  };
  return list;
}

std::optional<std::size_t> find(std::string_view name) {
  const auto& list = all();
  for (std::size_t i = 0; i < list.size(); ++i)
    if (list[i].name == name) return i;
  return std::nullopt;
}

std::optional<std::string> check_edge(std::size_t p, const model::TeardownModel&, const State& from, const Label& l,
                                      const State& to) {
  const std::string_view name = all()[p].name;
  if (l.event != Event::Deliver) return std::nullopt;  // every edge property is about an arriving segment
  const unsigned r = receiver(l);
  const Tcb& before = from.tcb[r];
  const Tcb& after = to.tcb[r];
  const unsigned seg_inc = l.segment.incarnation();

  if (name == "stray-data") {
    // The endpoint says which delivered units (its own and held ones it released) were another incarnation's.
    if (l.stray && seg_inc != after.incarnation)
      return fmt::format("{} delivers a data unit of incarnation {} to its application in incarnation {}", kSide[r],
                         seg_inc, after.incarnation);
    if (l.stray)
      return fmt::format("{} delivers a held data unit of another incarnation to its application in incarnation {}",
                         kSide[r], after.incarnation);
  } else if (name == "stray-segment") {
    if (live(before.state) && seg_inc != 0 && seg_inc < before.incarnation && !(before == after))
      return fmt::format("a segment of incarnation {} changes {}'s TCB of incarnation {} ({} -> {})", seg_inc, kSide[r],
                         before.incarnation, model::name(before.state), model::name(after.state));
  } else if (name == "time-wait-assassination") {
    // A timer at 1 has already expired: ending now is not early.
    if (before.state == TcpState::TimeWait && before.time_wait > 1 && after.state != TcpState::TimeWait &&
        l.rule != model::Rule::TimeWaitSynReopen)
      return fmt::format("{}'s TIME-WAIT ends early, {} timer ticks before its end, because a segment arrived ({})",
                         kSide[r], before.time_wait - 1, model::describe(l.rule));
  } else if (name == "desync") {
    if (live(before.state) && before.incarnation == after.incarnation && after.snd_una != before.snd_una &&
        seg_inc != after.incarnation)
      return fmt::format("{} (incarnation {}) takes an acknowledgment sent in incarnation {}: SND.UNA {} -> {}",
                         kSide[r], after.incarnation, seg_inc, before.snd_una, after.snd_una);
  } else if (name == "new-connection-killed") {
    if (live(before.state) && !live(after.state) && seg_inc != 0 && seg_inc < before.incarnation &&
        (l.rule == model::Rule::RstReset || l.rule == model::Rule::RstToListen || l.rule == model::Rule::SynSentReset ||
         l.rule == model::Rule::SynReset || l.rule == model::Rule::SynToListen))
      return fmt::format("{}'s connection of incarnation {} is reset by a segment of incarnation {}", kSide[r],
                         before.incarnation, seg_inc);
  } else if (name == "stream-integrity") {
    if (l.misordered && l.segment.len > 0 && (seg_inc != after.incarnation || l.segment.offset() != before.received))
      return fmt::format("{} expected unit {} of incarnation {} and got unit {} of incarnation {}", kSide[r],
                         before.received, before.incarnation, l.segment.offset(), seg_inc);
    if (l.misordered)
      return fmt::format(
          "{} releases a held data unit that is not the next of incarnation {}'s stream (unit {} was "
          "expected)",
          kSide[r], before.incarnation, before.received);
    if (l.fin_misplaced && l.segment.has(model::kFin))
      return fmt::format("{} takes a FIN after {} units of incarnation {} but received {} of incarnation {}", kSide[r],
                         l.segment.offset(), seg_inc, before.received + l.delivered, before.incarnation);
    if (l.fin_misplaced)
      return fmt::format("{} takes a held FIN that does not end incarnation {}'s stream after the {} units received",
                         kSide[r], before.incarnation, before.received + l.delivered);
  }
  return std::nullopt;
}

std::optional<std::string> check_state(std::size_t p, const model::TeardownModel& m, const State& s) {
  const std::string_view name = all()[p].name;
  if (name == "no-deadlock") {
    if (!m.final(s))
      return fmt::format("nothing can happen any more, with A in {} and B in {}", model::name(s.tcb[0].state),
                         model::name(s.tcb[1].state));
  } else if (name == "half-open") {
    if (!quiescent(s)) return std::nullopt;
    for (unsigned side = 0; side < 2; ++side)
      if (model::synchronized(s.tcb[side].state) && !live(s.tcb[1 - side].state))
        return fmt::format("{} holds a {} connection that {} no longer has, and nothing is in flight", kSide[side],
                           model::name(s.tcb[side].state), kSide[1 - side]);
  }
  return std::nullopt;
}

}  // namespace properties
