// RFC 9293 §3.10 endpoint rules, one clause per test, on a single TCB.

#include <catch2/catch.hpp>

#include "model/endpoint.hpp"

namespace {

using namespace model;

EndpointRules rfc9293() {
  return EndpointRules{};
}
EndpointRules rfc793() {
  EndpointRules r;
  r.rfc5961 = false;
  return r;
}

Segment seg(std::uint8_t flags, std::uint32_t seq, std::uint32_t ack = 0, std::uint16_t len = 0) {
  Segment s;
  s.flags = flags & 0x0F;
  s.seq = seq;
  s.ack = ack;
  s.len = len;
  return s;
}

/// `s` sent by incarnation `incarnation` of the peer, its (first) unit or FIN at `offset` of that stream.
Segment sent_by(Segment s, unsigned incarnation, unsigned offset) {
  s.set_ghost(incarnation, offset);
  return s;
}

/// An ESTABLISHED connection: ISS 100 (SND.UNA = SND.NXT = 101), IRS 500 (RCV.NXT = 501).
TcbInStep established() {
  TcbInStep t;
  t.state = TcpState::Established;
  t.incarnation = 1;
  t.iss = 100;
  t.snd_una = t.snd_nxt = 101;
  t.irs = 500;
  t.rcv_nxt = 501;
  return t;
}

TcbInStep in(TcpState state) {
  TcbInStep t = established();
  t.state = state;
  return t;
}

/// A TCB that has sent its FIN (SND.NXT = 102) in `state`.
TcbInStep fin_sent(TcpState state, bool acked) {
  TcbInStep t = in(state);
  t.snd_nxt = 102;
  t.fin_sent = 1;
  t.closed = 1;
  if (acked) t.snd_una = 102;
  return t;
}

void check_ack(const Arrival& a, std::uint32_t seq, std::uint32_t ack) {
  REQUIRE(a.reply.has_value());
  CHECK(a.reply->flags == kAck);
  CHECK(a.reply->seq == seq);
  CHECK(a.reply->ack == ack);
}

}  // namespace

TEST_CASE("sequence numbers compare modulo 2^32 (RFC 9293 3.4)") {
  CHECK(seq_lt(0xFFFFFFF0u, 0x10u));
  CHECK_FALSE(seq_lt(0x10u, 0xFFFFFFF0u));
  CHECK(seq_le(5u, 5u));
  CHECK(seq_gt(0x80000000u, 1u));
}

TEST_CASE("3.10.7.1 CLOSED: a RST is discarded, anything else gets a RST") {
  TcbInStep t;
  CHECK_FALSE(segment_arrives(t, seg(kRst, 7), rfc9293(), false, 0).reply);
  const Arrival with_ack = segment_arrives(t, seg(kAck, 7, 42), rfc9293(), false, 0);
  REQUIRE(with_ack.reply);
  CHECK(with_ack.reply->flags == kRst);
  CHECK(with_ack.reply->seq == 42);  // <SEQ=SEG.ACK><CTL=RST>
  const Arrival syn = segment_arrives(t, seg(kSyn, 7), rfc9293(), false, 0);
  REQUIRE(syn.reply);
  CHECK(syn.reply->flags == (kRst | kAck));
  CHECK(syn.reply->seq == 0);
  CHECK(syn.reply->ack == 8);  // SEG.SEQ + SEG.LEN, the SYN counting one
  const Arrival data_fin = segment_arrives(t, seg(kFin | kAck, 7, 3, 2), rfc9293(), false, 0);
  CHECK(data_fin.reply->seq == 3);
  CHECK(t.state == TcpState::Closed);
}

