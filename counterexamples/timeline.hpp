#pragma once
// Where each segment of a trace goes, which the pictures and the pcap need and a step-by-step trace does not
// say directly: the step that sent a segment, the step that delivered it (matched by its fields and its age),
// and its fate; and the tick every step happens in.

#include <cstddef>
#include <optional>
#include <vector>

#include "model/teardown.hpp"
#include "properties/check.hpp"

namespace counterexamples {

/// One segment on its way through the network. A duplicated segment gives two flights, the second with
/// `copy` set; a lost or filtered segment never arrives, and a queued one may still be in flight when the
/// trace ends.
struct Flight {
  model::Segment segment;                  ///< as sent (age 0)
  unsigned direction = 0;                  ///< 0: A>B (sent by A), 1: B>A (sent by B)
  std::size_t sent = 0;                    ///< the step that sent it
  std::optional<std::size_t> arrived;      ///< the step that delivered it
  model::Fate fate = model::Fate::Queued;  ///< Queued, Lost, Duplicated (both copies), Filtered or QueueFull
  bool copy = false;                       ///< the network's second copy of a duplicated segment

  bool in_flight_at_end() const { return !arrived && (fate == model::Fate::Queued || fate == model::Fate::Duplicated); }
};

/// Every segment the trace sends, in the order the steps send them (a copy right after its original).
/// A delivery is matched to the earliest unmatched flight of its direction with the same fields whose age
/// (ticks since it was sent) equals the delivered segment's age.
/// \throws std::logic_error when a step delivers a segment no earlier step sent (not a trace of the model).
std::vector<Flight> flights(const properties::Trace& trace);

/// ticks[i]: the ticks that passed up to and including step i (what the JSON trace calls `time`).
std::vector<unsigned> ticks(const properties::Trace& trace);

/// The endpoint that sends segments of `direction`, and the one that receives them, as "A" or "B".
inline const char* sender_name(unsigned direction) {
  return direction == 0 ? "A" : "B";
}
inline const char* receiver_name(unsigned direction) {
  return direction == 0 ? "B" : "A";
}

}  // namespace counterexamples
