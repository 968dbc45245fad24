#include "model/promela.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <climits>
#include <cstdint>

namespace model::promela {

namespace {

// The packed State's fields as the Promela globals mirror them, in the order the trail printout lists them.
// Sequence variables are Promela `int` (32 bits, the same bits as the uint32 of the C++ model); the rest `byte`.
struct Field {
  std::string_view name;
  bool sequence;  ///< int (a sequence number) rather than byte
};
constexpr Field kTcbFields[] = {
    {"iss", true},     {"irs", true},          {"snd_una", true},       {"snd_nxt", true},         {"rcv_nxt", true},
    {"state", false},  {"incarnation", false}, {"sent", false},         {"received", false},       {"retries", false},
    {"rto", false},    {"time_wait", false},   {"fin_wait2", false},    {"passive", false},        {"fin_sent", false},
    {"closed", false}, {"held", false},        {"held_foreign", false}, {"held_misplaced", false}, {"held_fin", false},
};
constexpr Field kSegFields[] = {{"seq", true},    {"ack", true},  {"dlen", false},
                                {"flags", false}, {"age", false}, {"ghost", false}};
constexpr std::size_t kTcbCount = std::size(kTcbFields);
constexpr std::size_t kSegCount = std::size(kSegFields);

/// The values a State prints, in the order of the fields above: two TCBs, per direction the count and
/// kMaxCapacity segments (unused slots zero; the export prints only `capacity` of them), then the budgets.
std::size_t printed_values(unsigned capacity) {
  return 2 * kTcbCount + 2 * (1 + capacity * kSegCount) + 3;
}

std::string replace_all(std::string text, std::string_view from, std::string_view to) {
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

/// A 32-bit value as the Promela int holding the same bits.
std::string int_literal(std::uint32_t v) {
  return std::to_string(static_cast<std::int32_t>(v));
}

/// Promela's SEQ_LT is exact modulo 2^32 (it never overflows C's int), but sums such as SND.NXT + 1 are C int
/// additions: refuse ISNs whose sequence space could reach the signed boundary, where C leaves overflow undefined.
bool near_signed_boundary(std::uint32_t v) {
  return v >= 0x7FFFFF00u && v <= 0x800000FFu;
}

const char* kHeader = R"PML(/* Promela export of the teardown model (teardown export promela), for SPIN 6.
 * One SPIN state is one teardown state: the globals below mirror the packed model::State field for field; each
 * transition kind is one option of the loop in `teardown`, an atomic guard, the choice of its arguments, and
 * d_steps. The variables of the step in progress are 0 between steps; helpers inside one d_step are `hidden`;
 * atomic steps are not stored. SPIN stores one setup state before the loop (the all-zero state before B listens).
 * Verify: spin -a THIS.pml && gcc -O2 -DSAFETY -o pan pan.c && ./pan -m1000000
 * Knobs: @KNOBS@
 * Properties asserted: @PROPERTIES@
 */

/* ---- knobs ---- */
#define CAP @CAP@
#define MSL @MSL@
#define LOSS @LOSS@
#define DUP @DUP@
#define REORDER @REORDER@
#define MIN_DELAY @MIN_DELAY@
#define INCARNATIONS @INCARNATIONS@
#define WINDOW @WINDOW@
#define HOLD_LIMIT @HOLD_LIMIT@
#define TIME_WAIT_TICKS @TIME_WAIT@
#define RTO_TICKS @RTO@
#define MAX_RETRIES @MAX_RETRIES@
#define FIN_WAIT2_TICKS @FIN_WAIT2@
#define RFC5961 @RFC5961@
#define ACK_STALE_ACKS @ACK_STALE_ACKS@
#define ACK_IN_TIME_WAIT @ACK_IN_TIME_WAIT@
#define OOO_HOLD @OOO_HOLD@
#define RST_TW_IGNORE @RST_TW_IGNORE@
#define SYN_TW @SYN_TW@
#define REOPEN_ISN_OFFSET @REOPEN_OFFSET@
#define LINUX @LINUX@
#define SYN_TW_RST 0
#define SYN_TW_REOPEN 1
#define SYN_TW_CHALLENGE 2
#define SYN_TW_ACK 3
#define SYN_TW_DROP 4

/* ---- RFC 9293 states (3.3.2) and control bits ---- */
#define CLOSED 0
#define LISTEN 1
#define SYN_SENT 2
#define SYN_RECEIVED 3
#define ESTABLISHED 4
#define FIN_WAIT_1 5
#define FIN_WAIT_2 6
#define CLOSE_WAIT 7
#define CLOSING 8
#define LAST_ACK 9
#define TIME_WAIT 10
#define SYN 1
#define ACK 2
#define FIN 4
#define RST 8

/* ---- rules (model::Rule, for the properties) and events ---- */
@RULES@
#define PL_NOTHING 0
#define PL_INORDER 1
#define PL_HELD 2
#define PL_DROPPED 3

/* ---- sequence numbers: 32 bits, compared modulo 2^32 (RFC 9293 3.4) without overflowing C's int ---- */
#define HAS(f, b) (((f) & (b)) != 0)
#define SEQ_LT(a, b) ((((a) >= 0) == ((b) >= 0)) -> ((a) < (b)) : \
                      (((a) >= 0) -> ((a) > (b) + 2147483647) : ((a) + 2147483647 >= (b) - 1)))
#define SEQ_LE(a, b) ((a) == (b) || SEQ_LT(a, b))
#define SEQ_GT(a, b) SEQ_LT(b, a)
#define SEQ_GE(a, b) SEQ_LE(b, a)
/* unsigned order of 32-bit values (the canonical order of segments in a channel) */
#define ULT(a, b) ((((a) >= 0) == ((b) >= 0)) -> ((a) < (b)) : ((a) >= 0))
#define LIVE(s) ((s) != CLOSED && (s) != LISTEN)
#define SYNCED(s) ((s) >= ESTABLISHED)

/* ---- the state (model::State) ---- */
typedef Seg {
  int seq; int ack; byte dlen; byte flags; byte age; byte ghost
}
typedef Chan {
  Seg s[CAP]
}
typedef Tcb {
  int iss; int irs; int snd_una; int snd_nxt; int rcv_nxt;
  byte state; byte incarnation; byte sent; byte received; byte retries;
  byte rto; byte time_wait; byte fin_wait2; byte passive; byte fin_sent; byte closed;
  byte held; byte held_foreign; byte held_misplaced; byte held_fin
}
Tcb tcb[2];      /* 0: A, the client; 1: B, the server */
Chan ch[2];      /* 0: A>B, 1: B>A; the first count[d] slots in flight, sorted; the rest zero */
byte count[2];
byte losses;
byte dups;
byte filters_on;

/* ---- the step in progress: globals that are 0 between steps (so they add no states), but carried across the
 * choices inside a step's atomic sequence, where SPIN restores them when it backtracks (it would not restore
 * hidden ones) ---- */
byte me;           /* the endpoint that acts (and sends: its direction is its index) */
byte dir;          /* the delivery: direction and slot */
byte idx;
byte c;            /* the ISS choice */
byte ev;
byte ninc;         /* the incarnation an ISS is chosen for */
int sg_seq;        /* the arriving segment */
int sg_ack;
byte sg_len;
byte sg_flags;
byte sg_ghost;
byte em_valid;     /* the segment the step emits */
int em_seq;
int em_ack;
byte em_len;
byte em_flags;
byte em_ghost;
byte ar_rule;      /* model::Arrival, for the properties */
byte ar_stray;
byte ar_misordered;
byte ar_fin_misplaced;
byte edge;         /* the step was an arrival: check the edge properties */
int iv[4];         /* ISS choices */
byte nv;
Tcb bf;            /* the receiver's TCB before an arrival (edge properties) */

/* ---- helpers inside one d_step: not part of the state ---- */
hidden int sl;            /* SEG.LEN */
hidden byte ar_delivered;
hidden byte ar_fin_taken;
hidden byte ar_deleted;
hidden byte decided;
hidden byte ack_ok;
hidden byte foreign;
hidden byte found;
hidden byte misplaced;
hidden int h_p;
hidden int h_q;
hidden int h_k;
hidden int h_j;
hidden int h_pos;
hidden int h_span;
hidden int fin_at;
hidden int h_at;
hidden byte placed;
hidden int newiss;
hidden byte lx_done;      /* knob linux_quirks: the Linux rules decided */
hidden byte lx_new_data;
hidden byte lx_orphan;
hidden byte lx_fin;
hidden byte lx_redo;      /* linux_arrives made the segment a bare ACK: 1 all old, 2 data after the peer's FIN */
hidden byte lx_before;
hidden byte lx_in_window;
hidden int lx_end;

#define T tcb[me]
#define SG_INC (sg_ghost >> 4)
#define SG_OFF (sg_ghost & 15)
#define FIN_ACKED (T.fin_sent != 0 && T.snd_una == T.snd_nxt)
#define TAKES_TEXT (T.state == ESTABLISHED || T.state == FIN_WAIT_1 || T.state == FIN_WAIT_2)
#define IN_WINDOW(s) (SEQ_LE(T.rcv_nxt, s) && SEQ_LT(s, T.rcv_nxt + WINDOW))
#define FIN_RECEIVED (T.state == CLOSE_WAIT || T.state == LAST_ACK || T.state == CLOSING || T.state == TIME_WAIT)
/* Table 6 of RFC 9293 3.10.7.4 (RCV.WND > 0) */
#define RFC_ACCEPTABLE ((sl == 0) -> IN_WINDOW(sg_seq) : (IN_WINDOW(sg_seq) || IN_WINDOW(sg_seq + sl - 1)))
/* knob linux_quirks: the test the live kernel applies (tests/conformance/) */
#define LINUX_ACCEPTABLE ((HAS(sg_flags, RST) && FIN_RECEIVED && sg_seq + 1 == T.rcv_nxt) || \
  (!((T.state == CLOSE_WAIT || T.state == CLOSING) && \
     SEQ_GT(sg_seq + sg_len + (HAS(sg_flags, SYN) -> 1 : 0), T.rcv_nxt + WINDOW)) && \
   SEQ_LE(sg_seq, T.rcv_nxt + WINDOW) && SEQ_GE(sg_seq + sl, T.rcv_nxt)))
#define ACCEPTABLE (LINUX -> LINUX_ACCEPTABLE : RFC_ACCEPTABLE)
#define EM_LT(S) (ULT(em_seq, S.seq) || (em_seq == S.seq && (ULT(em_ack, S.ack) || (em_ack == S.ack && \
                  (em_len < S.dlen || (em_len == S.dlen && (em_flags < S.flags || (em_flags == S.flags && \
                  (0 < S.age || (0 == S.age && em_ghost < S.ghost))))))))))
