// RFC 9293 §3.10.7's clauses for the closing states, one test each, run through the probe (what
// `teardown probe` prints), plus the segment-spec grammar and the classic TIME-WAIT table.

#include <catch2/catch.hpp>

#include <string>

#include "model/probe.hpp"

namespace {

using namespace model;

struct Outcome {
  std::string reply;  // "ACK seq=SND.NXT ack=RCV.NXT" or "none"
  TcpState after;
  Rule rule;
};

std::string flags(std::uint8_t f) {
  std::string out;
  for (const auto& [bit, name] : {std::pair{kSyn, "SYN"}, {kFin, "FIN"}, {kRst, "RST"}, {kAck, "ACK"}})
    if (f & bit) {
      if (!out.empty()) out += '|';
      out += name;
    }
  return out;
}

Outcome run(std::string_view profile, TcpState state, std::string_view segment, ProbeContext context = {},
            std::initializer_list<std::pair<std::string_view, std::string_view>> sets = {}) {
  Knobs k;
  REQUIRE_FALSE(apply_profile(k, profile));
  for (const auto& [name, value] : sets) REQUIRE_FALSE(set_knob(k, name, value));
  context.state = state;
  REQUIRE_FALSE(check_context(context));
  std::string error;
  const auto spec = parse_segment_spec(segment, error);
  INFO(error);
  REQUIRE(spec);
  const ProbeResult r = probe(k, context, *spec);
  std::string reply = "none";
  if (r.arrival.reply) {
    reply = flags(r.arrival.reply->flags) + " seq=" + r.seq_text;
    if (r.arrival.reply->has(kAck)) reply += " ack=" + r.ack_text;
  }
  return {reply, r.after.state, r.arrival.rule};
}

ProbeContext listening() {
  ProbeContext c;
  c.listener = true;
  return c;
}

}  // namespace

TEST_CASE("probe 3.10.7.1: a CLOSED port answers a segment with ACK by <SEQ=SEG.ACK><CTL=RST>") {
  const Outcome o = run("rfc9293", TcpState::Closed, "ACK seq=RCV.NXT ack=SND.NXT len=1");
  CHECK(o.reply == "RST seq=SEG.ACK");
  CHECK(o.after == TcpState::Closed);
}

TEST_CASE("probe 3.10.7.1: a CLOSED port answers a segment without ACK by <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>") {
  CHECK(run("rfc9293", TcpState::Closed, "FIN seq=RCV.NXT").reply == "RST|ACK seq=0 ack=SEG.SEQ+1");
  CHECK(run("rfc9293", TcpState::Closed, "SYN seq=RCV.NXT").reply == "RST|ACK seq=0 ack=SEG.SEQ+1");
}

TEST_CASE("probe 3.10.7.1: a CLOSED port drops a RST") {
  const Outcome o = run("rfc9293", TcpState::Closed, "RST seq=RCV.NXT");
  CHECK(o.reply == "none");
  CHECK(o.rule == Rule::ClosedDropRst);
}

TEST_CASE("probe 3.10.7.2 second: LISTEN answers an ACK (a FIN of an old connection) with <SEQ=SEG.ACK><CTL=RST>") {
  const Outcome o = run("rfc9293", TcpState::Closed, "FIN|ACK seq=RCV.NXT-1 ack=SND.NXT", listening());
  CHECK(o.reply == "RST seq=SEG.ACK");
  CHECK(o.after == TcpState::Listen);
}

TEST_CASE("probe 3.10.7.2 third: LISTEN answers a SYN with a SYN-ACK from a fresh ISN") {
  const Outcome o = run("rfc9293", TcpState::Listen, "SYN seq=RCV.NXT+100000", listening());
  CHECK(o.reply == "SYN|ACK seq=ISN ack=SEG.SEQ+1");
  CHECK(o.after == TcpState::SynReceived);
}

