// The teardown model's transitions: applications, network faults, filters, time, and pinned counts.

#include <catch2/catch.hpp>

#include <cstddef>

#include "checker/search.hpp"
#include "checker/trap.hpp"
#include "model/teardown.hpp"

namespace {

using namespace model;

Knobs knobs(std::initializer_list<std::pair<std::string_view, std::string_view>> settings,
            std::string_view profile = "rfc9293") {
  Knobs k;
  REQUIRE_FALSE(apply_profile(k, profile));
  for (const auto& [name, value] : settings) REQUIRE_FALSE(set_knob(k, name, value));
  return k;
}

/// The model, started from a given state instead of its initial one.
struct FromState {
  using State = model::State;
  using Label = model::Label;
  const TeardownModel& model;
  State start;
  template <class Yield>
  void initial(Yield&& yield) const {
    yield(start);
  }
  template <class Yield>
  void successors(const State& s, Yield&& yield) const {
    model.successors(s, yield);
  }
};

std::vector<std::pair<Label, State>> next(const TeardownModel& m, const State& s) {
  std::vector<std::pair<Label, State>> out;
  m.successors_into(s, out);
  return out;
}

Segment data(std::uint32_t seq, std::uint8_t age) {
  Segment g;
  g.flags = kAck;
  g.seq = seq;
  g.len = 1;
  g.age = age & 0x0F;
  return g;
}

}  // namespace

TEST_CASE("teardown: the declared slices are TCB A, TCB B, each channel and the rest, for the tree store") {
  // The checker's tree store cuts the state at these offsets (checker/tree_store.hpp).
  const auto& slices = TeardownModel::kSlices;
  CHECK(slices[0] == offsetof(State, tcb));
  CHECK(slices[1] == offsetof(State, tcb) + sizeof(Tcb));
  CHECK(slices[2] == offsetof(State, channel));
  CHECK(slices[3] == offsetof(State, channel) + sizeof(State::channel[0]));
  CHECK(slices[4] == offsetof(State, count));
  CHECK(checker::declared_slices<TeardownModel>() == std::vector<std::size_t>(slices.begin(), slices.end()));
}

TEST_CASE("teardown: the initial state has the server listening and the client about to open") {
  const TeardownModel m(knobs({}));
  const State s = m.initial_state();
  CHECK(s.tcb[0].state == TcpState::Closed);
  CHECK(s.tcb[1].state == TcpState::Listen);
  CHECK(s.count[0] + s.count[1] == 0);
  const auto out = next(m, s);
  // Eager applications: only the client's OPEN, its SYN queued, lost, or sent twice.
  REQUIRE(out.size() == 3);
  for (const auto& [label, state] : out) {
    CHECK(label.event == Event::Open);
    CHECK(label.emitted.flags == kSyn);
    CHECK(label.emitted.seq == 1000);
    CHECK(state.tcb[0].state == TcpState::SynSent);
  }
  CHECK(out[0].first.fate == Fate::Lost);
  CHECK(out[0].second.losses == 1);
  CHECK(out[0].second.count[0] == 0);
  CHECK(out[1].first.fate == Fate::Duplicated);
  CHECK(out[1].second.count[0] == 2);
  CHECK(out[2].first.fate == Fate::Queued);
  CHECK(out[2].second.count[0] == 1);
}

TEST_CASE("teardown: a segment is delayed at most MSL ticks: at age MSL it must arrive before time passes") {
  const TeardownModel m(knobs({{"loss", "0"}, {"dup", "0"}, {"msl", "2"}}));
  State s = m.initial_state();
  s.tcb[0].incarnation = 2;  // the client has made its connections: no OPEN
  channel_insert(s, 0, data(7, 1), true);
  const auto is_tick = [](const auto& p) { return p.first.event == Event::Tick; };
  const auto out = next(m, s);
  const auto tick = std::find_if(out.begin(), out.end(), is_tick);
  REQUIRE(tick != out.end());
  CHECK(tick->second.channel[0][0].age == 2);
  const auto later = next(m, tick->second);
  CHECK(std::none_of(later.begin(), later.end(), is_tick));
  REQUIRE(later.size() == 1);  // only its delivery (LISTEN answers the ACK with a RST)
  CHECK(later[0].first.event == Event::Deliver);
  CHECK(later[0].first.rule == Rule::ListenResetAck);
}