TEST_CASE("3.10.7.2 LISTEN: RST ignored, ACK reset, SYN opens SYN-RECEIVED with the chosen ISS") {
  TcbInStep t;
  t.state = TcpState::Listen;
  CHECK_FALSE(segment_arrives(t, seg(kRst, 1), rfc9293(), true, 0).reply);
  const Arrival ack = segment_arrives(t, seg(kAck, 1, 77), rfc9293(), true, 0);
  CHECK(ack.reply->flags == kRst);
  CHECK(ack.reply->seq == 77);
  CHECK(t.state == TcpState::Listen);
  Segment syn = seg(kSyn, 900);
  syn.set_ghost(2, 0);
  const Arrival a = segment_arrives(t, syn, rfc9293(), true, 5000);
  CHECK(a.opened);
  CHECK(t.state == TcpState::SynReceived);
  CHECK(t.incarnation == 2);  // the ghost incarnation of the SYN that created it
  CHECK(t.irs == 900);
  CHECK(t.rcv_nxt == 901);
  CHECK(t.iss == 5000);
  CHECK(t.snd_nxt == 5001);
  REQUIRE(a.reply);
  CHECK(a.reply->flags == (kSyn | kAck));
  CHECK(a.reply->seq == 5000);
  CHECK(a.reply->ack == 901);
}

TEST_CASE("3.10.7.3 SYN-SENT: bad ACK gets RST, acceptable RST resets, SYN-ACK establishes") {
  const auto syn_sent = [] {
    TcbInStep t;
    open_active(t, 100, 1, rfc9293());
    return t;
  };
  TcbInStep t = syn_sent();
  CHECK(t.state == TcpState::SynSent);
  const Arrival bad = segment_arrives(t, seg(kSyn | kAck, 500, 100), rfc9293(), false, 0);  // SEG.ACK =< ISS
  CHECK(bad.reply->flags == kRst);
  CHECK(bad.reply->seq == 100);
  CHECK(t.state == TcpState::SynSent);
  CHECK(segment_arrives(t, seg(kRst, 0, 50), rfc9293(), false, 0).rule == Rule::SynSentDropRst);
  const Arrival reset = segment_arrives(t, seg(kRst | kAck, 0, 101), rfc9293(), false, 0);
  CHECK(reset.deleted);
  CHECK(t.state == TcpState::Closed);

  t = syn_sent();
  const Arrival ok = segment_arrives(t, seg(kSyn | kAck, 500, 101), rfc9293(), false, 0);
  CHECK(t.state == TcpState::Established);
  CHECK(t.snd_una == 101);
  CHECK(t.rcv_nxt == 501);
  check_ack(ok, 101, 501);
  CHECK(t.rto == 0);  // everything sent is acknowledged

  t = syn_sent();
  const Arrival simultaneous = segment_arrives(t, seg(kSyn, 500), rfc9293(), false, 0);
  CHECK(t.state == TcpState::SynReceived);
  CHECK(simultaneous.reply->flags == (kSyn | kAck));
  CHECK(simultaneous.reply->seq == 100);
  CHECK(simultaneous.reply->ack == 501);
}

TEST_CASE(
    "3.10.7.4 first: an unacceptable segment gets <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>, an unacceptable RST nothing") {
  TcbInStep t = established();
  check_ack(segment_arrives(t, seg(kAck, 400, 101, 1), rfc9293(), false, 0), 101, 501);  // below the window
  check_ack(segment_arrives(t, seg(kAck, 505, 101, 1), rfc9293(), false, 0), 101, 501);  // beyond RCV.NXT+RCV.WND
  CHECK_FALSE(segment_arrives(t, seg(kRst, 600), rfc9293(), false, 0).reply);
  CHECK(t == established());
}

TEST_CASE("3.10.7.4 second: an in-window RST resets ESTABLISHED (RFC 793) or draws a challenge ACK (RFC 5961)") {
  TcbInStep t = established();
  const Arrival challenge = segment_arrives(t, seg(kRst, 502), rfc9293(), false, 0);
  check_ack(challenge, 101, 501);
  CHECK(t.state == TcpState::Established);
  CHECK(segment_arrives(t, seg(kRst, 501), rfc9293(), false, 0).deleted);  // exactly RCV.NXT
  CHECK(t.state == TcpState::Closed);
  t = established();
  CHECK(segment_arrives(t, seg(kRst, 502), rfc793(), false, 0).deleted);
  CHECK(t.state == TcpState::Closed);
}

