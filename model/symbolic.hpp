#pragma once
// Symbolic sequence numbers (isn=symbolic, isn=clock:RATE; DESIGN.md "Symbolic ISNs").
//
// Each connection's ISS on each side is a symbol standing for any of the 2^32 values. Every sequence
// variable and segment field is then a symbol plus a small offset, packed into the same 32 bits a concrete
// value uses: X + off is stored as (X << 24) + off (mod 2^32) with off in [-2^23, 2^23). Adding a constant
// and subtracting two values of one symbol work on the packed form as they do on concrete numbers, so the
// endpoint rules run unchanged. Only comparisons between values of different symbols cannot be decided by
// arithmetic: they ask a Decider which outcomes the path's constraints allow, and the search branches on
// each allowed one (see model/symbolic.cpp, explore()).
//
// Every such constraint has one shape: an Atom, "(x - y) mod 2^32 lies in the circular interval [lo, hi]".
// SEQ_LT(X + a, Y + b) is the Atom (X - Y) in [2^31 - a + b, 2^32 - 1 - a + b]; equality is a one-point
// interval; a negation is the complementary interval. A state carries the conjunction of its path's atoms
// as an interned id, so it stays fixed-size and hashable.
//
// This header knows no Z3: smt/ implements Decider (smt/solver.hpp); the model only calls it.

#include <compare>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace model::sym {

/// 0 is the constant 0 (a reset's SEQ=0); 1 + 32 * side + k (k = 1..31) is the ISS of side's k-th
/// connection (side 0 is A, the client; 1 is B, the server).
using Symbol = std::uint8_t;
inline constexpr Symbol kZero = 0;
inline constexpr unsigned kMaxConnections = 31;
inline Symbol iss_symbol(unsigned side, unsigned k) {
  return static_cast<Symbol>(1 + 32 * side + k);
}
/// "ISS_A1", "ISS_B2"; "0" for kZero.
std::string symbol_name(Symbol s);
/// The symbol symbol_name() spells; nothing for any other text (kZero is not parsed).
std::optional<Symbol> parse_symbol(std::string_view name);

inline std::uint32_t pack(Symbol x, std::int32_t off) {
  return (static_cast<std::uint32_t>(x) << 24) + static_cast<std::uint32_t>(off);
}
inline Symbol symbol_of(std::uint32_t v) {
  return static_cast<Symbol>((v + 0x800000u) >> 24);
}
inline std::int32_t offset_of(std::uint32_t v) {
  return static_cast<std::int32_t>(v - (static_cast<std::uint32_t>(symbol_of(v)) << 24));
}

/// (x - y) mod 2^32 lies in [lo, hi], read circularly: from lo upwards, wrapping past 2^32 - 1, to hi.
/// Canonical form: x > y (y may be kZero, then the atom bounds x itself).
struct Atom {
  Symbol x = 0;
  Symbol y = 0;
  std::uint8_t reserved[2] = {0, 0};
  std::uint32_t lo = 0;
  std::uint32_t hi = 0;

  friend bool operator==(const Atom&, const Atom&) = default;
  friend auto operator<=>(const Atom&, const Atom&) = default;
};
static_assert(sizeof(Atom) == 12);

/// The atom "(x - y) in [lo, hi]" in canonical form (swapped and negated when x < y). \pre x != y.
Atom make_atom(Symbol x, Symbol y, std::uint32_t lo, std::uint32_t hi);
/// The complement: (x - y) outside [lo, hi]. \pre the interval is not all of 2^32.
Atom negate(const Atom& a);
/// SEQ_LT(a, b), SEQ_LE(a, b) and a == b for packed values of different symbols.
Atom seq_lt_atom(std::uint32_t a, std::uint32_t b);
Atom seq_le_atom(std::uint32_t a, std::uint32_t b);
Atom equal_atom(std::uint32_t a, std::uint32_t b);
/// Whether the atom holds when each symbol has the given value (kZero is always 0).
bool holds(const Atom& a, const std::function<std::uint32_t(Symbol)>& value);
/// "ISS_A2 - ISS_A1 in [-3, 0]" (signed when the interval does not straddle 2^31, else "mod 2^32").
std::string atom_text(const Atom& a);

