// Z3 encodings of `teardown window`'s questions; each question's model is in window.hpp. Sequence numbers are
// 32-bit bit-vectors; times, byte offsets and byte counts are 64-bit bit-vectors kept below 2^52, so no sum
// in a query overflows 64 bits and unsigned comparisons of them mean what they say. `time_wait` alone uses real
// arithmetic (Z3's optimiser over linear real constraints, strict ones included), with MSL as an exact rational.

#include "smt/window.hpp"

#include <fmt/core.h>
#include <z3++.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <utility>

namespace smt::window {

const char* name(Answer a) {
  return a == Answer::Sat ? "sat" : "unsat";
}

namespace {

constexpr std::uint64_t kTwo31 = std::uint64_t{1} << 31;
constexpr std::uint64_t kTwo32 = std::uint64_t{1} << 32;
constexpr std::uint64_t kMaxTicks = std::uint64_t{1} << 50;  ///< any time given to a query, in ticks
constexpr std::uint64_t kFree = std::uint64_t{1} << 48;      ///< free durations and byte counts stay below
constexpr double kMicrosecond = 1e6;                         ///< ticks per second for random ISNs

// ---- validation -------------------------------------------------------------------------------------------

void require_positive(double v, const std::string& option) {
  if (!std::isfinite(v) || v <= 0) throw BadQuery(fmt::format("{}: expected a positive number", option));
}
void require_non_negative(double v, const std::string& option) {
  if (!std::isfinite(v) || v < 0) throw BadQuery(fmt::format("{}: expected a number of seconds >= 0", option));
}
void require_window(std::uint64_t w) {
  if (w < 1 || w > kMaxWindow)
    throw BadQuery(
        fmt::format("--window {}: expected 1 to {} (2^30, the largest window RFC 7323 allows)", w, kMaxWindow));
}

/// seconds x ticks_per_second, rounded to a whole tick; at most kMaxTicks.
std::uint64_t to_ticks(double seconds, double ticks_per_second, const std::string& option) {
  const double t = std::nearbyint(seconds * ticks_per_second);
  if (!(t <= static_cast<double>(kMaxTicks)))
    throw BadQuery(fmt::format("{}: too long for the query (at most 2^50 ticks of {} s, about {:.0f} s)", option,
                               1 / ticks_per_second, static_cast<double>(kMaxTicks) / ticks_per_second));
  return static_cast<std::uint64_t>(t);
}

// ---- Z3 helpers --------------------------------------------------------------------------------------------

z3::expr c32(z3::context& c, std::uint64_t v) {
  return c.bv_val(static_cast<std::uint64_t>(v & 0xffffffffu), 32);
}
z3::expr c64(z3::context& c, std::uint64_t v) {
  return c.bv_val(v, 64);
}
z3::expr low32(const z3::expr& e) {
  return e.extract(31, 0);
}
/// SEQ_LT(a, b) of RFC 9293 §3.4: (a - b) <s 0, modulo 2^32.
z3::expr seq_lt(const z3::expr& a, const z3::expr& b) {
  return z3::slt(a - b, c32(a.ctx(), 0));
}
/// SEQ_LEQ(a, b): (a - b) <=s 0.
z3::expr seq_leq(const z3::expr& a, const z3::expr& b) {
  return z3::sle(a - b, c32(a.ctx(), 0));
}
/// SEQ_LEQ(lo, x) and SEQ_LT(x, lo + size): x in the window [lo, lo + size).
z3::expr in_window(const z3::expr& x, const z3::expr& lo, std::uint64_t size) {
  return seq_leq(lo, x) && seq_lt(x, lo + c32(x.ctx(), size));
}

std::uint64_t value(const z3::model& m, const z3::expr& e) {
  return m.eval(e, true).get_numeral_uint64();
}
std::uint32_t value32(const z3::model& m, const z3::expr& e) {
  return static_cast<std::uint32_t>(value(m, e));
}

Answer answer_of(z3::check_result r, const char* question) {
  if (r == z3::unknown) throw std::runtime_error(fmt::format("Z3 answered unknown to the {} question", question));
  return r == z3::sat ? Answer::Sat : Answer::Unsat;
}

/// The facts of one question; with objectives, Z3 optimises them in the order given (lexicographically), so the
/// witness is the first in that order. Objectives never change the answer, only which witness comes back.
struct Query {
  z3::context& ctx;
  z3::expr_vector facts{ctx};
  std::vector<std::pair<z3::expr, bool>> objectives;  ///< (term, maximise?)
  std::optional<z3::model> model;