TEST_CASE("3.10.7.4 second: RST in passive SYN-RECEIVED returns to LISTEN") {
  TcbInStep t = in(TcpState::SynReceived);
  t.passive = 1;
  const Arrival a = segment_arrives(t, seg(kRst, 501), rfc9293(), true, 0);
  CHECK(a.rule == Rule::RstToListen);
  CHECK(t.state == TcpState::Listen);
}

TEST_CASE("3.10.7.4 second: RST in TIME-WAIT deletes the TCB, unless RFC 1337's ignore knob is on") {
  TcbInStep t = in(TcpState::TimeWait);
  t.time_wait = 3;
  CHECK(segment_arrives(t, seg(kRst, 501), rfc9293(), false, 0).deleted);
  CHECK(t.state == TcpState::Closed);
  EndpointRules ignore;
  ignore.rst_in_time_wait = EndpointRules::RstInTimeWait::Ignore;
  t = in(TcpState::TimeWait);
  t.time_wait = 3;
  const Arrival a = segment_arrives(t, seg(kRst, 501), ignore, false, 0);
  CHECK(a.rule == Rule::RstIgnoredTimeWait);
  CHECK(t.state == TcpState::TimeWait);
}

TEST_CASE("3.10.7.4 fourth: SYN in a synchronized state: challenge ACK (RFC 5961) or reset (RFC 793)") {
  TcbInStep t = established();
  check_ack(segment_arrives(t, seg(kSyn, 502), rfc9293(), false, 0), 101, 501);
  CHECK(t.state == TcpState::Established);
  // "send a reset" in the form 3.10.7.1 gives it (and BSD sends): <SEQ=0><ACK=SEG.SEQ+1><CTL=RST,ACK> for a bare
  // SYN, which the peer's SYN-SENT accepts; <SEQ=SEG.ACK><CTL=RST> for a SYN,ACK.
  const Arrival reset = segment_arrives(t, seg(kSyn, 502), rfc793(), false, 0);
  CHECK(reset.deleted);
  CHECK(reset.rule == Rule::SynReset);
  REQUIRE(reset.reply);
  CHECK(reset.reply->flags == (kRst | kAck));
  CHECK(reset.reply->seq == 0);
  CHECK(reset.reply->ack == 503);
  CHECK(t.state == TcpState::Closed);
  t = established();
  const Arrival reset_ack = segment_arrives(t, seg(kSyn | kAck, 502, 101), rfc793(), false, 0);
  REQUIRE(reset_ack.reply);
  CHECK(reset_ack.reply->flags == kRst);
  CHECK(reset_ack.reply->seq == 101);
  // Outside the window the first check answers before the SYN rule (RFC 793 text quoted in 3.10.7.4).
  t = established();
  CHECK(segment_arrives(t, seg(kSyn, 9000), rfc793(), false, 0).rule == Rule::Unacceptable);
  CHECK(t.state == TcpState::Established);
}

TEST_CASE("3.10.7.4 fifth: ACK processing in ESTABLISHED, SYN-RECEIVED and the closing states") {
  TcbInStep t = established();
  t.snd_nxt = 103;
  t.rto = 3;
  segment_arrives(t, seg(kAck, 501, 102), rfc9293(), false, 0);
  CHECK(t.snd_una == 102);
  CHECK(t.rto == timer_for(2));  // restarted: 103 is still unacknowledged
  check_ack(segment_arrives(t, seg(kAck, 501, 110), rfc9293(), false, 0), 103, 501);  // acks unsent data
  CHECK(t.snd_una == 102);

  TcbInStep r = in(TcpState::SynReceived);
  r.snd_una = 100;
  const Arrival bad = segment_arrives(r, seg(kAck, 501, 300), rfc9293(), true, 0);
  CHECK(bad.reply->flags == kRst);
  CHECK(bad.reply->seq == 300);
  segment_arrives(r, seg(kAck, 501, 101), rfc9293(), true, 0);
  CHECK(r.state == TcpState::Established);

  TcbInStep f = fin_sent(TcpState::FinWait1, false);
  segment_arrives(f, seg(kAck, 501, 102), rfc9293(), false, 0);
  CHECK(f.state == TcpState::FinWait2);  // "if the FIN segment is now acknowledged, then enter FIN-WAIT-2"

  TcbInStep c = fin_sent(TcpState::Closing, false);
  CHECK(segment_arrives(c, seg(kAck, 502, 101), rfc9293(), false, 0).rule == Rule::ClosingIgnored);
  segment_arrives(c, seg(kAck, 502, 102), rfc9293(), false, 0);
  CHECK(c.state == TcpState::TimeWait);
  CHECK(c.time_wait == timer_for(4));

  TcbInStep l = fin_sent(TcpState::LastAck, false);
  const Arrival done = segment_arrives(l, seg(kAck, 502, 102), rfc9293(), true, 0);
  CHECK(done.rule == Rule::LastAckDone);
  CHECK(l.state == TcpState::Listen);  // the server's listener stays
}