TEST_CASE("probe 3.10.7.4 first: an unacceptable segment in FIN-WAIT-2 gets <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>") {
  const Outcome o = run("rfc9293", TcpState::FinWait2, "ACK seq=RCV.NXT+100 ack=SND.NXT len=1");
  CHECK(o.reply == "ACK seq=SND.NXT ack=RCV.NXT");
  CHECK(o.after == TcpState::FinWait2);
  CHECK(o.rule == Rule::Unacceptable);
}

TEST_CASE("probe 3.10.7.4 first: an unacceptable RST in TIME-WAIT is dropped") {
  const Outcome o = run("rfc9293", TcpState::TimeWait, "RST seq=RCV.NXT-1");
  CHECK(o.reply == "none");
  CHECK(o.after == TcpState::TimeWait);
  CHECK(o.rule == Rule::UnacceptableRst);
}

TEST_CASE("probe 3.10.7.4 second: a RST at RCV.NXT in FIN-WAIT-1 deletes the connection") {
  const Outcome o = run("rfc9293", TcpState::FinWait1, "RST seq=RCV.NXT");
  CHECK(o.reply == "none");
  CHECK(o.after == TcpState::Closed);
  CHECK(o.rule == Rule::RstReset);
}

TEST_CASE("probe 3.10.7.4 second (RFC 5961): an in-window RST off RCV.NXT in CLOSE-WAIT gets a challenge ACK") {
  const Outcome o = run("rfc9293", TcpState::CloseWait, "RST seq=RCV.NXT+1");
  CHECK(o.reply == "ACK seq=SND.NXT ack=RCV.NXT");
  CHECK(o.after == TcpState::CloseWait);
  CHECK(o.rule == Rule::RstChallenge);
}

TEST_CASE("probe 3.10.7.4 second: a RST at RCV.NXT kills TIME-WAIT (rfc9293), not under RFC 1337's fix F1") {
  CHECK(run("rfc9293", TcpState::TimeWait, "RST seq=RCV.NXT").after == TcpState::Closed);
  const Outcome o = run("rfc1337", TcpState::TimeWait, "RST seq=RCV.NXT");
  CHECK(o.after == TcpState::TimeWait);
  CHECK(o.rule == Rule::RstIgnoredTimeWait);
}

TEST_CASE("probe 3.10.7.4 fourth (RFC 5961): a SYN in LAST-ACK gets a challenge ACK, without RFC 5961 a RST") {
  const Outcome o = run("rfc9293", TcpState::LastAck, "SYN seq=RCV.NXT");
  CHECK(o.reply == "ACK seq=SND.NXT ack=RCV.NXT");
  CHECK(o.rule == Rule::SynChallenge);
  const Outcome old = run("rfc793", TcpState::LastAck, "SYN seq=RCV.NXT");
  CHECK(old.reply == "RST|ACK seq=0 ack=RCV.NXT+1");  // 3.10.7.1's form: <SEQ=0><ACK=SEG.SEQ+1><CTL=RST,ACK>
  CHECK(old.after == TcpState::Closed);
}

TEST_CASE("probe 3.10.7.4 fifth: in FIN-WAIT-1, the ACK of our FIN leads to FIN-WAIT-2") {
  const Outcome o = run("rfc9293", TcpState::FinWait1, "ACK seq=RCV.NXT ack=SND.NXT");
  CHECK(o.reply == "none");
  CHECK(o.after == TcpState::FinWait2);
}

TEST_CASE("probe 3.10.7.4 fifth: in CLOSING, the ACK of our FIN leads to TIME-WAIT") {
  const Outcome o = run("rfc9293", TcpState::Closing, "ACK seq=RCV.NXT ack=SND.NXT");
  CHECK(o.after == TcpState::TimeWait);
}

TEST_CASE("probe 3.10.7.4 fifth: in LAST-ACK, the ACK of our FIN deletes the TCB") {
  const Outcome o = run("rfc9293", TcpState::LastAck, "ACK seq=RCV.NXT ack=SND.NXT");
  CHECK(o.after == TcpState::Closed);
  CHECK(o.rule == Rule::LastAckDone);
}

