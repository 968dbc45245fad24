// `teardown window`'s questions (smt/window.hpp): exact sat/unsat answers, every witness re-checked with plain
// uint32 arithmetic (independent of Z3), the exact count and probability for random ISNs, the wrap times,
// the boundaries (inclusive or not) of each question, and RFC 1337's four regions.

#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>
#include <string>

#include "smt/window.hpp"

namespace w = smt::window;
using w::Answer;

namespace {

constexpr std::uint64_t kTwo31 = std::uint64_t{1} << 31;
constexpr std::uint64_t kTwo32 = std::uint64_t{1} << 32;

/// RFC 9293 §3.4 in plain C++: SEQ_LT(a, b) is (a - b) < 0 as a signed 32-bit number.
bool seq_lt(std::uint32_t a, std::uint32_t b) {
  return static_cast<std::int32_t>(a - b) < 0;
}
bool seq_leq(std::uint32_t a, std::uint32_t b) {
  return static_cast<std::int32_t>(a - b) <= 0;
}
bool in_window(std::uint32_t seq, std::uint32_t rcv_nxt, std::uint64_t wnd) {
  return seq_leq(rcv_nxt, seq) && seq_lt(seq, static_cast<std::uint32_t>(rcv_nxt + wnd));
}

/// Every condition of the overlap question, re-checked on the witness.
void check_overlap_witness(const w::OverlapQuery& q, const w::OverlapWitness& x) {
  CHECK(x.rcv_nxt == static_cast<std::uint32_t>(x.iss_new + 1));
  CHECK(x.window_end == static_cast<std::uint32_t>(x.rcv_nxt + q.window));
  CHECK(x.offset >= 1);
  CHECK(x.offset <= q.data);
  CHECK(x.seq == static_cast<std::uint32_t>(x.iss_old + x.offset));
  CHECK(static_cast<std::uint32_t>(x.seq - x.iss_old - 1) < q.data);  // an old data byte
  CHECK(in_window(x.seq, x.rcv_nxt, q.window));
  CHECK(x.sent_seconds <= x.duration_seconds);  // sent before the close
  CHECK(x.new_isn_seconds == Approx(x.duration_seconds + q.gap_seconds));
  CHECK(x.arrived_seconds >= x.new_isn_seconds - 1e-9);               // meets the new window
  CHECK(x.arrived_seconds <= x.sent_seconds + q.msl_seconds + 1e-9);  // still alive
  if (q.clock_rate) CHECK(static_cast<std::uint32_t>(x.iss_new - x.iss_old) == static_cast<std::uint32_t>(x.ticks));
}

w::OverlapQuery clock_query(double rate, std::uint64_t window, std::uint64_t data, double duration, double gap) {
  w::OverlapQuery q;
  q.clock_rate = rate;
  q.window = window;
  q.data = data;
  q.duration_seconds = duration;
  q.gap_seconds = gap;
  return q;
}

}  // namespace

TEST_CASE("window: SEQ comparisons wrap, plain unsigned ones do not (the 32-bit trap)") {
  // The window [2^32 - 5, 5) straddles zero: 2 is in it by SEQ_LT, yet 2 < 2^32 - 5 as plain numbers.
  const std::uint32_t rcv_nxt = static_cast<std::uint32_t>(kTwo32 - 5);
  CHECK(in_window(2, rcv_nxt, 10));
  CHECK_FALSE(rcv_nxt <= 2u);
  CHECK_FALSE(in_window(5, rcv_nxt, 10));  // the right edge is exclusive
  CHECK(in_window(rcv_nxt, rcv_nxt, 10));  // the left edge is inclusive
}

TEST_CASE("window overlap: random ISNs give a witness and the exact count W + D - 1") {
  w::OverlapQuery q;  // W = D = 65535, gap 0, MSL 120
  const w::OverlapResult r = w::overlap(q);
  REQUIRE(r.answer == Answer::Sat);
  REQUIRE(r.witness);
  check_overlap_witness(q, *r.witness);
  CHECK(r.alive);
  CHECK(r.isn_values == 65535 + 65535 - 1);
  CHECK(r.probability == 131069.0 / 4294967296.0);
  CHECK(r.count_proved);
  CHECK(r.explanation.rfind("Yes: ", 0) == 0);
}