#define SEG_EQ(A, B) (A.seq == B.seq && A.ack == B.ack && A.dlen == B.dlen && A.flags == B.flags && \
                      A.age == B.age && A.ghost == B.ghost)
#define FILTERED @FILTERED@
#define FINAL (tcb[0].state == CLOSED && tcb[0].incarnation == INCARNATIONS && tcb[1].state == LISTEN && \
               count[0] == 0 && count[1] == 0)
#define QUIESCENT (count[0] == 0 && count[1] == 0 && tcb[0].rto == 0 && tcb[0].time_wait == 0 && \
                   tcb[0].fin_wait2 == 0 && tcb[1].rto == 0 && tcb[1].time_wait == 0 && tcb[1].fin_wait2 == 0)
#define HALF_OPEN (QUIESCENT && ((SYNCED(tcb[0].state) && !LIVE(tcb[1].state)) || \
                                 (SYNCED(tcb[1].state) && !LIVE(tcb[0].state))))
#define EXPIRED(t) (t.rto == 1 || t.time_wait == 1 || t.fin_wait2 == 1)
#define RUNNING(t) (t.rto > 1 || t.time_wait > 1 || t.fin_wait2 > 1)

/* <SEQ=ms><ACK=ma><CTL=mf> of incarnation mi */
inline make(mf, ms, ma, mi) {
  em_valid = 1;
  em_flags = mf;
  em_seq = ms;
  em_ack = (HAS(mf, ACK) -> ma : 0);
  em_len = 0;
  em_ghost = (mi) << 4
}

/* <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> */
inline ack_of() {
  make(ACK, T.snd_nxt, T.rcv_nxt, T.incarnation)
}

inline clear_tcb() {
  T.iss = 0; T.irs = 0; T.snd_una = 0; T.snd_nxt = 0; T.rcv_nxt = 0;
  T.state = CLOSED; T.incarnation = 0; T.sent = 0; T.received = 0; T.retries = 0;
  T.rto = 0; T.time_wait = 0; T.fin_wait2 = 0; T.passive = 0; T.fin_sent = 0; T.closed = 0;
  T.held = 0; T.held_foreign = 0; T.held_misplaced = 0; T.held_fin = 0
}

/* delete the TCB: only ISS, SND.NXT and the ghost incarnation stay; the server's listener stays */
inline del_tcb() {
  T.state = (me == 1 -> LISTEN : CLOSED);
  T.irs = 0; T.snd_una = 0; T.rcv_nxt = 0; T.sent = 0; T.received = 0; T.retries = 0;
  T.rto = 0; T.time_wait = 0; T.fin_wait2 = 0; T.passive = 0; T.fin_sent = 0; T.closed = 0;
  T.held = 0; T.held_foreign = 0; T.held_misplaced = 0; T.held_fin = 0
}

inline deleted(rr) {
  del_tcb();
  ar_rule = rr;
  ar_deleted = 1
}

/* entering TIME-WAIT starts its timer and stops the others (RFC 9293 3.10.7.4 eighth); time_wait=0 deletes */
inline enter_tw() {
  if
  :: TIME_WAIT_TICKS == 0 -> del_tcb()
  :: else -> T.state = TIME_WAIT; T.time_wait = TIME_WAIT_TICKS + 1; T.rto = 0; T.fin_wait2 = 0
  fi
}

/* knob fin_wait2_timeout: an orphaned FIN-WAIT-2 ends */
inline enter_fw2() {
  T.state = FIN_WAIT_2;
  if
  :: T.closed != 0 && FIN_WAIT2_TICKS > 0 -> T.fin_wait2 = FIN_WAIT2_TICKS + 1
  :: else -> skip
  fi
}

/* RFC 9293 3.10.7.1: the reply of a port with no connection */
inline reset_for(rr) {
  ar_rule = rr;
  if
  :: HAS(sg_flags, ACK) -> make(RST, sg_ack, 0, SG_INC)
  :: else -> make(RST | ACK, 0, sg_seq + sl, SG_INC)
  fi
}

/* RFC 9293 3.10.7.4 first (SHLD-31, knob ooo_hold): the segment's text and FIN, its first unit at `start`,
 * placed in the hold at their positions from RCV.NXT (model/endpoint.cpp hold()) */
inline hold(start) {
  placed = PL_NOTHING;
  if
  :: sg_len == 0 && !HAS(sg_flags, FIN) -> skip
  :: else ->
    h_span = sg_len + (HAS(sg_flags, FIN) -> 1 : 0);
    found = 0;
    if
    :: (start) == T.rcv_nxt -> h_p = 0; found = 1
    :: else -> skip
    fi;
    h_k = 1;
    do
    :: !found && h_k < h_span ->
      if
      :: (start) + h_k == T.rcv_nxt -> h_p = -h_k; found = 1
      :: else -> skip
      fi;
      h_k++
    :: else -> break
    od;
    if
    :: OOO_HOLD && !found ->
      h_q = 1;
      do
      :: !found && h_q < HOLD_LIMIT ->
        if
        :: (start) == T.rcv_nxt + h_q -> h_p = h_q; found = 1
        :: else -> skip
        fi;
        h_q++
      :: else -> break
      od
    :: else -> skip
    fi;
    if
    :: !found -> placed = PL_DROPPED
    :: else ->
      placed = (h_p > 0 -> PL_HELD : PL_INORDER);
      foreign = (SG_INC != T.incarnation);
      fin_at = (T.held_fin != 0 -> (T.held_fin & 15) - 1 : HOLD_LIMIT);
      h_j = 0;
      do
      :: h_j < sg_len ->
        h_pos = h_p + h_j;
        if
        :: h_pos >= 0 && h_pos >= fin_at -> break
        :: h_pos >= 0 && h_pos < fin_at && (T.held & (1 << h_pos)) == 0 ->
          T.held = T.held | (1 << h_pos);
          if
          :: foreign -> T.held_foreign = T.held_foreign | (1 << h_pos)
          :: else -> skip
          fi;
          if
          :: foreign || SG_OFF + h_j != T.received + h_pos -> T.held_misplaced = T.held_misplaced | (1 << h_pos)
          :: else -> skip
          fi
        :: else -> skip
        fi;
        h_j++
      :: else -> break
      od;
      h_q = h_p + sg_len;
      if
      :: HAS(sg_flags, FIN) && h_q >= 0 && h_q < fin_at ->
        misplaced = (foreign || SG_OFF != T.received + h_q);
        T.held_fin = (h_q + 1) | (misplaced -> 128 : 0);
        T.held = T.held & ((1 << h_q) - 1);
        T.held_foreign = T.held_foreign & ((1 << h_q) - 1);
        T.held_misplaced = T.held_misplaced & ((1 << h_q) - 1)
      :: else -> skip
      fi
    fi
  fi
}

/* RFC 9293 3.10.7.4 eighth: the FIN at RCV.NXT is taken and acknowledged */
inline take_fin() {
  ar_fin_taken = 1;
  ar_fin_misplaced = ((T.held_fin & 128) != 0);
  T.held = 0; T.held_foreign = 0; T.held_misplaced = 0; T.held_fin = 0;
  T.rcv_nxt = T.rcv_nxt + 1;
  ack_of();
  if
  :: T.state == ESTABLISHED -> T.state = CLOSE_WAIT
  :: T.state == FIN_WAIT_1 && FIN_ACKED -> enter_tw()
  :: T.state == FIN_WAIT_1 && !FIN_ACKED -> T.state = CLOSING
  :: T.state == FIN_WAIT_2 -> enter_tw()
  :: else -> skip
  fi;
  if
  :: T.state == CLOSED || T.state == LISTEN -> ar_deleted = 1
  :: else -> skip
  fi
}

