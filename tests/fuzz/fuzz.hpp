#pragma once
// What every fuzz target shares (tests/fuzz/README.md). A target feeds its input to the code behind one kind of
// user input. The tool's own "bad input" answer (an error message returned by the parser, which the command line
// turns into exit 2) is a normal outcome; anything else is a finding: a crash, a sanitizer report, an exception
// (std::bad_alloc, std::logic_error, checker::InternalError: the command line's exit 1), an empty error message, or
// a broken check of the target's own. A finding prints what went wrong and aborts, so libFuzzer (and the regression
// driver, driver.cpp) report it.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <set>
#include <string>
#include <string_view>
#include <typeinfo>
#include <utility>
#include <vector>

#include "model/knobs.hpp"
#include "model/teardown.hpp"

namespace fuzz {

[[noreturn]] inline void finding(std::string_view what) {
  std::fprintf(stderr, "fuzz finding: %.*s\n", static_cast<int>(what.size()), what.data());
  std::fflush(stderr);
  std::abort();
}

inline void require(bool ok, std::string_view what) {
  if (!ok) finding(what);
}

/// Runs `body`, turning any exception into a finding that names its type.
template <class Body>
void guarded(Body&& body) {
  try {
    body();
  } catch (const std::exception& e) {
    finding(std::string("exception ") + typeid(e).name() + ": " + e.what());
  } catch (...) {
    finding("an exception of an unknown type");
  }
}

inline std::string_view text_of(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

/// Lines of `text` (without their '\n').
inline std::vector<std::string> lines(std::string_view text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t end = std::min(text.find('\n', start), text.size());
    out.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

/// Checks knobs that passed validation: every knob prints as text that set_knob reads back to the same value
/// (what `--format json`'s "model", saved traces and `list knobs` rely on), and the model they make runs: its
/// initial state and the successors of up to `max_states` states (breadth-first) are computed without error.
/// Symbolic ISNs are only printed, not run: their successors ask Z3 (the replay target runs them).
inline void check_valid_knobs(const model::Knobs& knobs, std::size_t max_states) {
  for (const auto& info : model::knob_table()) {
    const std::string value = model::knob_value(knobs, info.name);
    model::Knobs again = knobs;
    if (info.name == "filter") again.filters.clear();  // filter appends: print and read back the whole list
    if (info.name == "filter" && value != "none") {
      std::size_t pos = 0;
      while (pos <= value.size()) {
        const std::size_t end = std::min(value.find(' ', pos), value.size());
        if (auto e = model::set_knob(again, info.name, value.substr(pos, end - pos)))
          finding("knob filter prints '" + value + "', which set_knob refuses: " + *e);
        pos = end + 1;
      }
    } else if (auto e = model::set_knob(again, info.name, value)) {
      finding("knob " + std::string(info.name) + " prints '" + value + "', which set_knob refuses: " + *e);
    }
    const std::string back = model::knob_value(again, info.name);
    require(back == value,
            "knob " + std::string(info.name) + " prints '" + value + "', read back it prints '" + back + "'");
  }
  if (knobs.isn.symbolic()) return;
  const model::TeardownModel m(knobs);
  std::vector<model::State> queue;
  std::set<std::string> seen;
  const auto visit = [&](const model::State& s) {
    std::string bytes(reinterpret_cast<const char*>(&s), sizeof s);
    if (queue.size() < max_states && seen.insert(std::move(bytes)).second) queue.push_back(s);
  };
  m.initial(visit);
  std::vector<std::pair<model::Label, model::State>> out;
  for (std::size_t i = 0; i < queue.size(); ++i) {
    out.clear();
    m.successors_into(queue[i], out);
    for (const auto& [label, next] : out) visit(next);
  }
}

}  // namespace fuzz