TEST_CASE("window overlap: the probability for known windows") {
  w::OverlapQuery q;
  q.window = 1;
  q.data = 1;
  w::OverlapResult r = w::overlap(q);
  CHECK(r.isn_values == 1);  // only ISS_new = ISS_old puts the one old byte at RCV.NXT
  CHECK(r.probability == 1.0 / 4294967296.0);
  CHECK(r.count_proved);
  q.window = 65535;
  r = w::overlap(q);
  CHECK(r.isn_values == 65535);
  CHECK(r.count_proved);
  q.window = w::kMaxWindow;  // W + D - 1 >= 2^32: every ISS_new overlaps
  q.data = kTwo32 - 1;
  r = w::overlap(q);
  CHECK(r.isn_values == kTwo32);
  CHECK(r.probability == 1.0);
  REQUIRE(r.witness);
  check_overlap_witness(q, *r.witness);
}

TEST_CASE("window overlap: an old segment lives MSL, inclusive, then none can overlap") {
  w::OverlapQuery q;
  q.gap_seconds = 120;  // the last segment, sent at the close, arrives exactly MSL later
  w::OverlapResult r = w::overlap(q);
  CHECK(r.answer == Answer::Sat);
  REQUIRE(r.witness);
  check_overlap_witness(q, *r.witness);
  q.gap_seconds = 120.000001;
  r = w::overlap(q);
  CHECK(r.answer == Answer::Unsat);
  CHECK_FALSE(r.witness);
  CHECK_FALSE(r.alive);
  CHECK(r.probability == 0);
  CHECK(r.explanation.rfind("No: ", 0) == 0);
  q.clock_rate = 250000;  // the ISN policy cannot help a dead segment either way
  CHECK(w::overlap(q).answer == Answer::Unsat);
}

TEST_CASE("window overlap: clock ISNs, exact edges with one step per second") {
  // W = 10, D = 5: overlap exactly when ISS_new - ISS_old, the seconds elapsed, is in [-(W-1), D-1] mod 2^32.
  const auto answer = [](double duration) { return w::overlap(clock_query(1, 10, 5, duration, 0)).answer; };
  CHECK(answer(0) == Answer::Sat);
  CHECK(answer(4) == Answer::Sat);                                   // window [ISS+5, ISS+15) holds byte 5
  CHECK(answer(5) == Answer::Unsat);                                 // window [ISS+6, ISS+16): past the old data
  CHECK(answer(static_cast<double>(kTwo32 - 10)) == Answer::Unsat);  // window ends at ISS_old itself (the SYN)
  CHECK(answer(static_cast<double>(kTwo32 - 9)) == Answer::Sat);     // window wraps onto byte 1
  const w::OverlapQuery q = clock_query(1, 10, 5, static_cast<double>(kTwo32 - 9), 0);
  const w::OverlapResult r = w::overlap(q);
  REQUIRE(r.witness);
  check_overlap_witness(q, *r.witness);
  CHECK(r.witness->seq == static_cast<std::uint32_t>(r.witness->iss_old + 1));
  CHECK(r.witness->wrapped);
  // Its window straddles zero: the witness is in it only by SEQ arithmetic.
  CHECK(r.witness->window_end < r.witness->rcv_nxt);
}

TEST_CASE("window overlap: the RFC 793 clock protects a short slow connection, not a fast one") {
  // 60 s of life + 1 s gap at 250000/s: ISS_new - ISS_old = 15250000, far above 65535 bytes.
  w::OverlapQuery q = clock_query(250000, 65535, 65535, 60, 1);
  w::OverlapResult r = w::overlap(q);
  CHECK(r.answer == Answer::Unsat);
  CHECK(r.explanation.find("15250000") != std::string::npos);
  // 1 MB in 0.1 s outruns the clock's 25000 steps.
  q = clock_query(250000, 65535, 1000000, 0.1, 0);
  r = w::overlap(q);
  REQUIRE(r.answer == Answer::Sat);
  REQUIRE(r.witness);
  check_overlap_witness(q, *r.witness);
  CHECK(r.witness->ticks == 25000);
  CHECK_FALSE(r.witness->wrapped);
}