TEST_CASE("3.10.7.4 fifth: TIME-WAIT acknowledges a retransmitted FIN and restarts the 2 MSL timer") {
  TcbInStep t = in(TcpState::TimeWait);
  t.rcv_nxt = 502;  // the peer's FIN was at 501
  t.time_wait = 2;
  const Arrival a = segment_arrives(t, seg(kFin | kAck, 501, 101), rfc9293(), false, 0);
  CHECK(a.rule == Rule::TimeWaitFinAgain);
  check_ack(a, 101, 502);
  CHECK(t.time_wait == timer_for(4));
  CHECK(t.state == TcpState::TimeWait);
}

TEST_CASE("3.10.7.4 seventh: in-order text is delivered and acknowledged, out of order only acknowledged") {
  TcbInStep t = established();
  Segment data = seg(kAck, 501, 101, 1);
  const Arrival a = segment_arrives(t, data, rfc9293(), false, 0);
  CHECK(a.delivered == 1);
  CHECK(t.rcv_nxt == 502);
  CHECK(t.received == 1);
  check_ack(a, 101, 502);
  const Arrival gap = segment_arrives(t, seg(kAck, 503, 101, 1), rfc9293(), false, 0);
  CHECK(gap.delivered == 0);
  check_ack(gap, 101, 502);
  // CLOSE-WAIT ignores text: the FIN has been received.
  TcbInStep cw = in(TcpState::CloseWait);
  const Arrival ignored = segment_arrives(cw, seg(kAck, 501, 101, 1), rfc9293(), false, 0);
  CHECK(ignored.delivered == 0);
  CHECK(cw.rcv_nxt == 501);
}

