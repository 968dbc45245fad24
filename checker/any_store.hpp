#pragma once
// One of the three state stores, chosen at run time (SearchOptions::store), behind one small protocol:
//
//   Key  prepare(const std::byte* state, const Hint* reference);  // hash it / intern its slices
//   void prefetch(const Key&), prefetch_deep(const Key&);         // look-ahead hints for insert()
//   Result insert(const Key&, const std::byte* state, StateId parent);
//   void read(StateId, std::byte* out, Hint* fill);               // \pre holds_bytes(id)
//   parent(id), flag(id), set_flag(id), size(), bytes(), Worker   // as StateStore
//
// The search visits the variant once per run and then calls the concrete store directly (no virtual call per
// state); the slow paths (trace rebuilding, lookups after the search) go through the members below.

#include <cstddef>
#include <optional>
#include <utility>
#include <variant>
#include <vector>

#include "checker/hash_store.hpp"
#include "checker/stats.hpp"
#include "checker/store.hpp"
#include "checker/tree_store.hpp"

namespace checker {

struct StoreConfig {
  StoreKind kind = StoreKind::Plain;
  std::size_t state_size = 0;
  std::vector<std::size_t> slices;  ///< tree store: slice offsets (empty: fixed chunks)
  std::size_t max_states = kMaxIds - 64;
  std::size_t max_bytes = 0;
  unsigned initial_log2_slots = 16;
};

/// The slice offsets a model declares as `static constexpr std::array<std::size_t, N> kSlices` (optional).
template <class M>
std::vector<std::size_t> declared_slices() {
  if constexpr (requires { M::kSlices.size(); })
    return std::vector<std::size_t>(M::kSlices.begin(), M::kSlices.end());
  else
    return {};
}

class AnyStore {
 public:
  explicit AnyStore(const StoreConfig& config) : stores_(make(config)) {}

  StoreKind kind() const noexcept { return static_cast<StoreKind>(stores_.index()); }
  template <class F>
  decltype(auto) visit(F&& f) {
    return std::visit(std::forward<F>(f), stores_);
  }
  template <class F>
  decltype(auto) visit(F&& f) const {
    return std::visit(std::forward<F>(f), stores_);
  }
  template <class S>
  const S* get_if() const noexcept {
    return std::get_if<S>(&stores_);
  }

  StateStore::Result find_or_insert(const std::byte* state, StateId parent) {
    return visit([&](auto& s) { return s.insert(s.prepare(state, nullptr), state, parent); });
  }
  std::optional<StateId> find(const std::byte* state) const {
    return visit([&](const auto& s) -> std::optional<StateId> {
      if constexpr (std::is_same_v<std::decay_t<decltype(s)>, StateStore>)
        return s.find(state, s.prepare(state));
      else
        return s.find(state);
    });
  }
  bool holds_bytes(StateId id) const {
    return visit([&](const auto& s) { return s.holds_bytes(id); });
  }
  /// \pre holds_bytes(id).
  void read(StateId id, std::byte* out) const {
    visit([&](const auto& s) { s.read(id, out, nullptr); });
  }
  StateId parent(StateId id) const {
    return visit([&](const auto& s) { return s.parent(id); });
  }
  bool flag(StateId id) const {
    return visit([&](const auto& s) { return s.flag(id); });
  }
  std::size_t size() const {
    return visit([&](const auto& s) { return s.size(); });
  }
  std::size_t bytes() const {
    return visit([&](const auto& s) { return s.bytes(); });
  }

 private:
  using Variant = std::variant<StateStore, TreeStore, HashStore>;  // in StoreKind's order

  static Variant make(const StoreConfig& c) {
    switch (c.kind) {
      case StoreKind::Tree: {
        TreeStore::Config t;
        t.state_size = c.state_size;
        t.slices = c.slices;
        t.max_states = c.max_states;
        t.max_bytes = c.max_bytes;
        t.initial_log2_slots = c.initial_log2_slots;
        return Variant(std::in_place_type<TreeStore>, t);
      }
      case StoreKind::Hash: {
        HashStore::Config h;
        h.state_size = c.state_size;
        h.max_states = c.max_states;
        h.max_bytes = c.max_bytes;
        h.initial_log2_slots = c.initial_log2_slots;
        return Variant(std::in_place_type<HashStore>, h);
      }
      case StoreKind::Plain:
        break;
    }
    StateStore::Config p;
    p.state_size = c.state_size;
    p.max_states = c.max_states;
    p.max_bytes = c.max_bytes;
    p.initial_log2_slots = c.initial_log2_slots;
    return Variant(std::in_place_type<StateStore>, p);
  }

  Variant stores_;
};

}  // namespace checker