/* RFC 9293 3.10.7.4 seventh and eighth: what is held at RCV.NXT goes to the application in order, FIN last */
inline release() {
  do
  :: (T.held_fin & 15) == 1 -> take_fin(); break
  :: (T.held_fin & 15) != 1 && (T.held & 1) == 0 -> break
  :: (T.held_fin & 15) != 1 && (T.held & 1) != 0 ->
    ar_delivered++;
    ar_stray = (ar_stray || (T.held_foreign & 1) != 0);
    ar_misordered = (ar_misordered || (T.held_misplaced & 1) != 0);
    T.rcv_nxt = T.rcv_nxt + 1;
    T.received = T.received + 1;
    T.held = T.held >> 1;
    T.held_foreign = T.held_foreign >> 1;
    T.held_misplaced = T.held_misplaced >> 1;
    if
    :: T.held_fin != 0 -> T.held_fin = T.held_fin - 1
    :: else -> skip
    fi
  od
}

/* RFC 9293 3.10.7.2 third/fourth: LISTEN (or a reopened TIME-WAIT) takes a SYN: SYN-RECEIVED */
inline accept_syn(rr) {
  clear_tcb();
  T.state = SYN_RECEIVED;
  T.incarnation = SG_INC;
  T.passive = 1;
  T.irs = sg_seq;
  T.rcv_nxt = sg_seq + 1;
  T.iss = newiss;
  T.snd_una = newiss;
  T.snd_nxt = newiss + 1;
  T.rto = RTO_TICKS + 1;
  hold(sg_seq + 1);
  make(SYN | ACK, T.iss, T.rcv_nxt, T.incarnation);
  ar_rule = rr
}

/* RFC 9293 3.10.7.3: SYN-SENT */
inline syn_sent_arrives() {
  ack_ok = 0;
  if
  :: HAS(sg_flags, ACK) ->
    if
    :: SEQ_LE(sg_ack, T.iss) || SEQ_GT(sg_ack, T.snd_nxt) ->
      decided = 1;
      if
      :: HAS(sg_flags, RST) -> ar_rule = R_SynSentDropRst
      :: else -> ar_rule = R_SynSentBadAck; make(RST, sg_ack, 0, SG_INC)
      fi
    :: else -> ack_ok = (SEQ_LT(T.snd_una, sg_ack) && SEQ_LE(sg_ack, T.snd_nxt))
    fi
  :: else -> skip
  fi;
  if
  :: !decided && HAS(sg_flags, RST) ->
    decided = 1;
    if
    :: ack_ok -> deleted(R_SynSentReset)
    :: else -> ar_rule = R_SynSentDropRst
    fi
  :: else -> skip
  fi;
  if
  :: !decided && !HAS(sg_flags, SYN) -> decided = 1; ar_rule = R_SynSentDrop
  :: else -> skip
  fi;
  if
  :: !decided ->
    T.irs = sg_seq;
    T.rcv_nxt = sg_seq + 1;
    if
    :: ack_ok -> T.snd_una = sg_ack
    :: else -> skip
    fi;
    hold(sg_seq + 1);
    if
    :: SEQ_GT(T.snd_una, T.iss) ->
      T.state = ESTABLISHED;
      T.retries = 0;
      T.rto = 0;
      ar_rule = R_SynSentEstablished;
      release();
      ack_of()
    :: else ->
      T.state = SYN_RECEIVED;
      ar_rule = R_SynSentSimultaneous;
      make(SYN | ACK, T.iss, T.rcv_nxt, T.incarnation)
    fi
  :: else -> skip
  fi
}

/* RFC 9293 3.10.7.4: SYN-RECEIVED and the synchronized states */
inline synchronized_arrives() {
  /* a SYN in TIME-WAIT (knob syn_in_time_wait; `ack`: the general rules below) */
  if
  :: T.state == TIME_WAIT && ((HAS(sg_flags, SYN) && !HAS(sg_flags, ACK) && !HAS(sg_flags, RST)) ||
                              (SYN_TW == SYN_TW_RST && HAS(sg_flags, SYN) && !HAS(sg_flags, RST))) ->
    if
    :: SYN_TW == SYN_TW_RST ->
      make(RST, T.snd_nxt, 0, T.incarnation); deleted(R_TimeWaitSynRst); decided = 1
    :: SYN_TW == SYN_TW_REOPEN && SEQ_GT(sg_seq, T.rcv_nxt) ->
      accept_syn(R_TimeWaitSynReopen); decided = 1
    :: SYN_TW == SYN_TW_CHALLENGE -> ack_of(); ar_rule = R_TimeWaitSynChallenge; decided = 1
    :: SYN_TW == SYN_TW_DROP -> ar_rule = R_TimeWaitSynDrop; decided = 1
    :: else -> skip
    fi
  :: else -> skip
  fi;
  /* knob ack_in_time_wait=false: TIME-WAIT silent */
  if
  :: !decided && T.state == TIME_WAIT && !ACK_IN_TIME_WAIT && !HAS(sg_flags, RST) &&
     (!ACCEPTABLE || (HAS(sg_flags, FIN) && sg_seq + sg_len + 1 == T.rcv_nxt)) ->
    ar_rule = R_TimeWaitSilent; decided = 1
  :: else -> skip
  fi;
  /* fifth, TIME-WAIT: a retransmitted FIN is acknowledged and the timer restarted */
  if
  :: !decided && T.state == TIME_WAIT && HAS(sg_flags, FIN) && !HAS(sg_flags, RST) && !HAS(sg_flags, SYN) &&
     sg_seq + sg_len + 1 == T.rcv_nxt ->
    T.time_wait = TIME_WAIT_TICKS + 1; ack_of(); ar_rule = R_TimeWaitFinAgain; decided = 1
  :: else -> skip
  fi;
  /* first: the sequence number */
  if
  :: !decided && !ACCEPTABLE ->
    decided = 1;
    if
    :: HAS(sg_flags, RST) -> ar_rule = R_UnacceptableRst
    :: !HAS(sg_flags, RST) && !ACK_STALE_ACKS && sg_flags == ACK && sg_len == 0 -> ar_rule = R_UnacceptableBareAck
    :: else -> ack_of(); ar_rule = R_Unacceptable
    fi
  :: else -> skip
  fi;
  /* second: RST (RFC 5961 challenge ACK; knob rst_in_time_wait) */
  if
  :: !decided && HAS(sg_flags, RST) ->
    decided = 1;
    if
    :: RFC5961 && !(sg_seq == T.rcv_nxt || (LINUX && FIN_RECEIVED && sg_seq + 1 == T.rcv_nxt)) ->
      ack_of(); ar_rule = R_RstChallenge
    :: else ->
      if
      :: T.state == TIME_WAIT && RST_TW_IGNORE -> ar_rule = R_RstIgnoredTimeWait
      :: else ->
        if
        :: T.state == SYN_RECEIVED && T.passive != 0 -> deleted(R_RstToListen)
        :: else -> deleted(R_RstReset)
        fi
      fi
    fi
  :: else -> skip
  fi;
  /* fourth: SYN */
  if
  :: !decided && HAS(sg_flags, SYN) ->
    decided = 1;
    if
    :: T.state == SYN_RECEIVED && T.passive != 0 -> deleted(R_SynToListen)
    :: else ->
      if
      :: RFC5961 -> ack_of(); ar_rule = R_SynChallenge
      :: else -> reset_for(R_SynReset); del_tcb(); ar_deleted = 1
      fi
    fi
  :: else -> skip
  fi;
  /* fifth: ACK */
  if
  :: !decided && !HAS(sg_flags, ACK) -> decided = 1; ar_rule = R_NoAck
  :: else -> skip
  fi;
  if
  :: !decided && T.state == SYN_RECEIVED ->
    if
    :: !(SEQ_LT(T.snd_una, sg_ack) && SEQ_LE(sg_ack, T.snd_nxt)) ->
      make(RST, sg_ack, 0, SG_INC); ar_rule = R_SynReceivedBadAck; decided = 1
    :: else ->
      T.state = ESTABLISHED;
      if
      :: T.passive != 0 && SG_INC > T.incarnation -> T.incarnation = SG_INC
      :: else -> skip
      fi
    fi
  :: else -> skip
  fi;
  if
  :: !decided && T.state == TIME_WAIT && RFC5961 ->
    if
    :: SEQ_GT(sg_ack, T.snd_nxt) -> ack_of(); ar_rule = R_AckTooNew; decided = 1
    :: !SEQ_GT(sg_ack, T.snd_nxt) && SEQ_LT(sg_ack, T.snd_una - WINDOW) -> ack_of(); ar_rule = R_AckTooOld; decided = 1
    :: else -> skip
    fi
  :: else -> skip
  fi;
  if
  :: !decided && T.state != TIME_WAIT ->
    if
    :: SEQ_GT(sg_ack, T.snd_nxt) -> ack_of(); ar_rule = R_AckTooNew; decided = 1
    :: !SEQ_GT(sg_ack, T.snd_nxt) && RFC5961 && SEQ_LT(sg_ack, T.snd_una - WINDOW) ->
      ack_of(); ar_rule = R_AckTooOld; decided = 1
    :: else ->
      if
      :: SEQ_LT(T.snd_una, sg_ack) ->
        T.snd_una = sg_ack;
        T.retries = 0;
        if
        :: T.snd_una == T.snd_nxt -> T.rto = 0
        :: else -> T.rto = RTO_TICKS + 1   /* new data acknowledged: restart the timer (RFC 6298 5.3) */
        fi
      :: else -> skip
      fi;
      if
      :: T.state == FIN_WAIT_1 && FIN_ACKED -> enter_fw2()
      :: T.state == CLOSING && !FIN_ACKED -> ar_rule = R_ClosingIgnored; decided = 1
      :: T.state == CLOSING && FIN_ACKED ->
        enter_tw();
        if
        :: T.state != TIME_WAIT -> ar_rule = R_Processed; ar_deleted = 1; decided = 1
        :: else -> skip
        fi
      :: T.state == LAST_ACK && FIN_ACKED -> deleted(R_LastAckDone); decided = 1
      :: else -> skip
      fi
    fi
  :: else -> skip
  fi;
  /* seventh and eighth: text and FIN */
  if
  :: !decided ->
    ar_rule = R_Processed;
    if
    :: TAKES_TEXT ->
      hold(sg_seq);
      if
      :: placed == PL_HELD -> ar_rule = R_Held
      :: placed == PL_DROPPED -> ar_rule = R_OutOfOrderDropped
      :: else -> skip
      fi;
      release();
      if
      :: !ar_deleted && (sg_len > 0 || HAS(sg_flags, FIN) || ar_delivered > 0) -> ack_of()
      :: else -> skip
      fi
    :: !TAKES_TEXT && HAS(sg_flags, FIN) && LINUX -> skip   /* linux: discarded once its ACK is taken */
    :: !TAKES_TEXT && HAS(sg_flags, FIN) && !LINUX && T.state == TIME_WAIT ->
      if
      :: !ACK_IN_TIME_WAIT -> ar_rule = R_TimeWaitSilent
      :: else -> T.time_wait = TIME_WAIT_TICKS + 1; ack_of(); ar_rule = R_TimeWaitFin
      fi
    :: !TAKES_TEXT && HAS(sg_flags, FIN) && !LINUX && T.state != TIME_WAIT -> ack_of(); ar_rule = R_FinAgain
    :: else -> skip
    fi
  :: else -> skip
  fi
}

