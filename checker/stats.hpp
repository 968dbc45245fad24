#pragma once
// What a search reports about itself, and the process-level measurements behind it.

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace checker {

/// Which state store a search used (see any_store.hpp).
enum class StoreKind : std::uint8_t {
  Plain,  ///< every state's bytes in full
  Tree,   ///< tree compression: slices and slice pairs interned, a state is a root pair
  Hash,   ///< hash compaction: a 64-bit fingerprint per state; two states may share one, so states may be missed
};
std::string_view to_string(StoreKind kind) noexcept;

struct Stats {
  std::size_t states = 0;       ///< distinct states stored
  std::size_t transitions = 0;  ///< successor edges generated from expanded states
  std::size_t depth = 0;        ///< BFS: the last completed level's depth; DFS: deepest stack entry
  double seconds = 0;
  double states_per_second = 0;
  std::size_t peak_memory_bytes = 0;  ///< peak resident memory of the whole process (VmHWM)
  unsigned threads = 1;
  StoreKind store = StoreKind::Plain;
  /// Hash compaction only: an upper bound on the probability that two distinct states shared a fingerprint,
  /// so that the search may have missed states (SPIN reports the same for its hash compaction). 0 otherwise.
  double omission_probability = 0;
  bool omissions_possible() const noexcept { return store == StoreKind::Hash; }
};

/// How a search ended.
enum class Outcome {
  Complete,     ///< every reachable state was explored
  Stopped,      ///< an observer answered Stop
  StateLimit,   ///< max_states reached first: inconclusive
  MemoryLimit,  ///< the memory budget ran out first: inconclusive
  TimeLimit,    ///< the time limit passed first: inconclusive
  Interrupted,  ///< request_stop() was called (the command line: SIGINT or SIGTERM): inconclusive
};

std::string_view to_string(Outcome outcome) noexcept;
inline bool inconclusive(Outcome o) noexcept {
  return o == Outcome::StateLimit || o == Outcome::MemoryLimit || o == Outcome::TimeLimit || o == Outcome::Interrupted;
}

/// Asks every running and later search of this process to stop as Interrupted, at its next limit check (a
/// fraction of a second). Async-signal-safe: a signal handler may call it.
void request_stop() noexcept;
bool stop_requested() noexcept;

/// Peak resident set size of this process in bytes (0 if the kernel does not say).
std::size_t peak_resident_bytes();
/// Physical memory of the machine in bytes.
std::size_t physical_memory_bytes();

}  // namespace checker