  explicit Query(z3::context& c) : ctx(c) {}
  void add(const z3::expr& e) { facts.push_back(e); }
  void minimise(const z3::expr& e) { objectives.emplace_back(e, false); }
  void maximise(const z3::expr& e) { objectives.emplace_back(e, true); }
  Answer check(const char* question) {
    z3::check_result r = z3::unknown;
    if (objectives.empty()) {
      z3::solver s(ctx);
      s.add(facts);
      r = s.check();
      if (r == z3::sat) model = s.get_model();
    } else {
      z3::optimize o(ctx);
      for (unsigned i = 0; i < facts.size(); ++i) o.add(facts[static_cast<int>(i)]);
      for (const auto& [e, up] : objectives) up ? o.maximize(e) : o.minimize(e);
      r = o.check();
      if (r == z3::sat) model = o.get_model();
    }
    return answer_of(r, question);
  }
};

std::string hours(double seconds) {
  return fmt::format("{:.3g} h", seconds / 3600);
}
std::string bytes_text(std::uint64_t n) {
  return fmt::format("{} byte{}", n, n == 1 ? "" : "s");
}

}  // namespace

// ---- overlap ------------------------------------------------------------------------------------------------

OverlapResult overlap(const OverlapQuery& q) {
  require_window(q.window);
  if (q.data < 1 || q.data > kMaxData) throw BadQuery(fmt::format("--data {}: expected 1 to 2^48 bytes", q.data));
  if (q.clock_rate) require_positive(*q.clock_rate, fmt::format("--isn clock:{}", *q.clock_rate));
  require_non_negative(q.gap_seconds, fmt::format("--gap {}", q.gap_seconds));
  require_positive(q.msl_seconds, fmt::format("--msl {}", q.msl_seconds));
  if (q.duration_seconds) require_non_negative(*q.duration_seconds, fmt::format("--duration {}", *q.duration_seconds));

  const bool clock = q.clock_rate.has_value();
  const double tps = clock ? *q.clock_rate : kMicrosecond;
  const std::uint64_t msl = to_ticks(q.msl_seconds, tps, fmt::format("--msl {}", q.msl_seconds));
  std::uint64_t gap = to_ticks(q.gap_seconds, tps, fmt::format("--gap {}", q.gap_seconds));
  // Rounding to ticks must not move the liveness boundary: the gap is within MSL in ticks exactly when it is in
  // seconds (a tick's rounding elsewhere only shifts the clock by a step).
  if (q.gap_seconds <= q.msl_seconds && gap > msl) gap = msl;
  if (q.gap_seconds > q.msl_seconds && gap <= msl) gap = msl + 1;
  std::optional<std::uint64_t> duration;
  if (q.duration_seconds)
    duration = to_ticks(*q.duration_seconds, tps, fmt::format("--duration {}", *q.duration_seconds));

  OverlapResult r;
  r.tick_seconds = 1 / tps;
  r.alive = gap <= msl;
  const std::uint64_t span = q.window + q.data - 1;  // offsets ISS_new - ISS_old in [-(W-1), D-1]
  r.isn_values = std::min(span, kTwo32);
  r.probability = r.alive ? static_cast<double>(r.isn_values) / static_cast<double>(kTwo32) : 0;

  z3::context ctx;
  Query query(ctx);
  const z3::expr iss_old = ctx.bv_const("iss_old", 32);
  const z3::expr life = duration ? c64(ctx, *duration) : ctx.bv_const("duration", 64);
  const z3::expr offset = ctx.bv_const("offset", 64);    // the old segment's byte, 1 .. D
  const z3::expr sent = ctx.bv_const("sent", 64);        // when it was (re)sent, <= the close
  const z3::expr arrived = ctx.bv_const("arrived", 64);  // when it meets the new window, <= sent + MSL
  const z3::expr steps = life + c64(ctx, gap);           // time between the two ISN choices
  const z3::expr iss_new = clock ? iss_old + low32(steps) : ctx.bv_const("iss_new", 32);
  const z3::expr seq = iss_old + low32(offset);
  const z3::expr rcv_nxt = iss_new + c32(ctx, 1);
  query.add(z3::ule(life, c64(ctx, kMaxTicks)));
  query.add(z3::ule(c64(ctx, 1), offset) && z3::ule(offset, c64(ctx, q.data)));
  query.add(z3::ule(sent, life));
  query.add(z3::ule(steps, arrived) && z3::ule(arrived, sent + c64(ctx, msl)));
  query.add(in_window(seq, rcv_nxt, q.window));
  if (!duration) query.minimise(life);
  query.maximise(sent);  // a readable witness: sent at the close, arriving as the window opens
  query.minimise(arrived);
  r.answer = query.check("overlap");

  const std::string isn_text = clock ? fmt::format("the ISN clock at {}/s", *q.clock_rate) : "random ISNs";
  if (r.answer == Answer::Sat) {
    const z3::model& m = *query.model;
    OverlapWitness w;
    w.iss_old = value32(m, iss_old);
    w.iss_new = value32(m, iss_new);
    w.seq = value32(m, seq);
    w.offset = value(m, offset);
    w.rcv_nxt = value32(m, rcv_nxt);
    w.window_end = static_cast<std::uint32_t>(w.rcv_nxt + q.window);
    const std::uint64_t life_ticks = value(m, life);
    w.duration_seconds = static_cast<double>(life_ticks) / tps;
    w.sent_seconds = static_cast<double>(value(m, sent)) / tps;
    w.new_isn_seconds = static_cast<double>(life_ticks + gap) / tps;
    w.arrived_seconds = static_cast<double>(value(m, arrived)) / tps;
    if (clock) {
      w.ticks = life_ticks + gap;
      w.wrapped = w.ticks >= kTwo32 || w.ticks % kTwo32 >= q.data;
    }
    const double before_close = w.duration_seconds - w.sent_seconds;
    const std::string when = before_close > 0
                                 ? fmt::format("sent {:.9g} s before the old connection's close", before_close)
                                 : std::string("sent as the old connection closed");
    const std::string segment = fmt::format(
        "the old segment with seq {} (byte {} of {}, {}) is still alive {:.9g} s later when the new window [{}, {}) "
        "opens, and falls inside it",
        w.seq, w.offset, q.data, when, w.arrived_seconds - w.sent_seconds, w.rcv_nxt, w.window_end);
    if (!clock) {
      r.explanation = fmt::format(
          "Yes: with random ISNs nothing keeps ISS_new ({}) away from the old sequence space (ISS_old {}), so {}; "
          "a uniformly random ISS_new puts some old byte in the window for {} of the 2^32 values (W + D - 1 = "
          "{} + {} - 1{}), probability {:.6g}.",
          w.iss_new, w.iss_old, segment, r.isn_values, q.window, q.data, span >= kTwo32 ? ", capped at 2^32" : "",
          r.probability);
    } else {
      const std::string why =
          w.wrapped ? fmt::format("{} steps, {} modulo 2^32: the clock came round to within the window of ISS_old",
                                  w.ticks, w.ticks % kTwo32)
                    : fmt::format(
                          "only {} steps, fewer than the {} sequence numbers the old connection used: its "
                          "data outran the clock",
                          w.ticks, q.data);
      std::string shortest;
      if (!duration)
        shortest = fmt::format("; {} s is the shortest old connection for which this happens", w.duration_seconds);
      r.explanation = fmt::format("Yes: between the two ISN choices ({} s apart) {} advanced {}, so {}{}.",
                                  w.new_isn_seconds, isn_text, why, segment, shortest);
    }
    r.witness = w;
  } else if (!r.alive) {
    r.explanation = fmt::format(
        "No: the new ISN is chosen {} s after the old connection's close, later than the MSL of {} s, so every "
        "segment of the old incarnation has left the network before the new window exists (Z3: unsat for every "
        "{}).",
        q.gap_seconds, q.msl_seconds, clock ? "ISS_old and every life of the old connection" : "ISS_old and ISS_new");
  } else {
    const std::uint64_t steps_value = (duration ? *duration : 0) + gap;
    r.explanation = fmt::format(
        "No: with {}, ISS_new - ISS_old = {} (mod 2^32) puts the new window [ISS_new+1, ISS_new+{}] above the old "
        "connection's {} sequence numbers and short of wrapping back to them, so no old byte can land in it (Z3: "
        "unsat for every ISS_old).",
        isn_text, steps_value % kTwo32, q.window, q.data);
  }

  // Random ISNs: prove the count exact. With x = ISS_new - ISS_old, some old byte is in the window exactly when
  // x + (W - 1) <u W + D - 1 (only if: no overlap outside it; if: a byte named as a function of x is inside).
  if (!clock && span < kTwo32) {
    z3::context c2;
    const z3::expr a = c2.bv_const("iss_old", 32), b = c2.bv_const("iss_new", 32), s = c2.bv_const("seq", 32);
    const z3::expr x = b - a;
    const z3::expr in_interval = z3::ult(x + c32(c2, q.window - 1), c32(c2, span));
    const auto old_byte = [&](const z3::expr& v) { return z3::ult(v - a - c32(c2, 1), c32(c2, q.data)); };
    const auto inside = [&](const z3::expr& v) { return old_byte(v) && in_window(v, b + c32(c2, 1), q.window); };
    z3::solver only_if(c2);
    only_if.add(inside(s) && !in_interval);
    const z3::expr named =
        z3::ite(z3::uge(x + c32(c2, q.window - 1), c32(c2, q.window - 1)), b + c32(c2, 1), a + c32(c2, 1));
    z3::solver if_(c2);
    if_.add(in_interval && !inside(named));
    r.count_proved = answer_of(only_if.check(), "overlap count") == Answer::Unsat &&
                     answer_of(if_.check(), "overlap count") == Answer::Unsat;
    if (!r.count_proved) throw std::runtime_error("Z3 refuted the overlap count W + D - 1");
  }
  return r;
}

// ---- wrap ---------------------------------------------------------------------------------------------------

WrapResult wrap(const WrapQuery& q) {
  require_positive(q.rate, fmt::format("--rate {}", q.rate));
  require_positive(q.msl_seconds, fmt::format("--msl {}", q.msl_seconds));
  const double bytes = std::floor(q.rate * q.msl_seconds);
  if (!(bytes <= static_cast<double>(kMaxTicks)))
    throw BadQuery(fmt::format("--rate {} --msl {}: R x MSL = {:.3g} bytes, too many for the query (at most 2^50)",
                               q.rate, q.msl_seconds, bytes));
  WrapResult r;
  r.bytes_per_msl = static_cast<std::uint64_t>(bytes);
  r.half_wrap_seconds = static_cast<double>(kTwo31) / q.rate;
  r.full_wrap_seconds = static_cast<double>(kTwo32) / q.rate;

  // Time in byte times (1/R s). The old segment carries byte o1 (0-based) sent at t1 (no earlier than o1 byte
  // times), the new one byte o2 > o1 sent at t2, with t1 <= t2 <= t1 + MSL (the old one is still alive) and
  // o2 - o1 <= t2 - t1 (no faster than R).
  const auto find = [&](bool same_seq) -> std::optional<WrapWitness> {
    z3::context ctx;
    Query query(ctx);
    const z3::expr iss = ctx.bv_const("iss", 32);
    const z3::expr o1 = ctx.bv_const("old_offset", 64), o2 = ctx.bv_const("new_offset", 64);
    const z3::expr t1 = ctx.bv_const("old_time", 64), t2 = ctx.bv_const("new_time", 64);
    query.add(z3::ule(t1, c64(ctx, kMaxTicks)) && z3::ule(o1, t1));
    query.add(z3::ule(t1, t2) && z3::ule(t2, t1 + c64(ctx, r.bytes_per_msl)));
    query.add(z3::ult(o1, o2) && z3::ule(o2 - o1, t2 - t1));
    const z3::expr s1 = iss + c32(ctx, 1) + low32(o1), s2 = iss + c32(ctx, 1) + low32(o2);
    query.add(same_seq ? s1 == s2 : seq_leq(s2, s1));  // the later byte does not compare as later
    query.minimise(t2);
    query.minimise(t1);
    if (query.check("wrap") == Answer::Unsat) return std::nullopt;
    const z3::model& m = *query.model;
    WrapWitness w;
    w.iss = value32(m, iss);
    w.same_seq = same_seq;
    w.old_segment = {value32(m, s1), value(m, o1), static_cast<double>(value(m, t1)) / q.rate, value(m, t1)};
    w.new_segment = {value32(m, s2), value(m, o2), static_cast<double>(value(m, t2)) / q.rate, value(m, t2)};
    return w;
  };
  const auto half = find(false);
  r.answer = half ? Answer::Sat : Answer::Unsat;
  if (half) {
    const auto same = find(true);
    r.same_seq_possible = same.has_value();
    r.witness = same ? same : half;
  }
  const std::string figures =
      fmt::format("at {} bytes/s the sender covers 2^31 sequence numbers in {:.6g} s and all 2^32 in {:.6g} s", q.rate,
                  r.half_wrap_seconds, r.full_wrap_seconds);
  if (!r.witness) {
    r.explanation = fmt::format(
        "No: {}, and a segment lives at most {} s (MSL), so every segment has died before the sender is 2^31 "
        "bytes further on, where SEQ comparisons would flip (Z3: unsat; RFC 1323's 2^31 / R > MSL holds), and PAWS "
        "is not needed against wrapped sequence numbers.",
        figures, q.msl_seconds);
  } else if (r.witness->same_seq) {
    const WrapWitness& w = *r.witness;
    r.explanation = fmt::format(
        "Yes: {}, within the MSL of {} s, so the segment with seq {} sent at {:.6g} s can still be in the network "
        "at {:.6g} s when the sender sends new data with the same seq {}: PAWS (RFC 7323 timestamps) is needed.",
        figures, q.msl_seconds, w.old_segment.seq, w.old_segment.seconds, w.new_segment.seconds, w.new_segment.seq);
  } else {
    const WrapWitness& w = *r.witness;
    r.explanation = fmt::format(
        "Yes: {}; within the MSL of {} s the sender reaches seq {} at {:.6g} s, which SEQ_LT ranks at or before "
        "the seq {} of a segment sent at {:.6g} s and still alive (comparisons flip past 2^31), so RFC 1323's "
        "2^31 / R > MSL fails and PAWS is needed (equal sequence numbers would take {:.6g} s, longer than MSL).",
        figures, q.msl_seconds, w.new_segment.seq, w.new_segment.seconds, w.old_segment.seq, w.old_segment.seconds,
        r.full_wrap_seconds);
  }
  return r;
}

// ---- isn-regions ---------------------------------------------------------------------------------------------

namespace {

struct RegionSpec {
  const char* name;
  bool slow, long_lived, edge;
};

}  // namespace

RegionsResult isn_regions(const RegionsQuery& q) {
  require_positive(q.rate, fmt::format("--rate {}", q.rate));
  require_positive(q.msl_seconds, fmt::format("--msl {}", q.msl_seconds));
  require_window(q.window);
  const double tps = q.rate;  // one tick = one ISN step
  const std::uint64_t msl = to_ticks(q.msl_seconds, tps, fmt::format("--msl {}", q.msl_seconds));

  RegionsResult out;
  out.isn_wrap_seconds = static_cast<double>(kTwo32) / tps;
  // The longest short, slow connection the ISN protects: E + MSL + W <= 2^32 ticks.
  const std::int64_t edge =
      static_cast<std::int64_t>(kTwo32) - static_cast<std::int64_t>(msl) - static_cast<std::int64_t>(q.window);
  out.protected_up_to_seconds = static_cast<double>(edge) / tps;
  const double twrap = out.isn_wrap_seconds, up_to = out.protected_up_to_seconds;

  const RegionSpec specs[] = {{"short-slow", true, false, false},
                              {"short-slow-edge", true, false, true},
                              {"long-slow", true, true, false},
                              {"short-fast", false, false, false},
                              {"long-fast", false, true, false}};
  for (const RegionSpec& spec : specs) {
    Region region;
    region.name = spec.name;
    region.slow = spec.slow;
    region.long_lived = spec.long_lived;
    std::uint64_t lo = 1, hi = kFree - 1;  // the region's durations, in ticks, inclusive
    if (spec.long_lived) {
      lo = kTwo32;
      region.min_seconds = twrap;
      region.duration = fmt::format("E >= {:.3f} s", twrap);
    } else if (spec.slow && !spec.edge) {
      hi = edge >= 1 ? static_cast<std::uint64_t>(edge) : 0;
      region.max_seconds = std::max(up_to, 0.0);
      region.duration = fmt::format("E <= {:.3f} s", std::max(up_to, 0.0));
    } else if (spec.edge) {
      lo = edge >= 0 ? static_cast<std::uint64_t>(edge) + 1 : 1;
      hi = kTwo32 - 1;
      region.min_seconds = std::max(up_to, 0.0);
      region.max_seconds = twrap;
      region.duration = fmt::format("{:.3f} s < E < {:.3f} s", std::max(up_to, 0.0), twrap);
    } else {
      hi = kTwo32 - 1;
      region.max_seconds = twrap;
      region.duration = fmt::format("E < {:.3f} s", twrap);
    }
    region.empty = lo > hi;
    if (region.empty) {
      region.answer = Answer::Unsat;
      region.explanation = fmt::format(
          "Empty: MSL + W / R ({:.6g} s) is not shorter than TwrapISN ({:.6g} s), so no short connection ends early "
          "enough for the ISN alone to protect the next incarnation.",
          twrap - up_to, twrap);
      out.regions.push_back(std::move(region));
      continue;
    }

    // First a witness of the plainest kind (the segment carries the connection's last byte and leaves at its
    // close); only if there is none, the full question over every byte and every send time.
    z3::context ctx;
    const z3::expr iss_old = ctx.bv_const("iss_old", 32);
    const z3::expr life = ctx.bv_const("duration", 64);  // E, in ISN steps
    const z3::expr bytes = ctx.bv_const("bytes", 64);    // N
    const z3::expr gap = ctx.bv_const("gap", 64);        // close -> new ISN choice
    const z3::expr offset = ctx.bv_const("offset", 64);
    const z3::expr sent = ctx.bv_const("sent", 64);
    const z3::expr arrived = ctx.bv_const("arrived", 64);
    const z3::expr iss_new = iss_old + low32(life + gap);
    const z3::expr seq = iss_old + low32(offset);
    const z3::expr rcv_nxt = iss_new + c32(ctx, 1);
    const auto question = [&](bool plain) {
      Query query(ctx);
      query.add(z3::ule(c64(ctx, lo), life) && z3::ule(life, c64(ctx, hi)));
      query.add(z3::ule(c64(ctx, 1), bytes) && z3::ult(bytes, c64(ctx, kFree)));
      query.add(z3::ule(gap, c64(ctx, msl)));
      query.add(z3::ule(c64(ctx, 1), offset) && z3::ule(offset, bytes));
      query.add(z3::ule(sent, life));
      query.add(z3::ule(life + gap, arrived) && z3::ule(arrived, sent + c64(ctx, msl)));
      // slow: N / E < R, fewer bytes than ISN steps; fast: N / E >= R.
      query.add(spec.slow ? z3::ult(bytes, life) : z3::uge(bytes, life));
      query.add(in_window(seq, rcv_nxt, q.window));
      if (plain) query.add(offset == bytes && sent == life);
      query.minimise(life);
      query.minimise(bytes);
      query.minimise(gap);
      return query;
    };
    Query plain = question(true);
    region.answer = plain.check("isn-regions");
    std::optional<z3::model> model = plain.model;
    if (region.answer == Answer::Unsat) {
      Query full = question(false);
      region.answer = full.check("isn-regions");
      model = full.model;
    }
    region.protected_by_isn = region.answer == Answer::Unsat;

    const char* speed = spec.slow ? "slow (N / E < R)" : "fast (N / E >= R)";
    if (region.answer == Answer::Sat) {
      const z3::model& m = *model;
      RegionWitness w;
      w.iss_old = value32(m, iss_old);
      w.iss_new = value32(m, iss_new);
      w.seq = value32(m, seq);
      w.offset = value(m, offset);
      w.bytes = value(m, bytes);
      w.rcv_nxt = value32(m, rcv_nxt);
      w.window_end = static_cast<std::uint32_t>(w.rcv_nxt + q.window);
      w.duration_ticks = value(m, life);
      w.gap_ticks = value(m, gap);
      w.duration_seconds = static_cast<double>(w.duration_ticks) / tps;
      w.gap_seconds = static_cast<double>(w.gap_ticks) / tps;
      w.sent_seconds = static_cast<double>(value(m, sent)) / tps;
      w.arrived_seconds = static_cast<double>(value(m, arrived)) / tps;
      // Which way the old byte reached the window: the old data ran ahead of the ISN clock (the window opens
      // inside it), or the clock came round modulo 2^32 to the old sequence numbers.
      const std::uint64_t steps = w.duration_ticks + w.gap_ticks;
      std::string why;
      if (steps < kTwo32 && steps < w.bytes)
        why = fmt::format(
            "its sequence numbers outrun the ISN clock ({} against {} step{} by the next ISN choice), so the "
            "next ISS falls among them",
            bytes_text(w.bytes), steps, steps == 1 ? "" : "s");
      else if (spec.long_lived)
        why = "the ISN clock wraps during its life, so the next ISS can come round to its sequence numbers";
      else
        why = fmt::format(
            "it ends within MSL + W / R ({:.6g} s) of the ISN clock's wrap, so the next window can "
            "wrap round onto its first sequence numbers",
            twrap - up_to);
      region.explanation = fmt::format(
          "Needs TIME-WAIT: {}; e.g. a {} connection of {:.6g} s sending {} whose byte {} (seq {}, sent at {:.6g} s) "
          "is still alive when the next incarnation, {:.6g} s after the close, chooses ISS_new = {} and its window "
          "[{}, {}) takes it.",
          why, speed, w.duration_seconds, bytes_text(w.bytes), w.offset, w.seq, w.sent_seconds, w.gap_seconds,
          w.iss_new, w.rcv_nxt, w.window_end);
      region.witness = w;
    } else {
      region.explanation = fmt::format(
          "Protected by the ISN alone: a slow connection that ends at least MSL + W / R before the ISN clock wraps "
          "(E <= {:.6g} s) leaves its sequence numbers behind the clock, and within MSL of its close the clock "
          "cannot come round to them again (Z3: unsat for every ISS_old, duration, byte count and gap up to MSL).",
          up_to);
    }
    out.regions.push_back(std::move(region));
  }

  // The summary follows the regions' answers, in their order.
  const auto words = [&](const Region& g) -> std::string {
    if (g.name == "short-slow")
      return fmt::format("short, slow connections that end at least MSL + W / R before the clock wraps (E <= {:.6g} s)",
                         up_to);
    if (g.name == "short-slow-edge") return "short, slow connections that end closer to the wrap";
    return fmt::format("{}, {} connections", g.long_lived ? "long" : "short", g.slow ? "slow" : "fast");
  };
  std::string safe, unsafe;
  for (const Region& g : out.regions) {
    if (g.empty) continue;
    std::string& list = g.protected_by_isn ? safe : unsafe;
    if (!list.empty()) list += "; ";
    list += words(g);
  }
  out.explanation =
      fmt::format("With the ISN clock at {}/s (TwrapISN = 2^32 / R = {:.6g} s, {}), the ISN alone protects ", q.rate,
                  twrap, hours(twrap));
  out.explanation += safe.empty() ? std::string("no connection") : safe;
  if (!unsafe.empty()) out.explanation += "; these need TIME-WAIT so that old duplicates die first: " + unsafe;
  out.explanation += ".";
  if (q.rate == kRfc793IsnRate)
    out.note =
        "RFC 793 and RFC 1337 say the ISN wraps in about 4.55 hours: that is 2^32 / 2^18 s = 16384 s (a clock "
        "stepping every 3.81 us); one step every 4 us (250000/s) wraps in 2^32 / 250000 = 17179.9 s = 4.77 h.";
  return out;
}

// ---- time-wait ------------------------------------------------------------------------------------------------

namespace {

constexpr double kMaxMsl = 1e9;

/// `v` (> 0, finite) exactly, as a Z3 rational: a double is a 53-bit integer times a power of two.
z3::expr exact_real(z3::context& c, double v) {
  int exponent = 0;
  const double mantissa = std::frexp(v, &exponent);  // v = mantissa x 2^exponent, 0.5 <= mantissa < 1
  auto m = static_cast<std::int64_t>(std::ldexp(mantissa, 53));
  exponent -= 53;
  while (m % 2 == 0 && exponent < 0) {
    m /= 2;
    ++exponent;
  }
  z3::expr scale = c.real_val(1);
  for (int i = 0; i < std::abs(exponent); ++i) scale = (scale * c.real_val(2)).simplify();
  return (exponent >= 0 ? c.real_val(m) * scale : c.real_val(m) / scale).simplify();
}

/// A numeral `n` of Z3's as a double; `what` names it in the error when it is not one.
double numeral(const z3::expr& n, const char* what) {
  if (!n.is_numeral()) throw std::runtime_error(fmt::format("Z3 gave no number for {} in time-wait", what));
  return n.as_double();
}

bool is_zero(const z3::expr& n) {
  return n.is_numeral() && (n == 0).simplify().is_true();
}

}  // namespace

TimeWaitBound time_wait(double msl_seconds) {
  if (!std::isfinite(msl_seconds) || msl_seconds <= 0 || msl_seconds > kMaxMsl)
    throw BadQuery(fmt::format("--msl {}: expected a number of seconds > 0 and at most 1e9", msl_seconds));

  z3::context ctx;
  const z3::expr msl = exact_real(ctx, msl_seconds);
  const z3::expr zero = ctx.real_val(0);
  const z3::expr e = ctx.real_const("time_wait_entered");  // A receives B's FIN, sends the final ACK
  const z3::expr f = ctx.real_const("fin_sent");           // B sent that FIN
  const z3::expr a = ctx.real_const("ack_lifetime");       // the final ACK's time in the network
  const z3::expr s = ctx.real_const("segment_sent");       // B sends the segment that arrives last
  const z3::expr x = ctx.real_const("segment_arrived");    // it reaches A
  const z3::expr resent = ctx.bool_const("retransmission");
  // The model of window.hpp; `strict` false gives its closure, every "< " relaxed to "<=".
  const auto facts = [&](bool strict) {
    const auto below = [strict](const z3::expr& l, const z3::expr& r) { return strict ? l < r : l <= r; };
    return e == zero && f <= e && below(e - f, msl) && zero <= a && below(a, msl) &&
           // An original segment left B no later than its FIN; a retransmission (of the FIN or of unacknowledged
           // data) may leave at any instant from the FIN until the final ACK reaches B, never after: B is CLOSED.
           z3::ite(resent, f <= s && below(s, e + a), s <= f) && zero <= x - s && below(x - s, msl);
  };
  const z3::expr latest = x - e;

  // Z3 4.8.11 and later do not report optima under strict bounds as value - epsilon (Z3 issues 5314 and 5720;
  // 4.8.12 answers 237 here for MSL 120, a feasible point, not the optimum). So the optimiser maximises over the
  // closure, where the optimum is attained and exact; then two questions pin the strict model's supremum to it:
  // no timing reaches it (unsat), and every smaller value is exceeded (a forall-exists formula, proved).
  z3::optimize opt(ctx);
  opt.add(facts(false));
  const z3::optimize::handle objective = opt.maximize(latest);
  if (opt.check() != z3::sat) throw std::runtime_error("Z3 found no timing for the time-wait question");
  // The optimum as a * infinity + b + c * epsilon: over the closure a and c must be 0.
  const z3::expr_vector parts(ctx, Z3_optimize_get_upper_as_vector(ctx, opt, objective.h()));
  ctx.check_error();
  if (parts.size() != 3 || !is_zero(parts[0]) || !parts[1].is_numeral() || !is_zero(parts[2]))
    throw std::runtime_error("Z3 found no finite, exact optimum for the time-wait question");
  std::string bound_text;  // "p/q": the optimum as an exact rational, whatever sort Z3 gave its coefficients
  parts[1].is_numeral(bound_text);
  const z3::expr bound = ctx.real_val(bound_text.c_str());
  if (!opt.get_model().eval(latest == bound, true).is_true())
    throw std::runtime_error("Z3's optimum for the time-wait question does not match its model");

  TimeWaitBound out;
  out.msl = msl_seconds;
  out.bound = numeral(bound, "the bound");
  out.bound_in_msl = numeral((bound / msl).simplify(), "the bound in MSL");
  z3::solver reach(ctx);
  reach.add(facts(true) && latest >= bound);
  const z3::check_result reached = reach.check();
  if (reached == z3::unknown) throw std::runtime_error("Z3 answered unknown: does an arrival reach the bound?");
  out.attained = reached == z3::sat;
  if (!out.attained) {
    // The bound is the least upper bound: for every delta > 0 some timing arrives later than bound - delta.
    const z3::expr delta = ctx.real_const("delta");
    z3::expr_vector timing(ctx);
    for (const z3::expr& v : {e, f, a, s, x, resent}) timing.push_back(v);
    z3::solver least(ctx);
    least.add(!z3::forall(delta, z3::implies(delta > zero, z3::exists(timing, facts(true) && latest > bound - delta))));
    if (least.check() != z3::unsat)
      throw std::runtime_error("Z3 did not prove the time-wait bound is the least upper bound");
  }

  // A witness near the supremum: the optimiser's model lies on the closure's boundary (lifetimes of exactly MSL),
  // which the strict model excludes, so ask for a timing within MSL / 100 of the bound.
  z3::solver near(ctx);
  near.add(facts(true) && latest >= bound - msl / ctx.real_val(100));
  if (near.check() != z3::sat) throw std::runtime_error("Z3 found no timing near the time-wait bound");
  const z3::model m = near.get_model();
  const auto at = [&](const z3::expr& t, const char* what) { return numeral(m.eval(t, true).simplify(), what); };
  const bool retransmission = m.eval(resent, true).is_true();
  out.witness = {
      {"B sends its FIN", at(f, "fin_sent")},
      {"A receives the FIN: enters TIME-WAIT, sends the final ACK", at(e, "time_wait_entered")},
      {retransmission ? "B, still in LAST-ACK, retransmits its FIN (its timer fires before the ACK arrives)"
                      : "B sends its last original segment",
       at(s, "segment_sent")},
      {"the final ACK reaches B: B closes", at(e + a, "ack_arrived")},
      {retransmission ? "the retransmitted FIN reaches A (A restarts TIME-WAIT)" : "that segment reaches A",
       at(x, "segment_arrived")},
  };
  std::stable_sort(out.witness.begin(), out.witness.end(),
                   [](const TimeWaitEvent& l, const TimeWaitEvent& r) { return l.seconds < r.seconds; });

  const std::string when =
      out.attained
          ? fmt::format(
                "With MSL = {} s, the latest a segment of the old connection reaches A is {} s = {} x MSL after "
                "A enters TIME-WAIT.",
                out.msl, out.bound, out.bound_in_msl)
          : fmt::format(
                "With MSL = {} s, a segment of the old connection can reach A until just before {} s = {} x MSL after "
                "A enters TIME-WAIT. {} s is a supremum, not attained: every lifetime is strictly less than MSL, so "
                "the optimum is {} - epsilon (Z3 proves that no timing reaches {} s and that every smaller value is "
                "exceeded), and every real arrival is strictly earlier.",
                out.msl, out.bound, out.bound_in_msl, out.bound, out.bound, out.bound);
  out.explanation =
      when +
      " The first MSL is the final ACK's lifetime: until the ACK reaches B, B is still in LAST-ACK and may "
      "retransmit its FIN or unacknowledged data at any instant. The second MSL is the lifetime of that last "
      "retransmission, sent just before the ACK arrived. (What B sent before its FIN arrives within MSL of the FIN's "
      "sending, so before A is MSL into TIME-WAIT.) A retransmitted FIN that arrives restarts TIME-WAIT, so the clock "
      "that matters starts at the last (re)start, and the ACK A sends in reply starts the same two lifetimes again. "
      "Hence TIME-WAIT must last 2 x MSL (RFC 9293 section 3.3.2 and 3.10.7.4, \"TIME-WAIT ... 2 MSL\"; RFC 1337).";
  return out;
}

}  // namespace smt::window
