#include "model/teardown.hpp"

#include <algorithm>

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
    case Event::Lose:
      return "lose";
    case Event::Duplicate:
      return "duplicate";
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

bool TeardownModel::final(const State& s) const {
  return s.tcb[kClient].state == TcpState::Closed && s.tcb[kClient].incarnation == knobs_.incarnations &&
         s.tcb[kServer].state == TcpState::Listen && s.count[0] == 0 && s.count[1] == 0;
}

std::vector<std::uint32_t> TeardownModel::iss_choices(const Tcb& history, unsigned incarnation, bool server) const {
  std::vector<std::uint32_t> out;
  const IsnPolicy& p = knobs_.isn;
  const std::uint32_t offset = server ? kServerOffset : 0;
  switch (p.kind) {
    case IsnPolicy::Kind::Fixed: {
      const std::size_t i = std::min<std::size_t>(incarnation == 0 ? 0 : incarnation - 1, p.values.size() - 1);
      out.push_back(p.values[i] + offset);
      break;
    }
    case IsnPolicy::Kind::Choose:
      for (std::uint32_t v : p.values) out.push_back(v + offset);
      break;
    case IsnPolicy::Kind::Adversarial:
      if (incarnation <= 1) {
        out.push_back(server ? kServerBase : kClientBase);
      } else {
        // The previous connection's ISS (its windows overlap exactly), its SND.NXT (just above its sequence
        // space, as RFC 1122's reopen rule would pick) and 2^31 away (as far as the sequence space allows).
        out = {history.iss, history.snd_nxt, history.iss + 0x80000000u};
      }
      break;
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

bool TeardownModel::filtered(const State& s, unsigned d, const Segment& seg) const {
  for (unsigned k = 0; k < knobs_.filters.size(); ++k) {
    const Filter& f = knobs_.filters[k];
    if ((s.filters_on >> k & 1u) && f.direction == d && matches(f.match, seg)) return true;
  }
  return false;
}

void TeardownModel::emit(State& s, unsigned from, const Segment& seg, Label& label) const {
  label.emitted = seg;
  if (filtered(s, from, seg)) {
    label.fate = Fate::Filtered;
  } else if (s.count[from] >= knobs_.capacity) {
    label.fate = Fate::Overflow;
  } else {
    label.fate = Fate::Queued;
    channel_insert(s, from, seg, knobs_.reorder);
  }
}

void TeardownModel::user_actions(const State& s, unsigned side, std::vector<std::pair<Label, State>>& out) const {
  const Tcb& t = s.tcb[side];
  const unsigned data = side == kClient ? knobs_.client_data : knobs_.server_data;
  const CloseMode mode = side == kClient ? knobs_.client_close : knobs_.server_close;
  const auto push = [&](Event e, auto&& change) {
    State next = s;
    Label label;
    label.event = e;
    label.actor = static_cast<std::uint8_t>(side);
    change(next, label);
    out.emplace_back(label, next);
  };

  if (side == kClient && t.state == TcpState::Closed && t.incarnation < knobs_.incarnations) {
    const unsigned incarnation = t.incarnation + 1u;
    for (std::uint32_t iss : iss_choices(t, incarnation, false))
      push(Event::Open,
           [&](State& n, Label& l) { emit(n, side, open_active(n.tcb[side], iss, incarnation, rules_), l); });
  }
  if (t.sent < data && can_send(t, rules_))
    push(Event::Send, [&](State& n, Label& l) { emit(n, side, send_unit(n.tcb[side], rules_), l); });

  const bool done_sending = t.sent >= data;
  if (!done_sending) return;
  const bool open_state = t.state == TcpState::Established || t.state == TcpState::CloseWait;
  switch (mode) {
    case CloseMode::Active:
      if (open_state && !t.closed)
        push(Event::Close, [&](State& n, Label& l) { emit(n, side, close(n.tcb[side], rules_), l); });
      break;
    case CloseMode::Passive:
      if (t.state == TcpState::CloseWait && !t.closed)
        push(Event::Close, [&](State& n, Label& l) { emit(n, side, close(n.tcb[side], rules_), l); });
      break;
    case CloseMode::Never:
      break;
    case CloseMode::Abort:
      if (open_state)
        push(Event::Abort, [&](State& n, Label& l) {
          if (const auto rst = abort(n.tcb[side], is_server(side))) emit(n, side, *rst, l);
        });
      break;
    case CloseMode::Crash:
      if (t.state != TcpState::Closed && t.state != TcpState::Listen && t.state != TcpState::SynSent &&
          t.state != TcpState::SynReceived)
        push(Event::Crash, [&](State& n, Label&) { crash(n.tcb[side], is_server(side)); });
      break;
  }
}

void TeardownModel::timer_actions(const State& s, unsigned side, std::vector<std::pair<Label, State>>& out) const {
  const Tcb& t = s.tcb[side];
  if (t.rto == 1) {
    State next = s;
    Label label;
    label.actor = static_cast<std::uint8_t>(side);
    const auto again = retransmission_timeout(next.tcb[side], rules_, is_server(side));
    label.event = again ? Event::Retransmit : Event::GiveUp;
    if (again) emit(next, side, *again, label);
    out.emplace_back(label, next);
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

    if (knobs_.reorder || i == 0) {
      State removed = s;
      channel_remove(removed, d, i);
      const Tcb& receiver = s.tcb[to];
      std::vector<std::uint32_t> isses{0};
      if (creates_connection(receiver, seg, rules_)) isses = iss_choices(receiver, seg.incarnation(), is_server(to));
      for (std::uint32_t iss : isses) {
        State next = removed;
        Label label = base;
        label.event = Event::Deliver;
        const Arrival a = segment_arrives(next.tcb[to], seg, rules_, is_server(to), iss);
        label.rule = a.rule;
        label.delivered = a.delivered;
        if (a.reply) emit(next, to, *a.reply, label);
        out.emplace_back(label, next);
      }
    }
    if (s.losses < knobs_.loss) {
      State next = s;
      channel_remove(next, d, i);
      ++next.losses;
      Label label = base;
      label.event = Event::Lose;
      out.emplace_back(label, next);
    }
    if (s.dups < knobs_.dup && s.count[d] < knobs_.capacity) {
      State next = s;
      channel_insert(next, d, seg, knobs_.reorder);
      ++next.dups;
      Label label = base;
      label.event = Event::Duplicate;
      out.emplace_back(label, next);
    }
  }
}

void TeardownModel::tick(const State& s, std::vector<std::pair<Label, State>>& out) const {
  for (const Tcb& t : s.tcb)
    if (t.rto == 1 || t.time_wait == 1 || t.fin_wait2 == 1) return;  // an expired timer fires first
  State next = s;
  for (Tcb& t : next.tcb)
    for (Timer* timer : {&t.rto, &t.time_wait, &t.fin_wait2})
      if (*timer > 1) --*timer;
  for (unsigned d = 0; d < 2; ++d) {
    for (unsigned i = next.count[d]; i-- > 0;) {
      Segment& seg = next.channel[d][i];
      if (seg.age >= knobs_.msl)
        channel_remove(next, d, i);  // older than MSL after this tick: gone
      else
        ++seg.age;
    }
    if (knobs_.reorder) std::sort(next.channel[d].begin(), next.channel[d].begin() + next.count[d]);
  }
  if (next == s) return;  // nothing to wait for: time passing changes nothing
  Label label;
  label.event = Event::Tick;
  out.emplace_back(label, next);
}

void TeardownModel::successors_into(const State& s, std::vector<std::pair<Label, State>>& out) const {
  for (unsigned side = 0; side < 2; ++side) {
    timer_actions(s, side, out);
    user_actions(s, side, out);
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
