#pragma once
// The state store: every state the search has seen, as a fixed-size byte string with a dense id and a
// parent id. An open-addressing table maps states to ids.
//
// Layout (per state): `state_size` bytes in an arena indexed by id, a 32-bit parent word, and one 64-bit
// table slot [tag:32 | id:32] at load <= 3/4. The tag is the high half of the state's hash; the slot index is
// the tag's top bits, so growing the table never rereads a state. Ids are handed out in insertion order,
// which is what lets breadth-first search use the id range as its queue.
//
// Concurrency: any number of threads may call find_or_insert() at once, each holding a Worker guard.
// Inserts are lock-free (compare-and-swap on the slot, with a short "being written" mark). Growing the table
// stops the world: the thread that crosses the load threshold waits until every other registered thread is
// parked at the start of its next insert (or has left), rehashes, and lets them go. Threads waiting at a
// barrier outside the store must not hold a Worker guard, or growth would wait for them forever.

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <optional>

#include "checker/hash.hpp"

namespace checker {

using StateId = std::uint32_t;
inline constexpr StateId kNoState = 0xFFFFFFFFu;
/// Ids use 31 bits: the parent word's top bit is the per-state flag (see flag()).
inline constexpr std::size_t kMaxIds = std::size_t{1} << 31;

/// A region of zeroed memory obtained from the kernel, released on destruction. Untouched pages cost no
/// resident memory, which is why the arena can be reserved for the whole state limit up front.
class Mapping {
 public:
  Mapping() = default;
  explicit Mapping(std::size_t bytes);
  Mapping(Mapping&& other) noexcept;
  Mapping& operator=(Mapping&& other) noexcept;
  Mapping(const Mapping&) = delete;
  Mapping& operator=(const Mapping&) = delete;
  ~Mapping();

  std::byte* data() const noexcept { return data_; }
  std::size_t size() const noexcept { return size_; }

 private:
  std::byte* data_ = nullptr;
  std::size_t size_ = 0;
};

class StateStore {
 public:
  struct Config {
    std::size_t state_size = 0;             ///< bytes per state, > 0
    std::size_t max_states = kMaxIds - 64;  ///< insertion fails past this many states
    std::size_t max_bytes = 0;              ///< budget for arena + parents + table; 0 = no budget
    unsigned initial_log2_slots = 16;       ///< table starts with 2^this slots
  };

  enum class Outcome : std::uint8_t {
    Inserted,    ///< the state is new; `id` is its id
    Found,       ///< the state was already there; `id` is its id
    FullStates,  ///< max_states reached; nothing inserted
    FullMemory,  ///< the byte budget does not allow another state or a larger table; nothing inserted
  };
  struct Result {
    Outcome outcome;
    StateId id;  ///< kNoState when full
    bool is_new() const noexcept { return outcome == Outcome::Inserted; }
    bool full() const noexcept { return outcome == Outcome::FullStates || outcome == Outcome::FullMemory; }
  };

  /// \pre config.state_size > 0.
  /// \throws std::invalid_argument when the configuration cannot hold a single state.
  explicit StateStore(const Config& config);
  StateStore(const StateStore&) = delete;
  StateStore& operator=(const StateStore&) = delete;

  /// Looks `state` up and inserts it if absent, recording `parent` (kNoState for initial states).
  /// \pre `state` has state_size bytes; `hash` == hash_bytes(state, state_size).
  /// \post on Inserted, state(id), parent(id) are readable by any thread that synchronises with this one
  ///       (the search's level barrier does).
  Result find_or_insert(const std::byte* state, std::uint64_t hash, StateId parent);

  /// Read-only lookup. \pre no insert runs concurrently.
  std::optional<StateId> find(const std::byte* state, std::uint64_t hash) const;

  // The protocol every store speaks to the search (any_store.hpp): prepare() a successor into a key (here its
  // hash), prefetch() and prefetch_deep() it, insert() it; read() a stored state back. The hint is the tree
  // store's; here it carries nothing.
  struct Hint {
    const std::byte* base = nullptr;
  };
  using Key = std::uint64_t;
  /// Out of line: inlined beside a small state of known size, the hash's long-input paths draw bounds warnings.
  Key prepare(const std::byte* state, const Hint* = nullptr) const noexcept;
  Result insert(Key key, const std::byte* state, StateId parent) { return find_or_insert(state, key, parent); }
  void read(StateId id, std::byte* out, Hint* = nullptr) const noexcept { std::memcpy(out, state(id), state_size_); }
  bool holds_bytes(StateId) const noexcept { return true; }
  void prefetch_deep(Key key) const noexcept { prefetch_state(key); }
  /// From now on nothing new is inserted (FullMemory), while known states are still found.
  void close() noexcept { out_of_memory_.store(true, std::memory_order_relaxed); }