TEST_CASE("3.10.7.4 eighth: FIN in ESTABLISHED, FIN-WAIT-1 and FIN-WAIT-2") {
  TcbInStep e = established();
  check_ack(segment_arrives(e, seg(kFin | kAck, 501, 101), rfc9293(), false, 0), 101, 502);
  CHECK(e.state == TcpState::CloseWait);

  TcbInStep f1 = fin_sent(TcpState::FinWait1, false);
  segment_arrives(f1, seg(kFin | kAck, 501, 101), rfc9293(), false, 0);
  CHECK(f1.state == TcpState::Closing);  // our FIN not yet acknowledged: simultaneous close

  TcbInStep f1acked = fin_sent(TcpState::FinWait1, false);
  segment_arrives(f1acked, seg(kFin | kAck, 501, 102), rfc9293(), false, 0);
  CHECK(f1acked.state == TcpState::TimeWait);  // "perhaps in this segment"
  CHECK(f1acked.rto == 0);

  TcbInStep f2 = fin_sent(TcpState::FinWait2, true);
  segment_arrives(f2, seg(kFin | kAck, 501, 102), rfc9293(), false, 0);
  CHECK(f2.state == TcpState::TimeWait);
  CHECK(f2.rcv_nxt == 502);

  // No TIME-WAIT: deleted at once, but the FIN is still acknowledged ("send an acknowledgment for the FIN"),
  // or the peer would stay in LAST-ACK until it gives up.
  EndpointRules no_tw;
  no_tw.time_wait = 0;
  TcbInStep f2none = fin_sent(TcpState::FinWait2, true);
  const Arrival last = segment_arrives(f2none, seg(kFin | kAck, 501, 102), no_tw, false, 0);
  CHECK(f2none.state == TcpState::Closed);
  CHECK(last.deleted);
  CHECK(last.fin_taken);
  check_ack(last, 102, 502);
  TcbInStep f1none = fin_sent(TcpState::FinWait1, false);
  const Arrival last1 = segment_arrives(f1none, seg(kFin | kAck, 501, 102), no_tw, false, 0);
  CHECK(f1none.state == TcpState::Closed);
  check_ack(last1, 102, 502);

  TcbInStep gap = established();
  segment_arrives(gap, seg(kFin | kAck, 502, 101), rfc9293(), false, 0);  // beyond RCV.NXT: held, not taken
  CHECK(gap.state == TcpState::Established);

  // After the peer's FIN: CLOSE-WAIT and LAST-ACK remain and acknowledge a FIN at RCV.NXT. (CLOSING ignores a
  // segment whose ACK is not of our FIN, fifth step.)
  for (const TcpState state : {TcpState::CloseWait, TcpState::LastAck}) {
    TcbInStep t = fin_sent(state, false);
    const Arrival again = segment_arrives(t, seg(kFin | kAck, 501, 101), rfc9293(), false, 0);
    CHECK(again.rule == Rule::FinAgain);
    check_ack(again, 102, 501);
    CHECK(t.state == state);
  }
}

TEST_CASE("3.10.7.4 first (SHLD-31): text and a FIN beyond RCV.NXT are held and processed when the gap fills") {
  // The peer sent unit 0 (at 501) and its FIN (at 502); the FIN overtakes the data.
  TcbInStep t = established();
  const Arrival early = segment_arrives(t, sent_by(seg(kFin | kAck, 502, 101), 1, 1), rfc9293(), false, 0);
  CHECK(early.rule == Rule::Held);
  check_ack(early, 101, 501);  // out of order: RCV.NXT again (MAY-13)
  CHECK(t.state == TcpState::Established);
  CHECK(t.held_fin == 2);  // position 1 (+1), in its place
  const Arrival filled = segment_arrives(t, sent_by(seg(kAck, 501, 101, 1), 1, 0), rfc9293(), false, 0);
  CHECK(filled.delivered == 1);
  CHECK(filled.fin_taken);
  CHECK_FALSE(filled.fin_misplaced);
  CHECK_FALSE(filled.stray);
  CHECK_FALSE(filled.misordered);
  CHECK(t.state == TcpState::CloseWait);
  CHECK(t.rcv_nxt == 503);
  CHECK(t.held_fin == 0);
  check_ack(filled, 101, 503);

  // Text held the same way, released in order behind the unit that fills the gap.
  t = established();
  CHECK(segment_arrives(t, sent_by(seg(kAck, 503, 101, 1), 1, 2), rfc9293(), false, 0).rule == Rule::Held);
  CHECK(segment_arrives(t, sent_by(seg(kAck, 502, 101, 1), 1, 1), rfc9293(), false, 0).delivered == 0);
  CHECK(t.held == 0b110);
  const Arrival all = segment_arrives(t, sent_by(seg(kAck, 501, 101, 1), 1, 0), rfc9293(), false, 0);
  CHECK(all.delivered == 3);
  CHECK_FALSE(all.misordered);
  CHECK(t.rcv_nxt == 504);
  CHECK(t.received == 3);
  CHECK(t.held == 0);
  check_ack(all, 101, 504);

  // A held unit of another incarnation is released as stray data: the properties see it.
  t = established();
  segment_arrives(t, sent_by(seg(kAck, 502, 101, 1), 2, 1), rfc9293(), false, 0);
  const Arrival mixed = segment_arrives(t, sent_by(seg(kAck, 501, 101, 1), 1, 0), rfc9293(), false, 0);
  CHECK(mixed.delivered == 2);
  CHECK(mixed.stray);
  CHECK(mixed.misordered);

  // Without ooo_hold (RFC 793's minimum) the FIN beyond RCV.NXT is dropped and the data alone arrives later.
  EndpointRules drop = rfc9293();
  drop.ooo_hold = false;
  t = established();
  const Arrival dropped = segment_arrives(t, sent_by(seg(kFin | kAck, 502, 101), 1, 1), drop, false, 0);
  CHECK(dropped.rule == Rule::OutOfOrderDropped);
  check_ack(dropped, 101, 501);
  CHECK(t.held_fin == 0);
  segment_arrives(t, sent_by(seg(kAck, 501, 101, 1), 1, 0), drop, false, 0);
  CHECK(t.state == TcpState::Established);
  CHECK(t.rcv_nxt == 502);
}

