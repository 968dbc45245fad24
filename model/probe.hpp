#pragma once
// Probing one endpoint: put an endpoint of a profile into a state, deliver one segment, and report the reply
// and the state afterwards, with numbers written relative to the endpoint's variables (`teardown probe`).
// The same code answers the unit tests of RFC 9293's closing-state clauses and the live-kernel comparison.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/endpoint.hpp"
#include "model/knobs.hpp"

namespace model {

/// The endpoint's variables a segment spec and a reply may refer to, as they were before the segment.
struct ProbeVars {
  std::uint32_t iss = 0, irs = 0, snd_una = 0, snd_nxt = 0, rcv_nxt = 0, rcv_wnd = 0;
};

/// A value in a segment spec: an absolute number, or a variable plus an offset.
struct SpecValue {
  enum class Base : std::uint8_t { Absolute, RcvNxt, SndNxt, SndUna, Iss, Irs, RcvNxtPlusWnd } base = Base::Absolute;
  std::int64_t offset = 0;  ///< the number itself when Absolute
};

/// "FIN|ACK seq=RCV.NXT-1 ack=SND.NXT len=1". A missing seq is RCV.NXT (what the peer would send next); a
/// missing ack (with ACK set) is SND.NXT; a missing len is 0.
struct SegmentSpec {
  std::uint8_t flags = 0;
  std::optional<SpecValue> seq, ack;
  unsigned len = 0;
};
/// \returns the spec, or nothing with `error` saying what is wrong and where.
std::optional<SegmentSpec> parse_segment_spec(std::string_view text, std::string& error);

/// The context where stacks differ.
struct ProbeContext {
  TcpState state = TcpState::TimeWait;
  bool listener = false;  ///< a listening socket is bound to the port (CLOSED means "no connection" then)
  bool passive = false;   ///< the connection was opened passively (from LISTEN)
  bool shutdown = false;  ///< the application called shutdown (half close), not close: the socket is not orphaned
};
/// \returns an error when the context is impossible (e.g. SYN_RECEIVED opened actively with no listener).
std::optional<std::string> check_context(const ProbeContext& context);

struct ProbeResult {
  Tcb before;
  ProbeVars vars;  ///< before the segment
  Segment segment;
  Arrival arrival;
  Tcb after;
  std::string seq_text, ack_text;  ///< the reply's seq and ack in relative notation (empty: no reply)
  bool fresh_isn = false;          ///< the reply's seq is a new ISN chosen by the ISN generator (any value)
};

/// Puts an endpoint into the context's state (one data unit exchanged each way, ISS 1000000, IRS 3000000) and
/// delivers the segment. \pre check_context(context) returned nothing.
ProbeResult probe(const Knobs& knobs, const ProbeContext& context, const SegmentSpec& spec);

/// `value` as "SND.NXT", "RCV.NXT+1", "SEG.SEQ+1" or a plain number: the variable (before the segment) or the
/// incoming segment's field closest to it; with no TCB (CLOSED, LISTEN) the segment's fields come first.
std::string relative(std::uint32_t value, const ProbeVars& vars, const Segment& seg, bool prefer_segment);

/// What the TCB holds beyond RCV.NXT (RFC 9293 SHLD-31, knob ooo_hold), relative to its RCV.NXT: "units at
/// RCV.NXT+1, RCV.NXT+2; FIN at RCV.NXT+3". Empty when nothing is held.
std::string held_text(const Tcb& tcb);

/// One cell of the classic TIME-WAIT test table (`teardown probe --table`): a segment of one kind, with a
/// sequence number the old connection used (RCV.NXT-1) or an arbitrary one (RCV.NXT+100000), sent to an
/// endpoint in TIME-WAIT and to the CLOSED port of the other host, which still has a listener.
struct TableCell {
  TcpState state;         ///< TimeWait or Closed
  std::string_view kind;  ///< SYN, data, FIN, RST, SYN-ACK
  bool old_seq;
  std::string spec;
  ProbeResult result;
  std::string_view observed;  ///< what a 2001 experiment saw on Linux 2.2: "RST", "SYN|ACK" or "none"
  std::string footnote;       ///< profile linux-2.2 only: why a cell differs from the observation
};
std::vector<TableCell> time_wait_table(const Knobs& knobs);
/// "RST", "SYN|ACK", "ACK" or "none": the reply's kind as the table compares it with the observation.
std::string reply_kind(const ProbeResult& r);

}  // namespace model
