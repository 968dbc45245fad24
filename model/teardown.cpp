#include "model/teardown.hpp"

#include <algorithm>
#include <stdexcept>

namespace model {

namespace {

constexpr unsigned kClient = 0;
constexpr unsigned kServer = 1;
constexpr std::uint32_t kClientBase = 1000;  // adversarial ISNs of the first connection
constexpr std::uint32_t kServerBase = 5000;
constexpr std::uint32_t kServerOffset = 4000;  // fixed/choose: the server's ISS is the client's value + this

bool is_server(unsigned side) {
  return side == kServer;
}

/// Runs `change` on `side`'s TCB of `next` as a TcbInStep, and records in `label` whether it (re)started a timer.
template <class Change>
auto change_tcb(State& next, unsigned side, Label& label, Change&& change) {
  TcbInStep tcb{next.tcb[side]};
  auto result = change(tcb);
  next.tcb[side] = tcb;
  if (tcb.timer_restarted) label.restarted |= static_cast<std::uint8_t>(1u << side);
  return result;
}

bool matches(Match m, const Segment& seg) {
  switch (m) {
    case Match::Rst:
      return seg.has(kRst);
    case Match::Ack:
      return seg.flags == kAck && seg.len == 0;  // a bare ACK
    case Match::Fin:
      return seg.has(kFin);
    case Match::Syn:
      return seg.has(kSyn);
    case Match::Data:
      return seg.len > 0;
    case Match::Any:
      return true;
  }
  return false;
}

}  // namespace

std::string_view name(Event e) {
  switch (e) {
    case Event::Open:
      return "open";
    case Event::Send:
      return "send";
    case Event::Close:
      return "close";
    case Event::Abort:
      return "abort";
    case Event::Crash:
      return "crash";
    case Event::Deliver:
      return "deliver";
    case Event::Tick:
      return "tick";
    case Event::Retransmit:
      return "retransmit";
    case Event::GiveUp:
      return "give-up";
    case Event::TimeWaitEnd:
      return "time-wait-end";
    case Event::FinWait2End:
      return "fin-wait-2-end";
    case Event::FilterOn:
      return "filter-on";
  }
  return "?";
}

void channel_insert(State& s, unsigned d, const Segment& seg, bool sorted) {
  auto& ch = s.channel[d];
  unsigned at = s.count[d];
  if (sorted) {  // canonical multiset: reordering is a choice of which to deliver, not stored order
    while (at > 0 && seg < ch[at - 1]) {
      ch[at] = ch[at - 1];
      --at;
    }
  }
  ch[at] = seg;
  ++s.count[d];
}

void channel_remove(State& s, unsigned d, unsigned index) {
  auto& ch = s.channel[d];
  for (unsigned i = index; i + 1 < s.count[d]; ++i) ch[i] = ch[i + 1];
  --s.count[d];
  ch[s.count[d]] = Segment{};
}

TeardownModel::TeardownModel(Knobs knobs) : knobs_(std::move(knobs)), rules_(knobs_.endpoint_rules()) {}

State TeardownModel::initial_state() const {
  State s{};
  s.tcb[kServer].state = TcpState::Listen;
  for (unsigned k = 0; k < knobs_.filters.size(); ++k)
    if (!knobs_.filters[k].anytime) s.filters_on |= static_cast<std::uint8_t>(1u << k);
  return s;
}

namespace {

std::uint32_t concrete(std::uint32_t v, const std::function<std::uint32_t(sym::Symbol)>& value) {
  const sym::Symbol x = sym::symbol_of(v);
  return (x == sym::kZero ? 0u : value(x)) + static_cast<std::uint32_t>(sym::offset_of(v));
}

void concretize_segment(Segment& seg, const std::function<std::uint32_t(sym::Symbol)>& value) {
  seg.seq = concrete(seg.seq, value);
  seg.ack = concrete(seg.ack, value);
}

}  // namespace

State concretize(State s, const std::function<std::uint32_t(sym::Symbol)>& value) {
  for (Tcb& t : s.tcb)
    for (std::uint32_t* v : {&t.iss, &t.irs, &t.snd_una, &t.snd_nxt, &t.rcv_nxt}) *v = concrete(*v, value);
  for (unsigned d = 0; d < 2; ++d)
    for (unsigned i = 0; i < s.count[d]; ++i) concretize_segment(s.channel[d][i], value);
  return s;
}

Label concretize(Label l, const std::function<std::uint32_t(sym::Symbol)>& value) {
  concretize_segment(l.segment, value);
  concretize_segment(l.emitted, value);
  return l;
}

bool TeardownModel::final(const State& s) const {
  return s.tcb[kClient].state == TcpState::Closed && s.tcb[kClient].incarnation == knobs_.incarnations &&
         s.tcb[kServer].state == TcpState::Listen && s.count[0] == 0 && s.count[1] == 0;
}

TeardownModel::IssChoices TeardownModel::iss_choices(const Tcb& history, unsigned incarnation, bool server) const {
  IssChoices out;
  const auto add = [&out](std::uint32_t v) {  // keeps the values sorted and distinct
    unsigned at = out.count;
    for (unsigned i = 0; i < out.count; ++i)
      if (out.values[i] == v) return;
    while (at > 0 && out.values[at - 1] > v) {
      out.values[at] = out.values[at - 1];
      --at;
    }
    out.values[at] = v;
    ++out.count;
  };
  const IsnPolicy& p = knobs_.isn;
  const bool own_list = server && !p.server_values.empty();
  const std::vector<std::uint32_t>& values = own_list ? p.server_values : p.values;
  const std::uint32_t offset = server && !own_list ? kServerOffset : 0;
  switch (p.kind) {
    case IsnPolicy::Kind::Fixed: {
      const std::size_t i = std::min<std::size_t>(incarnation == 0 ? 0 : incarnation - 1, values.size() - 1);
      add(values[i] + offset);
      break;
    }
    case IsnPolicy::Kind::Choose:
      for (std::uint32_t v : values) add(v + offset);
      break;
    case IsnPolicy::Kind::Symbolic:
    case IsnPolicy::Kind::Clock:
      throw std::logic_error("iss_choices() under symbolic ISNs: fresh_iss() draws them");
    case IsnPolicy::Kind::Adversarial:
    case IsnPolicy::Kind::AdversarialBoth:
      // By the endpoint's own history, not the (ghost) incarnation: an old duplicate SYN reaching LISTEN
      // after a first connection must not replay that connection's ISS as if nothing had happened.
      if (history.snd_nxt == 0) {
        add(server ? kServerBase : kClientBase);
      } else if (server && p.kind == IsnPolicy::Kind::Adversarial) {
        // The listener's ISN clock wraps at the worst moment: after every old duplicate SYN (those reach it
        // within a segment lifetime of their connection, and meet the clock past everything it sent there, so
        // an old ACK cannot complete their handshake) and before the next connection's SYN, which gets the
        // previous ISS: the new connection reuses the old sequence space, and only TIME-WAIT keeps the old
        // connection's late segments out of it.
        add(incarnation > history.incarnation ? history.iss : history.snd_nxt);
      } else {
        // The previous connection's ISS (the new window overlaps the old sequence space exactly), and just past
        // everything it sent: for the client one above its SND.NXT, FIN included, so that its SYN passes RFC
        // 1122 4.2.2.13's reopen test (SEG.SEQ > the TIME-WAIT peer's RCV.NXT) and the `reopen` rule is reached
        // by the default model; for the server (adversarial:both) its SND.NXT.
        add(history.iss);
        add(server ? history.snd_nxt : history.snd_nxt + 1);
      }
      break;
  }
  return out;
}

std::uint32_t TeardownModel::fresh_iss(State& next, unsigned side) const {
  const unsigned k = ++next.symbols[side];
  if (k > sym::kMaxConnections)
    throw std::length_error("symbolic ISNs: more than 31 connections on one side of one path");
  const sym::Symbol now = sym::iss_symbol(side, k);
  if (knobs_.isn.kind == IsnPolicy::Kind::Clock && k > 1) {
    // Whole ticks e since the previous ISS put the real time between them in (e - 1, e + 1): the clock moved
    // RATE times that. Past kClockCap ticks only a lower bound is known, and the clock is taken not to have
    // run half-way round (RFC 9293 3.4.1: it wraps every 4.55 hours, far beyond the model's MSL).
    const std::uint64_t e = next.clock[side], rate = knobs_.isn.rate;
    constexpr std::uint64_t kHalf = 0x7FFFFFFF;
    const std::uint64_t lo = rate * (e > 0 ? e - 1 : 0);
    const std::uint64_t hi = e >= kClockCap ? kHalf : std::min(rate * (e + 1) - 1, kHalf);
    if (lo <= hi)
      sym::assume(sym::make_atom(now, sym::iss_symbol(side, k - 1), static_cast<std::uint32_t>(lo),
                                 static_cast<std::uint32_t>(hi)));
  }
  next.clock[side] = 0;
  return sym::pack(now, 0);
}

template <class Emit>
void TeardownModel::branch(const State& s, std::vector<std::pair<Label, State>>& out, Emit&& emit) const {
  if (!knobs_.isn.symbolic()) {
    emit();
    return;
  }
  std::size_t mark = 0;
  sym::explore(
      s.constraints,
      [&] {
        mark = out.size();
        emit();
      },
      [&](std::uint32_t id) {
        if (id == sym::kInfeasible) {
          out.erase(out.begin() + static_cast<std::ptrdiff_t>(mark), out.end());
          return;
        }
        for (std::size_t i = mark; i < out.size(); ++i) out[i].second.constraints = id;
      });
}

bool TeardownModel::filtered(const State& s, unsigned d, const Segment& seg) const {
  for (unsigned k = 0; k < knobs_.filters.size(); ++k) {
    const Filter& f = knobs_.filters[k];
    if ((s.filters_on >> k & 1u) && f.direction == d && matches(f.match, seg)) return true;
  }
  return false;
}

void TeardownModel::push(State next, Label label, const std::optional<Segment>& emitted, unsigned from,
                         std::vector<std::pair<Label, State>>& out) const {
  if (!emitted) {
    out.emplace_back(label, next);
    return;
  }
  label.emitted = *emitted;
  if (filtered(next, from, *emitted)) {
    label.fate = Fate::Filtered;
    out.emplace_back(label, next);
    return;
  }
  // The network holds at most `capacity` segments per direction. A segment sent into a full direction is
  // dropped by the queue (tail drop), as a real router's is: the sender's step happens all the same, so the
  // network never blocks an endpoint and every dead end is TCP's own. No budget: congestion is not a fault
  // the adversary chooses, it is what a full queue does (a loss there would reach the same state).
  const unsigned room = knobs_.capacity - next.count[from];
  if (room == 0) {
    label.fate = Fate::QueueFull;
    out.emplace_back(label, next);
    return;
  }
  // Faults happen as the segment is sent: losing it later, or copying it later (the copy has the same age),
  // reaches the same states save for the slot it held meanwhile. See README "Modelling choices".
  if (next.losses < knobs_.loss) {
    State lost = next;
    ++lost.losses;
    Label l = label;
    l.fate = Fate::Lost;
    out.emplace_back(l, lost);
  }
  if (next.dups < knobs_.dup && room >= 2) {
    State twice = next;
    ++twice.dups;
    channel_insert(twice, from, *emitted, knobs_.reorder);
    channel_insert(twice, from, *emitted, knobs_.reorder);
    Label l = label;
    l.fate = Fate::Duplicated;
    out.emplace_back(l, twice);
  }
  label.fate = Fate::Queued;
  channel_insert(next, from, *emitted, knobs_.reorder);
  out.emplace_back(label, next);
}

void TeardownModel::user_actions(const State& s, unsigned side, std::vector<std::pair<Label, State>>& out) const {
  const Tcb& t = s.tcb[side];
  const unsigned data = side == kClient ? knobs_.client_data : knobs_.server_data;
  const CloseMode mode = side == kClient ? knobs_.client_close : knobs_.server_close;
  // change(next) applies the user call and returns the segment it sends, if any.
  const auto act = [&](Event e, auto&& change) {
    State next = s;
    Label label;
    label.event = e;
    label.actor = static_cast<std::uint8_t>(side);
    const std::optional<Segment> sent = change(next, label);
    push(next, label, sent, side, out);
  };

  if (side == kClient && t.state == TcpState::Closed && t.incarnation < knobs_.incarnations) {
    const unsigned incarnation = t.incarnation + 1u;
    if (knobs_.isn.symbolic()) {
      branch(s, out, [&] {
        act(Event::Open, [&](State& n, Label& l) {
          const std::uint32_t iss = fresh_iss(n, side);
          return std::optional(
              change_tcb(n, side, l, [&](TcbInStep& tcb) { return open_active(tcb, iss, incarnation, rules_); }));
        });
      });
    } else {
      for (std::uint32_t iss : iss_choices(t, incarnation, false))
        act(Event::Open, [&](State& n, Label& l) {
          return std::optional(
              change_tcb(n, side, l, [&](TcbInStep& tcb) { return open_active(tcb, iss, incarnation, rules_); }));
        });
    }
  }
  if (t.sent < data && can_send(t, rules_))
    act(Event::Send, [&](State& n, Label& l) {
      return std::optional(change_tcb(n, side, l, [&](TcbInStep& tcb) { return send_unit(tcb, rules_); }));
    });

  const bool done_sending = t.sent >= data;
  if (!done_sending) return;
  const bool open_state = t.state == TcpState::Established || t.state == TcpState::CloseWait;
  switch (mode) {
    case CloseMode::Active:
    case CloseMode::Crash:  // closes actively; the crash itself is a fault, see crash_actions()
      if (open_state && !t.closed)
        act(Event::Close, [&](State& n, Label& l) {
          return std::optional(change_tcb(n, side, l, [&](TcbInStep& tcb) { return close(tcb, rules_); }));
        });
      break;
    case CloseMode::Passive:
      if (t.state == TcpState::CloseWait && !t.closed)
        act(Event::Close, [&](State& n, Label& l) {
          return std::optional(change_tcb(n, side, l, [&](TcbInStep& tcb) { return close(tcb, rules_); }));
        });
      break;
    case CloseMode::Never:
      break;
    case CloseMode::Abort:
      if (open_state) act(Event::Abort, [&](State& n, Label&) { return abort(n.tcb[side], is_server(side)); });
      break;
  }
}

void TeardownModel::crash_actions(const State& s, unsigned side, std::vector<std::pair<Label, State>>& out) const {
  const Tcb& t = s.tcb[side];
  const unsigned data = side == kClient ? knobs_.client_data : knobs_.server_data;
  const CloseMode mode = side == kClient ? knobs_.client_close : knobs_.server_close;
  // The host may crash at any moment once its application has sent its data and its connection is
  // synchronized: not an application step, so never eager.
  if (mode != CloseMode::Crash || t.sent < data || !synchronized(t.state)) return;
  State next = s;
  crash(next.tcb[side], is_server(side));
  Label label;
  label.event = Event::Crash;
  label.actor = static_cast<std::uint8_t>(side);
  out.emplace_back(label, next);
}

void TeardownModel::timer_actions(const State& s, unsigned side, std::vector<std::pair<Label, State>>& out) const {
  const Tcb& t = s.tcb[side];
  if (t.rto == 1) {
    State next = s;
    Label label;
    label.actor = static_cast<std::uint8_t>(side);
    const auto again = change_tcb(next, side, label,
                                  [&](TcbInStep& tcb) { return retransmission_timeout(tcb, rules_, is_server(side)); });
    label.event = again ? Event::Retransmit : Event::GiveUp;
    push(next, label, again, side, out);
  }
  if (t.time_wait == 1 || t.fin_wait2 == 1) {
    State next = s;
    Label label;
    label.actor = static_cast<std::uint8_t>(side);
    label.event = t.time_wait == 1 ? Event::TimeWaitEnd : Event::FinWait2End;
    delete_tcb(next.tcb[side], is_server(side));
    out.emplace_back(label, next);
  }
}

void TeardownModel::network_actions(const State& s, unsigned d, std::vector<std::pair<Label, State>>& out) const {
  const unsigned to = 1 - d;
  for (unsigned i = 0; i < s.count[d]; ++i) {
    const Segment seg = s.channel[d][i];
    if (i > 0 && seg == s.channel[d][i - 1]) continue;  // equal segments give equal successors
    Label base;
    base.actor = 2;
    base.index = static_cast<std::uint8_t>(d);
    base.segment = seg;

    if (seg.age < knobs_.min_delay) continue;  // still on its way
    if (!knobs_.reorder && i > 0) continue;
    State removed = s;
    channel_remove(removed, d, i);
    branch(s, out, [&] {
      const Tcb& receiver = s.tcb[to];
      IssChoices isses;
      isses.values[isses.count++] = 0;  // no new connection: the ISS is not read
      bool fresh = false;               // symbolic ISNs: the new connection draws the next symbol
      if (creates_connection(receiver, seg, rules_)) {
        if (receiver.state == TcpState::TimeWait && knobs_.reopen_isn_offset > 0)
          isses.values[0] = receiver.snd_nxt + knobs_.reopen_isn_offset;  // a Linux-style reopen
        else if (knobs_.isn.symbolic())
          fresh = true;
        else
          isses = iss_choices(receiver, seg.incarnation(), is_server(to));
      }
      for (std::uint32_t iss : isses) {
        State next = removed;
        if (fresh) iss = fresh_iss(next, to);
        Label label = base;
        label.event = Event::Deliver;
        const Arrival a = change_tcb(next, to, label,
                                     [&](TcbInStep& t) { return segment_arrives(t, seg, rules_, is_server(to), iss); });
        label.rule = a.rule;
        label.delivered = a.delivered;
        label.stray = a.stray;
        label.misordered = a.misordered;
        label.fin_taken = a.fin_taken;
        label.fin_misplaced = a.fin_misplaced;
        push(next, label, a.reply, to, out);
      }
    });
  }
}

void TeardownModel::tick(const State& s, std::vector<std::pair<Label, State>>& out) const {
  for (const Tcb& t : s.tcb)
    if (t.rto == 1 || t.time_wait == 1 || t.fin_wait2 == 1) return;  // an expired timer fires first
  // A segment MSL ticks old must arrive (or be lost, against the budget) before time passes again: the
  // network delays a segment at most MSL, and a segment is never gone without a counted fault.
  for (unsigned d = 0; d < 2; ++d)
    for (unsigned i = 0; i < s.count[d]; ++i)
      if (s.channel[d][i].age >= knobs_.msl) return;
  State next = s;
  for (Tcb& t : next.tcb)
    for (Timer* timer : {&t.rto, &t.time_wait, &t.fin_wait2})
      if (*timer > 1) --*timer;
  for (unsigned d = 0; d < 2; ++d)
    for (unsigned i = 0; i < next.count[d]; ++i) ++next.channel[d][i].age;  // order (by seq first) is kept
  if (knobs_.isn.kind == IsnPolicy::Kind::Clock)
    for (unsigned side = 0; side < 2; ++side)
      if (next.symbols[side] > 0 && next.clock[side] < kClockCap) ++next.clock[side];
  if (next == s) return;  // nothing to wait for: time passing changes nothing
  Label label;
  label.event = Event::Tick;
  out.emplace_back(label, next);
}

void TeardownModel::successors_into(const State& s, std::vector<std::pair<Label, State>>& out) const {
  const std::size_t from = out.size();
  // Symbolic ISNs: a comparison across symbols outside branch() would compare packed numbers; make it throw.
  std::optional<sym::StrictScope> strict;
  if (knobs_.isn.symbolic()) strict.emplace();
  for (unsigned side = 0; side < 2; ++side) user_actions(s, side, out);
  // Eager applications act before anything else may happen (see the `apps` knob).
  if (out.size() > from && knobs_.apps == Apps::Eager) return;
  for (unsigned side = 0; side < 2; ++side) {
    timer_actions(s, side, out);
    crash_actions(s, side, out);
  }
  for (unsigned d = 0; d < 2; ++d) network_actions(s, d, out);
  for (unsigned k = 0; k < knobs_.filters.size(); ++k) {
    if (!knobs_.filters[k].anytime || (s.filters_on >> k & 1u)) continue;
    State next = s;
    next.filters_on |= static_cast<std::uint8_t>(1u << k);
    Label label;
    label.event = Event::FilterOn;
    label.index = static_cast<std::uint8_t>(k);
    out.emplace_back(label, next);
  }
  tick(s, out);
}

}  // namespace model
