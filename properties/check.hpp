#pragma once
// Checking a model against properties: one search with every chosen property watching it, then the trap
// analysis for eventual-close, and a verdict and (for a violation) a shortest trace per property.

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "checker/distributed.hpp"
#include "checker/search.hpp"
#include "model/teardown.hpp"
#include "model/timed_model.hpp"
#include "properties/properties.hpp"

namespace properties {

using Trace = std::vector<checker::Step<model::TeardownModel>>;

/// A trace of either model (untimed, or timed: model/timed_model.hpp) as the untimed trace that properties,
/// renderers and Z3 read.
template <class M>
Trace untimed_trace(const std::vector<checker::Step<M>>& steps) {
  Trace trace;
  trace.reserve(steps.size());
  for (const auto& step : steps)
    trace.push_back(checker::Step<model::TeardownModel>{step.label, model::untimed(step.state), step.id});
  return trace;
}

enum class Verdict { Holds, Violated, Unknown };
std::string_view name(Verdict v);

struct Result {
  std::size_t property;  ///< index into all()
  Verdict verdict = Verdict::Unknown;
  Trace trace;      ///< a shortest violating trace (BFS), empty unless violated
  std::string why;  ///< what the last step does wrong, in words
  /// eventual-close only: trace[trapped_from] is the first state from which no final state is reachable;
  /// the trace then runs into a dead end, or (cycle_start set) its last state repeats trace[*cycle_start].
  std::optional<std::size_t> trapped_from;
  std::optional<std::size_t> cycle_start;
  /// --all-shortest: further traces as minimal as `trace` (by the chosen measure), each differing from it
  /// and from one another in at least one label.
  std::vector<Trace> more;
  /// False when the minimisation search (--minimize faults, --all-shortest) hit a limit: `trace` is the best
  /// it found, or the breadth-first one, but not proven minimal.
  bool minimal = true;
};

/// What a trace is minimal in: steps (breadth-first, the default), or network faults and then steps.
enum class Minimize { Steps, Faults };

/// The faults a trace takes: segments lost and duplicated by the network, dropped by a firewall rule, and
/// dropped by a full queue (congestion), counted separately from delivery. --minimize faults minimises their
/// total.
struct FaultCount {
  unsigned losses = 0;
  unsigned duplications = 0;
  unsigned filter_drops = 0;
  unsigned queue_drops = 0;
  unsigned total() const { return losses + duplications + filter_drops + queue_drops; }
};
FaultCount count_faults(const Trace& trace);
/// A transition's cost under --minimize faults: 1 when its segment is lost, duplicated, filtered or dropped by a
/// full queue, else 0.
unsigned fault_cost(const model::Label& label);

struct CheckOptions {
  std::vector<std::size_t> properties;  ///< empty: all
  checker::SearchOptions search;
  /// Faults: after the search, each violated property's trace is replaced by one with the fewest faults,
  /// then the fewest steps. Not for eventual-close (a trap, decided on the whole graph): it keeps the trap
  /// analysis's shortest trace, with `minimal` true in steps only.
  Minimize minimize = Minimize::Steps;
  /// > 1: up to this many distinct minimal traces per violated property (Result::trace and Result::more).
  std::size_t all_shortest = 0;
  /// A search of the timed model: drop each state whose zone a stored zone of the same untimed state includes
  /// (checker/covering.hpp). Not with eventual-close, whose trap analysis needs every edge: check() then runs
  /// without it. The untimed model has no zones: there it has no effect.
  bool covering = true;
};

struct Report {
  std::vector<Result> results;
  checker::Outcome outcome = checker::Outcome::Complete;
  checker::Stats stats;
  /// With covering: transitions dropped because a stored state covered their target.
  std::optional<std::size_t> covered;
  /// A distributed run (options.search.comm joining more than one rank): every rank's statistics, at rank 0.
  std::vector<checker::RankStats> ranks;
};

/// Runs the search once with every chosen property. A property that holds only gets Holds when the search
/// completed; after a limit it is Unknown (inconclusive). The search stops early once every chosen property
/// is violated, as SPIN stops at an error: eventual-close counts as violated once the search meets a dead end
/// that is not final (the dead end is a trap). When the search completes, eventual-close's trace comes from
/// the trap analysis and is a shortest one into a trap (a dead end or a cycle); when it stopped early, it is
/// a shortest trace to a non-final dead end, which a trap reached through a cycle could beat by a few steps.
/// On the timed model (exact real time), every trace is real-time feasible; traces come back untimed (the zones
/// dropped), so that renderers and Z3 read them as any other.
///
/// Distributed (options.search.comm joining more than one rank: every rank calls this with the same arguments):
/// the search is checker/distributed.hpp's, and every rank gets the same report. eventual-close is then Unknown,
/// its `why` saying that its trap analysis needs one rank (it walks the whole graph, which no rank holds), and
/// minimisation (minimize, all_shortest) is refused (\throws std::invalid_argument): its Dijkstra search is a
/// one-process search.
Report check(const model::TeardownModel& model, const CheckOptions& options);
Report check(const model::TimedModel& model, const CheckOptions& options);

/// A trace violating property `p` that is minimal by `by` (with Faults: fewest faults, then fewest steps), and
/// with max_traces > 1 up to that many distinct ones, from a Dijkstra search (checker/minimize.hpp) of its
/// own. Verdict Violated with the trace; Holds when the search completed without a violation; Unknown after a
/// limit with none found (after a limit with one found, Violated and `minimal` false).
/// \pre all()[p].hook != Hook::Trap (\throws std::invalid_argument); max_traces >= 1.
Result minimal(const model::TeardownModel& model, std::size_t p, Minimize by, std::size_t max_traces,
               const checker::SearchOptions& options);
Result minimal(const model::TimedModel& model, std::size_t p, Minimize by, std::size_t max_traces,
               const checker::SearchOptions& options);

/// Parses a reachability goal, "A=FIN_WAIT_1 B=CLOSE_WAIT" (both sides, any order). \returns the states of A
/// and B, or nothing with `error` saying what is wrong.
std::optional<std::pair<model::TcpState, model::TcpState>> parse_goal(std::string_view goal, std::string& error);

/// A shortest trace to a state where A is in `a` and B in `b` (or, minimised, one with the fewest faults, and
/// more as minimal: see reach_minimal).
struct ReachReport {
  std::optional<Trace> witness;
  checker::Outcome outcome = checker::Outcome::Complete;
  checker::Stats stats;
  /// reach_minimal with max_traces > 1: further witnesses as minimal as `witness`, each differing from it and from
  /// one another in at least one label.
  std::vector<Trace> more;
  /// False when a limit ended the minimisation: `witness` is the best found, not proven minimal.
  bool minimal = true;
  std::vector<checker::RankStats> ranks;  ///< as Report::ranks
};
/// Distributed as check() is, when options.comm joins more than one rank.
ReachReport reach(const model::TeardownModel& model, model::TcpState a, model::TcpState b,
                  const checker::SearchOptions& options);
ReachReport reach(const model::TimedModel& model, model::TcpState a, model::TcpState b,
                  const checker::SearchOptions& options);
/// Witnesses minimal by `by` (with Faults: fewest faults, then fewest steps), up to `max_traces` distinct ones,
/// from a Dijkstra search (checker/minimize.hpp). \pre max_traces >= 1.
ReachReport reach_minimal(const model::TeardownModel& model, model::TcpState a, model::TcpState b, Minimize by,
                          std::size_t max_traces, const checker::SearchOptions& options);
ReachReport reach_minimal(const model::TimedModel& model, model::TcpState a, model::TcpState b, Minimize by,
                          std::size_t max_traces, const checker::SearchOptions& options);

}  // namespace properties