/// Decides satisfiability of a conjunction of atoms over 32-bit values. smt::Solver is the real one.
class Decider {
 public:
  virtual ~Decider() = default;
  virtual bool feasible(std::span<const Atom> atoms) = 0;
};
/// The exact answer for the common case, without a solver: when the pairs of symbols the atoms relate form
/// a forest, the atoms are satisfiable iff each pair's intervals intersect (pick the differences edge by edge
/// from a root: every pair's difference is free of the others). Any pair with an empty intersection makes
/// them unsatisfiable whatever the shape. \returns nothing when the pairs hold a cycle: ask Z3.
std::optional<bool> decide_forest(std::span<const Atom> atoms);

/// Sets how each thread makes its Decider (the command line passes smt::make_decider). Without one, a
/// symbolic search throws at its first comparison across symbols.
void set_decider_factory(std::function<std::unique_ptr<Decider>()> factory);
/// This thread's Decider, made on first use.
Decider& thread_decider();

// ---- path constraints ------------------------------------------------------------------------------------
/// Conjunctions of atoms are interned: a state holds the id; 0 is the empty conjunction (true). Thread-safe.
std::uint32_t intern(std::vector<Atom> atoms);
/// The atoms of an interned conjunction (sorted, distinct).
std::vector<Atom> constraints(std::uint32_t id);
/// How many distinct conjunctions exist so far.
std::size_t interned();

/// Runs `run` once per feasible outcome of the comparisons across symbols it makes: the first run takes the
/// first feasible outcome of each; later runs replay a prefix of those choices and flip the last one that
/// had an untried feasible outcome (a depth-first walk over the choices). `base` is the conjunction the
/// state already carries. After each run, `finish(id)` hears the conjunction its outcomes add up to (base
/// plus the atoms chosen), or finish(kInfeasible) when an assumption made the run impossible.
inline constexpr std::uint32_t kInfeasible = 0xFFFFFFFF;
void explore(std::uint32_t base, const std::function<void()>& run, const std::function<void(std::uint32_t)>& finish);
/// Outside explore() but inside a strict scope, a comparison across symbols is a bug in the model (it would
/// silently compare packed numbers): StrictScope makes it throw std::logic_error instead.
class StrictScope {
 public:
  StrictScope();
  ~StrictScope();
  StrictScope(const StrictScope&) = delete;
  StrictScope& operator=(const StrictScope&) = delete;

 private:
  struct Path* outer_;
};
/// Inside explore(): adds an atom the ISN policy demands; the run becomes infeasible if the path forbids it.
void assume(const Atom& a);

/// SEQ_LT, SEQ_LE and equality of packed values when a path is active (tcp.hpp calls these): same symbol,
/// by arithmetic; different symbols, by the path's choice.
bool path_lt(std::uint32_t a, std::uint32_t b);
bool path_le(std::uint32_t a, std::uint32_t b);
bool path_eq(std::uint32_t a, std::uint32_t b);
struct Path;
extern thread_local constinit Path* g_path;
/// An acknowledgment `ack` the path has placed in (una, nxt] (SEQ_LT(una, ack), SEQ_LE(ack, nxt)), as a value
/// of nxt's symbol: an ACK of an older incarnation taken into SND.UNA gets its exact place in this one's
/// space, one choice per possible place, so later arithmetic on SND.UNA and SND.NXT stays exact.
/// \pre una and nxt have one symbol. Concrete (no path active): returns ack.
std::uint32_t rebase(std::uint32_t ack, std::uint32_t una, std::uint32_t nxt);

// ---- what a violation's path says ---------------------------------------------------------------------------
/// The conjunction as text: per pair of symbols, the set of differences it allows, e.g.
/// "ISS_A2 - ISS_A1 in [-3, 0]"; "true" for the empty conjunction.
std::string condition_text(const std::vector<Atom>& atoms);
/// The probability that independent, uniformly random 32-bit ISNs satisfy the conjunction, exact when its
/// symbols' pairs form a forest (each pair's difference is then uniform and independent of the others);
/// nothing otherwise.
std::optional<double> probability(const std::vector<Atom>& atoms);

}  // namespace model::sym
