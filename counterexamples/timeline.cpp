#include "counterexamples/timeline.hpp"

#include <fmt/format.h>

#include <stdexcept>

namespace counterexamples {

namespace {

using model::Event;
using model::Fate;

model::Segment without_age(model::Segment s) {
  s.age = 0;
  return s;
}

/// Adds the flights of one emitted segment.
void emit(std::vector<Flight>& out, const model::Segment& segment, unsigned direction, std::size_t step, Fate fate) {
  Flight f;
  f.segment = without_age(segment);
  f.direction = direction;
  f.sent = step;
  f.fate = fate;
  out.push_back(f);
  if (fate == Fate::Duplicated) {
    f.copy = true;
    out.push_back(f);
  }
}

}  // namespace

std::vector<unsigned> ticks(const properties::Trace& trace) {
  std::vector<unsigned> out;
  out.reserve(trace.size());
  unsigned tick = 0;
  for (const auto& step : trace) {
    if (step.label && step.label->event == Event::Tick) ++tick;
    out.push_back(tick);
  }
  return out;
}

std::vector<Flight> flights(const properties::Trace& trace) {
  const std::vector<unsigned> tick = ticks(trace);
  std::vector<Flight> out;
  for (std::size_t i = 0; i < trace.size(); ++i) {
    if (!trace[i].label) continue;
    const model::Label& l = *trace[i].label;
    if (l.event == Event::Deliver) {
      const unsigned d = l.index;
      const model::Segment wanted = without_age(l.segment);
      Flight* match = nullptr;
      for (Flight& f : out) {
        const bool travelling = f.fate == Fate::Queued || f.fate == Fate::Duplicated;
        if (travelling && !f.arrived && f.direction == d && f.segment == wanted &&
            tick[f.sent] + l.segment.age == tick[i]) {
          match = &f;
          break;
        }
      }
      if (!match)
        throw std::logic_error(fmt::format("step {} delivers a {} segment that no earlier step sent ({})", i,
                                           d == 0 ? "A>B" : "B>A", l.segment.seq));
      match->arrived = i;
      if (l.fate != Fate::None) emit(out, l.emitted, 1 - d, i, l.fate);  // the receiver's answer
    } else if (l.fate != Fate::None) {
      emit(out, l.emitted, l.actor, i, l.fate);
    }
  }
  return out;
}

}  // namespace counterexamples
