#pragma once
// The tree-compressed state store (after Laarman, van de Pol and Weber, "Parallel Recursive State Compression
// for Free", SPIN 2011; the code is this project's own).
//
// A state of `state_size` bytes is cut into k slices (the model declares their offsets; otherwise fixed
// chunks). The slices are the leaves of a balanced binary tree fixed by k alone (the left subtree takes the
// first ceil(k/2) leaves, recursively). Every leaf value is interned in its slice's table (dense 32-bit leaf
// ids); every inner node, a pair of two 32-bit child ids packed in 64 bits, is interned in ONE node table
// shared by all levels; the root pair is interned in the root table, whose dense ids are the state ids, handed
// out in insertion order (so breadth-first search keeps using an id range as its queue).
//
// Why the root has its own table: state ids must be dense and in insertion order, and inner-node ids are not
// (nodes are interned for states that turn out to be known). Keeping roots apart makes the root id the state id
// with no map between the two.
//
// Memory per state: the root pair (8 bytes), the parent word (4 bytes) and one 4-byte slot of the root table at
// load 3/8 to 3/4 (5.3 to 10.7 bytes); slices and inner nodes are shared between states and, on a model whose
// slices take few values, cost little more. On the teardown default model (rfc1337, 9.57 M states) there are
// about 0.6 M inner nodes and a few thousand leaves per slice.
//
// Tables: open addressing with linear probing (the probe walks the rest of the cache line first), 32-bit slots
// holding id + 1 in the low bits and hash bits in the rest (0: empty; all ones: being written), keys in an
// arena indexed by id. A table of 2^s slots holds fewer than 2^s ids, so 32 - s bits are left for the hash:
// a probe reads the arena only when those match (at 2^24 slots, one other key in 256). Insertion is lock-free:
// compare-and-swap an empty slot to "being written", take the next id, write the key, publish the id.
//
// Incremental: `prepare()` takes the tree of a reference state (normally the state being expanded, filled in by
// `read()`); a slice equal to the reference's keeps its leaf id and a node whose two children are unchanged keeps
// its id, so a successor that changes one slice interns only the path above it.
//
// Growth stops the world for all tables at once, as StateStore does (threads park at their next prepare() or
// insert(), each holding a Worker guard). The memory budget covers arenas and tables; past it insertion fails
// with FullMemory, never an allocation failure.

#include <array>
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <vector>

#include "checker/store.hpp"

namespace checker {

/// A lock-free open-addressing table that interns fixed-size keys as dense 32-bit ids (see tree_store.hpp).
/// Growth is not thread-safe: the caller stops every inserter first.
class InternTable {
 public:
  struct Got {
    std::uint32_t id;  ///< kNoState when the id limit is reached
    bool fresh;        ///< the key was inserted by this call
  };

  InternTable(std::size_t key_size, std::size_t max_ids, unsigned log2_slots);

  static std::uint64_t hash_of(const std::byte* key, std::size_t size) noexcept;

  /// Looks `key` up and inserts it when absent and fewer than `id_limit` ids are taken.
  /// \pre hash == hash_of(key, key_size).
  Got intern(const std::byte* key, std::uint64_t hash, std::size_t id_limit);
  std::optional<std::uint32_t> find(const std::byte* key, std::uint64_t hash) const;
  const std::byte* key(std::uint32_t id) const noexcept { return arena_.data() + std::size_t{id} * key_size_; }
  void prefetch(std::uint64_t hash) const noexcept { __builtin_prefetch(&table()[home(hash)]); }
  /// Some time after prefetch(hash): hints that the key in the home slot will be compared.
  void prefetch_key(std::uint64_t hash) const noexcept {
    const std::uint32_t v = table()[home(hash)].load(std::memory_order_relaxed);
    const auto id_mask = static_cast<std::uint32_t>(slots() - 1);
    if (v != 0 && v != kBusy && (v & ~id_mask) == tag_of(hash)) __builtin_prefetch(key((v & id_mask) - 1));
  }