TEST_CASE("3.10.7.4 first: a segment that overlaps RCV.NXT delivers only its new part, trimmed to the window") {
  TcbInStep t = established();                                                        // RCV.NXT 501, RCV.WND 4
  const Arrival a = segment_arrives(t, seg(kAck, 499, 101, 4), rfc9293(), false, 0);  // 499..502
  CHECK(a.delivered == 2);
  CHECK(t.rcv_nxt == 503);
  check_ack(a, 101, 503);
  // 1000 bytes at RCV.NXT: only what the window holds is accepted.
  t = established();
  const Arrival big = segment_arrives(t, seg(kAck, 501, 101, 1000), rfc9293(), false, 0);
  CHECK(big.delivered == 4);
  CHECK(t.rcv_nxt == 505);
  // Old text and a new FIN: the FIN is processed.
  t = established();
  const Arrival fin = segment_arrives(t, seg(kFin | kAck, 500, 101, 1), rfc9293(), false, 0);
  CHECK(fin.delivered == 0);
  CHECK(fin.fin_taken);
  CHECK(t.state == TcpState::CloseWait);
  check_ack(fin, 101, 502);
}

TEST_CASE("3.10.7.4 fifth and eighth: TIME-WAIT restarts on an acceptable FIN and checks the ACK (RFC 5961 5.2)") {
  TcbInStep t = in(TcpState::TimeWait);
  t.rcv_nxt = 502;
  t.time_wait = 2;
  const Arrival fin = segment_arrives(t, seg(kFin | kAck, 502, 101), rfc9293(), false, 0);
  CHECK(fin.rule == Rule::TimeWaitFin);
  check_ack(fin, 101, 502);
  CHECK(t.time_wait == timer_for(4));
  CHECK(t.state == TcpState::TimeWait);

  t.time_wait = 2;
  const Arrival too_new = segment_arrives(t, seg(kAck, 502, 150), rfc9293(), false, 0);  // SEG.ACK > SND.NXT
  CHECK(too_new.rule == Rule::AckTooNew);
  check_ack(too_new, 101, 502);
  const Arrival too_old = segment_arrives(t, seg(kAck, 502, 50), rfc9293(), false, 0);  // < SND.UNA - MAX.SND.WND
  CHECK(too_old.rule == Rule::AckTooOld);
  CHECK(t.time_wait == 2);  // neither restarts the timer
  // RFC 793 has no ACK check in TIME-WAIT.
  CHECK(segment_arrives(t, seg(kAck, 502, 150), rfc793(), false, 0).rule == Rule::Processed);
}

TEST_CASE("3.10.7.3 fourth: a SYN,ACK that carries text and a FIN continues at the sixth step") {
  TcbInStep t;
  open_active(t, 100, 1, rfc9293());
  const Arrival a = segment_arrives(t, sent_by(seg(kSyn | kAck | kFin, 500, 101, 1), 1, 0), rfc9293(), false, 0);
  CHECK(a.rule == Rule::SynSentEstablished);
  CHECK(a.delivered == 1);
  CHECK(a.fin_taken);
  CHECK(t.state == TcpState::CloseWait);
  CHECK(t.rcv_nxt == 503);  // SYN, one unit, FIN
  check_ack(a, 101, 503);
}