TEST_CASE("teardown: an expired timer fires before time may pass") {
  const TeardownModel m(knobs({}));
  State s = m.initial_state();
  s.tcb[0].incarnation = 2;
  s.tcb[0].state = TcpState::TimeWait;
  s.tcb[0].time_wait = 1;
  channel_insert(s, 1, data(5, 0), true);
  const auto out = next(m, s);
  CHECK(std::none_of(out.begin(), out.end(), [](const auto& p) { return p.first.event == Event::Tick; }));
  CHECK(std::any_of(out.begin(), out.end(), [](const auto& p) {
    return p.first.event == Event::TimeWaitEnd && p.second.tcb[0].state == TcpState::Closed;
  }));
}

TEST_CASE("teardown: a quiet state lets no time pass (a true deadlock has no successor)") {
  const TeardownModel m(knobs({}));
  State s = m.initial_state();
  s.tcb[0].incarnation = 2;
  s.tcb[0].state = TcpState::FinWait2;  // waiting forever for a FIN: no timer with fin_wait2_timeout=0
  s.tcb[0].fin_sent = 1;
  s.tcb[0].closed = 1;
  CHECK(next(m, s).empty());
  CHECK_FALSE(m.final(s));
  s.tcb[0].state = TcpState::Closed;
  CHECK(m.final(s));
}

TEST_CASE("teardown: filters drop matching segments from the start or from a chosen moment") {
  const TeardownModel m(knobs({{"filter", "A>B:syn"}, {"filter", "B>A:rst@anytime"}}));
  const State s = m.initial_state();
  CHECK(s.filters_on == 1);  // only the first is on from the start
  const auto out = next(m, s);
  REQUIRE(out.size() == 2);  // OPEN (a filtered segment gets no fault choices), or the second filter switching on
  const auto open = std::find_if(out.begin(), out.end(), [](const auto& p) { return p.first.event == Event::Open; });
  REQUIRE(open != out.end());
  CHECK(open->first.fate == Fate::Filtered);
  CHECK(open->second.count[0] == 0);
  const auto later = next(m, open->second);
  CHECK(std::any_of(later.begin(), later.end(),
                    [](const auto& p) { return p.first.event == Event::FilterOn && p.second.filters_on == 3; }));
}

TEST_CASE("teardown: the adversarial ISN policy offers the old ISS and one above the old SND.NXT to a new connection") {
  const TeardownModel m(knobs({{"loss", "0"}, {"dup", "0"}}));
  State s = m.initial_state();
  s.tcb[0].incarnation = 1;  // the first connection is over: ISS 1000, SND.NXT 1003
  s.tcb[0].iss = 1000;
  s.tcb[0].snd_nxt = 1003;
  const auto out = next(m, s);
  REQUIRE(out.size() == 2);
  CHECK(out[0].first.emitted.seq == 1000);
  CHECK(out[1].first.emitted.seq == 1004);  // above the TIME-WAIT peer's RCV.NXT: RFC 1122 4.2.2.13 may reopen
  CHECK(out[0].second.tcb[0].incarnation == 2);
}

