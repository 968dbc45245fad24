#pragma once
// The packed pieces of the TCP model: sequence arithmetic, segments, and the TCB of one endpoint.
// Everything here is trivially copyable with no padding, so a State made of them hashes as raw bytes.

#include <cstdint>
#include <string_view>

#include "model/symbolic.hpp"

namespace model {

// ---- sequence numbers: 32 bits, compared modulo 2^32 (RFC 9293 §3.4) -------------------------------------
// With symbolic ISNs (model/symbolic.hpp) a value is a packed symbol + offset, and while a path is active
// (only then) a comparison of two values of different symbols is decided by the path instead.
inline bool seq_lt(std::uint32_t a, std::uint32_t b) {
  if (sym::g_path != nullptr) [[unlikely]]
    return sym::path_lt(a, b);
  return static_cast<std::int32_t>(a - b) < 0;
}
inline bool seq_le(std::uint32_t a, std::uint32_t b) {
  if (sym::g_path != nullptr) [[unlikely]]
    return sym::path_le(a, b);
  return static_cast<std::int32_t>(a - b) <= 0;
}
inline bool seq_gt(std::uint32_t a, std::uint32_t b) {
  return seq_lt(b, a);
}
inline bool seq_ge(std::uint32_t a, std::uint32_t b) {
  return seq_le(b, a);
}
/// Equality of two sequence numbers (never compare them with == directly: see above).
inline bool seq_eq(std::uint32_t a, std::uint32_t b) {
  if (sym::g_path != nullptr) [[unlikely]]
    return sym::path_eq(a, b);
  return a == b;
}

// ---- segments ------------------------------------------------------------------------------------------
enum Flag : std::uint8_t { kSyn = 1, kAck = 2, kFin = 4, kRst = 8 };

/// A segment in flight. `seq`, `ack`, `flags` and `len` are what TCP sees; `age` and the ghost byte are the
/// model's: the incarnation of the connection that sent it (a reset from a port with no connection carries
/// the incarnation of the segment it answers) and the offset of its data unit in that incarnation's stream
/// (for a FIN: the number of units before it).
/// The model's own segments carry at most one data unit; `len` is 16 bits so that the probe can state real
/// segments (up to 65535 bytes, tests/conformance/).
struct Segment {
  std::uint32_t seq = 0;
  std::uint32_t ack = 0;
  std::uint16_t len = 0;       ///< data units (one unit = one byte)
  std::uint8_t flags : 4 = 0;  ///< Flag bits
  std::uint8_t age : 4 = 0;    ///< ticks spent in the network (msl is at most 6: validate() in knobs.cpp)
  std::uint8_t ghost = 0;

  static constexpr unsigned kMaxIncarnation = 15;
  static constexpr unsigned kMaxOffset = 15;
  std::uint8_t incarnation() const { return ghost >> 4; }
  std::uint8_t offset() const { return ghost & 0x0F; }
  void set_ghost(unsigned incarnation, unsigned offset) {
    ghost = static_cast<std::uint8_t>((incarnation << 4) | (offset & 0x0F));
  }
  bool has(Flag f) const { return (flags & f) != 0; }
  /// Sequence space the segment occupies: data plus one each for SYN and FIN (RFC 9293 §3.4, SEG.LEN).
  std::uint32_t seg_len() const { return len + (has(kSyn) ? 1u : 0u) + (has(kFin) ? 1u : 0u); }

