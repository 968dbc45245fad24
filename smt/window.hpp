#pragma once
// `teardown window`'s questions (issue 5, item 4), each answered by Z3 over 32-bit sequence numbers: sat comes
// with a concrete witness, unsat is a proof for every one of the 2^32 values the query leaves free. SEQ_LT(a, b)
// is (a - b) <s 0 (RFC 9293 §3.4). `time_wait` (issue 6, item 2) is different: an optimum over real-valued
// times. No Z3 type appears here: the results are plain structs, rendered by cli/.
//
// Time is counted in whole ticks inside each query: one tick of the ISN clock (1/RATE s) for clock-driven
// ISNs, one byte time (1/R s) for `wrap`, one microsecond for random ISNs. Inputs in seconds are rounded to the
// nearest tick, except that `overlap` keeps "the gap is within MSL" exactly as in seconds; witnesses give the
// seconds (and the ticks where they matter).
//
// Bad parameters throw BadQuery, whose message starts with the option as `teardown window` spells it.

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace smt::window {

/// A parameter outside its documented range; the message names the option (e.g. "--window 0: ...").
struct BadQuery : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

enum class Answer { Sat, Unsat };
const char* name(Answer a);  ///< "sat" or "unsat"

inline constexpr std::uint64_t kMaxWindow = std::uint64_t{1} << 30;  ///< RFC 7323's largest window
inline constexpr std::uint64_t kMaxData = std::uint64_t{1} << 48;    ///< bytes of one old connection
inline constexpr double kRfc793IsnRate = 250000;                     ///< one ISN step per 4 microseconds

// ---------------------------------------------------------------------------------------------------------
// overlap: can a segment of the previous incarnation fall inside the new incarnation's receive window?
//
// The old incarnation chose ISS_old at time 0, lived `duration` seconds, sent `data` bytes (sequence numbers
// ISS_old+1 .. ISS_old+data, modulo 2^32), and closed; any of its bytes may be (re)sent up to the close, and a
// segment lives at most MSL. The new incarnation chooses ISS_new `gap` seconds after the close; its first
// receive window is [RCV.NXT, RCV.NXT + window) with RCV.NXT = ISS_new + 1. Random ISNs: ISS_new is any value.
// Clock ISNs (RFC 793, RFC 9293 §3.4.1): ISS_new - ISS_old = RATE x (duration + gap) mod 2^32.

struct OverlapQuery {
  std::uint64_t window = 65535;      ///< W, 1 .. kMaxWindow
  std::uint64_t data = 65535;        ///< D, 1 .. kMaxData
  std::optional<double> clock_rate;  ///< ISN steps per second; none: random ISNs
  double gap_seconds = 0;            ///< from the old close to the new ISN choice, >= 0
  double msl_seconds = 120;          ///< > 0
  /// The old connection's life from its ISN choice to its close; none: any (with clock ISNs Z3 then finds
  /// the shortest life for which an old byte reaches the new window). Ignored by random ISNs but for timing.
  std::optional<double> duration_seconds;
};

struct OverlapWitness {
  std::uint32_t iss_old = 0;
  std::uint32_t iss_new = 0;
  std::uint32_t seq = 0;         ///< the old segment's sequence number
  std::uint64_t offset = 0;      ///< it carries byte `offset` (1 .. data) of the old connection
  std::uint32_t rcv_nxt = 0;     ///< the new window is [rcv_nxt, rcv_nxt + window) modulo 2^32
  std::uint32_t window_end = 0;  ///< rcv_nxt + window, modulo 2^32 (exclusive)
  double duration_seconds = 0;   ///< the old connection's life
  double sent_seconds = 0;       ///< when the old segment was sent (from the old ISN choice)
  double new_isn_seconds = 0;    ///< when ISS_new was chosen
  double arrived_seconds = 0;    ///< when the old segment reaches the new window (<= sent + MSL)
  std::uint64_t ticks = 0;       ///< clock ISNs: ISN steps between the two choices (duration + gap)
  bool wrapped = false;          ///< clock ISNs: the clock passed 2^32 (else the old data outran the clock)
};

struct OverlapResult {
  Answer answer = Answer::Unsat;
  std::optional<OverlapWitness> witness;
  std::string explanation;
  bool alive = false;  ///< can an old segment still be in the network once the new ISN is chosen (gap <= MSL)?
  /// Random ISNs: how many of the 2^32 values of ISS_new put some old byte in the window, for any ISS_old:
  /// min(W + D - 1, 2^32); and that over 2^32 (0 when no old segment is alive).
  std::uint64_t isn_values = 0;
  double probability = 0;
  bool count_proved = false;  ///< Z3 proved isn_values exact (both directions), when W + D - 1 < 2^32
  double tick_seconds = 0;    ///< the time resolution of the query
};

OverlapResult overlap(const OverlapQuery& q);

// ---------------------------------------------------------------------------------------------------------
// wrap: within one connection sending R bytes/s, can the sequence space wrap within one MSL, so that an old
// duplicate is mistaken for new data (PAWS needed)? The verdict uses 2^31, RFC 1323's rule (2^31 / R > MSL,
// its equation [1]): past half the space SEQ_LT flips, so a later byte compares as earlier; the witness is a
// pair with equal sequence numbers when even 2^32 bytes fit in one MSL, else a pair 2^31 or more apart.

struct WrapQuery {
  double rate = 0;           ///< R, bytes per second, > 0
  double msl_seconds = 120;  ///< > 0
};

struct WrapSegment {
  std::uint32_t seq = 0;
  std::uint64_t offset = 0;      ///< byte number in the stream (0 = the first data byte, ISS + 1)
  double seconds = 0;            ///< when it was sent
  std::uint64_t byte_times = 0;  ///< the same in units of 1/R s
};

struct WrapWitness {
  std::uint32_t iss = 0;
  WrapSegment old_segment, new_segment;
  bool same_seq = false;  ///< true: equal sequence numbers; false: 2^31 or more apart (SEQ_LT flipped)
};

struct WrapResult {
  Answer answer = Answer::Unsat;
  std::optional<WrapWitness> witness;
  std::string explanation;
  double half_wrap_seconds = 0;     ///< 2^31 / R
  double full_wrap_seconds = 0;     ///< 2^32 / R
  std::uint64_t bytes_per_msl = 0;  ///< floor(R x MSL): the most bytes a live segment can see sent after it
  bool same_seq_possible = false;   ///< Z3 found equal sequence numbers within one MSL (2^32 bytes fit)
};

WrapResult wrap(const WrapQuery& q);

// ---------------------------------------------------------------------------------------------------------
// isn-regions: RFC 1337's appendix (after RFC 1185's): with the clock-driven ISN at R steps per second, which
// connections does the ISN alone protect from old duplicates of their previous incarnation, and which need
// TIME-WAIT? A connection lasting E seconds that sends N bytes is
//   slow when N / E < R (its sequence numbers advance more slowly than the ISN clock, on average: RFC 1185's
//        effective bandwidth; RFC 1337's "r < R" for the peak rate r implies it), fast otherwise;
//   short when E < TwrapISN = 2^32 / R (the ISN clock does not wrap during it), long otherwise.
// Each region is a Z3 query: with no TIME-WAIT (the next incarnation may choose its ISN at any time up to MSL
// after the close), can an old segment land in the new window? Witnesses are first sought among the plainest
// (the segment carries the connection's last byte and leaves at its close: a slow one is then also slow at its
// peak); only if there is none, among every byte and send time (any byte may be resent up to the close).
// Short and slow splits in two: the ISN protects it only when it ends MSL + W / R before the clock wraps.

struct RegionsQuery {
  double rate = kRfc793IsnRate;  ///< R, ISN steps per second, > 0
  double msl_seconds = 120;      ///< > 0
  std::uint64_t window = 65535;  ///< the new incarnation's receive window
};

struct RegionWitness {
  std::uint32_t iss_old = 0;
  std::uint32_t iss_new = 0;
  std::uint32_t seq = 0;
  std::uint64_t offset = 0;  ///< byte of the old connection the segment carries
  std::uint64_t bytes = 0;   ///< N, bytes the old connection sent
  std::uint32_t rcv_nxt = 0;
  std::uint32_t window_end = 0;
  double duration_seconds = 0;  ///< E
  double gap_seconds = 0;       ///< from the close to the new ISN choice (<= MSL)
  double sent_seconds = 0;
  double arrived_seconds = 0;
  std::uint64_t duration_ticks = 0;
  std::uint64_t gap_ticks = 0;
};

struct Region {
  std::string name;                   ///< "short-slow", "short-slow-edge", "long-slow", "short-fast", "long-fast"
  bool slow = false;                  ///< N / E < R (else N / E >= R)
  bool long_lived = false;            ///< E >= TwrapISN (else E < TwrapISN)
  double min_seconds = 0;             ///< the region's durations: min_seconds <= E (or < E, see `duration`) ...
  std::optional<double> max_seconds;  ///< ... and E <= max_seconds (or <); none: no upper bound
  std::string duration;               ///< the same bounds in words, e.g. "17059.6 s < E < 17179.9 s"
  Answer answer = Answer::Unsat;
  bool protected_by_isn = false;  ///< unsat: the ISN alone protects it (false also for an empty region)
  bool empty = false;             ///< no connection falls in it (MSL + W / R >= TwrapISN)
  std::optional<RegionWitness> witness;
  std::string explanation;
};

struct RegionsResult {
  double isn_wrap_seconds = 0;         ///< TwrapISN = 2^32 / R
  double protected_up_to_seconds = 0;  ///< short slow connections up to this long are protected (may be < 0)
  std::vector<Region> regions;         ///< in the order of the names above
  std::string explanation;
  std::string note;  ///< where the figures differ from the RFCs' (RFC 793's "4.55 hours"), else empty
};

RegionsResult isn_regions(const RegionsQuery& q);

// ---------------------------------------------------------------------------------------------------------
// time-wait: how long after A enters TIME-WAIT can a segment of the old connection still reach A? Z3's
// optimiser (linear real arithmetic) maximises over every timing the model allows. Times are reals in seconds:
//   e = 0      A receives B's FIN, enters TIME-WAIT and sends the final ACK;
//   f          B sent that FIN: f <= e and e - f < MSL (it lived less than MSL);
//   e + a      the final ACK reaches B (B, in LAST-ACK, closes), 0 <= a < MSL;
//   s          B sends a segment: an original one (s <= f: data or the FIN itself), or a retransmission of its FIN
//              or of unacknowledged data (f <= s < e + a: its timer may fire at any instant before the ACK
//              arrives; afterwards B is CLOSED and sends nothing of this connection);
//   x          that segment reaches A: 0 <= x - s < MSL.
// Maximise x - e. Every lifetime is strictly less than MSL, so the optimum is a supremum that no real arrival
// attains, bound - epsilon; `bound` is the supremum (2 x MSL: one MSL for the final ACK, during which B may still
// retransmit, then one for that last retransmission). Z3's optimiser finds it as the exact maximum over the
// closure (every "<" relaxed to "<="); Z3 then proves it is the supremum of the strict model: no timing reaches
// it, and for every delta > 0 one exceeds bound - delta. The witness is a model of the strict facts with
// x - e >= bound - MSL / 100, its events in time order.

struct TimeWaitEvent {
  std::string what;    ///< e.g. "the final ACK reaches B: B closes"
  double seconds = 0;  ///< from A's entry into TIME-WAIT (negative: before it)
};

struct TimeWaitBound {
  double msl = 0;                      ///< the MSL asked about, in seconds
  double bound = 0;                    ///< the supremum of x - e, in seconds, from Z3's optimiser
  double bound_in_msl = 0;             ///< bound / MSL (2)
  bool attained = false;               ///< false: every arrival is strictly earlier than `bound` (Z3 proved it)
  std::vector<TimeWaitEvent> witness;  ///< one timing within MSL / 100 of the bound, in time order
  std::string explanation;             ///< where each MSL comes from, and why TIME-WAIT lasts 2 x MSL
};

/// \pre 0 < msl_seconds <= 1e9 and finite, else BadQuery("--msl ..."). Throws std::runtime_error when Z3 fails
/// to find a finite optimum or to prove it the supremum (which the model rules out).
TimeWaitBound time_wait(double msl_seconds);

}  // namespace smt::window
