#include "properties/timed.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

#include "model/timed_model.hpp"
#include "model/timing.hpp"

namespace properties {

std::string_view name(DecidedBy d) {
  switch (d) {
    case DecidedBy::Ticks:
      return "ticks";
    case DecidedBy::TickTrace:
      return "trace";
    case DecidedBy::Zones:
      return "zones";
  }
  return "?";
}

namespace {

checker::Stats add(const checker::Stats& a, const checker::Stats& b) {
  checker::Stats s = a;
  s.states += b.states;
  s.transitions += b.transitions;
  s.depth = std::max(a.depth, b.depth);
  s.seconds += b.seconds;
  s.states_per_second = s.seconds > 0 ? static_cast<double>(s.states) / s.seconds : 0;
  s.peak_memory_bytes = std::max(a.peak_memory_bytes, b.peak_memory_bytes);
  s.threads = std::max(a.threads, b.threads);
  return s;
}

/// The worse of two outcomes for the report: an inconclusive one wins, then Complete over Stopped.
checker::Outcome combine(checker::Outcome a, checker::Outcome b) {
  if (checker::inconclusive(a)) return a;
  if (checker::inconclusive(b)) return b;
  return a == checker::Outcome::Complete || b == checker::Outcome::Complete ? checker::Outcome::Complete
                                                                            : checker::Outcome::Stopped;
}

}  // namespace

TimedReport check_timed(const model::Knobs& knobs, const CheckOptions& options) {
  TimedReport out;
  const model::TeardownModel tick_model(knobs);  // the untimed model: whole ticks
  out.report = check(tick_model, options);
  out.ticks_stats = out.report.stats;
  const std::size_t n = out.report.results.size();
  out.real_time.assign(n, std::nullopt);
  out.decided_by.assign(n, DecidedBy::Ticks);
  for (std::size_t i = 0; i < n; ++i) {
    Result& r = out.report.results[i];
    out.ticks_verdict.push_back(r.verdict);
    if (r.verdict != Verdict::Violated) continue;
    out.real_time[i] = smt::timing::realtime(tick_model, r.trace);
    if (knobs.timing_exact && out.real_time[i]->feasible) {
      out.decided_by[i] = DecidedBy::TickTrace;
      std::erase_if(r.more, [&](const Trace& t) { return !smt::timing::realtime(tick_model, t).feasible; });
    }
  }
  if (!knobs.timing_exact) return out;

  // What the tick search cannot decide for real time: one exact-time search of those properties alone.
  checker::Comm* comm = options.search.comm;
  const bool distributed = comm != nullptr && comm->size() > 1;
  CheckOptions rest = options;
  rest.properties.clear();
  std::vector<std::size_t> index;  // rest.properties[k] is out.report.results[index[k]]
  for (std::size_t i = 0; i < n; ++i) {
    const Result& r = out.report.results[i];
    const Hook hook = all()[r.property].hook;
    const bool safety = hook == Hook::Edge || hook == Hook::State;
    const bool settled = (r.verdict == Verdict::Holds && safety) || out.decided_by[i] == DecidedBy::TickTrace;
    if (settled || (hook == Hook::Trap && distributed)) continue;  // distributed: no trap analysis either way
    rest.properties.push_back(r.property);
    index.push_back(i);
  }
  if (index.empty()) return out;
  if (options.search.limits.time_limit_seconds > 0) {
    const double left = options.search.limits.time_limit_seconds - out.ticks_stats.seconds;
    rest.search.limits.time_limit_seconds = std::max(left, 0.001);
  }
  const model::TimedModel zone_model(tick_model);
  rest.covering = options.covering;
  Report zones = check(zone_model, rest);
  out.zone_stats = zones.stats;
  out.report.covered = zones.covered;
  out.covered = zones.covered;
  out.zones = model::timing::zone_count();
  if (distributed) out.zones = checker::reduce(*comm, out.zones, checker::Comm::Op::Sum);
  out.report.stats = add(out.ticks_stats, zones.stats);
  for (std::size_t r = 0; r < std::min(out.report.ranks.size(), zones.ranks.size()); ++r) {
    checker::RankStats& mine = out.report.ranks[r];
    const checker::RankStats& more = zones.ranks[r];
    mine.states += more.states;
    mine.transitions += more.transitions;
    mine.seconds += more.seconds;
    mine.peak_memory_bytes = std::max(mine.peak_memory_bytes, more.peak_memory_bytes);
    mine.comm = more.comm;  // the Comm counts from the start of the process: the later search's figures hold both
  }
  out.report.outcome = combine(out.report.outcome, zones.outcome);
  for (std::size_t k = 0; k < index.size(); ++k) {
    const std::size_t i = index[k];
    out.report.results[i] = std::move(zones.results[k]);
    out.decided_by[i] = DecidedBy::Zones;
    out.real_time[i] = std::nullopt;
    if (out.report.results[i].verdict == Verdict::Violated)
      out.real_time[i] = smt::timing::realtime(tick_model, out.report.results[i].trace);
  }
  return out;
}

ReachReport reach_timed(const model::Knobs& knobs, model::TcpState a, model::TcpState b,
                        const checker::SearchOptions& options, Minimize by, std::size_t max_traces) {
  const model::TeardownModel untimed(knobs);
  const bool minimise = by != Minimize::Steps || max_traces > 1;
  if (minimise && options.comm != nullptr && options.comm->size() > 1)
    throw std::invalid_argument("--minimize faults and --all-shortest need one rank: run without mpirun");
  if (!knobs.timing_exact)
    return minimise ? reach_minimal(untimed, a, b, by, max_traces, options) : reach(untimed, a, b, options);
  const model::TimedModel timed(untimed);
  return minimise ? reach_minimal(timed, a, b, by, max_traces, options) : reach(timed, a, b, options);
}

}  // namespace properties
