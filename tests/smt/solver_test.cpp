// smt::Solver and the atoms of model/symbolic.hpp: 32-bit sequence arithmetic as RFC 9293 §3.4 defines it
// (SEQ_LT(a, b) is (a - b) <s 0, modulo 2^32), window membership at its edges, the exact shortcut for forests
// of pairwise differences against Z3 itself, witnesses, SMT-LIB2, and the probability figure.

#include <catch2/catch.hpp>

#include <random>

#include "model/symbolic.hpp"
#include "model/tcp.hpp"
#include "smt/solver.hpp"

namespace {

using model::sym::Atom;
using model::sym::iss_symbol;
using model::sym::kZero;
using model::sym::pack;

const model::sym::Symbol kA1 = iss_symbol(0, 1);
const model::sym::Symbol kA2 = iss_symbol(0, 2);
const model::sym::Symbol kB1 = iss_symbol(1, 1);

/// x <=u c, as an atom on x alone (x - 0 in [0, c]).
Atom unsigned_at_most(model::sym::Symbol x, std::uint32_t c) {
  return model::sym::make_atom(x, kZero, 0, c);
}

}  // namespace

TEST_CASE("the 32-bit trap: SEQ_LE(x, 10) and x <= 10 differ (RFC 9293 3.4, arithmetic modulo 2^32)") {
  smt::Solver z3;
  z3.set_z3_only(true);
  const Atom seq_le_10 = model::sym::seq_le_atom(pack(kA1, 0), pack(kZero, 10));  // (x - 10) <=s 0
  const Atom le_10 = unsigned_at_most(kA1, 10);
  // Equal for small x, but not the same predicate: x = 2^32 - 5 is "before" 10 in sequence space.
  CHECK(z3.feasible(std::vector{seq_le_10, model::sym::negate(le_10)}));
  const auto w = z3.model(std::vector{seq_le_10, model::sym::negate(le_10)});
  REQUIRE(w);
  const std::uint32_t x = w->at(kA1);
  CHECK(x > 10u);
  CHECK(static_cast<std::int32_t>(x - 10u) <= 0);
  // And the other way round: x = 2^31 + 11 is below 2^32 but after 10 + 2^31, so SEQ_LE(x, 10) is false.
  CHECK(z3.feasible(std::vector{model::sym::negate(seq_le_10), unsigned_at_most(kA1, 0x80000000u + 11)}));
  CHECK_FALSE(z3.feasible(std::vector{seq_le_10, model::sym::negate(seq_le_10)}));
  // Wrap-around: 2^32 - 1 is just before 0.
  CHECK(model::seq_lt(0xFFFFFFFFu, 0u));
  CHECK(z3.implies(std::vector{model::sym::make_atom(kA1, kZero, 0xFFFFFFFFu, 0xFFFFFFFFu)},
                   model::sym::seq_lt_atom(pack(kA1, 0), pack(kZero, 0))));
}

TEST_CASE("window membership at its edges: RCV.NXT =< SEG.SEQ < RCV.NXT + RCV.WND (RFC 9293 3.10.7.4)") {
  smt::Solver z3;
  z3.set_z3_only(true);
  // The receiver's RCV.NXT is ISS_A2 + 1 (window 4); the old segment's SEQ is ISS_A1 + 1.
  const std::uint32_t rcv_nxt = pack(kA2, 1), seq = pack(kA1, 1);
  const Atom low = model::sym::seq_le_atom(rcv_nxt, seq), high = model::sym::seq_lt_atom(seq, rcv_nxt + 4);
  // Inside exactly when ISS_A1 - ISS_A2 is 0, 1, 2 or 3.
  for (const std::uint32_t d : {0u, 1u, 2u, 3u})
    CHECK(z3.feasible(std::vector{low, high, model::sym::make_atom(kA1, kA2, d, d)}));
  for (const std::uint32_t d : {4u, 0xFFFFFFFFu, 0x80000000u, 0x7FFFFFFFu})
    CHECK_FALSE(z3.feasible(std::vector{low, high, model::sym::make_atom(kA1, kA2, d, d)}));
  CHECK(model::sym::condition_text({low, high}) == "ISS_A2 - ISS_A1 in [-3, 0]");
}

TEST_CASE("pairwise forests are decided exactly: the shortcut agrees with Z3 on random queries") {
  smt::Solver quick, z3;
  z3.set_z3_only(true);
  std::mt19937 rng(20261122);
  const model::sym::Symbol symbols[] = {kZero, kA1, kA2, kB1};
  unsigned sat = 0, unsat = 0, cycles = 0;
  for (int round = 0; round < 300; ++round) {
    std::vector<Atom> atoms;
    const int n = 2 + static_cast<int>(rng() % 5);
    for (int i = 0; i < n; ++i) {
      const auto x = symbols[rng() % 4], y = symbols[rng() % 4];
      if (x == y) continue;
      // Intervals near 0 and near 2^31, where the sequence comparisons live, some of them wrapping.
      const std::uint32_t base = (rng() % 2 ? 0u : 0x80000000u) + static_cast<std::uint32_t>(rng() % 16) - 8u;
      atoms.push_back(model::sym::make_atom(x, y, base, base + static_cast<std::uint32_t>(rng() % 12)));
    }
    if (atoms.empty()) continue;
    if (!model::sym::decide_forest(atoms)) ++cycles;
    const bool expected = z3.feasible(atoms);
    CHECK(quick.feasible(atoms) == expected);
    (expected ? sat : unsat)++;
    if (expected) {
      const auto w = z3.model(atoms);
      REQUIRE(w);
      for (const Atom& a : atoms)
        CHECK(model::sym::holds(a, [&](model::sym::Symbol s) { return w->count(s) ? w->at(s) : 0u; }));
    }
  }
  // The random queries cover both answers and both routes.
  CHECK(sat > 20);
  CHECK(unsat > 20);
  CHECK(cycles > 20);
  CHECK(quick.z3_calls() < z3.z3_calls());
}

TEST_CASE("the query as SMT-LIB2, for a bug report") {
  smt::Solver s;
  const std::string text = s.smtlib2(std::vector{model::sym::make_atom(kA2, kA1, 0xFFFFFFFDu, 0)});
  CHECK(text.find("(declare-fun ISS_A2 () (_ BitVec 32))") != std::string::npos);
  CHECK(text.find("bvule") != std::string::npos);
  CHECK(text.find("(check-sat)") != std::string::npos);
}

TEST_CASE("the probability that random ISNs meet a condition: exact for forests") {
  using model::sym::probability;
  // A new ISN within [-3, 0] of the old one: 4 values of 2^32.
  const Atom window = model::sym::make_atom(kA2, kA1, 0xFFFFFFFDu, 0);
  CHECK(probability({window}) == Approx(4.0 / 4294967296.0));
  // Two independent pairs multiply; a second atom on the same pair intersects.
  const Atom other = model::sym::make_atom(kB1, kZero, 0, 0xFFFF);
  CHECK(probability({window, other}) == Approx(4.0 / 4294967296.0 * 65536.0 / 4294967296.0));
  CHECK(probability({window, model::sym::make_atom(kA2, kA1, 0xFFFFFFFFu, 5)}) == Approx(2.0 / 4294967296.0));
  // A cycle of pairs makes the differences dependent: no exact figure.
  CHECK_FALSE(probability({window, model::sym::make_atom(kB1, kA1, 0, 9), model::sym::make_atom(kB1, kA2, 0, 9)}));
  CHECK(probability({}) == 1.0);
}
