// Minimal violating traces for one property: the property's check as the goal of checker::minimize, each
// network fault (a lost, duplicated, filtered or queue-dropped segment) as cost 1 under --minimize faults, nothing
// under
// --minimize steps (which then gives breadth-first traces, several of them for --all-shortest).

#include <stdexcept>

#include "checker/minimize.hpp"
#include "properties/check.hpp"

namespace properties {

unsigned fault_cost(const model::Label& label) {
  using model::Fate;
  return label.fate == Fate::Lost || label.fate == Fate::Duplicated || label.fate == Fate::Filtered ||
                 label.fate == Fate::QueueFull
             ? 1
             : 0;
}

FaultCount count_faults(const Trace& trace) {
  FaultCount n;
  for (const auto& step : trace) {
    if (!step.label) continue;
    switch (step.label->fate) {
      case model::Fate::Lost:
        ++n.losses;
        break;
      case model::Fate::Duplicated:
        ++n.duplications;
        break;
      case model::Fate::Filtered:
        ++n.filter_drops;
        break;
      case model::Fate::QueueFull:
        ++n.queue_drops;
        break;
      default:
        break;
    }
  }
  return n;
}

namespace {

using model::untimed;

/// The goal for checker::minimize: property p's check on whichever event decides it. S: the searched model's
/// state (untimed or timed); the property looks at the untimed state.
template <class S>
struct Violation {
  std::size_t p;
  Hook hook;
  const model::TeardownModel& model;

  bool on_state(const S& s) const { return hook == Hook::State && check_state(p, model, untimed(s)).has_value(); }
  bool on_edge(const S& from, const model::Label& l, const S& to) const {
    return hook == Hook::Edge && check_edge(p, model, untimed(from), l, untimed(to)).has_value();
  }
  bool on_deadlock(const S& s) const { return hook == Hook::Deadlock && check_state(p, model, untimed(s)).has_value(); }
};

/// What the last step of a violating trace does wrong.
std::string why_of(const model::TeardownModel& model, std::size_t p, const Trace& trace) {
  std::optional<std::string> why;
  if (all()[p].hook == Hook::Edge && trace.size() >= 2)
    why = check_edge(p, model, trace[trace.size() - 2].state, *trace.back().label, trace.back().state);
  else
    why = check_state(p, model, trace.back().state);
  if (!why) throw checker::InternalError("minimal trace: its last step does not violate the property");
  return *why;
}

template <class M>
Result minimal_model(const M& model, std::size_t p, Minimize by, std::size_t max_traces,
                     const checker::SearchOptions& options) {
  if (all()[p].hook == Hook::Trap)
    throw std::invalid_argument("minimal traces are not available for " + std::string(all()[p].name) +
                                " (a trap, decided on the whole graph)");
  const auto cost = [by](const model::Label& l) { return by == Minimize::Faults ? fault_cost(l) : 0u; };
  const auto found =
      checker::minimize(model, options, cost, Violation<typename M::State>{p, all()[p].hook, untimed(model)},
                        std::max<std::size_t>(max_traces, 1));
  Result r;
  r.property = p;
  r.minimal = !checker::inconclusive(found.outcome);
  if (found.traces.empty()) {
    r.verdict = found.outcome == checker::Outcome::Complete ? Verdict::Holds : Verdict::Unknown;
    return r;
  }
  r.verdict = Verdict::Violated;
  r.trace = untimed_trace(found.traces.front());
  r.why = why_of(untimed(model), p, r.trace);
  for (std::size_t k = 1; k < found.traces.size(); ++k) r.more.push_back(untimed_trace(found.traces[k]));
  return r;
}

/// The goal for checker::minimize under reach: A in `a` and B in `b`.
template <class S>
struct InStates {
  model::TcpState a, b;
  bool on_state(const S& s) const { return untimed(s).tcb[0].state == a && untimed(s).tcb[1].state == b; }
  bool on_edge(const S&, const model::Label&, const S&) const { return false; }
  bool on_deadlock(const S&) const { return false; }
};

template <class M>
ReachReport reach_minimal_model(const M& model, model::TcpState a, model::TcpState b, Minimize by,
                                std::size_t max_traces, const checker::SearchOptions& options) {
  const auto cost = [by](const model::Label& l) { return by == Minimize::Faults ? fault_cost(l) : 0u; };
  const auto found =
      checker::minimize(model, options, cost, InStates<typename M::State>{a, b}, std::max<std::size_t>(max_traces, 1));
  ReachReport r;
  r.outcome = found.outcome;
  r.stats = found.stats;
  r.minimal = !checker::inconclusive(found.outcome);
  if (found.traces.empty()) return r;
  r.witness = untimed_trace(found.traces.front());
  for (std::size_t k = 1; k < found.traces.size(); ++k) r.more.push_back(untimed_trace(found.traces[k]));
  return r;
}

}  // namespace

Result minimal(const model::TeardownModel& model, std::size_t p, Minimize by, std::size_t max_traces,
               const checker::SearchOptions& options) {
  return minimal_model(model, p, by, max_traces, options);
}

ReachReport reach_minimal(const model::TeardownModel& model, model::TcpState a, model::TcpState b, Minimize by,
                          std::size_t max_traces, const checker::SearchOptions& options) {
  return reach_minimal_model(model, a, b, by, max_traces, options);
}
ReachReport reach_minimal(const model::TimedModel& model, model::TcpState a, model::TcpState b, Minimize by,
                          std::size_t max_traces, const checker::SearchOptions& options) {
  return reach_minimal_model(model, a, b, by, max_traces, options);
}
Result minimal(const model::TimedModel& model, std::size_t p, Minimize by, std::size_t max_traces,
               const checker::SearchOptions& options) {
  return minimal_model(model, p, by, max_traces, options);
}

}  // namespace properties
