#pragma once
// What a search reports about itself, and the process-level measurements behind it.

#include <cstddef>
#include <string_view>

namespace checker {

struct Stats {
  std::size_t states = 0;       ///< distinct states stored
  std::size_t transitions = 0;  ///< successor edges generated from expanded states
  std::size_t depth = 0;        ///< BFS: the last completed level's depth; DFS: deepest stack entry
  double seconds = 0;
  double states_per_second = 0;
  std::size_t peak_memory_bytes = 0;  ///< peak resident memory of the whole process (VmHWM)
  unsigned threads = 1;
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
  return o == Outcome::StateLimit || o == Outcome::MemoryLimit || o == Outcome::TimeLimit ||
         o == Outcome::Interrupted;
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
