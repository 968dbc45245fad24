#include "smt/solver.hpp"

#include <z3++.h>

#include <algorithm>
#include <atomic>

namespace smt {

struct Solver::Impl {
  z3::context ctx;
  z3::solver incremental{ctx};  ///< made once: making a solver costs far more than a small query

  z3::expr symbol(Symbol s) {
    if (s == model::sym::kZero) return ctx.bv_val(0, 32);
    return ctx.bv_const(model::sym::symbol_name(s).c_str(), 32);
  }
  /// (x - y) in circular [lo, hi]  <=>  (x - y - lo) <=u (hi - lo), all mod 2^32.
  z3::expr atom(const Atom& a) {
    const z3::expr d = symbol(a.x) - symbol(a.y);
    return z3::ule(d - ctx.bv_val(a.lo, 32), ctx.bv_val(static_cast<std::uint32_t>(a.hi - a.lo), 32));
  }
  z3::solver solver_for(std::span<const Atom> atoms) {
    z3::solver s(ctx);
    for (const Atom& a : atoms) s.add(atom(a));
    return s;
  }
};

Solver::Solver() : impl_(std::make_unique<Impl>()) {}
namespace {
std::atomic<std::uint64_t> g_queries, g_hits, g_z3_calls;
}  // namespace

Stats stats() {
  return Stats{g_queries.load(), g_hits.load(), g_z3_calls.load()};
}

Solver::~Solver() = default;

bool Solver::feasible(std::span<const Atom> atoms) {
  ++queries_;
  ++g_queries;
  std::vector<Atom> key(atoms.begin(), atoms.end());
  std::sort(key.begin(), key.end());
  key.erase(std::unique(key.begin(), key.end()), key.end());
  if (const auto it = cache_.find(key); it != cache_.end()) {
    ++hits_;
    ++g_hits;
    return it->second;
  }
  if (const auto quick = model::sym::decide_forest(key); quick && !z3_only_) {
    cache_.emplace(std::move(key), *quick);
    return *quick;
  }
  ++z3_calls_;
  ++g_z3_calls;
  z3::solver& s = impl_->incremental;
  s.push();
  for (const Atom& a : key) s.add(impl_->atom(a));
  const z3::check_result r = s.check();
  s.pop();
  if (r == z3::unknown) throw std::runtime_error("Z3 answered unknown for a bit-vector query: " + smtlib2(key));
  const bool sat = r == z3::sat;
  cache_.emplace(std::move(key), sat);
  return sat;
}

bool Solver::implies(std::span<const Atom> premises, const Atom& conclusion) {
  std::vector<Atom> query(premises.begin(), premises.end());
  query.push_back(model::sym::negate(conclusion));
  return !feasible(query);
}

std::optional<Assignment> Solver::model(std::span<const Atom> atoms) {
  z3::solver s = impl_->solver_for(atoms);
  if (s.check() != z3::sat) return std::nullopt;
  const z3::model m = s.get_model();
  Assignment out;
  for (const Atom& a : atoms)
    for (const Symbol sym : {a.x, a.y}) {
      if (sym == model::sym::kZero || out.contains(sym)) continue;
      const z3::expr v = m.eval(impl_->symbol(sym), true);
      out[sym] = static_cast<std::uint32_t>(v.get_numeral_uint64());
    }
  return out;
}

std::string Solver::smtlib2(std::span<const Atom> atoms) {
  z3::solver s = impl_->solver_for(atoms);
  return s.to_smt2() + "(get-model)\n";
}

std::unique_ptr<model::sym::Decider> make_decider() {
  return std::make_unique<Solver>();
}

std::unique_ptr<model::sym::Decider> make_z3_only_decider() {
  auto s = std::make_unique<Solver>();
  s->set_z3_only(true);
  return s;
}

}  // namespace smt