/* knob linux_quirks: a reset of ours that deletes the TCB */
inline linux_reset(rr, rseq) {
  make(RST, rseq, 0, T.incarnation);
  deleted(rr)
}

/* the segment as a bare ACK at RCV.NXT (linux: its ACK counts on its own) */
inline linux_bare() {
  sg_flags = sg_flags & ACK;
  sg_len = 0;
  sg_seq = T.rcv_nxt;
  sl = 0
}

/* knob linux_quirks (model/endpoint.cpp linux_arrives): where the live kernel answers differently from RFC 9293:
 * TIME-WAIT and an orphaned FIN-WAIT-2 are minisockets, data to an orphaned socket resets it */
inline linux_arrives() {
  lx_new_data = ((sg_len > 0 && SEQ_GT(sg_seq + sg_len, T.rcv_nxt)) || (HAS(sg_flags, FIN) && SEQ_GT(sg_seq, T.rcv_nxt)));
  lx_orphan = (T.closed != 0 && (T.state == FIN_WAIT_1 || T.state == FIN_WAIT_2));
  if
  :: T.state == TIME_WAIT ->
    lx_done = 1;
    if
    :: HAS(sg_flags, RST) ->
      if
      :: sg_seq != T.rcv_nxt -> ar_rule = R_LinuxTimeWaitIgnoreRst
      :: sg_seq == T.rcv_nxt && RST_TW_IGNORE -> ar_rule = R_RstIgnoredTimeWait
      :: else -> deleted(R_LinuxTimeWaitRst)
      fi
    :: !HAS(sg_flags, RST) && HAS(sg_flags, SYN) && !HAS(sg_flags, ACK) && SEQ_GT(sg_seq, T.rcv_nxt) && me == 1 &&
       SYN_TW == SYN_TW_REOPEN ->
      if
      :: HAS(sg_flags, FIN) -> deleted(R_LinuxSynFinDropped)
      :: else -> accept_syn(R_TimeWaitSynReopen)
      fi
    :: else ->
      if
      :: HAS(sg_flags, FIN) && !HAS(sg_flags, SYN) && sg_seq + sg_len + 1 == T.rcv_nxt ->
        T.time_wait = TIME_WAIT_TICKS + 1; ack_of(); ar_rule = R_TimeWaitFinAgain
      :: else ->
        if
        :: sg_flags == ACK && sg_len == 0 && sg_seq == T.rcv_nxt -> ar_rule = R_LinuxTimeWaitQuiet
        :: else -> ack_of(); ar_rule = R_LinuxTimeWaitAck
        fi
      fi
    fi
  :: else -> skip
  fi;
  if
  :: !lx_done && lx_orphan && T.state == FIN_WAIT_2 ->   /* a minisocket: tcp_timewait_state_process */
    lx_done = 1;
    lx_end = sg_seq + sl;
    lx_in_window = (sg_seq == T.rcv_nxt || (SEQ_GT(lx_end, T.rcv_nxt) && SEQ_LT(sg_seq, T.rcv_nxt + WINDOW)) ||
                    (sg_seq == T.rcv_nxt + WINDOW && sg_seq == lx_end));
    if
    :: !lx_in_window -> ack_of(); ar_rule = R_LinuxFinWait2Ack
    :: lx_in_window && HAS(sg_flags, RST) -> deleted(R_LinuxFinWait2Rst)
    :: lx_in_window && !HAS(sg_flags, RST) && HAS(sg_flags, SYN) && SEQ_GE(sg_seq, T.rcv_nxt) ->
      reset_for(R_LinuxFinWait2Syn); del_tcb(); ar_deleted = 1
    :: else ->
      if
      :: !HAS(sg_flags, ACK) || !SEQ_GT(lx_end, T.rcv_nxt) || lx_end == sg_seq -> ar_rule = R_LinuxFinWait2Quiet
      :: else ->
        if
        :: !HAS(sg_flags, FIN) || lx_end != T.rcv_nxt + 1 -> linux_reset(R_LinuxOrphanData, sg_ack)
        :: else -> T.rcv_nxt = T.rcv_nxt + 1; ack_of(); enter_tw(); ar_rule = R_LinuxFinWait2Fin
        fi
      fi
    fi
  :: else -> skip
  fi;
  /* RFC 9293's checks decide a RST, a SYN, an unacceptable segment and an ACK of unsent data */
  if
  :: !lx_done && (HAS(sg_flags, RST) || HAS(sg_flags, SYN) || !ACCEPTABLE ||
                  (HAS(sg_flags, ACK) && SEQ_GT(sg_ack, T.snd_nxt))) -> lx_done = 2
  :: else -> skip
  fi;
  /* all of it old: its ACK counts on its own (finished in linux_after) */
  if
  :: !lx_done && sl > 0 && SEQ_LE(sg_seq + sl, T.rcv_nxt) ->
    lx_redo = 1;
    lx_fin = HAS(sg_flags, FIN);
    lx_before = T.state;
    linux_bare()
  :: else -> skip
  fi;
  /* new data that starts below RCV.NXT after the peer's FIN: its ACK first (finished in linux_after) */
  if
  :: !lx_done && lx_redo == 0 && FIN_RECEIVED && sg_len > 0 && SEQ_LT(sg_seq, T.rcv_nxt) ->
    lx_redo = 2;
    lx_before = T.state;
    linux_bare()
  :: else -> skip
  fi;
  if
  :: !lx_done && lx_redo == 0 && lx_orphan && lx_new_data ->
    lx_done = 1;
    if
    :: HAS(sg_flags, ACK) && SEQ_LT(T.snd_una, sg_ack) && SEQ_LE(sg_ack, T.snd_nxt) -> T.snd_una = sg_ack
    :: else -> skip
    fi;
    linux_reset(R_LinuxOrphanData, T.snd_una)
  :: else -> skip
  fi;
  if
  :: lx_done == 2 -> lx_done = 0
  :: else -> skip
  fi
}

/* knob linux_quirks: after RFC 9293's rules took the bare ACK of a segment linux_arrives made bare */
inline linux_after() {
  if
  :: lx_redo == 1 ->   /* a socket the application still holds acknowledges an old segment */
    if
    :: !(ar_deleted || (lx_before == CLOSING && T.state == TIME_WAIT) ||
         (lx_before == FIN_WAIT_1 && T.state == FIN_WAIT_2 && T.closed != 0 && !lx_fin)) && !em_valid -> ack_of()
    :: else -> skip
    fi;
    ar_rule = R_LinuxDuplicate
  :: lx_redo == 2 ->   /* the ACK moved nothing on: the data resets the connection */
    if
    :: !(ar_deleted || em_valid || T.state != lx_before) ->
      lx_end = (HAS(sg_flags, ACK) -> sg_ack : T.snd_nxt);
      linux_reset(R_LinuxDataAfterFin, lx_end)
    :: else -> skip
    fi
  :: else -> skip
  fi
}

