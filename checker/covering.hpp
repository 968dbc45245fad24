#pragma once
// Covering (subsumption) for models whose state is a discrete part plus a symbolic part that stands for a set
// of concrete states (a zone of real times, say), ordered by inclusion. A new state is dropped when a stored
// state with the same discrete part covers it (its set includes the new one's): everything the new state can
// do, the stored one can do too, in as many steps or fewer, so no state or edge property can be violated from
// the new state that is not violated from the stored one.
//
// The model says what covering means:
//
//   std::uint64_t discrete_hash(const State& s) const;        // a hash of the discrete part only
//   bool same_discrete(const State& a, const State& b) const;  // equal discrete parts
//   std::uint32_t symbolic(const State& s) const;              // the symbolic part, interned
//   bool includes(std::uint32_t a, std::uint32_t b) const;     // symbolic part a's set includes b's
//
// `Covering` is an observer adapter: it forwards every event to the observer it wraps and, through the
// observer hook covered(), drops each successor a stored state covers just before the search would store it
// (an exact duplicate counts as covered); every state the search stores is registered as a possible cover.
// It is sound for edge and state properties: every path from a covered state is a path from its cover. Dead
// ends are weaker: a dropped successor still counts as a successor of its source, but a covered state that is
// itself a dead end (no successor from any concrete state it stands for) may have a cover that is not, when the
// cover's larger set also holds concrete states that can move; such a dead end is then not reported. It is not
// for the trap analysis (AG EF) either: a covered state may be able to reach less than the state that covers
// it, so a graph recorded under covering must not be used for it.
//
// Minimality: breadth-first search expands level by level, and a cover is always stored at the same or an
// earlier level than the state it covers, so a shortest counterexample keeps its length: whatever the covered
// state does in k steps, its cover does in k steps from an equal or smaller depth. The trace shown is the one
// through the covering states, which may differ from the one a search without covering shows.
//
// Memory: per state one 64-bit link (its symbolic part and the next state of its discrete part's chain), and
// per discrete part one 12-byte slot in a sharded open-addressing table at load <= 1/2. A lookup walks the
// chain comparing symbolic parts first; only an including one has its discrete part compared (hashes collide).

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "checker/model.hpp"
#include "checker/store.hpp"

namespace checker {

// clang-format off
template <class M>
concept CoverableModel = Model<M> &&
    requires(const M& m, const typename M::State& a, const typename M::State& b) {
      { m.discrete_hash(a) } -> std::convertible_to<std::uint64_t>;
      { m.same_discrete(a, b) } -> std::convertible_to<bool>;
      { m.symbolic(a) } -> std::convertible_to<std::uint32_t>;
      { m.includes(std::uint32_t{}, std::uint32_t{}) } -> std::convertible_to<bool>;
    };
// clang-format on

/// The chains of stored states by discrete part. Thread-safe: any number of threads may add() and
/// covered() at once.
template <CoverableModel M, class StateOf>
class CoverTable {
 public:
  using State = typename M::State;

  /// `state_of(id)` reads back a stored state (the search's store, which is written before its id is
  /// handed to add()).
  CoverTable(const M& model, StateOf state_of) : model_(model), state_of_(std::move(state_of)) {}

  /// Registers the stored state `s` with id `id`.
  void add(const State& s, StateId id) {
    const std::uint64_t h = model_.discrete_hash(s);
    Shard& shard = shards_[shard_of(h)];
    std::lock_guard lock(shard.mutex);
    std::uint32_t& head = shard.head(h);
    link(id).store(std::uint64_t{model_.symbolic(s)} << 32 | head, std::memory_order_relaxed);
    head = id;
  }

  enum class Cover : std::uint8_t { None, Strict };
  /// Whether a stored state strictly covers `s` (its set is larger). A stored state equal to `s` is left to the
  /// store, which finds it without this table (None): searched newest first, the first stored state of the same
  /// discrete hash whose set is equal or larger decides, as if equal states were covered.
  Cover covered(const State& s) const {
    const std::uint64_t h = model_.discrete_hash(s);
    const Shard& shard = shards_[shard_of(h)];
    std::uint32_t at;
    {
      std::lock_guard lock(shard.mutex);
      at = shard.find(h);
    }
    const std::uint32_t sym = model_.symbolic(s);
    while (at != kNoState) {
      const std::uint64_t l = link(at).load(std::memory_order_relaxed);
      const auto stored = static_cast<std::uint32_t>(l >> 32);
      // The same symbolic part under the same discrete hash: the same state, which the store finds itself (as
      // no new state) without reading the stored one back here. Otherwise a larger set covers `s` only when
      // the discrete parts really agree, which reading the stored state back confirms.
      if (stored == sym) return Cover::None;
      if (model_.includes(stored, sym) && model_.same_discrete(state_of_(at), s)) return Cover::Strict;
      at = static_cast<std::uint32_t>(l);
    }
    return Cover::None;
  }

  /// Bytes held: links and shard tables.
  std::size_t bytes() const {
    std::size_t b = chunks_used_.load(std::memory_order_relaxed) * kChunkSize * sizeof(std::uint64_t);
    for (const Shard& s : shards_) b += s.keys.capacity() * (sizeof(std::uint64_t) + sizeof(std::uint32_t));
    return b;
  }