TEST_CASE("window overlap: clock ISNs with any life find the shortest old connection that overlaps") {
  w::OverlapQuery q;
  q.clock_rate = 250000;
  q.gap_seconds = 1;
  const w::OverlapResult r = w::overlap(q);
  REQUIRE(r.answer == Answer::Sat);
  REQUIRE(r.witness);
  check_overlap_witness(q, *r.witness);
  // The first elapsed step count that reaches back to the old data is 2^32 - (W - 1).
  CHECK(r.witness->ticks == kTwo32 - 65534);
  CHECK(r.witness->duration_seconds == Approx(static_cast<double>(kTwo32 - 65534 - 250000) / 250000));
  CHECK(r.witness->wrapped);
}

TEST_CASE("window overlap: bad parameters name their option") {
  w::OverlapQuery q;
  q.window = 0;
  CHECK_THROWS_WITH(w::overlap(q), Catch::StartsWith("--window 0"));
  q.window = w::kMaxWindow + 1;
  CHECK_THROWS_AS(w::overlap(q), w::BadQuery);
  q = {};
  q.data = 0;
  CHECK_THROWS_WITH(w::overlap(q), Catch::StartsWith("--data 0"));
  q = {};
  q.gap_seconds = -1;
  CHECK_THROWS_WITH(w::overlap(q), Catch::StartsWith("--gap"));
  q = {};
  q.msl_seconds = 0;
  CHECK_THROWS_WITH(w::overlap(q), Catch::StartsWith("--msl"));
  q = {};
  q.clock_rate = 0;
  CHECK_THROWS_WITH(w::overlap(q), Catch::StartsWith("--isn clock:0"));
  q = {};
  q.duration_seconds = std::numeric_limits<double>::quiet_NaN();
  CHECK_THROWS_WITH(w::overlap(q), Catch::StartsWith("--duration"));
}

TEST_CASE("window wrap: 10 Mbit/s with MSL 120 s cannot wrap") {
  const w::WrapResult r = w::wrap({1.25e6, 120});
  CHECK(r.answer == Answer::Unsat);
  CHECK_FALSE(r.witness);
  CHECK(r.half_wrap_seconds == Approx(1717.9869184));
  CHECK(r.full_wrap_seconds == Approx(3435.9738368));
  CHECK(r.bytes_per_msl == 150000000);
  CHECK_FALSE(r.same_seq_possible);
}

TEST_CASE("window wrap: 1 Gbit/s wraps within MSL, a pair with equal sequence numbers") {
  const w::WrapResult r = w::wrap({1.25e8, 120});
  REQUIRE(r.answer == Answer::Sat);
  CHECK(r.half_wrap_seconds == Approx(17.179869184));
  CHECK(r.full_wrap_seconds == Approx(34.359738368));
  CHECK(r.same_seq_possible);
  REQUIRE(r.witness);
  const w::WrapWitness& x = *r.witness;
  CHECK(x.same_seq);
  CHECK(x.old_segment.seq == x.new_segment.seq);
  CHECK(x.old_segment.seq == static_cast<std::uint32_t>(x.iss + 1 + x.old_segment.offset));
  CHECK(x.new_segment.seq == static_cast<std::uint32_t>(x.iss + 1 + x.new_segment.offset));
  CHECK(x.new_segment.offset > x.old_segment.offset);
  CHECK((x.new_segment.offset - x.old_segment.offset) % kTwo32 == 0);
  // Sent no faster than R, and the old one still alive: t2 - t1 <= MSL.
  CHECK(x.old_segment.offset <= x.old_segment.byte_times);
  CHECK(x.new_segment.offset - x.old_segment.offset <= x.new_segment.byte_times - x.old_segment.byte_times);
  CHECK(x.new_segment.byte_times - x.old_segment.byte_times <= r.bytes_per_msl);
  CHECK(x.new_segment.seconds - x.old_segment.seconds <= 120);
}

