#include "model/symbolic.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <deque>
#include <map>
#include <mutex>
#include <numeric>
#include <stdexcept>

namespace model::sym {

namespace {

constexpr std::uint64_t kSpace = std::uint64_t{1} << 32;

/// A set of 32-bit values as sorted, disjoint, inclusive [lo, hi] pieces.
using Pieces = std::vector<std::pair<std::uint64_t, std::uint64_t>>;

Pieces pieces(const Atom& a) {
  if (a.lo <= a.hi) return {{a.lo, a.hi}};
  return {{0, a.hi}, {a.lo, kSpace - 1}};
}

Pieces intersect(const Pieces& p, const Pieces& q) {
  Pieces out;
  for (const auto& [a, b] : p)
    for (const auto& [c, d] : q) {
      const std::uint64_t lo = std::max(a, c), hi = std::min(b, d);
      if (lo <= hi) out.emplace_back(lo, hi);
    }
  std::sort(out.begin(), out.end());
  return out;
}

/// The differences each pair of symbols may take, per (x, y).
std::map<std::pair<Symbol, Symbol>, Pieces> per_pair(std::span<const Atom> atoms) {
  std::map<std::pair<Symbol, Symbol>, Pieces> out;
  for (const Atom& a : atoms) {
    const auto key = std::pair(a.x, a.y);
    const auto it = out.find(key);
    if (it == out.end())
      out.emplace(key, pieces(a));
    else
      it->second = intersect(it->second, pieces(a));
  }
  return out;
}

/// Whether the pairs, as edges between symbols, form a forest (no cycle), by union-find.
bool forest(const std::map<std::pair<Symbol, Symbol>, Pieces>& pairs) {
  std::array<unsigned, 256> parent;
  std::iota(parent.begin(), parent.end(), 0u);
  const auto root = [&](unsigned v) {
    while (parent[v] != v) v = parent[v] = parent[parent[v]];
    return v;
  };
  for (const auto& entry : pairs) {
    const unsigned a = root(entry.first.first), b = root(entry.first.second);
    if (a == b) return false;
    parent[a] = b;
  }
  return true;
}

std::string interval_text(std::uint32_t lo, std::uint32_t hi) {
  const auto slo = static_cast<std::int32_t>(lo), shi = static_cast<std::int32_t>(hi);
  if (slo <= shi) return slo == shi ? fmt::format("{{{}}}", slo) : fmt::format("[{}, {}]", slo, shi);
  return fmt::format("[{}, {}] (unsigned, mod 2^32)", lo, hi);
}

std::string pieces_text(Pieces p) {
  if (p.empty()) return "{} (impossible)";
  // A set that runs past 2^32 - 1 into 0 is one circular interval: print it so.
  if (p.size() >= 2 && p.front().first == 0 && p.back().second == kSpace - 1) {
    p.back().second = p.front().second + kSpace;
    p.erase(p.begin());
  }
  std::string out;
  for (const auto& [lo, hi] : p) {
    if (!out.empty()) out += " or ";
    out += interval_text(static_cast<std::uint32_t>(lo), static_cast<std::uint32_t>(hi));
  }
  return out;
}

std::string difference_text(Symbol x, Symbol y) {
  return y == kZero ? symbol_name(x) : symbol_name(x) + " - " + symbol_name(y);
}

// ---- the intern table ----------------------------------------------------------------------------------
struct Table {
  std::mutex mutex;
  std::map<std::vector<Atom>, std::uint32_t> ids;
  std::deque<std::vector<Atom>> conjunctions{std::vector<Atom>{}};
  Table() { ids.emplace(std::vector<Atom>{}, 0); }
};
Table& table() {
  static Table t;
  return t;
}

std::mutex g_factory_mutex;
std::function<std::unique_ptr<Decider>()> g_factory;

}  // namespace

std::string symbol_name(Symbol s) {
  if (s == kZero) return "0";
  const unsigned side = (s - 1u) / 32u, k = (s - 1u) % 32u;
  return fmt::format("ISS_{}{}", side == 0 ? 'A' : 'B', k);
}

std::optional<Symbol> parse_symbol(std::string_view name) {
  if (name.size() < 6 || !name.starts_with("ISS_") || (name[4] != 'A' && name[4] != 'B')) return std::nullopt;
  unsigned k = 0;
  for (const char c : name.substr(5)) {
    if (c < '0' || c > '9' || k > kMaxConnections) return std::nullopt;
    k = k * 10 + static_cast<unsigned>(c - '0');
  }
  if (k < 1 || k > kMaxConnections || name[5] == '0') return std::nullopt;
  return iss_symbol(name[4] == 'A' ? 0 : 1, k);
}

Atom make_atom(Symbol x, Symbol y, std::uint32_t lo, std::uint32_t hi) {
  if (x == y) throw std::logic_error("an atom relates two different symbols");
  if (x > y) return Atom{x, y, {0, 0}, lo, hi};
  return Atom{y, x, {0, 0}, static_cast<std::uint32_t>(0u - hi), static_cast<std::uint32_t>(0u - lo)};
}

Atom negate(const Atom& a) {
  if (static_cast<std::uint32_t>(a.hi + 1) == a.lo) throw std::logic_error("negating an atom that always holds");
  return Atom{a.x, a.y, {0, 0}, a.hi + 1, a.lo - 1};
}

// (X + p) - (Y + q) = (X - Y) + (p - q): the condition on d = X - Y is the condition on d + (p - q) shifted.
Atom seq_lt_atom(std::uint32_t a, std::uint32_t b) {
  const std::uint32_t shift = static_cast<std::uint32_t>(offset_of(a)) - static_cast<std::uint32_t>(offset_of(b));
  return make_atom(symbol_of(a), symbol_of(b), 0x80000000u - shift, 0xFFFFFFFFu - shift);  // (d + shift) <s 0
}
Atom seq_le_atom(std::uint32_t a, std::uint32_t b) {
  const std::uint32_t shift = static_cast<std::uint32_t>(offset_of(a)) - static_cast<std::uint32_t>(offset_of(b));
  return make_atom(symbol_of(a), symbol_of(b), 0x80000000u - shift, 0u - shift);  // (d + shift) <s 0 or == 0
}
Atom equal_atom(std::uint32_t a, std::uint32_t b) {
  const std::uint32_t shift = static_cast<std::uint32_t>(offset_of(a)) - static_cast<std::uint32_t>(offset_of(b));
  return make_atom(symbol_of(a), symbol_of(b), 0u - shift, 0u - shift);
}

bool holds(const Atom& a, const std::function<std::uint32_t(Symbol)>& value) {
  const auto of = [&](Symbol s) { return s == kZero ? 0u : value(s); };
  const std::uint32_t d = of(a.x) - of(a.y);
  return static_cast<std::uint32_t>(d - a.lo) <= static_cast<std::uint32_t>(a.hi - a.lo);
}

std::string atom_text(const Atom& a) {
  return difference_text(a.x, a.y) + " in " + pieces_text(pieces(a));
}

void set_decider_factory(std::function<std::unique_ptr<Decider>()> factory) {
  const std::lock_guard lock(g_factory_mutex);
  g_factory = std::move(factory);
}

Decider& thread_decider() {
  thread_local std::unique_ptr<Decider> decider;
  if (!decider) {
    const std::lock_guard lock(g_factory_mutex);
    if (!g_factory) throw std::logic_error("symbolic ISNs need a Decider (set_decider_factory)");
    decider = g_factory();
  }
  return *decider;
}

std::uint32_t intern(std::vector<Atom> atoms) {
  std::sort(atoms.begin(), atoms.end());
  atoms.erase(std::unique(atoms.begin(), atoms.end()), atoms.end());
  Table& t = table();
  const std::lock_guard lock(t.mutex);
  if (const auto it = t.ids.find(atoms); it != t.ids.end()) return it->second;
  const auto id = static_cast<std::uint32_t>(t.conjunctions.size());
  if (id == kInfeasible) throw std::length_error("too many path constraints to intern");
  t.conjunctions.push_back(atoms);
  t.ids.emplace(std::move(atoms), id);
  return id;
}

std::vector<Atom> constraints(std::uint32_t id) {
  Table& t = table();
  const std::lock_guard lock(t.mutex);
  return t.conjunctions.at(id);
}

std::size_t interned() {
  Table& t = table();
  const std::lock_guard lock(t.mutex);
  return t.conjunctions.size();
}

// ---- paths ----------------------------------------------------------------------------------------------
/// One choice point of a run: which outcome it took (1: the comparison holds) and whether the other outcome
/// was feasible too (only then was an atom added, and only then is there something to backtrack to).
struct Choice {
  bool outcome = true;
  bool both = false;
};

struct Path {
  bool strict = false;         ///< no decisions: a comparison across symbols is a bug
  std::vector<Atom> atoms;     ///< the base conjunction, then the atoms this run chose or assumed
  std::vector<Choice> script;  ///< choices to replay, from the previous run
  std::vector<Choice> taken;   ///< choices of this run
  bool infeasible = false;