TEST_CASE("probe 3.10.7.4 fifth: TIME-WAIT acknowledges a retransmitted FIN and restarts its timer") {
  const Outcome o = run("rfc9293", TcpState::TimeWait, "FIN|ACK seq=RCV.NXT-1 ack=SND.NXT");
  CHECK(o.reply == "ACK seq=SND.NXT ack=RCV.NXT");
  CHECK(o.rule == Rule::TimeWaitFinAgain);
}

TEST_CASE("probe 3.10.7.4 eighth: a FIN in ESTABLISHED leads to CLOSE-WAIT and is acknowledged") {
  const Outcome o = run("rfc9293", TcpState::Established, "FIN|ACK seq=RCV.NXT ack=SND.NXT");
  CHECK(o.reply == "ACK seq=SND.NXT ack=RCV.NXT+1");
  CHECK(o.after == TcpState::CloseWait);
}

TEST_CASE("probe 3.10.7.4 eighth: a FIN in FIN-WAIT-1 not acknowledging ours leads to CLOSING") {
  const Outcome o = run("rfc9293", TcpState::FinWait1, "FIN|ACK seq=RCV.NXT ack=SND.UNA");
  CHECK(o.reply == "ACK seq=SND.NXT ack=RCV.NXT+1");
  CHECK(o.after == TcpState::Closing);
}

TEST_CASE("probe 3.10.7.4 eighth: a FIN acknowledging ours in FIN-WAIT-1 leads to TIME-WAIT") {
  const Outcome o = run("rfc9293", TcpState::FinWait1, "FIN|ACK seq=RCV.NXT ack=SND.NXT");
  CHECK(o.reply == "ACK seq=SND.NXT ack=RCV.NXT+1");
  CHECK(o.after == TcpState::TimeWait);
}

TEST_CASE("probe 3.10.7.4 eighth: a FIN in FIN-WAIT-2 leads to TIME-WAIT") {
  const Outcome o = run("rfc9293", TcpState::FinWait2, "FIN|ACK seq=RCV.NXT ack=SND.NXT");
  CHECK(o.reply == "ACK seq=SND.NXT ack=RCV.NXT+1");
  CHECK(o.after == TcpState::TimeWait);
}

TEST_CASE("probe RFC 1122 4.2.2.13, linux: a SYN above RCV.NXT reopens TIME-WAIT with ISS = SND.NXT + 65537") {
  // Measured on the live kernel (tests/conformance/): only when a listener is bound to the port; otherwise an ACK.
  CHECK(run("linux", TcpState::TimeWait, "SYN seq=RCV.NXT+100").reply == "ACK seq=SND.NXT ack=RCV.NXT");
  const Outcome o = run("linux", TcpState::TimeWait, "SYN seq=RCV.NXT+100", listening());
  CHECK(o.reply == "SYN|ACK seq=SND.NXT+65537 ack=SEG.SEQ+1");
  CHECK(o.after == TcpState::SynReceived);
  CHECK(o.rule == Rule::TimeWaitSynReopen);
  // At or below RCV.NXT the SYN does not reopen: RFC 9293's rules apply (RFC 5961 challenge ACK).
  CHECK(run("linux", TcpState::TimeWait, "SYN seq=RCV.NXT-1", listening()).reply == "ACK seq=SND.NXT ack=RCV.NXT");
}

TEST_CASE("probe: segment specs are checked, with messages that say what is wrong") {
  std::string error;
  CHECK_FALSE(parse_segment_spec("FIN|PSH seq=1", error));
  CHECK(error == "segment 'FIN|PSH seq=1': 'PSH' is not a flag; flags are SYN, ACK, FIN, RST joined by '|'");
  CHECK_FALSE(parse_segment_spec("ACK seq=RCV.NXT*2", error));
  CHECK(error.find("seq=RCV.NXT*2 is not a value") != std::string::npos);
  CHECK_FALSE(parse_segment_spec("SYN ack=SND.NXT", error));
  CHECK(error == "segment 'SYN ack=SND.NXT': ack= given without the ACK flag");
  CHECK_FALSE(parse_segment_spec("ACK win=3", error));
  CHECK(error == "segment 'ACK win=3': 'win=3' is not seq=, ack= or len=");
  CHECK_FALSE(parse_segment_spec("", error));
  CHECK_FALSE(parse_segment_spec("ACK len=70000", error));
  CHECK(error == "segment 'ACK len=70000': len=70000 is not a length from 0 to 65535 bytes");
  CHECK(parse_segment_spec("ACK len=65535", error));
  const auto spec = parse_segment_spec("FIN|ACK seq=RCV.NXT+RCV.WND-1 ack=4294967295", error);
  REQUIRE(spec);
  CHECK(spec->flags == (kFin | kAck));
  CHECK(spec->seq->base == SpecValue::Base::RcvNxtPlusWnd);
  CHECK(spec->seq->offset == -1);
  CHECK(spec->ack->offset == 4294967295);
}