  friend bool operator==(const Segment&, const Segment&) = default;
  friend auto operator<=>(const Segment&, const Segment&) = default;
};
static_assert(sizeof(Segment) == 12);

// ---- the TCB -------------------------------------------------------------------------------------------
/// The eleven states of RFC 9293 §3.3.2, spelled as the RFC does.
enum class TcpState : std::uint8_t {
  Closed,
  Listen,
  SynSent,
  SynReceived,
  Established,
  FinWait1,
  FinWait2,
  CloseWait,
  Closing,
  LastAck,
  TimeWait,
};
inline constexpr int kTcpStates = 11;

/// "FIN_WAIT_1" style names, as the command line and JSON use them.
std::string_view name(TcpState s);
/// \returns false when `text` names no state.
bool parse_state(std::string_view text, TcpState& out);
/// Synchronized states (RFC 9293 §3.5): ESTABLISHED and later.
inline bool synchronized(TcpState s) {
  return s >= TcpState::Established;
}

/// A timer: 0 = off, 1 = expired (it must fire before time passes again), n > 1 = fires after n - 1 ticks.
using Timer = std::uint8_t;
inline Timer timer_for(unsigned ticks) {
  return static_cast<Timer>(ticks + 1);
}

/// One endpoint's connection state. When the connection is deleted the TCB is CLOSED (or LISTEN for the
/// server, whose listener stays), and its sequence variables keep their last values: the ISN policy may
/// choose the next incarnation's ISS from them.
struct Tcb {
  std::uint32_t iss = 0;
  std::uint32_t irs = 0;
  std::uint32_t snd_una = 0;
  std::uint32_t snd_nxt = 0;
  std::uint32_t rcv_nxt = 0;
  TcpState state = TcpState::Closed;
  std::uint8_t incarnation = 0;  ///< ghost: which connection this TCB belongs to (0: none yet)
  std::uint8_t sent = 0;         ///< data units the application has sent in this incarnation
  std::uint8_t received = 0;     ///< data units delivered to the application in this incarnation
  std::uint8_t retries = 0;      ///< retransmissions of the segment at SND.UNA so far
  Timer rto = 0;
  Timer time_wait = 0;
  Timer fin_wait2 = 0;
  std::uint8_t passive = 0;   ///< 1 if this connection came from LISTEN (RFC 9293 §3.10.7.4, RST in SYN-RECEIVED)
  std::uint8_t fin_sent = 0;  ///< 1 once our FIN has a sequence number (SND.NXT counts it)
  std::uint8_t closed = 0;    ///< 1 once the application has called CLOSE (the connection is orphaned)
  // Segments held for later processing (RFC 9293 3.10.7.4 first, SHLD-31; knob ooo_hold), as positions
  // relative to RCV.NXT: bit i of `held` is the data unit at RCV.NXT + i. Position 0 is only ever held in
  // SYN-RECEIVED (text that came with a SYN, queued until ESTABLISHED, 3.10.7.2). Ghost facts about the held
  // units, for the properties: bit i of `held_foreign` is set when unit i came from another incarnation, of
  // `held_misplaced` when it is not the unit of this incarnation's stream that belongs at that position.
  std::uint8_t held = 0;
  std::uint8_t held_foreign = 0;
  std::uint8_t held_misplaced = 0;
  /// A held FIN: 0 none, else bits 0-3 hold its position + 1 and bit 7 says it is misplaced (another
  /// incarnation's, or not after exactly the units this stream sent before it).
  std::uint8_t held_fin = 0;
  std::uint8_t spare = 0;  ///< always 0: a TCB has no padding, since states are hashed and compared as bytes

  friend bool operator==(const Tcb&, const Tcb&) = default;
};
static_assert(sizeof(Tcb) == 36);

/// A TCB while one step changes it: the endpoint rules take this, so that the step can say which timers it
/// (re)started (exact time restarts their real-time clocks, model/timing.hpp). Never stored: the model copies
/// the TCB back into the state and reports the restart in the step's label (Label::restarted).
struct TcbInStep : Tcb {
  bool timer_restarted = false;
};

/// (Re)starts one of `tcb`'s timers to fire after `ticks` ticks, and notes it.
inline void arm(TcbInStep& tcb, Timer& timer, unsigned ticks) {
  timer = timer_for(ticks);
  tcb.timer_restarted = true;
}

}  // namespace model