TEST_CASE(
    "teardown: an old duplicate SYN meets the server's ISN clock past its old SND.NXT, and adversarial:both may reuse "
    "the old ISS") {
  // A listener that served a first connection (ISS 5000, SND.NXT 5003) receives that connection's SYN again.
  for (const auto& [isn, expected] : {std::pair{std::string_view("adversarial"), std::vector<std::uint32_t>{5003}},
                                      {"adversarial:both", {5000, 5003}}}) {
    INFO(isn);
    const TeardownModel m(knobs({{"loss", "0"}, {"dup", "0"}, {"isn", isn}}));
    State s = m.initial_state();
    s.tcb[0].incarnation = 1;
    s.tcb[0].state = TcpState::TimeWait;  // the client makes no move until its timer fires
    s.tcb[0].time_wait = 3;
    s.tcb[1].iss = 5000;
    s.tcb[1].snd_nxt = 5003;
    s.tcb[1].incarnation = 1;
    Segment syn;
    syn.flags = kSyn;
    syn.seq = 1000;
    syn.set_ghost(1, 0);
    channel_insert(s, 0, syn, true);
    std::vector<std::uint32_t> answered;
    for (const auto& [label, n] : next(m, s))
      if (label.event == Event::Deliver) answered.push_back(label.emitted.seq);
    CHECK(answered == expected);
  }
}

TEST_CASE("teardown: adversarial ISNs give the next connection's SYN the server's previous ISS") {
  // The ISN clock wraps between the old duplicates and the next connection: its SYN (incarnation 2) gets the
  // old ISS 5000, so the new connection reuses the old sequence space of both sides.
  const TeardownModel m(knobs({{"loss", "0"}, {"dup", "0"}}));
  State s = m.initial_state();
  s.tcb[0].incarnation = 2;
  s.tcb[0].state = TcpState::SynSent;
  s.tcb[1].iss = 5000;
  s.tcb[1].snd_nxt = 5003;
  s.tcb[1].incarnation = 1;
  Segment syn;
  syn.flags = kSyn;
  syn.seq = 1003;
  syn.set_ghost(2, 0);
  channel_insert(s, 0, syn, true);
  std::vector<std::uint32_t> answered;
  for (const auto& [label, n] : next(m, s))
    if (label.event == Event::Deliver) answered.push_back(label.emitted.seq);
  CHECK(answered == std::vector<std::uint32_t>{5000});
}

TEST_CASE("teardown: one connection without faults, pinned counts, in every search mode") {
  const TeardownModel m(knobs({{"incarnations", "1"}, {"loss", "0"}, {"dup", "0"}}));
  for (auto [order, threads] :
       {std::pair{checker::Order::Bfs, 1u}, {checker::Order::Bfs, 2u}, {checker::Order::Dfs, 1u}}) {
    checker::SearchOptions o;
    o.order = order;
    o.threads = threads;
    checker::Explorer<TeardownModel> ex(m, o);
    const auto r = ex.run();
    INFO("threads " << threads);
    REQUIRE(r.outcome == checker::Outcome::Complete);
    CHECK(r.stats.states == 21258);
    CHECK(r.stats.transitions == 59255);
    // Every state can still reach the end: both sides closed, nothing in flight.
    const auto trap = checker::find_trap(ex, [&](const State& s, checker::StateId) { return m.final(s); });
    CHECK(trap.trapped_states == 0);
  }
}