TEST_CASE("3.10.7.2 third: a SYN's text and FIN in LISTEN are queued and processed once ESTABLISHED") {
  TcbInStep t;
  t.state = TcpState::Listen;
  const Arrival syn = segment_arrives(t, sent_by(seg(kSyn | kFin, 500, 0, 1), 1, 0), rfc9293(), true, 7000);
  CHECK(t.state == TcpState::SynReceived);
  REQUIRE(syn.reply);
  CHECK(syn.reply->ack == 501);  // the SYN only: the text waits
  CHECK(syn.delivered == 0);
  const Arrival ack = segment_arrives(t, sent_by(seg(kAck, 501, 7001), 1, 0), rfc9293(), true, 0);
  CHECK(ack.delivered == 1);
  CHECK(ack.fin_taken);
  CHECK(t.state == TcpState::CloseWait);
  check_ack(ack, 7001, 503);
}

TEST_CASE("TIME-WAIT SYN knobs: rst, reopen above RCV.NXT (RFC 1122 4.2.2.13), challenge, drop") {
  using Syn = EndpointRules::SynInTimeWait;
  const auto tw = [] {
    TcbInStep t = in(TcpState::TimeWait);
    t.time_wait = 3;
    return t;
  };
  EndpointRules r;
  r.syn_in_time_wait = Syn::Rst;
  TcbInStep t = tw();
  const Arrival rst = segment_arrives(t, seg(kSyn, 9000), r, true, 0);
  CHECK(rst.reply->flags == kRst);
  CHECK(t.state == TcpState::Listen);

  r.syn_in_time_wait = Syn::Reopen;
  t = tw();
  CHECK(creates_connection(t, seg(kSyn, 9000), r));
  const Arrival reopened = segment_arrives(t, seg(kSyn, 9000), r, true, 7777);
  CHECK(reopened.opened);
  CHECK(t.state == TcpState::SynReceived);
  CHECK(t.iss == 7777);
  t = tw();
  CHECK_FALSE(creates_connection(t, seg(kSyn, 400), r));  // below RCV.NXT: the general rules
  CHECK(segment_arrives(t, seg(kSyn, 400), r, true, 7777).rule == Rule::Unacceptable);

  r.syn_in_time_wait = Syn::Challenge;
  t = tw();
  check_ack(segment_arrives(t, seg(kSyn, 9000), r, true, 0), 101, 501);
  r.syn_in_time_wait = Syn::Drop;
  t = tw();
  CHECK_FALSE(segment_arrives(t, seg(kSyn, 9000), r, true, 0).reply);
  CHECK(t.state == TcpState::TimeWait);
}

TEST_CASE("3.10.4 CLOSE and 3.10.5 ABORT, 3.10.8 retransmission timeout and R2") {
  EndpointRules r;
  TcbInStep t = established();
  const Segment fin = close(t, r);
  CHECK(fin.flags == (kFin | kAck));
  CHECK(fin.seq == 101);
  CHECK(t.state == TcpState::FinWait1);
  CHECK(t.snd_nxt == 102);

  TcbInStep cw = in(TcpState::CloseWait);
  close(cw, r);
  CHECK(cw.state == TcpState::LastAck);

  TcbInStep a = established();
  const auto rst = abort(a, false);
  REQUIRE(rst);
  CHECK(rst->flags == kRst);
  CHECK(rst->seq == 101);
  CHECK(a.state == TcpState::Closed);
  TcbInStep la = in(TcpState::LastAck);
  CHECK_FALSE(abort(la, true).has_value());  // LAST-ACK: delete without a RST

  r.max_retries = 1;
  TcbInStep f = fin_sent(TcpState::FinWait1, false);
  const auto again = retransmission_timeout(f, r, false);
  REQUIRE(again);
  CHECK(again->flags == (kFin | kAck));
  CHECK(again->seq == 101);
  CHECK(f.retries == 1);
  CHECK_FALSE(retransmission_timeout(f, r, false).has_value());  // R2 reached: give up
  CHECK(f.state == TcpState::Closed);
}