/* SEGMENT ARRIVES (RFC 9293 3.10.7) at tcb[me] */
inline arrive() {
  decided = 0; ar_rule = R_Processed; ar_delivered = 0; ar_stray = 0; ar_misordered = 0;
  ar_fin_taken = 0; ar_fin_misplaced = 0; ar_deleted = 0; em_valid = 0;
  sl = sg_len + (HAS(sg_flags, SYN) -> 1 : 0) + (HAS(sg_flags, FIN) -> 1 : 0);
  if
  :: T.state == CLOSED ->   /* 3.10.7.1 */
    if
    :: HAS(sg_flags, RST) -> ar_rule = R_ClosedDropRst
    :: else -> reset_for((HAS(sg_flags, ACK) -> R_ClosedResetAck : R_ClosedResetNoAck))
    fi
  :: T.state == LISTEN ->   /* 3.10.7.2 */
    if
    :: HAS(sg_flags, RST) -> ar_rule = R_ListenDropRst
    :: !HAS(sg_flags, RST) && HAS(sg_flags, ACK) -> reset_for(R_ListenResetAck)
    :: !HAS(sg_flags, RST) && !HAS(sg_flags, ACK) && HAS(sg_flags, SYN) && HAS(sg_flags, FIN) && LINUX ->
      ar_rule = R_LinuxSynFinDropped
    :: !HAS(sg_flags, RST) && !HAS(sg_flags, ACK) && HAS(sg_flags, SYN) && !(HAS(sg_flags, FIN) && LINUX) ->
      accept_syn(R_ListenSyn)
    :: else -> ar_rule = R_ListenDrop
    fi
  :: T.state == SYN_SENT -> syn_sent_arrives()
  :: else ->
    lx_done = 0;
    lx_redo = 0;
    if
    :: LINUX -> linux_arrives()
    :: else -> skip
    fi;
    if
    :: !lx_done -> decided = 0; synchronized_arrives()
    :: else -> skip
    fi;
    if
    :: LINUX -> linux_after()
    :: else -> skip
    fi
  fi
}

/* the emitted segment into direction `me`, in the canonical (sorted) order unless reorder=false */
inline insert() {
  h_at = count[me];
  do
  :: REORDER && h_at > 0 && EM_LT(ch[me].s[h_at - 1]) ->
    ch[me].s[h_at].seq = ch[me].s[h_at - 1].seq;
    ch[me].s[h_at].ack = ch[me].s[h_at - 1].ack;
    ch[me].s[h_at].dlen = ch[me].s[h_at - 1].dlen;
    ch[me].s[h_at].flags = ch[me].s[h_at - 1].flags;
    ch[me].s[h_at].age = ch[me].s[h_at - 1].age;
    ch[me].s[h_at].ghost = ch[me].s[h_at - 1].ghost;
    h_at--
  :: else -> break
  od;
  ch[me].s[h_at].seq = em_seq;
  ch[me].s[h_at].ack = em_ack;
  ch[me].s[h_at].dlen = em_len;
  ch[me].s[h_at].flags = em_flags;
  ch[me].s[h_at].age = 0;
  ch[me].s[h_at].ghost = em_ghost;
  count[me]++
}

/* the network's choice for an emitted segment (model::TeardownModel::push): lost (loss budget), sent twice
 * (duplication budget), or queued; a firewall drop and a full queue (tail drop) are no choice */
inline fate() {
  if
  :: em_valid && !FILTERED && count[me] < CAP && losses < LOSS -> losses++
  :: em_valid && !FILTERED && count[me] + 2 <= CAP && dups < DUP -> d_step { dups++; insert(); insert() }
  :: true ->
    d_step {
      if
      :: em_valid && !FILTERED && count[me] < CAP -> insert()
      :: else -> skip
      fi
    }
  fi
}

/* the ISS values a new connection of tcb[me] (incarnation ninc) may start with (model iss_choices()) */
inline iss_choices() {
@ISS@
}

/* take the segment at ch[dir].s[idx] out of the network */
inline take_segment() {
  sg_seq = ch[dir].s[idx].seq;
  sg_ack = ch[dir].s[idx].ack;
  sg_len = ch[dir].s[idx].dlen;
  sg_flags = ch[dir].s[idx].flags;
  sg_ghost = ch[dir].s[idx].ghost;
  h_at = idx;
  do
  :: h_at + 1 < count[dir] ->
    ch[dir].s[h_at].seq = ch[dir].s[h_at + 1].seq;
    ch[dir].s[h_at].ack = ch[dir].s[h_at + 1].ack;
    ch[dir].s[h_at].dlen = ch[dir].s[h_at + 1].dlen;
    ch[dir].s[h_at].flags = ch[dir].s[h_at + 1].flags;
    ch[dir].s[h_at].age = ch[dir].s[h_at + 1].age;
    ch[dir].s[h_at].ghost = ch[dir].s[h_at + 1].ghost;
    h_at++
  :: else -> break
  od;
  count[dir]--;
  ch[dir].s[count[dir]].seq = 0;
  ch[dir].s[count[dir]].ack = 0;
  ch[dir].s[count[dir]].dlen = 0;
  ch[dir].s[count[dir]].flags = 0;
  ch[dir].s[count[dir]].age = 0;
  ch[dir].s[count[dir]].ghost = 0
}

/* after every step: the new state for a replayed trail, then the properties */
inline finish() {
  printf(@PRINT@);
@ASSERTS@
@CLEAR@
}

active proctype teardown() {
  d_step {
    tcb[1].state = LISTEN;   /* the server's listener */
    filters_on = @FILTERS_START@;
@KNOB_PRINTS@
    finish()
  };
@END_LABEL@
  do
@OPTIONS@
  od
}
)PML";

std::string bool_text(bool b) {
  return b ? "1" : "0";
}

std::string rules_defines() {
  std::string out;
  for (unsigned r = 0; r <= static_cast<unsigned>(Rule::Processed); ++r) {
    // The names the Promela uses, spelled as the enum is.
    static constexpr std::string_view kNames[] = {
        "ClosedDropRst",
        "ClosedResetNoAck",
        "ClosedResetAck",
        "ListenDropRst",
        "ListenResetAck",
        "ListenSyn",
        "ListenDrop",
        "SynSentBadAck",
        "SynSentReset",
        "SynSentDropRst",
        "SynSentEstablished",
        "SynSentSimultaneous",
        "SynSentDrop",
        "TimeWaitSynRst",
        "TimeWaitSynReopen",
        "TimeWaitSynChallenge",
        "TimeWaitSynDrop",
        "TimeWaitFinAgain",
        "TimeWaitFin",
        "TimeWaitSilent",
        "LinuxOrphanData",
        "LinuxDuplicate",
        "LinuxSynFinDropped",
        "LinuxDataAfterFin",
        "LinuxTimeWaitRst",
        "LinuxTimeWaitIgnoreRst",
        "LinuxTimeWaitAck",
        "LinuxTimeWaitQuiet",
        "LinuxFinWait2Syn",
        "LinuxFinWait2Rst",
        "LinuxFinWait2Ack",
        "LinuxFinWait2Fin",
        "LinuxFinWait2Quiet",
        "Unacceptable",
        "UnacceptableRst",
        "UnacceptableBareAck",
        "RstChallenge",
        "RstIgnoredTimeWait",
        "RstToListen",
        "RstReset",
        "SynToListen",
        "SynChallenge",
        "SynReset",
        "NoAck",
        "SynReceivedBadAck",
        "AckTooNew",
        "AckTooOld",
        "LastAckDone",
        "ClosingIgnored",
        "FinAgain",
        "Held",
        "OutOfOrderDropped",
        "Processed",
    };
    static_assert(std::size(kNames) == static_cast<std::size_t>(Rule::Processed) + 1);
    out += fmt::format("#define R_{} {}\n", kNames[r], r);
  }
  out += "#define EV_OPEN 0\n#define EV_DELIVER 1\n#define EV_OTHER 2\n";
  return out;
}

std::string match_text(Match m) {
  switch (m) {
    case Match::Rst:
      return "HAS(em_flags, RST)";
    case Match::Ack:
      return "(em_flags == ACK && em_len == 0)";
    case Match::Fin:
      return "HAS(em_flags, FIN)";
    case Match::Syn:
      return "HAS(em_flags, SYN)";
    case Match::Data:
      return "(em_len > 0)";
    case Match::Any:
      return "1";
  }
  return "0";
}

std::string filtered_text(const Knobs& k) {
  std::string out = "(0";
  for (unsigned i = 0; i < k.filters.size(); ++i)
    out += fmt::format(" || (((filters_on >> {}) & 1) && me == {} && {})", i, unsigned(k.filters[i].direction),
                       match_text(k.filters[i].match));
  return out + ")";
}