  std::size_t size() const noexcept { return next_.load(std::memory_order_acquire); }
  std::size_t slots() const noexcept { return std::size_t{1} << log2_; }
  bool wants_growth() const noexcept { return size() >= grow_at_; }
  std::size_t table_bytes() const noexcept { return slots() * sizeof(std::uint32_t); }
  std::size_t arena_bytes() const noexcept { return size() * key_size_; }
  /// Doubles the table. \pre no other thread uses the table.
  void grow();

 private:
  static constexpr std::uint32_t kBusy = 0xFFFFFFFFu;
  std::atomic<std::uint32_t>* table() const noexcept {
    return reinterpret_cast<std::atomic<std::uint32_t>*>(table_.data());
  }
  std::size_t home(std::uint64_t hash) const noexcept { return static_cast<std::size_t>(hash >> (64 - log2_)); }
  // A table of 2^s slots holds fewer than 2^s - 1 ids (it grows at 3/4), so id + 1 takes the slot's low s bits
  // and the high 32 - s bits are free for hash bits (ones the home slot did not use): most probes of other keys
  // are told apart without reading the arena. The tag bits shrink as the table grows.
  std::uint32_t tag_of(std::uint64_t hash) const noexcept {
    return (static_cast<std::uint32_t>(hash) >> log2_) << log2_;
  }

  std::size_t key_size_;
  Mapping arena_;
  Mapping table_;
  unsigned log2_;
  std::size_t grow_at_;
  // On a cache line of its own: it is written at every insert, while every probe by every thread reads the
  // fields above (sharing their line made two threads no faster than one).
  alignas(64) std::atomic<std::uint32_t> next_{0};
};

class TreeStore {
 public:
  static constexpr std::size_t kMaxLeaves = 64;
  static constexpr std::size_t kMaxTree = 2 * kMaxLeaves - 1;

  struct Config {
    std::size_t state_size = 0;
    /// Offsets of the slices: ascending, the first 0, each below state_size. Empty: chunks of kChunk bytes.
    std::vector<std::size_t> slices;
    std::size_t max_states = kMaxIds - 64;
    std::size_t max_bytes = 0;  ///< 0: no budget
    unsigned initial_log2_slots = 16;
  };
  static constexpr std::size_t kChunk = 16;

  using Outcome = StateStore::Outcome;
  using Result = StateStore::Result;

  /// The tree of one state: its bytes and the ids of its leaves and inner nodes (filled by read()).
  struct Hint {
    const std::byte* base = nullptr;          ///< the state's bytes; nullptr: no reference state
    std::array<std::uint32_t, kMaxTree> ids;  // filled by read(); not zeroed (expanded states are many)
  };
  /// A state interned up to its root: the root pair and its hash.
  struct Key {
    std::uint64_t root = 0;
    std::uint64_t hash = 0;
    bool full = false;  ///< a leaf or node could not be interned: the store is full
  };

  /// \throws std::invalid_argument for a bad slice list or a budget that cannot hold the first tables.
  explicit TreeStore(const Config& config);
  TreeStore(const TreeStore&) = delete;
  TreeStore& operator=(const TreeStore&) = delete;

  /// Interns the leaves and inner nodes of `state`, reusing the ids of `hint`'s tree where slices are equal.
  /// \pre the calling thread holds a Worker guard when others insert concurrently; `hint` (if not null) was
  ///      filled by read() of a stored state and `hint->base` points at that state's bytes.
  Key prepare(const std::byte* state, const Hint* hint = nullptr);
  /// Looks the root up and inserts it (a new state id) when absent, recording `parent`.
  Result insert(const Key& key, StateId parent);
  /// The store protocol's form (any_store.hpp): the state's bytes are not needed once it is prepared.
  Result insert(const Key& key, const std::byte*, StateId parent) { return insert(key, parent); }
  Result find_or_insert(const std::byte* state, StateId parent) { return insert(prepare(state), parent); }
  bool holds_bytes(StateId) const noexcept { return true; }
  /// Read-only lookup. \pre no insert runs concurrently.
  std::optional<StateId> find(const std::byte* state) const;
  /// Rebuilds state `id` into `out` (state_size bytes); fills `hint` (ids only; base is left to the caller).
  void read(StateId id, std::byte* out, Hint* hint = nullptr) const;

