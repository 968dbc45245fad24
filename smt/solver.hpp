#pragma once
// The small interface over Z3 that symbolic sequence numbers need (issue 5): is a conjunction of atoms over
// 32-bit sequence numbers satisfiable, does it imply another atom, which values satisfy it, and the query as
// SMT-LIB2 for a bug report. An atom is model::sym::Atom: "(x - y) mod 2^32 in the circular interval
// [lo, hi]", which covers SEQ_LT (RFC 9293 §3.4: (a - b) <s 0), SEQ_LE, equality and their negations.
//
// One Solver per thread: it owns its z3::context (Z3 contexts are not thread-safe) and a cache keyed by the
// query (the sorted, de-duplicated atoms), so the search asks Z3 each distinct question once per thread.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "model/symbolic.hpp"

namespace smt {

using model::sym::Atom;
using model::sym::Symbol;

/// Values of the symbols a query mentions (kZero is never listed: it is 0).
using Assignment = std::map<Symbol, std::uint32_t>;

class Solver final : public model::sym::Decider {
 public:
  Solver();
  ~Solver() override;
  Solver(const Solver&) = delete;
  Solver& operator=(const Solver&) = delete;

  /// Is there a value of every symbol making all atoms true?
  bool feasible(std::span<const Atom> atoms) override;
  /// Does every assignment satisfying `premises` satisfy `conclusion`? (premises and not conclusion is
  /// unsatisfiable.)
  bool implies(std::span<const Atom> premises, const Atom& conclusion);
  /// A satisfying assignment, or nothing when the atoms are unsatisfiable.
  std::optional<Assignment> model(std::span<const Atom> atoms);
  /// The query as an SMT-LIB2 script (declarations, assertions, check-sat, get-model).
  std::string smtlib2(std::span<const Atom> atoms);

  /// Questions answered so far, how many of them the cache answered, and how many went to Z3 (the rest were
  /// forests of pairs, decided exactly by model::sym::decide_forest).
  std::uint64_t queries() const { return queries_; }
  std::uint64_t cache_hits() const { return hits_; }
  std::uint64_t z3_calls() const { return z3_calls_; }
  /// Send every question to Z3, even forests (tests check that both ways agree).
  void set_z3_only(bool on) { z3_only_ = on; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::map<std::vector<Atom>, bool> cache_;
  std::uint64_t queries_ = 0;
  std::uint64_t hits_ = 0;
  std::uint64_t z3_calls_ = 0;
  bool z3_only_ = false;
};

/// Totals over every Solver of the process (all threads): questions, cache answers, Z3 calls.
struct Stats {
  std::uint64_t queries = 0;
  std::uint64_t cache_hits = 0;
  std::uint64_t z3_calls = 0;
};
Stats stats();

/// A fresh solver, as the model's per-thread Decider factory wants it.
std::unique_ptr<model::sym::Decider> make_decider();
/// The same, sending every question to Z3.
std::unique_ptr<model::sym::Decider> make_z3_only_decider();

}  // namespace smt