TEST_CASE("window wrap: between 2^31 and 2^32 bytes per MSL, SEQ_LT flips without equal numbers") {
  const w::WrapResult r = w::wrap({2.5e7, 120});  // 3e9 bytes per MSL
  REQUIRE(r.answer == Answer::Sat);
  CHECK_FALSE(r.same_seq_possible);
  REQUIRE(r.witness);
  const w::WrapWitness& x = *r.witness;
  CHECK_FALSE(x.same_seq);
  const std::uint64_t ahead = x.new_segment.offset - x.old_segment.offset;
  CHECK(ahead >= kTwo31);
  CHECK(ahead < kTwo32);
  CHECK(seq_leq(x.new_segment.seq, x.old_segment.seq));  // the later byte does not compare as later
  CHECK(x.new_segment.byte_times - x.old_segment.byte_times <= r.bytes_per_msl);
}

TEST_CASE("window wrap: 2^31 bytes in exactly one MSL is already too many") {
  CHECK(w::wrap({16777216, 128}).answer == Answer::Sat);    // R x MSL = 2^31
  CHECK(w::wrap({16777216, 127}).answer == Answer::Unsat);  // 2^31 - 2^24
  CHECK_THROWS_WITH(w::wrap({0, 120}), Catch::StartsWith("--rate 0"));
  CHECK_THROWS_WITH(w::wrap({1e6, -1}), Catch::StartsWith("--msl -1"));
}

TEST_CASE("window isn-regions: RFC 1337's regions at 250000 steps per second") {
  const w::RegionsQuery q;  // 250000/s, MSL 120 s, W 65535
  const w::RegionsResult r = w::isn_regions(q);
  CHECK(r.isn_wrap_seconds == Approx(17179.869184));
  // Short slow connections are protected up to 2^32 - MSL x R - W steps.
  CHECK(r.protected_up_to_seconds == Approx((4294967296.0 - 30000000 - 65535) / 250000));
  CHECK_FALSE(r.note.empty());
  REQUIRE(r.regions.size() == 5);
  const char* names[] = {"short-slow", "short-slow-edge", "long-slow", "short-fast", "long-fast"};
  const std::uint64_t msl_steps = 30000000;
  const std::uint64_t edge = kTwo32 - msl_steps - 65535;
  for (std::size_t i = 0; i < 5; ++i) {
    const w::Region& g = r.regions[i];
    INFO(g.name);
    CHECK(g.name == names[i]);
    CHECK_FALSE(g.empty);
    if (i == 0) {
      CHECK(g.answer == Answer::Unsat);
      CHECK(g.protected_by_isn);
      CHECK_FALSE(g.witness);
      continue;
    }
    CHECK(g.answer == Answer::Sat);
    CHECK_FALSE(g.protected_by_isn);
    REQUIRE(g.witness);
    const w::RegionWitness& x = *g.witness;
    // The region's own bounds.
    CHECK((x.bytes < x.duration_ticks) == g.slow);
    CHECK((x.duration_ticks >= kTwo32) == g.long_lived);
    if (g.name == "short-slow-edge") CHECK(x.duration_ticks > edge);
    // The question's conditions.
    CHECK(x.gap_ticks <= msl_steps);
    CHECK(x.iss_new == static_cast<std::uint32_t>(x.iss_old + x.duration_ticks + x.gap_ticks));
    CHECK(x.rcv_nxt == static_cast<std::uint32_t>(x.iss_new + 1));
    CHECK(x.offset >= 1);
    CHECK(x.offset <= x.bytes);
    CHECK(x.seq == static_cast<std::uint32_t>(x.iss_old + x.offset));
    CHECK(in_window(x.seq, x.rcv_nxt, q.window));
    CHECK(x.sent_seconds <= x.duration_seconds);
    CHECK(x.arrived_seconds >= x.duration_seconds + x.gap_seconds - 1e-9);
    CHECK(x.arrived_seconds <= x.sent_seconds + q.msl_seconds + 1e-9);
  }
}