 private:
  static constexpr unsigned kShardBits = 12;
  static constexpr unsigned kChunkBits = 16;
  static constexpr std::size_t kChunkSize = std::size_t{1} << kChunkBits;
  static constexpr std::size_t kChunks = kMaxIds >> kChunkBits;

  struct Shard {
    mutable std::mutex mutex;
    std::vector<std::uint64_t> keys;   // 0: empty (a hash of 0 is stored as 1)
    std::vector<std::uint32_t> heads;  // per key: the newest state of that discrete part
    std::size_t used = 0;

    static std::uint64_t key_of(std::uint64_t h) { return h == 0 ? 1 : h; }
    std::uint32_t find(std::uint64_t h) const {
      if (keys.empty()) return kNoState;
      const std::uint64_t k = key_of(h);
      const std::size_t mask = keys.size() - 1;
      for (std::size_t i = (k >> kShardBits) & mask;; i = (i + 1) & mask) {
        if (keys[i] == k) return heads[i];
        if (keys[i] == 0) return kNoState;
      }
    }
    std::uint32_t& head(std::uint64_t h) {
      if (2 * (used + 1) > keys.size()) grow();
      const std::uint64_t k = key_of(h);
      const std::size_t mask = keys.size() - 1;
      for (std::size_t i = (k >> kShardBits) & mask;; i = (i + 1) & mask) {
        if (keys[i] == k) return heads[i];
        if (keys[i] == 0) {
          keys[i] = k;
          heads[i] = kNoState;
          ++used;
          return heads[i];
        }
      }
    }
    void grow() {
      std::vector<std::uint64_t> old_keys(keys.empty() ? 16 : 2 * keys.size(), 0);
      std::vector<std::uint32_t> old_heads(old_keys.size(), kNoState);
      old_keys.swap(keys);
      old_heads.swap(heads);
      const std::size_t mask = keys.size() - 1;
      for (std::size_t j = 0; j < old_keys.size(); ++j) {
        if (old_keys[j] == 0) continue;
        std::size_t i = (old_keys[j] >> kShardBits) & mask;
        while (keys[i] != 0) i = (i + 1) & mask;
        keys[i] = old_keys[j];
        heads[i] = old_heads[j];
      }
    }
  };

  static std::size_t shard_of(std::uint64_t h) { return h & ((std::size_t{1} << kShardBits) - 1); }

  std::atomic<std::uint64_t>& link(StateId id) const {
    const std::size_t c = id >> kChunkBits;
    std::atomic<std::uint64_t>* chunk = chunks_[c].load(std::memory_order_acquire);
    if (chunk == nullptr) {
      std::lock_guard lock(chunk_mutex_);
      chunk = chunks_[c].load(std::memory_order_relaxed);
      if (chunk == nullptr) {
        owned_.push_back(std::make_unique<std::atomic<std::uint64_t>[]>(kChunkSize));
        chunk = owned_.back().get();
        chunks_[c].store(chunk, std::memory_order_release);
        chunks_used_.fetch_add(1, std::memory_order_relaxed);
      }
    }
    return chunk[id & (kChunkSize - 1)];
  }

  const M& model_;
  StateOf state_of_;
  std::array<Shard, std::size_t{1} << kShardBits> shards_;
  mutable std::array<std::atomic<std::atomic<std::uint64_t>*>, kChunks> chunks_{};
  mutable std::vector<std::unique_ptr<std::atomic<std::uint64_t>[]>> owned_;
  mutable std::mutex chunk_mutex_;
  mutable std::atomic<std::size_t> chunks_used_{0};
};

/// An observer adapter that drops covered successors (see the top of this file) and forwards every event to
/// `inner`. covered_count() counts the successors it dropped that a strictly larger stored state covered (not the
/// exact duplicates of stored states, which the store would have found anyway).
template <CoverableModel M, class Inner, class StateOf>
class Covering {
 public:
  using State = typename M::State;
  using Label = typename M::Label;

  Covering(const M& model, StateOf state_of, Inner& inner) : table_(model, std::move(state_of)), inner_(inner) {}

  Action on_state(const State& s, StateId id) {
    table_.add(s, id);
    if constexpr (requires { inner_.on_state(s, id); }) return inner_.on_state(s, id);
    return Action::Continue;
  }
  Action on_edge(const State& from, StateId from_id, const Label& label, const State& to) {
    if constexpr (requires { inner_.on_edge(from, from_id, label, to); })
      return inner_.on_edge(from, from_id, label, to);
    return Action::Continue;
  }
  /// Called by the search just before it stores a successor (so a sibling stored a moment ago counts).
  bool covered(const State& s) {
    using Cover = typename CoverTable<M, StateOf>::Cover;
    const Cover c = table_.covered(s);
    if (c == Cover::Strict) covered_.fetch_add(1, std::memory_order_relaxed);
    return c != Cover::None;
  }
  Action on_deadlock(const State& s, StateId id) {
    if constexpr (requires { inner_.on_deadlock(s, id); }) return inner_.on_deadlock(s, id);
    return Action::Continue;
  }

  std::size_t covered_count() const { return covered_.load(std::memory_order_relaxed); }
  std::size_t bytes() const { return table_.bytes(); }

 private:
  CoverTable<M, StateOf> table_;
  Inner& inner_;
  std::atomic<std::size_t> covered_{0};
};

}  // namespace checker