/// iss_choices() for the ISN policy (model::TeardownModel::iss_choices): fills iv[0..nv-1].
std::string iss_text(const Knobs& k) {
  const IsnPolicy& p = k.isn;
  std::string out;
  if (p.kind == IsnPolicy::Kind::Adversarial || p.kind == IsnPolicy::Kind::AdversarialBoth) {
    out += "  /* isn=adversarial: the first connection 1000 / 5000; later ones overlap the old sequence space */\n";
    out += "  nv = 1;\n  if\n  :: T.snd_nxt == 0 -> iv[0] = (me == 1 -> 5000 : 1000)\n  :: else ->\n    if\n";
    if (p.kind == IsnPolicy::Kind::Adversarial)
      out += "    :: me == 1 -> iv[0] = (ninc > T.incarnation -> T.iss : T.snd_nxt)\n";
    out += "    :: else -> iv[0] = T.iss; iv[1] = (me == 1 -> T.snd_nxt : T.snd_nxt + 1); nv = 2\n";
    out += "    fi\n  fi";
    return out;
  }
  const auto list = [&](bool server) {
    const bool own = server && !p.server_values.empty();
    const std::vector<std::uint32_t>& values = own ? p.server_values : p.values;
    const std::uint32_t offset = server && !own ? 4000u : 0u;
    std::string text;
    if (p.kind == IsnPolicy::Kind::Fixed) {
      text += "      if\n";
      for (std::size_t i = 0; i < values.size(); ++i) {
        const std::string cond = i + 1 == values.size() ? "else"
                                 : i == 0               ? "ninc <= 1"
                                                        : fmt::format("ninc == {}", i + 1);
        text += fmt::format("      :: {} -> iv[0] = {}\n", cond, int_literal(values[i] + offset));
      }
      text += "      fi;\n      nv = 1";
    } else {
      for (std::size_t i = 0; i < values.size(); ++i)
        text += fmt::format("      iv[{}] = {};\n", i, int_literal(values[i] + offset));
      text += fmt::format("      nv = {}", values.size());
    }
    return text;
  };
  out += fmt::format("  /* isn={} */\n", knob_value(k, "isn"));
  out += "  if\n  :: me == 0 ->\n" + list(false) + "\n  :: else ->\n" + list(true) + "\n  fi";
  return out;
}

std::string print_text(unsigned capacity) {
  std::string format = "\"@@TD";
  std::string args;
  const auto add = [&](const std::string& expr) {
    format += " %d";
    args += ", " + expr;
  };
  for (unsigned side = 0; side < 2; ++side)
    for (const Field& f : kTcbFields) add(fmt::format("tcb[{}].{}", side, f.name));
  for (unsigned d = 0; d < 2; ++d) {
    add(fmt::format("count[{}]", d));
    for (unsigned i = 0; i < capacity; ++i)
      for (const Field& f : kSegFields) add(fmt::format("ch[{}].s[{}].{}", d, i, f.name));
  }
  add("losses");
  add("dups");
  add("filters_on");
  return format + "\\n\"" + args;
}

std::string asserts_text(const std::vector<std::string>& props) {
  const auto has = [&](std::string_view name) { return std::find(props.begin(), props.end(), name) != props.end(); };
  std::string out;
  // The edge properties read the receiver's TCB before (bf) and after (T) an arrival, and the Arrival's facts.
  if (has("stray-data")) out += "  assert(!(edge && ar_stray));   /* stray-data (RFC 1337 H1) */\n";
  if (has("stray-segment")) {
    std::string same = "(";
    for (std::size_t i = 0; i < kTcbCount; ++i)
      same += fmt::format("{}bf.{} == T.{}", i > 0 ? " && " : "", kTcbFields[i].name, kTcbFields[i].name);
    same += ")";
    out += "  assert(!(edge && LIVE(bf.state) && SG_INC != 0 && SG_INC < bf.incarnation && !" + same +
           "));   /* stray-segment */\n";
  }
  if (has("time-wait-assassination"))
    out +=
        "  assert(!(edge && bf.state == TIME_WAIT && bf.time_wait > 1 && T.state != TIME_WAIT && "
        "ar_rule != R_TimeWaitSynReopen));   /* time-wait-assassination (RFC 1337 TWA) */\n";
  if (has("desync"))
    out +=
        "  assert(!(edge && LIVE(bf.state) && bf.incarnation == T.incarnation && T.snd_una != bf.snd_una && "
        "SG_INC != T.incarnation));   /* desync (RFC 1337 H2) */\n";
  if (has("new-connection-killed"))
    out +=
        "  assert(!(edge && LIVE(bf.state) && !LIVE(T.state) && SG_INC != 0 && SG_INC < bf.incarnation && "
        "(ar_rule == R_RstReset || ar_rule == R_RstToListen || ar_rule == R_SynSentReset || "
        "ar_rule == R_SynReset || ar_rule == R_SynToListen)));   /* new-connection-killed (RFC 1337 H3) */\n";
  if (has("stream-integrity"))
    out += "  assert(!(edge && (ar_misordered || ar_fin_misplaced)));   /* stream-integrity */\n";
  if (has("half-open")) out += "  assert(!HALF_OPEN);   /* half-open */\n";
  return out;
}

/// finish()'s last lines: the step's globals back to 0, so that every stored state has them 0.
std::string clear_text() {
  std::string out =
      "  me = 0; dir = 0; idx = 0; c = 0; ev = 0; ninc = 0;\n"
      "  sg_seq = 0; sg_ack = 0; sg_len = 0; sg_flags = 0; sg_ghost = 0;\n"
      "  em_valid = 0; em_seq = 0; em_ack = 0; em_len = 0; em_flags = 0; em_ghost = 0;\n"
      "  ar_rule = 0; ar_stray = 0; ar_misordered = 0; ar_fin_misplaced = 0; edge = 0;\n"
      "  iv[0] = 0; iv[1] = 0; iv[2] = 0; iv[3] = 0; nv = 0;\n ";
  for (const Field& f : kTcbFields) out += fmt::format(" bf.{} = 0;", f.name);
  out.pop_back();
  return out;
}

/// One loop option: an atomic guard, then the steps that make the transition.
std::string option(std::string_view comment, std::string_view guard, std::string_view body) {
  return fmt::format("  /* {} */\n  :: atomic {{ {} ->\n{}\n    }}\n", comment, guard, body);
}

constexpr const char* kChoose =
    "      if\n      :: c = 0\n      :: nv > 1 -> c = 1\n      :: nv > 2 -> c = 2\n      :: nv > 3 -> c = 3\n"
    "      fi;\n";