TEST_CASE("window isn-regions: when MSL outlasts the ISN wrap, no connection is protected") {
  w::RegionsQuery q;
  q.rate = 1e9;  // TwrapISN = 4.29 s < MSL
  const w::RegionsResult r = w::isn_regions(q);
  REQUIRE(r.regions.size() == 5);
  CHECK(r.regions[0].empty);
  CHECK_FALSE(r.regions[0].protected_by_isn);
  for (std::size_t i = 1; i < 5; ++i) CHECK(r.regions[i].answer == Answer::Sat);
  CHECK(r.explanation.find("protects no connection") != std::string::npos);
  q.rate = -1;
  CHECK_THROWS_WITH(w::isn_regions(q), Catch::StartsWith("--rate -1"));
}

namespace {

/// The seconds of the witness event whose text contains `what` (exactly one must).
double event_at(const w::TimeWaitBound& r, const std::string& what) {
  const w::TimeWaitEvent* found = nullptr;
  for (const w::TimeWaitEvent& ev : r.witness)
    if (ev.what.find(what) != std::string::npos) {
      REQUIRE(found == nullptr);
      found = &ev;
    }
  REQUIRE(found != nullptr);
  return found->seconds;
}

}  // namespace

TEST_CASE("window time-wait: the latest arrival is the supremum 2 x MSL, with a witness that comes within MSL/100") {
  for (const double msl : {1.0, 2.0, 120.0, 0.5}) {
    INFO("msl " << msl);
    const w::TimeWaitBound r = w::time_wait(msl);
    CHECK(r.msl == msl);
    CHECK(r.bound == 2 * msl);  // exact: Z3 works in rationals and MSL is passed exactly
    CHECK(r.bound_in_msl == 2);
    CHECK_FALSE(r.attained);  // every lifetime is strictly below MSL
    REQUIRE(r.witness.size() == 5);
    for (std::size_t i = 1; i < r.witness.size(); ++i) CHECK(r.witness[i - 1].seconds <= r.witness[i].seconds);

    // The witness, re-checked against the model in the header without Z3.
    const double fin = event_at(r, "B sends its FIN");
    const double entered = event_at(r, "enters TIME-WAIT");
    const double ack = event_at(r, "final ACK reaches B");
    const double resent = event_at(r, "retransmits its FIN");
    const double arrived = event_at(r, "retransmitted FIN reaches A");
    CHECK(entered == 0);
    CHECK(fin <= entered);
    CHECK(entered - fin < msl);
    CHECK(ack >= entered);
    CHECK(ack - entered < msl);  // the final ACK lives less than MSL
    CHECK(fin <= resent);
    CHECK(resent < ack);  // B retransmits only before the ACK reaches it
    CHECK(arrived >= resent);
    CHECK(arrived - resent < msl);  // the retransmission lives less than MSL
    CHECK(arrived - entered >= r.bound - msl / 100);
    CHECK(arrived - entered < r.bound);

    CHECK(r.explanation.find("2 x MSL") != std::string::npos);
    CHECK(r.explanation.find("first MSL is the final ACK's lifetime") != std::string::npos);
    CHECK(r.explanation.find("second MSL is the lifetime of that last retransmission") != std::string::npos);
    CHECK(r.explanation.find("restarts TIME-WAIT") != std::string::npos);
    CHECK(r.explanation.find("supremum") != std::string::npos);
  }
}

TEST_CASE("window time-wait: MSL must be positive, finite and at most 1e9 s") {
  CHECK_THROWS_WITH(w::time_wait(0), Catch::StartsWith("--msl 0"));
  CHECK_THROWS_WITH(w::time_wait(-1), Catch::StartsWith("--msl -1"));
  CHECK_THROWS_AS(w::time_wait(std::numeric_limits<double>::quiet_NaN()), w::BadQuery);
  CHECK_THROWS_AS(w::time_wait(std::numeric_limits<double>::infinity()), w::BadQuery);
  CHECK_THROWS_AS(w::time_wait(2e9), w::BadQuery);
  CHECK(w::time_wait(1e9).bound == 2e9);
  CHECK(w::time_wait(0.1).bound == 0.2);  // 0.1 as the double it is, doubled exactly
}