  bool feasible_with(const Atom& a) {
    atoms.push_back(a);
    const bool ok = thread_decider().feasible(atoms);
    atoms.pop_back();
    return ok;
  }

  bool decide(const Atom& yes) {
    if (strict) throw std::logic_error("a comparison across ISN symbols outside a branching scope: " + atom_text(yes));
    Choice c;
    if (taken.size() < script.size()) {
      c = script[taken.size()];
    } else {
      const bool can_hold = feasible_with(yes), can_fail = feasible_with(negate(yes));
      if (!can_hold && !can_fail) throw std::logic_error("an infeasible path reached a comparison");
      c.outcome = can_hold;
      c.both = can_hold && can_fail;
    }
    if (c.both) atoms.push_back(c.outcome ? yes : negate(yes));
    taken.push_back(c);
    return c.outcome;
  }
};

thread_local constinit Path* g_path = nullptr;

StrictScope::StrictScope() : outer_(g_path) {
  thread_local Path strict_path = [] {
    Path p;
    p.strict = true;
    return p;
  }();
  g_path = &strict_path;
}
StrictScope::~StrictScope() {
  g_path = outer_;
}

void explore(std::uint32_t base, const std::function<void()>& run, const std::function<void(std::uint32_t)>& finish) {
  Path* const outer = g_path;
  const std::vector<Atom> base_atoms = constraints(base);
  std::vector<Choice> script;
  for (;;) {
    Path p;
    p.atoms = base_atoms;
    p.script = script;
    g_path = &p;
    try {
      run();
    } catch (...) {
      g_path = outer;
      throw;
    }
    g_path = outer;
    if (p.infeasible)
      finish(kInfeasible);
    else
      finish(p.atoms.size() == base_atoms.size() ? base : intern(p.atoms));
    // Backtrack: the last choice whose other outcome is feasible and untried (the first run tries "holds").
    script = std::move(p.taken);
    while (!script.empty() && !(script.back().both && script.back().outcome)) script.pop_back();
    if (script.empty()) return;
    script.back().outcome = false;
  }
}

void assume(const Atom& a) {
  Path* p = g_path;
  if (p == nullptr || p->strict) throw std::logic_error("assume() outside explore()");
  if (p->infeasible) return;
  if (!p->feasible_with(negate(a))) return;  // already implied
  if (p->feasible_with(a))
    p->atoms.push_back(a);
  else
    p->infeasible = true;
}

bool path_lt(std::uint32_t a, std::uint32_t b) {
  if (symbol_of(a) == symbol_of(b)) return static_cast<std::int32_t>(a - b) < 0;
  return g_path->decide(seq_lt_atom(a, b));
}
bool path_le(std::uint32_t a, std::uint32_t b) {
  if (symbol_of(a) == symbol_of(b)) return static_cast<std::int32_t>(a - b) <= 0;
  return g_path->decide(seq_le_atom(a, b));
}
bool path_eq(std::uint32_t a, std::uint32_t b) {
  if (symbol_of(a) == symbol_of(b)) return a == b;
  return g_path->decide(equal_atom(a, b));
}

std::uint32_t rebase(std::uint32_t ack, std::uint32_t una, std::uint32_t nxt) {
  if (g_path == nullptr || symbol_of(ack) == symbol_of(nxt)) return ack;
  if (symbol_of(una) != symbol_of(nxt)) throw std::logic_error("rebase: SND.UNA and SND.NXT of different symbols");
  for (std::uint32_t v = una + 1; v != nxt; ++v)
    if (path_eq(ack, v)) return v;
  return nxt;  // the path allows no other place
}

// ---- conditions -----------------------------------------------------------------------------------------
std::string condition_text(const std::vector<Atom>& atoms) {
  if (atoms.empty()) return "true";
  std::string out;
  for (const auto& [pair, set] : per_pair(atoms)) {
    if (!out.empty()) out += " and ";
    out += difference_text(pair.first, pair.second) + " in " + pieces_text(set);
  }
  return out;
}

std::optional<double> probability(const std::vector<Atom>& atoms) {
  const auto pairs = per_pair(atoms);
  if (!forest(pairs)) return std::nullopt;
  double p = 1.0;
  for (const auto& [pair, set] : pairs) {
    std::uint64_t size = 0;
    for (const auto& [lo, hi] : set) size += hi - lo + 1;
    p *= static_cast<double>(size) / static_cast<double>(kSpace);
  }
  return p;
}

std::optional<bool> decide_forest(std::span<const Atom> atoms) {
  const auto pairs = per_pair(atoms);
  for (const auto& [pair, set] : pairs)
    if (set.empty()) return false;
  if (!forest(pairs)) return std::nullopt;
  return true;
}

}  // namespace model::sym