std::string options_text(const Knobs& k) {
  std::string out;
  // apps=eager: an application that can act does so before the network or time move (the model's
  // tick_successors returns after the user actions when there are any), so every other option waits for none.
  std::vector<std::string> user_guards;
  const auto user = [&](std::string_view comment, const std::string& guard, const std::string& body) {
    user_guards.push_back("(" + guard + ")");
    return option(comment, guard, body);
  };
  const auto other = [&](std::string_view comment, const std::string& guard, const std::string& body) {
    if (k.apps != Apps::Eager) return option(comment, guard, body);
    return option(std::string(comment) + " (apps=eager: only when no application can act)",
                  "!USER_ACTS && (" + guard + ")", body);
  };
  const std::string tail = "      fate();\n      d_step { finish() }";
  // ---- applications (RFC 9293 3.10.1-3.10.5) ----
  out += user("A: OPEN, active (RFC 9293 3.10.1): CLOSED -> SYN-SENT, for each ISS the isn policy allows",
              "tcb[0].state == CLOSED && tcb[0].incarnation < INCARNATIONS",
              std::string("      d_step { me = 0; ninc = T.incarnation + 1; iss_choices() };\n") + kChoose +
                  "      d_step {\n        ev = EV_OPEN; em_valid = 0; newiss = iv[c];\n        clear_tcb();\n"
                  "        T.state = SYN_SENT; T.incarnation = ninc; T.iss = newiss; T.snd_una = newiss;\n"
                  "        T.snd_nxt = newiss + 1; T.rto = RTO_TICKS + 1;\n        make(SYN, newiss, 0, ninc)\n"
                  "      };\n" +
                  tail);
  for (unsigned side = 0; side < 2; ++side) {
    const char* who = side == 0 ? "A" : "B";
    const unsigned data = side == 0 ? k.client_data : k.server_data;
    const CloseMode mode = side == 0 ? k.client_close : k.server_close;
    const std::string t = fmt::format("tcb[{}]", side);
    const std::string set_me = fmt::format("me = {}; ev = EV_OTHER; em_valid = 0;", side);
    if (data > 0)
      out += user(
          fmt::format("{}: SEND of one unit (RFC 9293 3.10.2), knob {}_data = {}", who, side == 0 ? "client" : "server",
                      data),
          fmt::format("{0}.sent < {1} && ({0}.state == ESTABLISHED || {0}.state == CLOSE_WAIT) && {0}.fin_sent == 0 "
                      "&& {0}.sent < 15 && ULT({0}.snd_nxt - {0}.snd_una, WINDOW)",
                      t, data),
          "      d_step {\n        " + set_me +
              "\n        make(ACK, T.snd_nxt, T.rcv_nxt, T.incarnation);\n        em_len = 1;\n"
              "        em_ghost = (T.incarnation << 4) | (T.sent & 15);\n        T.snd_nxt = T.snd_nxt + 1;\n"
              "        T.sent = T.sent + 1;\n        if\n        :: T.rto == 0 -> T.rto = RTO_TICKS + 1\n"
              "        :: else -> skip\n        fi\n      };\n" +
              tail);
    const std::string done_sending = fmt::format("{}.sent >= {}", t, data);
    const std::string close_body = "      d_step {\n        " + set_me +
                                   "\n        make(FIN | ACK, T.snd_nxt, T.rcv_nxt, T.incarnation);\n"
                                   "        em_ghost = (T.incarnation << 4) | (T.sent & 15);\n"
                                   "        T.snd_nxt = T.snd_nxt + 1; T.fin_sent = 1; T.closed = 1;\n"
                                   "        T.state = (T.state == CLOSE_WAIT -> LAST_ACK : FIN_WAIT_1);\n"
                                   "        if\n        :: T.rto == 0 -> T.rto = RTO_TICKS + 1\n"
                                   "        :: else -> skip\n        fi\n      };\n" +
                                   tail;
    if (mode == CloseMode::Active || mode == CloseMode::Crash)
      out += user(fmt::format("{}: CLOSE (RFC 9293 3.10.4), knob {}_close = {}", who, side == 0 ? "client" : "server",
                              name(mode)),
                  fmt::format("{1} && ({0}.state == ESTABLISHED || {0}.state == CLOSE_WAIT) && {0}.closed == 0", t,
                              done_sending),
                  close_body);
    if (mode == CloseMode::Passive)
      out += user(fmt::format("{}: CLOSE after the peer's FIN (RFC 9293 3.10.4), knob {}_close = passive", who,
                              side == 0 ? "client" : "server"),
                  fmt::format("{1} && {0}.state == CLOSE_WAIT && {0}.closed == 0", t, done_sending), close_body);
    if (mode == CloseMode::Abort)
      out +=
          user(fmt::format("{}: ABORT (RFC 9293 3.10.5), knob {}_close = abort", who, side == 0 ? "client" : "server"),
               fmt::format("{1} && ({0}.state == ESTABLISHED || {0}.state == CLOSE_WAIT)", t, done_sending),
               "      d_step {\n        " + set_me +
                   "\n        if\n        :: T.state >= SYN_RECEIVED && T.state <= CLOSE_WAIT -> "
                   "make(RST, T.snd_nxt, 0, T.incarnation)\n        :: else -> skip\n        fi;\n"
                   "        del_tcb()\n      };\n" +
                   tail);
    if (mode == CloseMode::Crash)
      out += other(fmt::format("{}: the host crashes, knob {}_close = crash: the TCB vanishes", who,
                               side == 0 ? "client" : "server"),
                   fmt::format("{1} && SYNCED({0}.state)", t, done_sending),
                   "      d_step {\n        " + set_me + "\n        del_tcb()\n      };\n" + tail);
    // ---- timers (RFC 9293 3.10.8) ----
    out += other(fmt::format("{}: retransmission timeout (RFC 9293 3.10.8): resend at SND.UNA, or give up after "
                             "R2 = max_retries",
                             who),
                 fmt::format("{}.rto == 1", t),
                 "      d_step {\n        " + set_me +
                     "\n        if\n        :: T.retries >= MAX_RETRIES -> del_tcb()\n        :: else ->\n"
                     "          T.retries = T.retries + 1;\n          T.rto = RTO_TICKS + 1;\n          if\n"
                     "          :: T.state == SYN_SENT -> make(SYN, T.iss, 0, T.incarnation)\n"
                     "          :: T.state == SYN_RECEIVED -> make(SYN | ACK, T.iss, T.rcv_nxt, T.incarnation)\n"
                     "          :: T.state != SYN_SENT && T.state != SYN_RECEIVED && T.fin_sent != 0 && "
                     "T.snd_una + 1 == T.snd_nxt ->\n"
                     "            make(FIN | ACK, T.snd_una, T.rcv_nxt, T.incarnation);\n"
                     "            em_ghost = (T.incarnation << 4) | (T.sent & 15)\n"
                     "          :: else ->\n            make(ACK, T.snd_una, T.rcv_nxt, T.incarnation);\n"
                     "            em_len = 1;\n"
                     "            em_ghost = (T.incarnation << 4) | ((T.snd_una - T.iss - 1) & 15)\n"
                     "          fi\n        fi\n      };\n" +
                     tail);
    out += other(fmt::format("{}: the TIME-WAIT timer (RFC 9293 3.10.8) or the FIN-WAIT-2 timer (knob "
                             "fin_wait2_timeout) fires: the TCB is deleted",
                             who),
                 fmt::format("({0}.time_wait == 1 || {0}.fin_wait2 == 1)", t),
                 "      d_step {\n        " + set_me + "\n        del_tcb()\n      };\n" + tail);
  }
  // ---- the network ----
  std::string any = "(0";
  std::string pick = "      if\n";
  for (unsigned d = 0; d < 2; ++d)
    for (unsigned i = 0; i < k.capacity; ++i) {
      if (!k.reorder && i > 0) continue;  // reorder=false: only the oldest of each direction
      std::string cond = fmt::format("count[{0}] > {1} && ch[{0}].s[{1}].age >= MIN_DELAY", d, i);
      if (i > 0) cond += fmt::format(" && !SEG_EQ(ch[{0}].s[{1}], ch[{0}].s[{2}])", d, i, i - 1);
      any += " || (" + cond + ")";
      pick += fmt::format("      :: {} -> dir = {}; idx = {}\n", cond, d, i);
    }
  any += ")";
  pick += "      fi;\n";
  out += other(
      "the network delivers a segment (any one with reorder=true; equal segments are one choice); SEGMENT "
      "ARRIVES, RFC 9293 3.10.7, for each ISS the isn policy allows a connection it creates",
      any,
      pick +
          "      d_step {\n        take_segment();\n        me = 1 - dir;\n        nv = 1;\n        iv[0] = 0;\n"
          "        if\n"
          "        :: HAS(sg_flags, SYN) && !HAS(sg_flags, ACK) && !HAS(sg_flags, RST) && (T.state == LISTEN ||\n"
          "           (T.state == TIME_WAIT && SYN_TW == SYN_TW_REOPEN && SEQ_GT(sg_seq, T.rcv_nxt))) ->\n"
          "          if\n"
          "          :: T.state == TIME_WAIT && REOPEN_ISN_OFFSET != 0 -> iv[0] = T.snd_nxt + REOPEN_ISN_OFFSET\n"
          "          :: else -> ninc = SG_INC; iss_choices()\n"
          "          fi\n"
          "        :: else -> skip\n"
          "        fi\n      };\n" +
          kChoose + "      d_step {\n        ev = EV_DELIVER; newiss = iv[c];\n" +
          [] {
            std::string copy;
            for (const Field& f : kTcbFields) copy += fmt::format("        bf.{0} = T.{0};\n", f.name);
            return copy;
          }() +
          "        arrive();\n        edge = 1\n      };\n" + tail);
  // ---- firewall rules switching on ----
  for (unsigned i = 0; i < k.filters.size(); ++i) {
    if (!k.filters[i].anytime) continue;
    out += other(fmt::format("knob filter {}: the rule switches on", describe(k.filters[i])),
                 fmt::format("((filters_on >> {}) & 1) == 0", i),
                 fmt::format("      d_step {{ ev = EV_OTHER; filters_on = filters_on | {}; finish() }}", 1u << i));
  }
  // ---- time ----
  std::string old = "(0";
  for (unsigned d = 0; d < 2; ++d)
    for (unsigned i = 0; i < k.capacity; ++i)
      old += fmt::format(" || (count[{0}] > {1} && ch[{0}].s[{1}].age >= MSL)", d, i);
  old += ")";
  std::string age;
  for (unsigned d = 0; d < 2; ++d)
    for (unsigned i = 0; i < k.capacity; ++i)
      age += fmt::format(
          "        if\n        :: count[{0}] > {1} -> ch[{0}].s[{1}].age++\n        :: else -> skip\n"
          "        fi;\n",
          d, i);
  std::string timers;
  for (unsigned side = 0; side < 2; ++side)
    for (std::string_view timer : {"rto", "time_wait", "fin_wait2"})
      timers += fmt::format(
          "        if\n        :: tcb[{0}].{1} > 1 -> tcb[{0}].{1}--\n        :: else -> skip\n"
          "        fi;\n",
          side, timer);
  out += other(
      "a tick: timers count down, segments age; never while a timer has expired or a segment is MSL old, "
      "and only when it changes something",
      "!EXPIRED(tcb[0]) && !EXPIRED(tcb[1]) && !" + old +
          " && (RUNNING(tcb[0]) || RUNNING(tcb[1]) || count[0] > 0 || count[1] > 0)",
      "      d_step {\n        ev = EV_OTHER;\n" + timers + age + "        finish()\n      }");
  if (k.apps != Apps::Eager) return out;
  std::string acts = "(0";
  for (const std::string& g : user_guards) acts += " || " + g;
  return "#define USER_ACTS " + acts + ")\n" + out;
}

}  // namespace

const std::vector<std::string_view>& exportable_properties() {
  static const std::vector<std::string_view> list = {
      "stray-data",  "stray-segment", "time-wait-assassination", "desync", "new-connection-killed", "stream-integrity",
      "no-deadlock", "half-open"};
  return list;
}

