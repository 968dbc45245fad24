#include "properties/check.hpp"

#include <array>
#include <atomic>
#include <memory>
#include <mutex>

#include "checker/covering.hpp"
#include "checker/trap.hpp"
#include "model/timed_model.hpp"

namespace properties {

namespace {

using checker::Action;
using checker::StateId;
using model::Label;
using model::untimed;

/// Watches the search for every chosen property; records the first (so shortest, under BFS) violation of each.
/// M is the model searched (untimed or timed); the properties look at untimed states.
template <class M>
class Monitor {
  using State = typename M::State;
  using Stop = checker::StopRecord<M>;

 public:
  Monitor(const model::TeardownModel& m, const std::vector<std::size_t>& chosen) : model_(m) {
    if (all().size() > violated_.size()) throw std::logic_error("properties: more properties than the monitor holds");
    for (std::size_t p : chosen) {
      switch (all()[p].hook) {
        case Hook::Edge:
          edge_.push_back(p);
          break;
        case Hook::State:
          state_.push_back(p);
          break;
        case Hook::Deadlock:
          deadlock_.push_back(p);
          break;
        case Hook::Trap:
          trap_ = p;
          break;
      }
    }
    open_ = edge_.size() + state_.size() + deadlock_.size() + (trap_ ? 1 : 0);
  }

  Action on_state(const State& s, StateId id) {
    if (trap_ && model_.final(untimed(s))) {  // the trap analysis's goals, collected here: final states are few
      std::lock_guard lock(mutex_);
      goals_.push_back(id);
    }
    Action a = Action::Continue;
    for (std::size_t p : state_)
      if (!seen(p))
        if (auto why = check_state(p, model_, untimed(s)))
          a = record(p, Stop{Stop::Kind::State, id, {}, {}}, std::move(*why));
    return a;
  }
  Action on_edge(const State& from, StateId id, const Label& l, const State& to) {
    Action a = Action::Continue;
    for (std::size_t p : edge_)
      if (!seen(p))
        if (auto why = check_edge(p, model_, untimed(from), l, untimed(to)))
          a = record(p, Stop{Stop::Kind::Edge, id, l, to}, std::move(*why));
    return a;
  }
  Action on_deadlock(const State& s, StateId id) {
    Action a = Action::Continue;
    for (std::size_t p : deadlock_)
      if (!seen(p))
        if (auto why = check_state(p, model_, untimed(s)))
          a = record(p, Stop{Stop::Kind::Deadlock, id, {}, {}}, std::move(*why));
    // A dead end that is not final is a trap: eventual-close is violated without waiting for the whole graph.
    if (trap_ && !seen(*trap_) && !model_.final(untimed(s)))
      a = record(*trap_, Stop{Stop::Kind::Deadlock, id, {}, {}},
                 "from the marked state on, every run ends in a dead end that is not a final state");
    return a;
  }

  struct Found {
    Stop where;
    std::string why;
  };
  /// With eventual-close: the ids of the final states stored so far (the trap analysis's goals).
  const std::vector<StateId>& goals() const { return goals_; }
  std::optional<Found> found(std::size_t p) const {
    std::lock_guard lock(mutex_);
    for (const auto& [q, f] : found_)
      if (q == p) return f;
    return std::nullopt;
  }

 private:
  bool seen(std::size_t p) const { return violated_[p].load(std::memory_order_relaxed); }
  Action record(std::size_t p, Stop where, std::string why) {
    std::lock_guard lock(mutex_);
    for (const auto& entry : found_)
      if (entry.first == p) return Action::Continue;
    found_.emplace_back(p, Found{std::move(where), std::move(why)});
    violated_[p].store(true, std::memory_order_relaxed);
    --open_;
    return open_ == 0 ? Action::Stop : Action::Continue;
  }