TEST_CASE("probe: impossible contexts are refused") {
  ProbeContext c;
  c.state = TcpState::Listen;
  CHECK(check_context(c));  // LISTEN without a listener
  c.state = TcpState::CloseWait;
  c.shutdown = true;
  CHECK(check_context(c));  // CLOSE-WAIT is not the side that closed first
  c = ProbeContext{};
  c.state = TcpState::SynSent;
  c.passive = true;
  c.listener = true;
  CHECK(check_context(c));
}

TEST_CASE("probe table: linux-2.2 reproduces the 2001 TIME-WAIT column, and each closed cell matches or says why") {
  Knobs k;
  REQUIRE_FALSE(apply_profile(k, "linux-2.2"));
  const auto cells = time_wait_table(k);
  REQUIRE(cells.size() == 20);
  int footnotes = 0;
  for (const TableCell& c : cells) {
    INFO(name(c.state) << " " << c.kind << (c.old_seq ? " old" : " arbitrary"));
    if (c.state == TcpState::TimeWait) {
      CHECK(reply_kind(c.result) == c.observed);
      CHECK(c.footnote.empty());
    } else if (reply_kind(c.result) != c.observed) {
      CHECK_FALSE(c.footnote.empty());
      ++footnotes;
    }
  }
  CHECK(footnotes == 1);  // the listener's SYN-ACK to an old SYN, which the experimenters saw answered by RST
}

TEST_CASE("probe 3.10.7.4 eighth: with no TIME-WAIT the FIN that ends FIN-WAIT-2 is still acknowledged") {
  const Outcome o = run("no-time-wait", TcpState::FinWait2, "FIN|ACK seq=RCV.NXT ack=SND.NXT");
  CHECK(o.reply == "ACK seq=SND.NXT ack=RCV.NXT+1");
  CHECK(o.after == TcpState::Closed);
}

TEST_CASE("probe 3.10.7.4 first (SHLD-31): a FIN beyond RCV.NXT is held with ooo_hold, dropped without") {
  Knobs k;
  REQUIRE_FALSE(apply_profile(k, "rfc9293"));
  ProbeContext context;
  context.state = TcpState::FinWait2;
  std::string error;
  const auto spec = parse_segment_spec("FIN|ACK seq=RCV.NXT+1", error);
  REQUIRE(spec);
  const ProbeResult held = probe(k, context, *spec);
  CHECK(held.arrival.rule == Rule::Held);
  CHECK(held_text(held.after) == "FIN at RCV.NXT+1");
  CHECK(held.after.state == TcpState::FinWait2);
  const Outcome dropped = run("rfc793", TcpState::FinWait2, "FIN|ACK seq=RCV.NXT+1");
  CHECK(dropped.rule == Rule::OutOfOrderDropped);
  CHECK(dropped.reply == "ACK seq=SND.NXT ack=RCV.NXT");
}

TEST_CASE("probe: a real segment of 1000 bytes at RCV.NXT is accepted and trimmed to the window") {
  const Outcome o = run("rfc9293", TcpState::Established, "ACK seq=RCV.NXT ack=SND.NXT len=1000");
  CHECK(o.reply == "ACK seq=SND.NXT ack=RCV.NXT+4");
  CHECK(o.after == TcpState::Established);
}
