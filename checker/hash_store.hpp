#pragma once
// The hash-compaction store: a state is remembered by a 64-bit fingerprint (its hash), not its bytes, as SPIN's
// hash compaction does. Two distinct states with one fingerprint are taken for one, so a search may miss
// states: `omission_probability()` bounds the chance of that, and the search reports it.
//
// Layout: a StateStore of 8-byte fingerprints (dense ids, parents, flags, growth, budget), and a window of
// full states indexed by id, reserved for every id but released below a point the breadth-first search moves
// forward level by level (the states it no longer expands). A released state is rebuilt by the search from its
// parent chain and the fingerprints (Explorer::state()). Depth-first search and the minimiser release nothing.

#include <sys/mman.h>
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <optional>

#include "checker/hash.hpp"
#include "checker/store.hpp"

namespace checker {

class HashStore {
 public:
  struct Config {
    std::size_t state_size = 0;
    std::size_t max_states = kMaxIds - 64;
    std::size_t max_bytes = 0;  ///< fingerprints, parents, table and the live window; 0: no budget
    unsigned initial_log2_slots = 16;
  };
  struct Hint {
    const std::byte* base = nullptr;
  };
  using Key = std::uint64_t;  ///< the fingerprint
  using Outcome = StateStore::Outcome;
  using Result = StateStore::Result;

  explicit HashStore(const Config& c)
      : state_size_(c.state_size),
        max_bytes_(c.max_bytes),
        prints_(prints_config(c)),
        window_((prints_.max_states() + 64) * c.state_size) {}

  /// An upper bound on the probability that `states` random 64-bit fingerprints are not all distinct:
  /// 1 - exp(-n(n-1)/2^65).
  static double omission_probability(std::size_t states) noexcept {
    const double n = static_cast<double>(states);
    return -std::expm1(-n * (n - 1) / 36893488147419103232.0);
  }

  Key prepare(const std::byte* state, const Hint* = nullptr) const noexcept;  // out of line, as StateStore's
  Result insert(Key print, const std::byte* state, StateId parent) {
    const Result r = prints_.find_or_insert(reinterpret_cast<const std::byte*>(&print), print, parent);
    if (r.is_new()) {
      std::memcpy(window_.data() + std::size_t{r.id} * state_size_, state, state_size_);
      if (max_bytes_ != 0 && r.id % 4096 == 0 && bytes() > max_bytes_) prints_.close();
    }
    return r;
  }
  Result find_or_insert(const std::byte* state, StateId parent) { return insert(prepare(state), state, parent); }
  std::optional<StateId> find(const std::byte* state) const;
  Key fingerprint(StateId id) const noexcept {
    Key print;
    std::memcpy(&print, prints_.state(id), sizeof print);
    return print;
  }
  /// Whether state `id`'s bytes are still in the window.
  bool holds_bytes(StateId id) const noexcept { return std::size_t{id} * state_size_ >= released_; }
  /// \pre holds_bytes(id).
  void read(StateId id, std::byte* out, Hint* = nullptr) const noexcept {
    std::memcpy(out, window_.data() + std::size_t{id} * state_size_, state_size_);
  }
  /// Gives the window's pages below state `id` back to the kernel. \pre no thread reads or writes them.
  void release_below(StateId id) noexcept {
    static const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));  // whole pages only
    const std::size_t end = std::size_t{id} * state_size_ / page * page;
    if (end <= released_) return;
    ::madvise(window_.data() + released_, end - released_, MADV_DONTNEED);
    released_ = end;
  }
  bool released_any() const noexcept { return released_ != 0; }

  void prefetch(Key print) const noexcept { prints_.prefetch(print); }
  void prefetch_deep(Key print) const noexcept { prints_.prefetch_state(print); }
  StateId parent(StateId id) const noexcept { return prints_.parent(id); }
  bool flag(StateId id) const noexcept { return prints_.flag(id); }
  void set_flag(StateId id) noexcept { prints_.set_flag(id); }
  std::size_t size() const noexcept { return prints_.size(); }
  std::size_t state_size() const noexcept { return state_size_; }
  std::size_t bytes() const noexcept { return prints_.bytes() + size() * state_size_ - released_; }
  std::size_t max_states() const noexcept { return prints_.max_states(); }

  class Worker {
   public:
    explicit Worker(HashStore& store) : inner_(store.prints_) {}

   private:
    StateStore::Worker inner_;
  };

 private:
  static StateStore::Config prints_config(const Config& c) {
    StateStore::Config p;
    p.state_size = sizeof(Key);
    p.max_states = c.max_states;
    p.max_bytes = c.max_bytes;
    p.initial_log2_slots = c.initial_log2_slots;
    return p;
  }

  std::size_t state_size_;
  std::size_t max_bytes_;
  StateStore prints_;
  Mapping window_;
  std::size_t released_ = 0;  // bytes at the window's start given back
};

}  // namespace checker