  void prefetch(const Key& key) const noexcept { roots_->prefetch(key.hash); }
  void prefetch_deep(const Key& key) const noexcept { roots_->prefetch_key(key.hash); }

  StateId parent(StateId id) const noexcept {
    const std::uint32_t p = parents()[id] & ~kFlagBit;
    return p == kNoParent ? kNoState : p;
  }
  bool flag(StateId id) const noexcept { return (parents()[id] & kFlagBit) != 0; }
  void set_flag(StateId id) noexcept { parents()[id] |= kFlagBit; }

  std::size_t size() const noexcept { return roots_->size(); }
  std::size_t state_size() const noexcept { return state_size_; }
  std::size_t leaves() const noexcept { return offsets_.size(); }
  std::size_t inner_nodes() const noexcept { return nodes_->size(); }
  std::size_t leaf_values(std::size_t slice) const noexcept { return leaves_[slice].size(); }
  /// Bytes this store accounts for: arenas (roots, parents, nodes, leaves) and tables.
  std::size_t bytes() const noexcept;
  std::size_t max_states() const noexcept { return id_limit_; }

  class Worker {
   public:
    explicit Worker(TreeStore& store);
    ~Worker();
    Worker(const Worker&) = delete;
    Worker& operator=(const Worker&) = delete;

   private:
    TreeStore& store_;
  };

 private:
  static constexpr std::uint32_t kFlagBit = 0x80000000u;
  static constexpr std::uint32_t kNoParent = ~kFlagBit;

  struct Node {
    std::uint32_t left;  ///< index in the tree: < k a leaf, else k + inner node position
    std::uint32_t right;
  };

  /// A small per-thread, direct-mapped memo of inner nodes (pair -> id), in front of the node table: the
  /// successors of neighbouring states share many inner nodes, and the node table is too large for the cache.
  struct NodeMemo {
    static constexpr std::size_t kEntries = 4096;
    struct Entry {
      std::uint64_t pair = ~std::uint64_t{0};  // no node has this pair (ids stay below 2^31)
      std::uint32_t id = 0;
    };
    std::uint64_t owner = 0;
    std::array<Entry, kEntries> entries;
  };
  NodeMemo::Entry& node_memo(std::uint64_t hash) const noexcept;

  std::uint32_t* parents() const noexcept { return reinterpret_cast<std::uint32_t*>(parents_.data()); }
  std::uint32_t build(std::uint32_t lo, std::uint32_t hi);
  bool any_wants_growth() const noexcept;
  void park_if_pausing();
  void grow();

  std::size_t state_size_;
  std::size_t max_bytes_;
  std::uint64_t serial_;  // tells this store's node memo entries from another's
  std::size_t id_limit_;
  std::size_t node_limit_ = 0;
  std::vector<std::size_t> leaf_limits_;
  bool limited_by_memory_ = false;
  std::vector<std::size_t> offsets_;
  std::vector<std::size_t> sizes_;
  std::vector<Node> tree_;          // inner nodes bottom-up; the last is the root (when k >= 2)
  std::deque<InternTable> leaves_;  // a deque: tables do not move
  std::optional<InternTable> nodes_;
  std::optional<InternTable> roots_;
  Mapping parents_;
  // Read by every prepare() and insert(), written almost never: apart from everything written often.
  alignas(64) std::atomic<bool> out_of_memory_{false};
  std::atomic<bool> pausing_{false};
  std::mutex pause_mutex_;
  std::condition_variable pause_cv_;
  int workers_ = 0;
  int parked_ = 0;
};

}  // namespace checker
