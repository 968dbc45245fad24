#pragma once
// One endpoint's rules: RFC 9293 §3.10 event processing on a packed Tcb, with the profile knobs where stacks
// differ. Pure functions: a TCB and an event in, the TCB changed in place and at most one segment out.

#include <cstdint>
#include <optional>
#include <string_view>

#include "model/tcp.hpp"

namespace model {

/// The knobs the endpoint rules read (a subset of Knobs, see knobs.hpp).
struct EndpointRules {
  unsigned window = 4;             ///< RCV.WND, in units
  unsigned time_wait = 4;          ///< TIME-WAIT length in ticks; 0 deletes the TCB on entering TIME-WAIT
  unsigned rto = 2;                ///< retransmission timeout in ticks
  unsigned max_retries = 2;        ///< R2: retransmissions before giving up
  unsigned fin_wait2_timeout = 0;  ///< ticks an orphaned FIN-WAIT-2 lasts; 0 = forever
  bool rfc5961 = true;             ///< RST/SYN/ACK validation of RFC 5961 (RFC 9293 §3.10.7.4)
  bool ack_stale_acks = true;      ///< answer an unacceptable bare ACK with an ACK (RFC 9293 §3.10.7.4 first)
  bool ack_in_time_wait = true;    ///< TIME-WAIT ACKs a FIN again and unacceptable segments (false: silent)
  /// Hold in-window text and FIN beyond RCV.NXT and process them when the gap fills (RFC 9293 3.10.7.4 first,
  /// SHLD-31), and queue a SYN's text and FIN in LISTEN (3.10.7.2); false: drop them and ACK RCV.NXT (RFC 793).
  bool ooo_hold = true;
  /// Linux's deviations as measured on the live kernel (tests/conformance/): window edges, RST at RCV.NXT-1 after a
  /// FIN, data to an orphaned socket resets it, TIME-WAIT and an orphaned FIN-WAIT-2 as minisockets.
  bool linux_quirks = false;
  enum class RstInTimeWait : std::uint8_t { Close, Ignore } rst_in_time_wait = RstInTimeWait::Close;
  enum class SynInTimeWait : std::uint8_t { Rst, Reopen, Challenge, Ack, Drop } syn_in_time_wait = SynInTimeWait::Ack;
};

/// Which rule decided what happened to an event; its text names the RFC clause or the knob.
enum class Rule : std::uint8_t {
  ClosedDropRst,
  ClosedResetNoAck,
  ClosedResetAck,
  ListenDropRst,
  ListenResetAck,
  ListenSyn,
  ListenDrop,
  SynSentBadAck,
  SynSentReset,
  SynSentDropRst,
  SynSentEstablished,
  SynSentSimultaneous,
  SynSentDrop,
  TimeWaitSynRst,
  TimeWaitSynReopen,
  TimeWaitSynChallenge,
  TimeWaitSynDrop,
  TimeWaitFinAgain,
  TimeWaitFin,
  TimeWaitSilent,
  LinuxOrphanData,
  LinuxDuplicate,
  LinuxSynFinDropped,
  LinuxDataAfterFin,
  LinuxTimeWaitRst,
  LinuxTimeWaitIgnoreRst,
  LinuxTimeWaitAck,
  LinuxTimeWaitQuiet,
  LinuxFinWait2Syn,
  LinuxFinWait2Rst,
  LinuxFinWait2Ack,
  LinuxFinWait2Fin,
  LinuxFinWait2Quiet,
  Unacceptable,
  UnacceptableRst,
  UnacceptableBareAck,
  RstChallenge,
  RstIgnoredTimeWait,
  RstToListen,
  RstReset,
  SynToListen,
  SynChallenge,
  SynReset,
  NoAck,
  SynReceivedBadAck,
  AckTooNew,
  AckTooOld,
  LastAckDone,
  ClosingIgnored,
  FinAgain,
  Held,
  OutOfOrderDropped,
  Processed,
};
std::string_view describe(Rule rule);

/// What one arriving segment did.
struct Arrival {
  std::optional<Segment> reply;
  Rule rule = Rule::Processed;
  std::uint8_t delivered = 0;  ///< data units handed to the application, in order (its own and held ones)
  bool deleted = false;        ///< the connection's TCB was deleted (reset, LAST-ACK done, refused)
  bool opened = false;         ///< a new connection was created from a SYN (LISTEN, or TIME-WAIT reopened)
  // Ghost facts for the properties, about what this arrival handed to the application (the segment's own
  // units and held ones it released):
  bool stray = false;          ///< a delivered unit was sent by another incarnation
  bool misordered = false;     ///< a delivered unit is not the next unit of this incarnation's stream
  bool fin_taken = false;      ///< the peer's FIN was processed (RCV.NXT advanced over it)
  bool fin_misplaced = false;  ///< ... and it was another incarnation's, or did not follow exactly the units received
};

/// SEGMENT ARRIVES (RFC 9293 §3.10.7) at `tcb`. `is_server`: a deleted TCB returns to LISTEN (the listener
/// stays) rather than CLOSED. `new_iss` is the ISS for a connection this SYN creates; ignored otherwise.
Arrival segment_arrives(TcbInStep& tcb, const Segment& seg, const EndpointRules& rules, bool is_server,
                        std::uint32_t new_iss);

/// True when segment_arrives() would use `new_iss` for this segment (so the caller may choose among ISNs).
bool creates_connection(const Tcb& tcb, const Segment& seg, const EndpointRules& rules);

// ---- user calls (RFC 9293 §3.10.1-5) and timeouts (§3.10.8); each returns the segment sent, if any ----------
/// OPEN, active: CLOSED -> SYN-SENT with ISS `iss`, for connection incarnation `incarnation`.
Segment open_active(TcbInStep& tcb, std::uint32_t iss, unsigned incarnation, const EndpointRules& rules);
/// SEND of one data unit in ESTABLISHED or CLOSE-WAIT. \pre can_send(tcb, rules).
Segment send_unit(TcbInStep& tcb, const EndpointRules& rules);
bool can_send(const Tcb& tcb, const EndpointRules& rules);
/// CLOSE in ESTABLISHED (-> FIN-WAIT-1) or CLOSE-WAIT (-> LAST-ACK): queues and sends our FIN.
Segment close(TcbInStep& tcb, const EndpointRules& rules);
/// ABORT: a RST in SYN-RECEIVED, ESTABLISHED, FIN-WAIT-1/2 and CLOSE-WAIT, nothing in the others; deletes.
std::optional<Segment> abort(Tcb& tcb, bool is_server);
/// The TCB vanishes without a segment (a crash).
void crash(Tcb& tcb, bool is_server);
/// The retransmission timer expired: resend the segment at SND.UNA, or give up after R2 and delete.
std::optional<Segment> retransmission_timeout(TcbInStep& tcb, const EndpointRules& rules, bool is_server);
/// TIME-WAIT or FIN-WAIT-2 timer expired: delete the TCB.
void delete_tcb(Tcb& tcb, bool is_server);

}  // namespace model