TEST_CASE(
    "teardown: gridlock, both directions full and the loss budget spent: a full queue drops, the model moves on") {
  // The state the old blocking network made a deadlock (A in FIN-WAIT-1, B in ESTABLISHED, three segments each
  // way, every delivery answered into the full opposite direction). A real queue drops the answer (tail drop).
  const TeardownModel m(knobs({{"capacity", "3"}, {"loss", "1"}, {"dup", "0"}, {"incarnations", "1"}}, "rfc1337"));
  State s = m.initial_state();
  Tcb& a = s.tcb[0];
  a.state = TcpState::FinWait1;
  a.incarnation = 1;
  a.iss = 1000;
  a.snd_una = 1001;
  a.snd_nxt = 1003;  // unit 0 at 1001, FIN at 1002
  a.sent = 1;
  a.fin_sent = a.closed = 1;
  a.irs = 5000;
  a.rcv_nxt = 5001;
  a.rto = 3;
  Tcb& b = s.tcb[1];
  b.state = TcpState::Established;
  b.passive = 1;
  b.incarnation = 1;
  b.iss = 5000;
  b.snd_una = 5001;
  b.snd_nxt = 5002;  // unit 0 at 5001
  b.sent = 1;
  b.irs = 1000;
  b.rcv_nxt = 1001;
  b.rto = 3;
  s.losses = 1;  // the budget is spent
  const auto segment = [](std::uint8_t flags, std::uint32_t seq, std::uint32_t ack, std::uint16_t len,
                          unsigned offset) {
    Segment g;
    g.flags = flags & 0x0F;
    g.seq = seq;
    g.ack = ack;
    g.len = len;
    g.set_ghost(1, offset);
    return g;
  };
  channel_insert(s, 0, segment(kAck, 1001, 5001, 1, 0), true);
  channel_insert(s, 0, segment(kFin | kAck, 1002, 5001, 0, 1), true);
  channel_insert(s, 0, segment(kAck, 1001, 5001, 1, 0), true);
  channel_insert(s, 1, segment(kAck, 5001, 1001, 1, 0), true);
  channel_insert(s, 1, segment(kAck, 5001, 1001, 0, 0), true);
  channel_insert(s, 1, segment(kAck, 5001, 1001, 1, 0), true);
  REQUIRE(s.count[0] == 3);
  REQUIRE(s.count[1] == 3);

  const auto out = next(m, s);
  // Every distinct in-flight segment can be delivered (4: each direction holds one segment twice), and the
  // deliveries that need an answer have it dropped by the full opposite direction.
  std::size_t deliveries = 0, dropped = 0;
  for (const auto& [label, n] : out) {
    if (label.event != Event::Deliver) continue;
    ++deliveries;
    if (label.fate == Fate::QueueFull) {
      ++dropped;
      CHECK(n.count[1 - label.index] == 3);  // the answer is not in the network
      CHECK(n.losses == 1);                  // and no budget was spent
    }
  }
  CHECK(deliveries == 4);
  CHECK(dropped == 3);
  CHECK_FALSE(m.final(s));

  // From the gridlock on, every reachable state can still reach an accepted final state: no dead end, no trap.
  // (One incarnation: a second one, on reused sequence numbers, has stuck states of its own that TCP earns.)
  const FromState from{m, s};
  checker::Explorer<FromState> ex(from, checker::SearchOptions{});
  const auto r = ex.run();
  REQUIRE(r.outcome == checker::Outcome::Complete);
  const auto trap = checker::find_trap(ex, [&](const State& st, checker::StateId) { return m.final(st); });
  CHECK(trap.trapped_states == 0);
}

TEST_CASE("teardown: under bsd the default model reaches the TIME-WAIT reopen rule (RFC 1122 4.2.2.13)") {
  // The server closes first and so holds TIME-WAIT; the client's next SYN, one above its old SND.NXT, lies
  // above the server's RCV.NXT and reopens the connection.
  const TeardownModel m(knobs({{"server_close", "active"}, {"client_close", "passive"}}, "bsd"));
  struct ReopenObserver {
    checker::Action on_edge(const State&, checker::StateId, const Label& label, const State&) {
      return label.rule == Rule::TimeWaitSynReopen ? checker::Action::Stop : checker::Action::Continue;
    }
  };
  checker::SearchOptions o;
  o.threads = 1;
  checker::Explorer<TeardownModel> ex(m, o);
  const auto r = ex.run(ReopenObserver{});
  REQUIRE(r.outcome == checker::Outcome::Stopped);
  const auto trace = ex.trace_of(*r.stop);
  REQUIRE(trace.size() >= 2);
  const Label& last = *trace.back().label;
  CHECK(last.rule == Rule::TimeWaitSynReopen);
  CHECK(last.event == Event::Deliver);
  CHECK(last.segment.has(kSyn));
  CHECK(last.segment.incarnation() == 2);  // the client's second connection
  const State& before = trace[trace.size() - 2].state;
  CHECK(before.tcb[1].state == TcpState::TimeWait);
  CHECK(seq_gt(last.segment.seq, before.tcb[1].rcv_nxt));
  CHECK(trace.back().state.tcb[1].state == TcpState::SynReceived);
}