  const model::TeardownModel& model_;
  std::vector<std::size_t> edge_, state_, deadlock_;
  std::optional<std::size_t> trap_;  // eventual-close, if chosen
  std::size_t open_ = 0;             // chosen properties not yet violated
  mutable std::mutex mutex_;
  std::array<std::atomic<bool>, 16> violated_{};  // by property index: a cheap test before any check
  std::vector<std::pair<std::size_t, Found>> found_;
  std::vector<StateId> goals_;
};

}  // namespace

std::string_view name(Verdict v) {
  switch (v) {
    case Verdict::Holds:
      return "holds";
    case Verdict::Violated:
      return "violated";
    case Verdict::Unknown:
      return "unknown";
  }
  return "?";
}

namespace {

/// Runs the search with the monitor watching, behind covering (checker/covering.hpp) when the model has zones and
/// `covering` is asked for; sets report.covered to the successors this process dropped as covered.
template <class M, class Explorer>
checker::SearchResult<M> run_watched(const M& model, Explorer& explorer, Monitor<M>& monitor, bool covering,
                                     Report& report) {
  if constexpr (std::is_same_v<M, model::TimedModel>) {  // covering needs zones: only timed states have them
    if (covering) {
      const auto state_of = [&explorer](StateId id) { return explorer.state(id); };
      using Cover = checker::Covering<M, Monitor<M>, decltype(state_of)>;
      const auto cover = std::make_unique<Cover>(model, state_of, monitor);  // its tables are large
      checker::SearchResult<M> run = explorer.run(*cover);
      report.covered = cover->covered_count();
      return run;
    }
  }
  return explorer.run(monitor);
}

/// Whether `search` runs distributed.
checker::Comm* ranks_of(const checker::SearchOptions& search) {
  return search.comm != nullptr && search.comm->size() > 1 ? search.comm : nullptr;
}

template <class M>
Report check_distributed(const M& model, const CheckOptions& options, checker::Comm& comm) {
  if (options.minimize != Minimize::Steps || options.all_shortest > 1)
    throw std::invalid_argument("--minimize faults and --all-shortest need one rank: run without mpirun");
  std::vector<std::size_t> chosen = options.properties;
  if (chosen.empty())
    for (std::size_t p = 0; p < all().size(); ++p) chosen.push_back(p);
  std::vector<std::size_t> searched;  // all but eventual-close, whose trap analysis needs the whole graph
  for (std::size_t p : chosen)
    if (all()[p].hook != Hook::Trap) searched.push_back(p);

  checker::SearchOptions search = options.search;
  search.record_graph = false;
  checker::DistributedExplorer<M> explorer(model, search, comm);
  Monitor<M> monitor(untimed(model), searched);
  Report report;
  // Ownership follows the discrete part (model/timed_model.hpp), so every possible cover is on this rank.
  const checker::SearchResult<M> run = run_watched(model, explorer, monitor, options.covering, report);
  if (report.covered) report.covered = checker::reduce(comm, *report.covered, checker::Comm::Op::Sum);
  report.outcome = run.outcome;
  report.stats = run.stats;
  const bool complete = run.outcome == checker::Outcome::Complete || run.outcome == checker::Outcome::Stopped;
  for (std::size_t p : chosen) {
    Result r;
    r.property = p;
    if (all()[p].hook == Hook::Trap) {
      r.why = "not decided: its trap analysis walks the whole state graph, which no rank holds; run it without mpirun";
    } else {
      std::optional<checker::StopRecord<M>> mine;
      std::string why;
      if (auto f = monitor.found(p)) {
        mine = f->where;
        why = std::move(f->why);
      }
      if (auto got = explorer.shortest(mine, why)) {  // collective: every rank takes part for every property
        r.verdict = Verdict::Violated;
        r.trace = untimed_trace(got->first);
        r.why = std::move(got->second);
      } else {
        r.verdict = complete ? Verdict::Holds : Verdict::Unknown;
      }
    }
    report.results.push_back(std::move(r));
  }
  report.ranks = explorer.rank_stats();
  return report;
}

template <class M>
Report check_model(const M& model, const CheckOptions& options) {
  if (checker::Comm* comm = ranks_of(options.search)) return check_distributed(model, options, *comm);
  std::vector<std::size_t> chosen = options.properties;
  if (chosen.empty())
    for (std::size_t p = 0; p < all().size(); ++p) chosen.push_back(p);

  checker::SearchOptions search = options.search;
  for (std::size_t p : chosen) search.record_graph = search.record_graph || all()[p].hook == Hook::Trap;
  checker::Explorer<M> explorer(model, search);
  Monitor<M> monitor(untimed(model), chosen);
  Report report;
  const checker::SearchResult<M> run =
      run_watched(model, explorer, monitor, options.covering && !search.record_graph, report);

  report.outcome = run.outcome;
  report.stats = run.stats;
  // Stopped means every watched property was violated: as conclusive as a complete search.
  const bool complete = run.outcome == checker::Outcome::Complete || run.outcome == checker::Outcome::Stopped;
  for (std::size_t p : chosen) {
    Result r;
    r.property = p;
    if (all()[p].hook == Hook::Trap) {
      if (run.outcome == checker::Outcome::Complete) {
        const auto trap = checker::find_trap_from(explorer, monitor.goals());
        if (trap.witness) {
          const auto& w = *trap.witness;
          r.verdict = Verdict::Violated;
          r.trace = untimed_trace(w.prefix);
          r.trapped_from = r.trace.size() - 1;
          const Trace rest = untimed_trace(w.trap);
          r.trace.insert(r.trace.end(), rest.begin() + 1, rest.end());
          if (w.dead_end) {
            r.why = "from the marked state on, every run ends in a dead end that is not a final state";
          } else {
            r.cycle_start = *r.trapped_from + w.cycle_start;
            r.why = "from the marked state on, no run reaches a final state: this one cycles forever";
          }
        } else {
          r.verdict = Verdict::Holds;
        }
      } else if (auto f = monitor.found(p)) {  // the search stopped early at a dead end that is not final
        r.verdict = Verdict::Violated;
        r.trace = untimed_trace(explorer.trace_of(f->where));
        r.trapped_from = r.trace.size() - 1;
        r.why = std::move(f->why);
      }
    } else if (auto f = monitor.found(p)) {
      r.verdict = Verdict::Violated;
      r.trace = untimed_trace(explorer.trace_of(f->where));
      r.why = std::move(f->why);
    } else {
      r.verdict = complete ? Verdict::Holds : Verdict::Unknown;
    }
    report.results.push_back(std::move(r));
  }
  if (options.minimize == Minimize::Steps && options.all_shortest <= 1) return report;
  for (Result& r : report.results) {
    if (r.verdict != Verdict::Violated) continue;
    if (all()[r.property].hook == Hook::Trap) continue;  // the trap analysis gives its one shortest trace
    Result better =
        minimal(model, r.property, options.minimize, std::max<std::size_t>(options.all_shortest, 1), options.search);
    if (better.verdict == Verdict::Violated)
      r = std::move(better);
    else
      r.minimal = false;  // a limit stopped the minimisation before it found a violation: keep the BFS trace
  }
  return report;
}

}  // namespace

std::optional<std::pair<model::TcpState, model::TcpState>> parse_goal(std::string_view goal, std::string& error) {
  std::optional<model::TcpState> a, b;
  std::size_t pos = 0;
  while (pos < goal.size()) {
    while (pos < goal.size() && goal[pos] == ' ') ++pos;
    const std::size_t end = std::min(goal.find(' ', pos), goal.size());
    const std::string_view part = goal.substr(pos, end - pos);
    pos = end;
    if (part.empty()) continue;
    model::TcpState s{};
    if (part.size() < 3 || (part[0] != 'A' && part[0] != 'B') || part[1] != '=' ||
        !model::parse_state(part.substr(2), s)) {
      error = "'" + std::string(part) +
              "' is not SIDE=STATE (SIDE is A or B, STATE one of CLOSED, LISTEN, SYN_SENT, SYN_RECEIVED, "
              "ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, CLOSE_WAIT, CLOSING, LAST_ACK, TIME_WAIT)";
      return std::nullopt;
    }
    (part[0] == 'A' ? a : b) = s;
  }
  if (!a || !b) {
    error = "'" + std::string(goal) + "' must give both A=STATE and B=STATE";
    return std::nullopt;
  }
  return std::pair{*a, *b};
}

namespace {

template <class M>
ReachReport reach_model(const M& model, model::TcpState a, model::TcpState b, const checker::SearchOptions& options) {
  struct Goal {
    model::TcpState a, b;
    Action on_state(const typename M::State& s, StateId) {
      const model::State& u = untimed(s);
      return u.tcb[0].state == a && u.tcb[1].state == b ? Action::Stop : Action::Continue;
    }
  } goal{a, b};
  if (checker::Comm* comm = ranks_of(options)) {
    checker::DistributedExplorer<M> explorer(model, options, *comm);
    const auto run = explorer.run(goal);
    ReachReport report;
    report.outcome = run.outcome;
    report.stats = run.stats;
    if (auto got = explorer.shortest(run.stop)) report.witness = untimed_trace(got->first);
    report.ranks = explorer.rank_stats();
    return report;
  }
  checker::Explorer<M> explorer(model, options);
  const auto run = explorer.run(goal);
  ReachReport report;
  report.outcome = run.outcome;
  report.stats = run.stats;
  if (run.stop) report.witness = untimed_trace(explorer.trace_of(*run.stop));
  return report;
}

}  // namespace

Report check(const model::TeardownModel& model, const CheckOptions& options) {
  return check_model(model, options);
}
Report check(const model::TimedModel& model, const CheckOptions& options) {
  return check_model(model, options);
}

ReachReport reach(const model::TeardownModel& model, model::TcpState a, model::TcpState b,
                  const checker::SearchOptions& options) {
  return reach_model(model, a, b, options);
}
ReachReport reach(const model::TimedModel& model, model::TcpState a, model::TcpState b,
                  const checker::SearchOptions& options) {
  return reach_model(model, a, b, options);
}

}  // namespace properties
