#include "model/endpoint.hpp"

#include <array>

namespace model {

namespace {

constexpr std::array<std::string_view, kTcpStates> kStateNames = {
    "CLOSED",     "LISTEN",     "SYN_SENT", "SYN_RECEIVED", "ESTABLISHED", "FIN_WAIT_1",
    "FIN_WAIT_2", "CLOSE_WAIT", "CLOSING",  "LAST_ACK",     "TIME_WAIT",
};

Segment make(std::uint8_t flags, std::uint32_t seq, std::uint32_t ack, unsigned incarnation) {
  Segment s;
  s.flags = flags & 0x0F;
  s.seq = seq;
  s.ack = (flags & kAck) != 0 ? ack : 0;
  s.set_ghost(incarnation, 0);
  return s;
}

/// <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>: the reply to unacceptable segments, the challenge ACK, the ACK of
/// data and FIN.
Segment ack_of(const Tcb& tcb) {
  return make(kAck, tcb.snd_nxt, tcb.rcv_nxt, tcb.incarnation);
}

void start_rto_if_idle(TcbInStep& tcb, const EndpointRules& rules) {
  if (tcb.rto == 0) arm(tcb, tcb.rto, rules.rto);
}

/// Entering TIME-WAIT starts its timer and stops the others (RFC 9293 §3.10.7.4, eighth); with no TIME-WAIT
/// configured the TCB is deleted at once.
void enter_time_wait(TcbInStep& tcb, const EndpointRules& rules, bool is_server) {
  if (rules.time_wait == 0) {
    delete_tcb(tcb, is_server);
    return;
  }
  tcb.state = TcpState::TimeWait;
  arm(tcb, tcb.time_wait, rules.time_wait);
  tcb.rto = 0;
  tcb.fin_wait2 = 0;
}

void enter_fin_wait2(TcbInStep& tcb, const EndpointRules& rules) {
  tcb.state = TcpState::FinWait2;
  if (tcb.closed && rules.fin_wait2_timeout > 0) arm(tcb, tcb.fin_wait2, rules.fin_wait2_timeout);
}

bool fin_acked(const Tcb& tcb) {
  return tcb.fin_sent && seq_eq(tcb.snd_una, tcb.snd_nxt);
}

/// The states whose TCB takes text and a FIN (RFC 9293 3.10.7.4 seventh and eighth).
bool takes_text(const Tcb& tcb) {
  return tcb.state == TcpState::Established || tcb.state == TcpState::FinWait1 || tcb.state == TcpState::FinWait2;
}

/// True once the peer's FIN is in (RCV.NXT counts it).
bool fin_received(const Tcb& tcb) {
  return tcb.state == TcpState::CloseWait || tcb.state == TcpState::LastAck || tcb.state == TcpState::Closing ||
         tcb.state == TcpState::TimeWait;
}

// ---- text and FIN: held beyond RCV.NXT, released in order (RFC 9293 3.10.7.4 first, seventh, eighth) ----

constexpr std::uint8_t kFinMisplaced = 0x80;  ///< Tcb::held_fin: the held FIN is misplaced
constexpr std::uint8_t kFinPosition = 0x0F;   ///< Tcb::held_fin: its position + 1 (0: no FIN held)

/// Positions past RCV.NXT that can be held: inside the window, and no more than Tcb::held has bits.
unsigned hold_limit(const EndpointRules& rules) {
  return rules.window < 8 ? rules.window : 8;
}

/// Where a segment's first unit (sequence number `start`) lies against RCV.NXT: 0 at it; -k when it starts
/// earlier and only its part from unit k on is new (k below `span`, its units plus its FIN); q when it lies q
/// units beyond it (only if `beyond`, and q below `limit`). Nothing otherwise. Only seq_eq is asked, so with
/// symbolic ISNs the search branches on exact positions, as the state must.
std::optional<int> position(const Tcb& tcb, std::uint32_t start, unsigned span, unsigned limit, bool beyond) {
  if (seq_eq(start, tcb.rcv_nxt)) return 0;
  for (unsigned k = 1; k < span; ++k)
    if (seq_eq(start + k, tcb.rcv_nxt)) return -static_cast<int>(k);
  if (beyond)
    for (unsigned q = 1; q < limit; ++q)
      if (seq_eq(start, tcb.rcv_nxt + q)) return static_cast<int>(q);
  return std::nullopt;
}

/// Places `seg`'s text (its first unit at sequence number `start`) and FIN in the TCB's hold at their
/// positions from RCV.NXT: what starts at or overlaps RCV.NXT always ("only the new parts are processed"), what
/// lies beyond it only with ooo_hold (SHLD-31). Nothing past the window (the segment is trimmed to it), nothing
/// past a FIN already held, and a unit already held stays as it is. The ghost bits record, per unit, whether it
/// is another incarnation's and whether it is not the unit of this stream that belongs there.
/// \returns where the segment went: nothing to place, in order (at or over RCV.NXT), held beyond RCV.NXT, or
/// dropped (beyond RCV.NXT without ooo_hold).
enum class Placed : std::uint8_t { Nothing, InOrder, Held, Dropped };
Placed hold(Tcb& tcb, const Segment& seg, std::uint32_t start, const EndpointRules& rules) {
  if (seg.len == 0 && !seg.has(kFin)) return Placed::Nothing;
  const int limit = static_cast<int>(hold_limit(rules));
  const auto p =
      position(tcb, start, seg.len + (seg.has(kFin) ? 1u : 0u), static_cast<unsigned>(limit), rules.ooo_hold);
  if (!p) return Placed::Dropped;
  const Placed placed = *p > 0 ? Placed::Held : Placed::InOrder;
  const bool foreign = seg.incarnation() != tcb.incarnation;
  const int fin_at = tcb.held_fin != 0 ? (tcb.held_fin & kFinPosition) - 1 : limit;
  for (int j = 0; j < seg.len; ++j) {
    const int pos = *p + j;
    if (pos < 0) continue;
    if (pos >= fin_at) break;
    const auto bit = static_cast<std::uint8_t>(1u << pos);
    if (tcb.held & bit) continue;
    tcb.held |= bit;
    if (foreign) tcb.held_foreign |= bit;
    if (foreign || seg.offset() + static_cast<unsigned>(j) != tcb.received + static_cast<unsigned>(pos))
      tcb.held_misplaced |= bit;
  }
  if (!seg.has(kFin)) return placed;
  const int q = *p + seg.len;
  if (q < 0 || q >= fin_at) return placed;
  const bool misplaced = foreign || seg.offset() != tcb.received + static_cast<unsigned>(q);
  tcb.held_fin = static_cast<std::uint8_t>((q + 1) | (misplaced ? kFinMisplaced : 0));
  const auto before_fin = static_cast<std::uint8_t>((1u << q) - 1);  // nothing follows a FIN
  tcb.held &= before_fin;
  tcb.held_foreign &= before_fin;
  tcb.held_misplaced &= before_fin;
  return placed;
}

/// The eighth step for the FIN at RCV.NXT (it came in this segment or was held): RCV.NXT advances over it,
/// the FIN is acknowledged ("send an acknowledgment for the FIN", also when a TIME-WAIT of length 0 deletes
/// the TCB at once), and the state moves on. The hold is emptied: nothing follows a FIN.
void take_fin(TcbInStep& tcb, const EndpointRules& rules, bool is_server, Arrival& a) {
  a.fin_taken = true;
  a.fin_misplaced = (tcb.held_fin & kFinMisplaced) != 0;
  tcb.held = tcb.held_foreign = tcb.held_misplaced = tcb.held_fin = 0;
  tcb.rcv_nxt += 1;
  a.reply = ack_of(tcb);
  switch (tcb.state) {
    case TcpState::Established:
      tcb.state = TcpState::CloseWait;
      break;
    case TcpState::FinWait1:
      if (fin_acked(tcb))
        enter_time_wait(tcb, rules, is_server);
      else
        tcb.state = TcpState::Closing;
      break;
    case TcpState::FinWait2:
      enter_time_wait(tcb, rules, is_server);
      break;
    default:
      break;
  }
  if (tcb.state == TcpState::Closed || tcb.state == TcpState::Listen) a.deleted = true;
}

/// Hands what is held at RCV.NXT to the application in order, unit by unit, then the FIN if it is next. In
/// ESTABLISHED, FIN-WAIT-1 and FIN-WAIT-2 only (the states that take text).
void release(TcbInStep& tcb, const EndpointRules& rules, bool is_server, Arrival& a) {
  for (;;) {
    if ((tcb.held_fin & kFinPosition) == 1) {
      take_fin(tcb, rules, is_server, a);
      return;
    }
    if ((tcb.held & 1) == 0) return;
    a.delivered = static_cast<std::uint8_t>(a.delivered + 1);
    a.stray = a.stray || (tcb.held_foreign & 1) != 0;
    a.misordered = a.misordered || (tcb.held_misplaced & 1) != 0;
    tcb.rcv_nxt += 1;
    tcb.received = static_cast<std::uint8_t>(tcb.received + 1);
    tcb.held >>= 1;
    tcb.held_foreign >>= 1;
    tcb.held_misplaced >>= 1;
    if (tcb.held_fin != 0) tcb.held_fin = static_cast<std::uint8_t>(tcb.held_fin - 1);  // its position is >= 1
  }
}

/// Table 6 of RFC 9293 §3.10.7.4 with RCV.WND > 0. With linux_quirks, the test the live kernel applies (measured
/// by tests/conformance/): the segment may start at RCV.NXT + RCV.WND itself, and may end at RCV.NXT (all of it old).
bool acceptable(const Tcb& tcb, const Segment& seg, const EndpointRules& rules) {
  const std::uint32_t len = seg.seg_len();
  if (rules.linux_quirks) {
    if (seg.has(kRst) && fin_received(tcb) && seq_eq(seg.seq + 1, tcb.rcv_nxt)) return true;  // see the RST check
    // tcp_sequence (Linux 6.17+): a segment whose end (its text and SYN; a FIN may stick out) lies beyond the
    // window is refused while the receive queue holds anything: here the peer's FIN, unread in CLOSE-WAIT and
    // CLOSING.
    const bool fin_unread = tcb.state == TcpState::CloseWait || tcb.state == TcpState::Closing;
    if (fin_unread && seq_gt(seg.seq + seg.len + (seg.has(kSyn) ? 1u : 0u), tcb.rcv_nxt + rules.window)) return false;
    return seq_le(seg.seq, tcb.rcv_nxt + rules.window) && seq_ge(seg.seq + len, tcb.rcv_nxt);
  }
  const auto in_window = [&](std::uint32_t s) {
    return seq_le(tcb.rcv_nxt, s) && seq_lt(s, tcb.rcv_nxt + rules.window);
  };
  if (len == 0) return in_window(seg.seq);
  return in_window(seg.seq) || in_window(seg.seq + len - 1);
}

/// The reply of a port with no connection (RFC 9293 §3.10.7.1), also used by LISTEN for an ACK. Its ghost
/// incarnation is the segment's it answers: the reset is that segment's doing.
Arrival reset_for(const Segment& seg, Rule rule) {
  Arrival a;
  a.rule = rule;
  if (seg.has(kAck))
    a.reply = make(kRst, seg.ack, 0, seg.incarnation());
  else
    a.reply = make(kRst | kAck, 0, seg.seq + seg.seg_len(), seg.incarnation());
  return a;
}

Arrival only(Rule rule) {
  Arrival a;
  a.rule = rule;
  return a;
}

Arrival reply(Rule rule, const Segment& s) {
  Arrival a;
  a.rule = rule;
  a.reply = s;
  return a;
}

Arrival deleted(Rule rule, Tcb& tcb, bool is_server) {
  delete_tcb(tcb, is_server);
  Arrival a;
  a.rule = rule;
  a.deleted = true;
  return a;
}

/// LISTEN receives a SYN (RFC 9293 §3.10.7.2, third/fourth): a new connection in SYN-RECEIVED.
Arrival accept_syn(TcbInStep& tcb, const Segment& seg, const EndpointRules& rules, std::uint32_t new_iss, Rule rule) {
  static_cast<Tcb&>(tcb) = Tcb{};
  tcb.state = TcpState::SynReceived;
  tcb.incarnation = seg.incarnation();
  tcb.passive = 1;
  tcb.irs = seg.seq;
  tcb.rcv_nxt = seg.seq + 1;
  tcb.iss = new_iss;
  tcb.snd_una = new_iss;
  tcb.snd_nxt = new_iss + 1;
  arm(tcb, tcb.rto, rules.rto);
  // "Any other control or text should be queued for processing later" (3.10.7.2 third): held at RCV.NXT and
  // released when the connection reaches ESTABLISHED.
  hold(tcb, seg, seg.seq + 1, rules);
  Arrival a = reply(rule, make(kSyn | kAck, tcb.iss, tcb.rcv_nxt, tcb.incarnation));
  a.opened = true;
  return a;
}

Arrival closed_arrives(const Segment& seg) {
  if (seg.has(kRst)) return only(Rule::ClosedDropRst);
  return reset_for(seg, seg.has(kAck) ? Rule::ClosedResetAck : Rule::ClosedResetNoAck);
}

Arrival listen_arrives(TcbInStep& tcb, const Segment& seg, const EndpointRules& rules, std::uint32_t new_iss) {
  if (seg.has(kRst)) return only(Rule::ListenDropRst);
  if (seg.has(kAck)) return reset_for(seg, Rule::ListenResetAck);
  if (seg.has(kSyn) && seg.has(kFin) && rules.linux_quirks) return only(Rule::LinuxSynFinDropped);
  if (seg.has(kSyn)) return accept_syn(tcb, seg, rules, new_iss, Rule::ListenSyn);
  return only(Rule::ListenDrop);
}

Arrival syn_sent_arrives(TcbInStep& tcb, const Segment& seg, const EndpointRules& rules, bool is_server) {
  bool ack_ok = false;
  if (seg.has(kAck)) {  // first: SEG.ACK =< ISS or SEG.ACK > SND.NXT is unacceptable
    if (seq_le(seg.ack, tcb.iss) || seq_gt(seg.ack, tcb.snd_nxt)) {
      if (seg.has(kRst)) return only(Rule::SynSentDropRst);
      return reply(Rule::SynSentBadAck, make(kRst, seg.ack, 0, seg.incarnation()));
    }
    ack_ok = seq_lt(tcb.snd_una, seg.ack) && seq_le(seg.ack, tcb.snd_nxt);
  }
  if (seg.has(kRst)) {  // second
    if (ack_ok) return deleted(Rule::SynSentReset, tcb, is_server);
    return only(Rule::SynSentDropRst);
  }
  if (!seg.has(kSyn)) return only(Rule::SynSentDrop);  // fifth
  // fourth: SYN
  tcb.irs = seg.seq;
  tcb.rcv_nxt = seg.seq + 1;
  if (ack_ok) tcb.snd_una = sym::rebase(seg.ack, tcb.snd_una, tcb.snd_nxt);
  // Text and a FIN that came with the SYN: "continue processing at the sixth step" once ESTABLISHED, or
  // "queued for processing after the ESTABLISHED state has been reached" (3.10.7.3 fourth).
  hold(tcb, seg, seg.seq + 1, rules);
  if (seq_gt(tcb.snd_una, tcb.iss)) {
    tcb.state = TcpState::Established;
    tcb.retries = 0;
    tcb.rto = 0;
    Arrival a = only(Rule::SynSentEstablished);
    release(tcb, rules, is_server, a);
    a.reply = ack_of(tcb);
    return a;
  }
  tcb.state = TcpState::SynReceived;
  return reply(Rule::SynSentSimultaneous, make(kSyn | kAck, tcb.iss, tcb.rcv_nxt, tcb.incarnation));
}

}  // namespace

std::string_view name(TcpState s) {
  return kStateNames[static_cast<std::size_t>(s)];
}

bool parse_state(std::string_view text, TcpState& out) {
  for (std::size_t i = 0; i < kStateNames.size(); ++i)
    if (kStateNames[i] == text) {
      out = static_cast<TcpState>(i);
      return true;
    }
  return false;
}

std::string_view describe(Rule rule) {
  switch (rule) {
    case Rule::ClosedDropRst:
      return "RFC 9293 3.10.7.1: a RST to a closed port is discarded";
    case Rule::ClosedResetNoAck:
      return "RFC 9293 3.10.7.1: closed port, no ACK: <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>";
    case Rule::ClosedResetAck:
      return "RFC 9293 3.10.7.1: closed port, ACK: <SEQ=SEG.ACK><CTL=RST>";
    case Rule::ListenDropRst:
      return "RFC 9293 3.10.7.2 first: a RST in LISTEN is ignored";
    case Rule::ListenResetAck:
      return "RFC 9293 3.10.7.2 second: an ACK in LISTEN gets <SEQ=SEG.ACK><CTL=RST>";
    case Rule::ListenSyn:
      return "RFC 9293 3.10.7.2 third: a SYN in LISTEN opens SYN-RECEIVED";
    case Rule::ListenDrop:
      return "RFC 9293 3.10.7.2 fourth: anything else in LISTEN is dropped";
    case Rule::SynSentBadAck:
      return "RFC 9293 3.10.7.3 first: unacceptable ACK in SYN-SENT gets <SEQ=SEG.ACK><CTL=RST>";
    case Rule::SynSentReset:
      return "RFC 9293 3.10.7.3 second: RST with an acceptable ACK: connection reset";
    case Rule::SynSentDropRst:
      return "RFC 9293 3.10.7.3 second: RST without an acceptable ACK is dropped";
    case Rule::SynSentEstablished:
      return "RFC 9293 3.10.7.3 fourth: SYN,ACK acknowledging our SYN: ESTABLISHED";
    case Rule::SynSentSimultaneous:
      return "RFC 9293 3.10.7.3 fourth: SYN without our SYN acknowledged: SYN-RECEIVED";
    case Rule::SynSentDrop:
      return "RFC 9293 3.10.7.3 fifth: neither SYN nor RST: dropped";
    case Rule::TimeWaitSynRst:
      return "knob syn_in_time_wait=rst: a SYN in TIME-WAIT is answered with RST";
    case Rule::TimeWaitSynReopen:
      return "knob syn_in_time_wait=reopen (RFC 1122 4.2.2.13): SYN above RCV.NXT reopens";
    case Rule::TimeWaitSynChallenge:
      return "knob syn_in_time_wait=challenge: a SYN in TIME-WAIT gets a challenge ACK";
    case Rule::TimeWaitSynDrop:
      return "knob syn_in_time_wait=drop: a SYN in TIME-WAIT is ignored";
    case Rule::TimeWaitFinAgain:
      return "RFC 9293 3.10.7.4 fifth: a retransmitted FIN in TIME-WAIT is acknowledged and the timer restarted";
    case Rule::TimeWaitFin:
      return "RFC 9293 3.10.7.4 eighth: an acceptable FIN in TIME-WAIT is acknowledged and the 2 MSL timer restarted";
    case Rule::TimeWaitSilent:
      return "knob ack_in_time_wait=false: TIME-WAIT answers neither a repeated FIN nor an unacceptable segment";
    case Rule::LinuxOrphanData:
      return "linux: new data to an orphaned socket (closed by the application) resets the connection";
    case Rule::LinuxDuplicate:
      return "linux: a segment whose data or FIN is all old counts for its ACK, and is acknowledged unless the "
             "socket is orphaned (an orphan still acknowledges such a FIN before the peer's own)";
    case Rule::LinuxSynFinDropped:
      return "linux: a listener discards a SYN that carries a FIN (tcp_rcv_state_process); in TIME-WAIT the "
             "minisocket goes first";
    case Rule::LinuxDataAfterFin:
      return "linux: new data that starts below RCV.NXT after the peer's FIN resets the connection once its ACK "
             "is taken";
    case Rule::LinuxTimeWaitRst:
      return "linux: a RST at exactly RCV.NXT kills TIME-WAIT (tcp_rfc1337=0)";
    case Rule::LinuxTimeWaitIgnoreRst:
      return "linux: TIME-WAIT ignores a RST not at RCV.NXT, without a challenge ACK";
    case Rule::LinuxTimeWaitAck:
      return "linux: TIME-WAIT answers anything else with <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>";
    case Rule::LinuxTimeWaitQuiet:
      return "linux: TIME-WAIT does not answer a bare ACK at RCV.NXT";
    case Rule::LinuxFinWait2Syn:
      return "linux: an orphaned FIN-WAIT-2 (a minisocket) answers a SYN in its window with a reset and goes";
    case Rule::LinuxFinWait2Rst:
      return "linux: an orphaned FIN-WAIT-2 dies of a RST anywhere in [RCV.NXT, RCV.NXT+RCV.WND]";
    case Rule::LinuxFinWait2Ack:
      return "linux: an orphaned FIN-WAIT-2 answers a segment outside its window with an ACK";
    case Rule::LinuxFinWait2Fin:
      return "linux: an orphaned FIN-WAIT-2 takes a FIN at RCV.NXT whatever it acknowledges: TIME-WAIT";
    case Rule::LinuxFinWait2Quiet:
      return "linux: an orphaned FIN-WAIT-2 ignores an ACK in its window";
    case Rule::Unacceptable:
      return "RFC 9293 3.10.7.4 first: unacceptable segment gets <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>";
    case Rule::UnacceptableRst:
      return "RFC 9293 3.10.7.4 first: unacceptable RST is dropped";
    case Rule::UnacceptableBareAck:
      return "knob ack_stale_acks=false: an unacceptable bare ACK is not answered (Linux's tcp_invalid_ratelimit)";
    case Rule::RstChallenge:
      return "RFC 9293 3.10.7.4 second (RFC 5961): in-window RST not at RCV.NXT gets a challenge ACK";
    case Rule::RstIgnoredTimeWait:
      return "knob rst_in_time_wait=ignore (RFC 1337 F1): RST in TIME-WAIT ignored";
    case Rule::RstToListen:
      return "RFC 9293 3.10.7.4 second: RST in passive SYN-RECEIVED returns to LISTEN";
    case Rule::RstReset:
      return "RFC 9293 3.10.7.4 second: RST resets the connection";
    case Rule::SynToListen:
      return "RFC 9293 3.10.7.4 fourth: SYN in passive SYN-RECEIVED returns to LISTEN";
    case Rule::SynChallenge:
      return "RFC 9293 3.10.7.4 fourth (RFC 5961): SYN in a synchronized state gets a challenge ACK";
    case Rule::SynReset:
      return "RFC 9293 3.10.7.4 fourth (RFC 793): in-window SYN resets the connection, answered as 3.10.7.1 "
             "answers it (a bare SYN: <SEQ=0><ACK=SEG.SEQ+1><CTL=RST,ACK>)";
    case Rule::NoAck:
      return "RFC 9293 3.10.7.4 fifth: segment without ACK dropped";
    case Rule::SynReceivedBadAck:
      return "RFC 9293 3.10.7.4 fifth: unacceptable ACK in SYN-RECEIVED gets <SEQ=SEG.ACK><CTL=RST>";
    case Rule::AckTooNew:
      return "RFC 9293 3.10.7.4 fifth: ACK of unsent data gets an ACK and is dropped";
    case Rule::AckTooOld:
      return "RFC 9293 3.10.7.4 fifth (RFC 5961): ACK below SND.UNA-MAX.SND.WND gets an ACK";
    case Rule::LastAckDone:
      return "RFC 9293 3.10.7.4 fifth: our FIN acknowledged in LAST-ACK: TCB deleted";
    case Rule::ClosingIgnored:
      return "RFC 9293 3.10.7.4 fifth: in CLOSING an ACK not of our FIN is ignored";
    case Rule::FinAgain:
      return "RFC 9293 3.10.7.4 eighth: a FIN after the peer's FIN (CLOSE-WAIT, CLOSING, LAST-ACK) is acknowledged, "
             "the state remains";
    case Rule::Held:
      return "RFC 9293 3.10.7.4 first (SHLD-31, knob ooo_hold): text or FIN beyond RCV.NXT is held until the gap "
             "fills; RCV.NXT is acknowledged";
    case Rule::OutOfOrderDropped:
      return "RFC 9293 3.10.7.4 first (knob ooo_hold=false): text or FIN beyond RCV.NXT is dropped; RCV.NXT is "
             "acknowledged";
    case Rule::Processed:
      return "RFC 9293 3.10.7.4: processed (ACK, text, FIN)";
  }
  return "?";
}

void delete_tcb(Tcb& tcb, bool is_server) {
  // Keep only what the next incarnation's ISN policy may read (the old ISS and SND.NXT) and the ghost
  // incarnation: states that differ in nothing else are one state.
  Tcb history;
  history.state = is_server ? TcpState::Listen : TcpState::Closed;
  history.iss = tcb.iss;
  history.snd_nxt = tcb.snd_nxt;
  history.incarnation = tcb.incarnation;
  tcb = history;
}

bool creates_connection(const Tcb& tcb, const Segment& seg, const EndpointRules& rules) {
  const bool bare_syn = seg.has(kSyn) && !seg.has(kAck) && !seg.has(kRst);
  if (tcb.state == TcpState::Listen) return bare_syn;
  return tcb.state == TcpState::TimeWait && bare_syn &&
         rules.syn_in_time_wait == EndpointRules::SynInTimeWait::Reopen && seq_gt(seg.seq, tcb.rcv_nxt);
}

/// Where Linux answers differently from RFC 9293 (each rule measured on the live kernel, tests/conformance/):
/// TIME-WAIT and an orphaned FIN-WAIT-2 are minisockets with rules of their own, and an orphaned socket that
/// receives new data resets the connection. Nothing: RFC 9293's processing applies.
std::optional<Arrival> linux_arrives(TcbInStep& tcb, const Segment& seg, const EndpointRules& rules, bool is_server,
                                     std::uint32_t new_iss) {
  const bool new_data =
      (seg.len > 0 && seq_gt(seg.seq + seg.len, tcb.rcv_nxt)) || (seg.has(kFin) && seq_gt(seg.seq, tcb.rcv_nxt));
  const bool bare_syn = seg.has(kSyn) && !seg.has(kAck) && !seg.has(kRst);
  const auto reset = [&](Rule rule, std::uint32_t seq) {
    const Segment rst = make(kRst, seq, 0, tcb.incarnation);
    Arrival a = deleted(rule, tcb, is_server);
    a.reply = rst;
    return a;
  };

  if (tcb.state == TcpState::TimeWait) {
    if (seg.has(kRst)) {
      if (!seq_eq(seg.seq, tcb.rcv_nxt)) return only(Rule::LinuxTimeWaitIgnoreRst);
      if (rules.rst_in_time_wait == EndpointRules::RstInTimeWait::Ignore) return only(Rule::RstIgnoredTimeWait);
      return deleted(Rule::LinuxTimeWaitRst, tcb, is_server);
    }
    if (bare_syn && seq_gt(seg.seq, tcb.rcv_nxt) && is_server &&
        rules.syn_in_time_wait == EndpointRules::SynInTimeWait::Reopen) {
      // TCP_TW_SYN: the minisocket goes and the listener takes the SYN, which it drops when it carries a FIN.
      if (seg.has(kFin)) return deleted(Rule::LinuxSynFinDropped, tcb, is_server);
      return accept_syn(tcb, seg, rules, new_iss, Rule::TimeWaitSynReopen);
    }
    if (seg.has(kFin) && !seg.has(kSyn) && seq_eq(seg.seq + seg.len + 1, tcb.rcv_nxt)) {
      arm(tcb, tcb.time_wait, rules.time_wait);
      return reply(Rule::TimeWaitFinAgain, ack_of(tcb));
    }
    if (seg.flags == kAck && seg.len == 0 && seq_eq(seg.seq, tcb.rcv_nxt)) return only(Rule::LinuxTimeWaitQuiet);
    return reply(Rule::LinuxTimeWaitAck, ack_of(tcb));
  }

  const bool orphan = tcb.closed && (tcb.state == TcpState::FinWait1 || tcb.state == TcpState::FinWait2);
  if (orphan && tcb.state == TcpState::FinWait2) {  // a minisocket: tcp_timewait_state_process
    const std::uint32_t end = seg.seq + seg.seg_len();
    const std::uint32_t edge = tcb.rcv_nxt + rules.window;
    const bool tw_in_window = seq_eq(seg.seq, tcb.rcv_nxt) || (seq_gt(end, tcb.rcv_nxt) && seq_lt(seg.seq, edge)) ||
                              (seq_eq(seg.seq, edge) && seq_eq(seg.seq, end));  // tcp_in_window
    if (!tw_in_window) return reply(Rule::LinuxFinWait2Ack, ack_of(tcb));
    if (seg.has(kRst)) return deleted(Rule::LinuxFinWait2Rst, tcb, is_server);
    if (seg.has(kSyn) && seq_ge(seg.seq, tcb.rcv_nxt)) {
      Arrival a = reset_for(seg, Rule::LinuxFinWait2Syn);
      delete_tcb(tcb, is_server);
      a.deleted = true;
      return a;
    }
    if (!seg.has(kAck) || !seq_gt(end, tcb.rcv_nxt) || seq_eq(end, seg.seq)) return only(Rule::LinuxFinWait2Quiet);
    if (!seg.has(kFin) || !seq_eq(end, tcb.rcv_nxt + 1)) return reset(Rule::LinuxOrphanData, seg.ack);
    tcb.rcv_nxt += 1;
    const Segment ack = ack_of(tcb);
    enter_time_wait(tcb, rules, is_server);
    return reply(Rule::LinuxFinWait2Fin, ack);
  }
  if (seg.has(kRst) || seg.has(kSyn) || !acceptable(tcb, seg, rules) || (seg.has(kAck) && seq_gt(seg.ack, tcb.snd_nxt)))
    return std::nullopt;  // RFC 9293's checks decide
  if (seg.seg_len() > 0 && seq_le(seg.seq + seg.seg_len(), tcb.rcv_nxt)) {
    // All of it old (a duplicate): its ACK counts, and a socket the application still holds acknowledges it.
    Segment bare = seg;
    bare.flags = seg.flags & kAck;
    bare.len = 0;
    bare.seq = tcb.rcv_nxt;
    const TcpState before = tcb.state;
    Arrival a = segment_arrives(tcb, bare, rules, is_server, new_iss);
    const bool consumed =
        a.deleted || (before == TcpState::Closing && tcb.state == TcpState::TimeWait) ||
        (before == TcpState::FinWait1 && tcb.state == TcpState::FinWait2 && tcb.closed && !seg.has(kFin));
    if (!consumed && !a.reply) a.reply = ack_of(tcb);
    a.rule = Rule::LinuxDuplicate;
    return a;
  }
  if (fin_received(tcb) && seg.len > 0 && seq_lt(seg.seq, tcb.rcv_nxt)) {
    Segment bare = seg;
    bare.flags = seg.flags & kAck;
    bare.len = 0;
    bare.seq = tcb.rcv_nxt;
    const TcpState before = tcb.state;
    Arrival a = segment_arrives(tcb, bare, rules, is_server, new_iss);
    if (a.deleted || a.reply || tcb.state != before) return a;  // the ACK moved it on: the segment is consumed
    return reset(Rule::LinuxDataAfterFin, seg.has(kAck) ? seg.ack : tcb.snd_nxt);
  }
  if (orphan && new_data) {
    // The ACK is taken first, then the reset says where our sequence space ends.
    if (seg.has(kAck) && seq_lt(tcb.snd_una, seg.ack) && seq_le(seg.ack, tcb.snd_nxt))
      tcb.snd_una = sym::rebase(seg.ack, tcb.snd_una, tcb.snd_nxt);
    return reset(Rule::LinuxOrphanData, tcb.snd_una);
  }
  return std::nullopt;
}

Arrival segment_arrives(TcbInStep& tcb, const Segment& seg, const EndpointRules& rules, bool is_server,
                        std::uint32_t new_iss) {
  switch (tcb.state) {
    case TcpState::Closed:
      return closed_arrives(seg);
    case TcpState::Listen:
      return listen_arrives(tcb, seg, rules, new_iss);
    case TcpState::SynSent:
      return syn_sent_arrives(tcb, seg, rules, is_server);
    default:
      break;
  }

  if (rules.linux_quirks)
    if (auto a = linux_arrives(tcb, seg, rules, is_server, new_iss)) return *a;

  // A SYN in TIME-WAIT, where stacks differ (the syn_in_time_wait knob); `ack` is RFC 9293's general rules.
  using Syn = EndpointRules::SynInTimeWait;
  // With `rst`, a SYN-ACK is answered the same way (Linux 2.2, as observed in 2001).
  const bool rst_any_syn = rules.syn_in_time_wait == Syn::Rst && seg.has(kSyn) && !seg.has(kRst);
  if (tcb.state == TcpState::TimeWait && ((seg.has(kSyn) && !seg.has(kAck) && !seg.has(kRst)) || rst_any_syn)) {
    switch (rules.syn_in_time_wait) {
      case Syn::Rst: {
        const Segment rst = make(kRst, tcb.snd_nxt, 0, tcb.incarnation);
        Arrival a = deleted(Rule::TimeWaitSynRst, tcb, is_server);
        a.reply = rst;
        return a;
      }
      case Syn::Reopen:
        if (seq_gt(seg.seq, tcb.rcv_nxt)) return accept_syn(tcb, seg, rules, new_iss, Rule::TimeWaitSynReopen);
        break;
      case Syn::Challenge:
        return reply(Rule::TimeWaitSynChallenge, ack_of(tcb));
      case Syn::Drop:
        return only(Rule::TimeWaitSynDrop);
      case Syn::Ack:
        break;
    }
  }

  // TIME-WAIT: "The only thing that can arrive in this state is a retransmission of the remote FIN.
  // Acknowledge it, and restart the 2 MSL timeout." (fifth step). It lies just below RCV.NXT, so it is
  // recognised before the window test would call it unacceptable.
  if (tcb.state == TcpState::TimeWait && !rules.ack_in_time_wait && !seg.has(kRst) &&
      (!acceptable(tcb, seg, rules) || (seg.has(kFin) && seq_eq(seg.seq + seg.len + 1, tcb.rcv_nxt))))
    return only(Rule::TimeWaitSilent);
  if (tcb.state == TcpState::TimeWait && seg.has(kFin) && !seg.has(kRst) && !seg.has(kSyn) &&
      seq_eq(seg.seq + seg.len + 1, tcb.rcv_nxt)) {
    arm(tcb, tcb.time_wait, rules.time_wait);
    return reply(Rule::TimeWaitFinAgain, ack_of(tcb));
  }

  // First: the sequence number.
  if (!acceptable(tcb, seg, rules)) {
    if (seg.has(kRst)) return only(Rule::UnacceptableRst);
    if (!rules.ack_stale_acks && seg.flags == kAck && seg.len == 0) return only(Rule::UnacceptableBareAck);
    return reply(Rule::Unacceptable, ack_of(tcb));
  }

  // Second: RST.
  if (seg.has(kRst)) {
    // Linux also takes a RST at RCV.NXT - 1 once the peer's FIN is in (measured: CLOSE-WAIT, LAST-ACK, CLOSING).
    const bool exact =
        seq_eq(seg.seq, tcb.rcv_nxt) || (rules.linux_quirks && fin_received(tcb) && seq_eq(seg.seq + 1, tcb.rcv_nxt));
    if (rules.rfc5961 && !exact) return reply(Rule::RstChallenge, ack_of(tcb));
    if (tcb.state == TcpState::TimeWait && rules.rst_in_time_wait == EndpointRules::RstInTimeWait::Ignore)
      return only(Rule::RstIgnoredTimeWait);
    if (tcb.state == TcpState::SynReceived && tcb.passive) return deleted(Rule::RstToListen, tcb, is_server);
    return deleted(Rule::RstReset, tcb, is_server);
  }

  // Fourth: SYN.
  if (seg.has(kSyn)) {
    if (tcb.state == TcpState::SynReceived && tcb.passive) return deleted(Rule::SynToListen, tcb, is_server);
    if (rules.rfc5961) return reply(Rule::SynChallenge, ack_of(tcb));
    // "send a reset" in the form of 3.5.2 (the reset answers this segment): a bare SYN gets
    // <SEQ=0><ACK=SEG.SEQ+1><CTL=RST,ACK>, which a SYN-SENT peer can accept; a SYN,ACK gets <SEQ=SEG.ACK><CTL=RST>.
    Arrival a = reset_for(seg, Rule::SynReset);
    delete_tcb(tcb, is_server);
    a.deleted = true;
    return a;
  }

  // Fifth: ACK.
  if (!seg.has(kAck)) return only(Rule::NoAck);
  if (tcb.state == TcpState::SynReceived) {
    if (!(seq_lt(tcb.snd_una, seg.ack) && seq_le(seg.ack, tcb.snd_nxt)))
      return reply(Rule::SynReceivedBadAck, make(kRst, seg.ack, 0, seg.incarnation()));
    tcb.state = TcpState::Established;
    // Ghost: a passive connection belongs to the client incarnation whose ACK completes the handshake when that
    // one is newer: its SYN may have been an old duplicate, and the application accepts the connection that
    // synchronized. An older incarnation's ACK (an old duplicate that happens to fit) does not make the new
    // connection an old one: the sequence numbers on both sides are the new connection's.
    if (tcb.passive && seg.incarnation() > tcb.incarnation) tcb.incarnation = seg.incarnation();
  }
  // TIME-WAIT: RFC 5961's ACK-range test (5.2) holds in every synchronized state, TIME-WAIT included; its ACK
  // moves nothing (everything we sent is acknowledged).
  if (tcb.state == TcpState::TimeWait && rules.rfc5961) {
    if (seq_gt(seg.ack, tcb.snd_nxt)) return reply(Rule::AckTooNew, ack_of(tcb));
    if (seq_lt(seg.ack, tcb.snd_una - rules.window)) return reply(Rule::AckTooOld, ack_of(tcb));
  }
  if (tcb.state != TcpState::TimeWait) {
    if (seq_gt(seg.ack, tcb.snd_nxt)) return reply(Rule::AckTooNew, ack_of(tcb));
    if (rules.rfc5961 && seq_lt(seg.ack, tcb.snd_una - rules.window)) return reply(Rule::AckTooOld, ack_of(tcb));
    if (seq_lt(tcb.snd_una, seg.ack)) {
      tcb.snd_una = sym::rebase(seg.ack, tcb.snd_una, tcb.snd_nxt);
      tcb.retries = 0;
      if (seq_eq(tcb.snd_una, tcb.snd_nxt))
        tcb.rto = 0;
      else
        arm(tcb, tcb.rto, rules.rto);  // new data acknowledged: restart the timer (RFC 6298 5.3)
    }
    switch (tcb.state) {
      case TcpState::FinWait1:
        if (fin_acked(tcb)) enter_fin_wait2(tcb, rules);
        break;
      case TcpState::Closing:
        if (!fin_acked(tcb)) return only(Rule::ClosingIgnored);
        enter_time_wait(tcb, rules, is_server);
        if (tcb.state != TcpState::TimeWait) {
          Arrival a = only(Rule::Processed);
          a.deleted = true;
          return a;
        }
        break;
      case TcpState::LastAck:
        if (fin_acked(tcb)) return deleted(Rule::LastAckDone, tcb, is_server);
        break;
      default:
        break;
    }
  }

  Arrival a = only(Rule::Processed);
  const bool text_or_fin = seg.len > 0 || seg.has(kFin);

  // Seventh and eighth: text and FIN, taken in ESTABLISHED, FIN-WAIT-1 and FIN-WAIT-2. The segment's part at
  // RCV.NXT is processed (only its new part, if it overlaps), a part beyond RCV.NXT is held (ooo_hold) or
  // dropped, and everything that is now contiguous is released in order, FIN last. Each such segment is
  // acknowledged: in order with the new RCV.NXT (the FIN's ACK included), out of order with RCV.NXT again
  // (MAY-13), and with RCV.NXT again when its text was all dropped.
  if (takes_text(tcb)) {
    const Placed placed = hold(tcb, seg, seg.seq, rules);
    if (placed == Placed::Held) a.rule = Rule::Held;
    if (placed == Placed::Dropped) a.rule = Rule::OutOfOrderDropped;
    release(tcb, rules, is_server, a);  // also what a SYN queued, once ESTABLISHED is reached
    if (a.deleted) return a;            // a FIN into a TIME-WAIT of length 0: its ACK was sent
    if (text_or_fin || a.delivered > 0) a.reply = ack_of(tcb);
    return a;
  }
  if (!seg.has(kFin)) return a;  // text after the peer's FIN: "ignore the segment text"
  // Linux (tcp_rcv_state_process): after the peer's FIN a segment at or beyond RCV.NXT is discarded once its ACK
  // is taken, unanswered, also when that ACK just moved CLOSING to TIME-WAIT (the segment is consumed there).
  if (rules.linux_quirks) return a;
  // Eighth, for a FIN that is acceptable after the peer's FIN was taken (a retransmission below RCV.NXT was
  // answered by the first check): CLOSE-WAIT, CLOSING and LAST-ACK remain and acknowledge it; TIME-WAIT
  // remains, acknowledges it and restarts the 2 MSL timeout.
  if (tcb.state == TcpState::TimeWait) {
    if (!rules.ack_in_time_wait) return only(Rule::TimeWaitSilent);
    arm(tcb, tcb.time_wait, rules.time_wait);
    return reply(Rule::TimeWaitFin, ack_of(tcb));
  }
  return reply(Rule::FinAgain, ack_of(tcb));
}

Segment open_active(TcbInStep& tcb, std::uint32_t iss, unsigned incarnation, const EndpointRules& rules) {
  static_cast<Tcb&>(tcb) = Tcb{};
  tcb.state = TcpState::SynSent;
  tcb.incarnation = static_cast<std::uint8_t>(incarnation);
  tcb.iss = iss;
  tcb.snd_una = iss;
  tcb.snd_nxt = iss + 1;
  arm(tcb, tcb.rto, rules.rto);
  return make(kSyn, iss, 0, incarnation);
}

bool can_send(const Tcb& tcb, const EndpointRules& rules) {
  return (tcb.state == TcpState::Established || tcb.state == TcpState::CloseWait) && !tcb.fin_sent &&
         tcb.sent < Segment::kMaxOffset && tcb.snd_nxt - tcb.snd_una < rules.window;
}

Segment send_unit(TcbInStep& tcb, const EndpointRules& rules) {
  Segment s = make(kAck, tcb.snd_nxt, tcb.rcv_nxt, tcb.incarnation);
  s.len = 1;
  s.set_ghost(tcb.incarnation, tcb.sent);
  tcb.snd_nxt += 1;
  tcb.sent = static_cast<std::uint8_t>(tcb.sent + 1);
  start_rto_if_idle(tcb, rules);
  return s;
}

Segment close(TcbInStep& tcb, const EndpointRules& rules) {
  Segment fin = make(kFin | kAck, tcb.snd_nxt, tcb.rcv_nxt, tcb.incarnation);
  fin.set_ghost(tcb.incarnation, tcb.sent);  // a FIN's offset: how many units came before it
  tcb.snd_nxt += 1;
  tcb.fin_sent = 1;
  tcb.closed = 1;
  tcb.state = tcb.state == TcpState::CloseWait ? TcpState::LastAck : TcpState::FinWait1;
  start_rto_if_idle(tcb, rules);
  return fin;
}

std::optional<Segment> abort(Tcb& tcb, bool is_server) {
  std::optional<Segment> rst;
  switch (tcb.state) {
    case TcpState::SynReceived:
    case TcpState::Established:
    case TcpState::FinWait1:
    case TcpState::FinWait2:
    case TcpState::CloseWait:
      rst = make(kRst, tcb.snd_nxt, 0, tcb.incarnation);
      break;
    default:
      break;
  }
  delete_tcb(tcb, is_server);
  return rst;
}

void crash(Tcb& tcb, bool is_server) {
  delete_tcb(tcb, is_server);
}

std::optional<Segment> retransmission_timeout(TcbInStep& tcb, const EndpointRules& rules, bool is_server) {
  if (tcb.retries >= rules.max_retries) {
    delete_tcb(tcb, is_server);
    return std::nullopt;
  }
  tcb.retries = static_cast<std::uint8_t>(tcb.retries + 1);
  arm(tcb, tcb.rto, rules.rto);
  switch (tcb.state) {
    case TcpState::SynSent:
      return make(kSyn, tcb.iss, 0, tcb.incarnation);
    case TcpState::SynReceived:
      return make(kSyn | kAck, tcb.iss, tcb.rcv_nxt, tcb.incarnation);
    default:
      break;
  }
  if (tcb.fin_sent && seq_eq(tcb.snd_una + 1, tcb.snd_nxt)) {
    Segment fin = make(kFin | kAck, tcb.snd_una, tcb.rcv_nxt, tcb.incarnation);
    fin.set_ghost(tcb.incarnation, tcb.sent);
    return fin;
  }
  Segment data = make(kAck, tcb.snd_una, tcb.rcv_nxt, tcb.incarnation);
  data.len = 1;
  data.set_ghost(tcb.incarnation, tcb.snd_una - tcb.iss - 1);
  return data;
}

}  // namespace model