std::optional<std::string> unsupported(const Knobs& k) {
  if (k.isn.symbolic())
    return fmt::format(
        "knob isn: '{}' is not exported to Promela (SPIN needs concrete ISNs); use adversarial, "
        "adversarial:both, fixed: or choose:",
        knob_value(k, "isn"));
  for (std::uint32_t v : k.isn.values)
    if (near_signed_boundary(v) || near_signed_boundary(v + 4000))
      return fmt::format(
          "knob isn: {} is too close to 2^31, where Promela's int additions would overflow C's int; "
          "choose another value",
          v);
  for (std::uint32_t v : k.isn.server_values)
    if (near_signed_boundary(v))
      return fmt::format(
          "knob isn: {} is too close to 2^31, where Promela's int additions would overflow C's int; "
          "choose another value",
          v);
  if (k.timing_exact) return "knob timing: exact is not exported to Promela yet (zones); use timing=ticks";
  if (k.reopen_isn_offset != 0 && near_signed_boundary(k.reopen_isn_offset))
    return "knob reopen_isn_offset: too close to 2^31 for Promela's int additions";
  return std::nullopt;
}

std::string export_model(const Knobs& k, const std::vector<std::string>& props) {
  std::string knobs_line = "profile=" + k.profile;
  std::string knob_prints = fmt::format("    printf(\"@@KNOB profile={}\\n\");\n", k.profile);
  for (const auto& info : knob_table()) {
    const std::string v = knob_value(k, info.name);
    knobs_line += fmt::format(" {}={}", info.name, v);
    if (info.name == "filter") {
      for (const Filter& f : k.filters)
        knob_prints += fmt::format("    printf(\"@@KNOB filter={}\\n\");\n", describe(f));
      continue;
    }
    knob_prints += fmt::format("    printf(\"@@KNOB {}={}\\n\");\n", info.name, v);
  }
  std::string prop_list;
  for (const auto& p : props) prop_list += (prop_list.empty() ? "" : ", ") + p;
  const bool deadlock = std::find(props.begin(), props.end(), "no-deadlock") != props.end();
  unsigned start = 0;
  for (unsigned i = 0; i < k.filters.size(); ++i)
    if (!k.filters[i].anytime) start |= 1u << i;

  std::string text = kHeader;
  // Order matters where one placeholder's text holds another's name: the generated parts go in last.
  const std::pair<std::string_view, std::string> values[] = {
      {"@KNOBS@", knobs_line},
      {"@PROPERTIES@", prop_list.empty() ? "none" : prop_list},
      {"@CAP@", std::to_string(k.capacity)},
      {"@MSL@", std::to_string(k.msl)},
      {"@LOSS@", std::to_string(k.loss)},
      {"@DUP@", std::to_string(k.dup)},
      {"@REORDER@", bool_text(k.reorder)},
      {"@MIN_DELAY@", std::to_string(k.min_delay)},
      {"@INCARNATIONS@", std::to_string(k.incarnations)},
      {"@WINDOW@", std::to_string(k.window)},
      {"@HOLD_LIMIT@", std::to_string(std::min(k.window, 8u))},
      {"@TIME_WAIT@", std::to_string(k.time_wait_ticks())},
      {"@RTO@", std::to_string(k.rto_ticks())},
      {"@MAX_RETRIES@", std::to_string(k.max_retries)},
      {"@FIN_WAIT2@", std::to_string(k.fin_wait2_timeout)},
      {"@RFC5961@", bool_text(k.rfc5961)},
      {"@ACK_STALE_ACKS@", bool_text(k.ack_stale_acks)},
      {"@ACK_IN_TIME_WAIT@", bool_text(k.ack_in_time_wait)},
      {"@OOO_HOLD@", bool_text(k.ooo_hold)},
      {"@RST_TW_IGNORE@", bool_text(k.rst_in_time_wait == EndpointRules::RstInTimeWait::Ignore)},
      {"@SYN_TW@", std::to_string(static_cast<unsigned>(k.syn_in_time_wait))},
      {"@REOPEN_OFFSET@", int_literal(k.reopen_isn_offset)},
      {"@LINUX@", bool_text(k.linux_quirks)},
      {"@FILTERS_START@", std::to_string(start)},
      {"@FILTERED@", filtered_text(k)},
      {"@END_LABEL@", deadlock ? "" : "end:  /* no-deadlock is not asserted: every state is a valid end state */"},
      {"@RULES@", rules_defines()},
      {"@ISS@", iss_text(k)},
      {"@PRINT@", print_text(k.capacity)},
      {"@ASSERTS@", asserts_text(props)},
      {"@CLEAR@", clear_text()},
      {"@KNOB_PRINTS@", knob_prints},
      {"@OPTIONS@", options_text(k) + (deadlock ? "  /* accepted final state (no-deadlock): a self-loop, so SPIN "
                                                  "does not call it an invalid end state */\n  :: FINAL\n"
                                                : "")},
  };
  static_assert(static_cast<unsigned>(EndpointRules::SynInTimeWait::Rst) == 0 &&
                static_cast<unsigned>(EndpointRules::SynInTimeWait::Reopen) == 1 &&
                static_cast<unsigned>(EndpointRules::SynInTimeWait::Challenge) == 2 &&
                static_cast<unsigned>(EndpointRules::SynInTimeWait::Ack) == 3 &&
                static_cast<unsigned>(EndpointRules::SynInTimeWait::Drop) == 4);
  for (const auto& [key, value] : values) text = replace_all(std::move(text), key, value);
  return text;
}

std::pair<std::optional<Printed>, std::string> read_printed(std::string_view text) {
  Printed out;
  std::vector<std::vector<std::uint32_t>> rows;
  std::size_t line_no = 0;
  for (std::size_t start = 0; start < text.size();) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    ++line_no;
    if (line.find('%') != std::string_view::npos) continue;  // spin -p echoes the printf statement itself
    if (const std::size_t at = line.find("@@KNOB "); at != std::string_view::npos) {
      std::string_view kv = line.substr(at + 7);
      while (!kv.empty() && (kv.back() == '\r' || kv.back() == ' ')) kv.remove_suffix(1);
      const std::size_t eq = kv.find('=');
      if (eq == std::string_view::npos) return {std::nullopt, fmt::format("line {}: a knob line without '='", line_no)};
      out.knobs.emplace_back(std::string(kv.substr(0, eq)), std::string(kv.substr(eq + 1)));
      continue;
    }
    const std::size_t at = line.find("@@TD ");
    if (at == std::string_view::npos) continue;
    std::vector<std::uint32_t> row;
    std::string_view rest = line.substr(at + 5);
    while (!rest.empty()) {
      while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\r')) rest.remove_prefix(1);
      if (rest.empty()) break;
      std::int64_t v = 0;
      const auto [ptr, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), v);
      if (ec != std::errc() || v < INT32_MIN || v > UINT32_MAX)
        return {std::nullopt, fmt::format("line {}: expected numbers after @@TD", line_no)};
      row.push_back(static_cast<std::uint32_t>(v));
      rest.remove_prefix(static_cast<std::size_t>(ptr - rest.data()));
    }
    rows.push_back(std::move(row));
  }
  if (rows.empty())
    return {std::nullopt, "no state lines (@@TD): is this the output of `spin -t` on an exported model?"};
  // The capacity follows from the row length.
  const std::size_t n = rows.front().size();
  unsigned capacity = 0;
  for (unsigned c = 1; c <= kMaxCapacity; ++c)
    if (printed_values(c) == n) capacity = c;
  if (capacity == 0) return {std::nullopt, fmt::format("a state line holds {} numbers, which fits no capacity", n)};
  for (const auto& row : rows) {
    if (row.size() != n) return {std::nullopt, "state lines of different lengths"};
    State s{};
    std::size_t i = 0;
    const auto byte = [&](std::uint8_t& field) { field = static_cast<std::uint8_t>(row[i++]); };
    for (Tcb& t : s.tcb) {
      for (std::uint32_t* v : {&t.iss, &t.irs, &t.snd_una, &t.snd_nxt, &t.rcv_nxt}) *v = row[i++];
      t.state = static_cast<TcpState>(row[i++]);
      for (std::uint8_t* v :
           {&t.incarnation, &t.sent, &t.received, &t.retries, &t.rto, &t.time_wait, &t.fin_wait2, &t.passive,
            &t.fin_sent, &t.closed, &t.held, &t.held_foreign, &t.held_misplaced, &t.held_fin})
        byte(*v);
    }
    for (unsigned d = 0; d < 2; ++d) {
      byte(s.count[d]);
      for (unsigned slot = 0; slot < capacity; ++slot) {
        Segment& g = s.channel[d][slot];
        g.seq = row[i++];
        g.ack = row[i++];
        g.len = static_cast<std::uint16_t>(row[i++]);
        g.flags = static_cast<std::uint8_t>(row[i++] & 0x0F);
        g.age = static_cast<std::uint8_t>(row[i++] & 0x0F);
        byte(g.ghost);
      }
    }
    byte(s.losses);
    byte(s.dups);
    byte(s.filters_on);
    out.states.push_back(s);
  }
  return {out, ""};
}

}  // namespace model::promela