  /// Hints the cache that a lookup of `hash` is coming.
  void prefetch(std::uint64_t hash) const noexcept { __builtin_prefetch(&table()[index_of(tag_of(hash))]); }
  /// Second stage, some time after prefetch(hash): if the home slot holds a state with the same tag, hints
  /// the cache that its bytes will be compared.
  void prefetch_state(std::uint64_t hash) const noexcept {
    const std::uint32_t tag = tag_of(hash);
    const std::uint64_t slot = table()[index_of(tag)].load(std::memory_order_relaxed);
    const auto id = static_cast<std::uint32_t>(slot);
    if (static_cast<std::uint32_t>(slot >> 32) == tag && id != kBusy) __builtin_prefetch(state(id));
  }

  const std::byte* state(StateId id) const noexcept { return arena_.data() + std::size_t{id} * state_size_; }
  StateId parent(StateId id) const noexcept {
    const std::uint32_t p = parents()[id] & ~kFlagBit;
    return p == kNoParent ? kNoState : p;
  }
  /// One flag bit per state, owned by the search (it marks states whose expansion an observer pruned).
  /// \pre only the thread that inserted `id` sets it, before its level barrier.
  bool flag(StateId id) const noexcept { return (parents()[id] & kFlagBit) != 0; }
  void set_flag(StateId id) noexcept { parents()[id] |= kFlagBit; }

  std::size_t size() const noexcept { return next_id_.load(std::memory_order_acquire); }
  std::size_t state_size() const noexcept { return state_size_; }
  std::size_t slots() const noexcept { return std::size_t{1} << log2_slots_; }
  /// Bytes this store accounts for: touched arena and parent words, plus the table.
  std::size_t bytes() const noexcept;
  std::size_t max_states() const noexcept { return id_limit_; }

  /// Registers the calling thread as a concurrent inserter for the guard's lifetime.
  class Worker {
   public:
    explicit Worker(StateStore& store);
    ~Worker();
    Worker(const Worker&) = delete;
    Worker& operator=(const Worker&) = delete;

   private:
    StateStore& store_;
  };

 private:
  static constexpr std::uint32_t kFlagBit = 0x80000000u;
  static constexpr std::uint32_t kNoParent = ~kFlagBit;  // kNoState as stored in 31 bits
  static constexpr std::uint32_t kBusy = 0xFFFFFFFFu;    // slot id while its state is being written

  std::uint32_t* parents() const noexcept { return reinterpret_cast<std::uint32_t*>(parents_.data()); }
  std::atomic<std::uint64_t>* table() const noexcept {
    return reinterpret_cast<std::atomic<std::uint64_t>*>(table_.data());
  }
  static std::uint32_t tag_of(std::uint64_t hash) noexcept {
    return static_cast<std::uint32_t>(hash >> 32) | 1u;  // never 0: 0 marks an empty slot
  }
  std::size_t index_of(std::uint32_t tag) const noexcept { return tag >> (32 - log2_slots_); }
  void park_if_pausing();
  void grow();  // called with no slot held; may return without growing (another thread grew, or no budget)
  void rehash_into(Mapping& bigger, unsigned log2) const;

  std::size_t state_size_;
  std::size_t max_bytes_;
  std::size_t id_limit_;
  bool limited_by_memory_ = false;  // id_limit_ comes from max_bytes, not max_states
  Mapping arena_;
  Mapping parents_;
  Mapping table_;
  unsigned log2_slots_;
  std::size_t grow_at_;  // grow when this many states are stored
  std::atomic<std::uint32_t> next_id_{0};
  std::atomic<bool> out_of_memory_{false};

  // Stop-the-world growth.
  std::atomic<bool> pausing_{false};
  std::mutex pause_mutex_;
  std::condition_variable pause_cv_;
  int workers_ = 0;  // guarded by pause_mutex_
  int parked_ = 0;   // guarded by pause_mutex_
};

}  // namespace checker
