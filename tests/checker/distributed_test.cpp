// The distributed search (checker/distributed.hpp) with its ranks as threads (checker/thread_comm.hpp): the same
// states, transitions and depth as the one-process search on seeded random graphs and the grid, in 1, 2 and 3
// ranks with 1 and 2 threads each, on the plain and tree stores; shortest traces rebuilt across ranks for state,
// edge and dead-end stops; limits ending every rank as inconclusive.

#include <catch2/catch.hpp>

#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bench/synthetic_model.hpp"
#include "checker/distributed.hpp"
#include "checker/search.hpp"
#include "checker/thread_comm.hpp"
#include "tests/checker/graph_model.hpp"
#include "tests/checker/thread_ranks.hpp"

namespace {

using checker_test::on_ranks;

using checker::Action;
using checker::DistributedExplorer;
using checker::Outcome;
using checker::SearchOptions;
using checker::StateId;
using checker::StoreKind;
using checker_test::GraphModel;
using checker_test::Node;

SearchOptions options(unsigned threads, StoreKind store = StoreKind::Plain) {
  SearchOptions o;
  o.threads = threads;
  o.store = store;
  o.initial_log2_slots = 2;  // small tables: growth happens during every test
  return o;
}

struct Counts {
  Outcome outcome = Outcome::Complete;
  std::size_t states = 0, transitions = 0, depth = 0, mine = 0;
};

template <class M>
Counts single(const M& model) {
  checker::Explorer<M> ex(model, options(1));
  const auto r = ex.run();
  return {r.outcome, r.stats.states, r.stats.transitions, r.stats.depth, r.stats.states};
}

template <class M>
std::vector<Counts> distributed(const M& model, int ranks, unsigned threads, StoreKind store) {
  return on_ranks<Counts>(ranks, [&](checker::Comm& comm) {
    DistributedExplorer<M> ex(model, options(threads, store), comm);
    const auto r = ex.run();
    return Counts{r.outcome, r.stats.states, r.stats.transitions, r.stats.depth, ex.stored_states()};
  });
}

template <class M>
void same_as_single(const M& model) {
  const Counts one = single(model);
  for (int ranks : {1, 2, 3})
    for (unsigned threads : {1u, 2u})
      for (StoreKind store : {StoreKind::Plain, StoreKind::Tree}) {
        INFO("ranks " << ranks << ", threads " << threads << ", store " << checker::to_string(store));
        const auto all = distributed(model, ranks, threads, store);
        std::size_t owned = 0;
        for (const Counts& c : all) {
          CHECK(c.outcome == Outcome::Complete);
          CHECK(c.states == one.states);
          CHECK(c.transitions == one.transitions);
          CHECK(c.depth == one.depth);
          owned += c.mine;
        }
        CHECK(owned == one.states);  // every state has exactly one owner
      }
}

TEST_CASE("distributed search: the one-process counts on random graphs and the grid") {
  for (std::uint32_t seed : {1u, 2u, 3u}) {
    INFO("seed " << seed);
    same_as_single(checker_test::random_graph(seed, 3000, 4));
  }
  bench::GridModel grid;
  grid.dims = 3;
  grid.side = 12;
  const Counts one = single(grid);
  CHECK(one.states == 12 * 12 * 12);
  CHECK(one.transitions == 3 * 11 * 12 * 12);
  CHECK(one.depth == 33);
  same_as_single(grid);
}

/// Stops at node `goal` (a state stop), or on an edge into it.
struct Goal {
  std::uint32_t goal;
  bool on_edges = false;
  Action on_state(const Node& s, StateId) { return !on_edges && s.id == goal ? Action::Stop : Action::Continue; }
  Action on_edge(const Node&, StateId, std::uint32_t, const Node& to) {
    return on_edges && to.id == goal ? Action::Stop : Action::Continue;
  }
};

/// What a rank saw of a stopped search. Ranks only collect: Catch's assertions belong to the test's own thread.
struct Seen {
  Outcome outcome = Outcome::Complete;
  bool found = false;
  std::string note;
  std::vector<std::uint32_t> ids;
  bool steps_follow = true;  // each step is its label's successor of the step before
  int stop_depth = -1;       // the level of this rank's own stop, if it has one (depth_of)
};

template <class Observer>
Seen stopped_run(const GraphModel& g, checker::Comm& comm, Observer observer) {
  DistributedExplorer<GraphModel> ex(g, options(2), comm);
  const auto r = ex.run(observer);
  Seen out;
  out.outcome = r.outcome;
  if (r.stop) out.stop_depth = static_cast<int>(ex.depth_of(r.stop->at));
  const auto found = ex.shortest(r.stop, "note of rank " + std::to_string(comm.rank()));
  if (!found) return out;
  out.found = true;
  out.note = found->second;
  const auto& steps = found->first;
  for (std::size_t k = 0; k < steps.size(); ++k) {
    out.ids.push_back(steps[k].state.id);
    if (k > 0) {
      const auto& edges = g.edges[steps[k - 1].state.id];
      out.steps_follow = out.steps_follow && steps[k].label && *steps[k].label < edges.size() &&
                         edges[*steps[k].label] == steps[k].state.id;
    }
  }
  return out;
}

TEST_CASE("distributed search: a stop's trace is rebuilt across ranks and is a shortest one") {
  const GraphModel g = checker_test::random_graph(7, 4000, 3);
  const auto reference = checker_test::plain_bfs(g);
  for (std::uint32_t goal : {1234u, 3999u, 17u})
    for (bool on_edges : {false, true}) {
      const int distance = reference.distance[goal];
      if (distance <= 0) continue;
      for (int ranks : {1, 2, 3}) {
        INFO("goal " << goal << (on_edges ? " (edge)" : " (state)") << ", ranks " << ranks);
        const auto seen = on_ranks<Seen>(ranks, [&](checker::Comm& comm) {
          return stopped_run(g, comm, Goal{goal, on_edges});
        });
        for (const Seen& s : seen) {
          CHECK(s.outcome == Outcome::Stopped);
          REQUIRE(s.found);
          CHECK(s.note.rfind("note of rank ", 0) == 0);
          CHECK(s.note == seen.front().note);  // one rank's stop, the same on every rank
          CHECK(s.steps_follow);
          CHECK(s.ids == seen.front().ids);
          CHECK(s.ids.front() == 0);
          CHECK(s.ids.back() == goal);
          CHECK(s.ids.size() == static_cast<std::size_t>(distance) + 1);  // shortest
          // A stop's own depth, though the search halted in the level that stored it: the goal's distance (a
          // state stop), or its source's (an edge stop).
          if (s.stop_depth >= 0) CHECK(s.stop_depth == (on_edges ? distance - 1 : distance));
        }
      }
    }
}

struct DeadEnds {
  Action on_deadlock(const Node&, StateId) { return Action::Stop; }
};

TEST_CASE("distributed search: a dead end stops every rank, with a shortest trace to it") {
  // 0 -> 1 -> 2 -> 3 -> 4 (a dead end), and 0 -> 5 -> 6 -> 0.
  const GraphModel g = checker_test::graph(7, {{0, 1}, {1, 2}, {2, 3}, {3, 4}, {0, 5}, {5, 6}, {6, 0}});
  const auto seen = on_ranks<Seen>(3, [&](checker::Comm& comm) { return stopped_run(g, comm, DeadEnds{}); });
  for (const Seen& s : seen) {
    CHECK(s.outcome == Outcome::Stopped);
    CHECK(s.ids == std::vector<std::uint32_t>{0, 1, 2, 3, 4});
    CHECK(s.steps_follow);
  }
}

TEST_CASE("distributed search: limits end every rank as inconclusive") {
  const GraphModel g = checker_test::random_graph(11, 20000, 3);
  const auto counts = on_ranks<Counts>(2, [&](checker::Comm& comm) {
    SearchOptions o = options(1);
    o.limits.max_states = 500;
    DistributedExplorer<GraphModel> ex(g, o, comm);
    const auto r = ex.run();
    return Counts{r.outcome, r.stats.states, r.stats.transitions, r.stats.depth, ex.stored_states()};
  });
  for (const Counts& c : counts) {
    CHECK(c.outcome == Outcome::StateLimit);
    CHECK(c.states >= 500);
    CHECK(c.states < single(g).states);
    CHECK(c.states == counts.front().states);
  }
}

TEST_CASE("distributed search: per-rank statistics reach rank 0") {
  const GraphModel g = checker_test::random_graph(5, 5000, 4);
  struct Gathered {
    std::size_t states = 0, transitions = 0;
    std::vector<checker::RankStats> ranks;
  };
  const auto all = on_ranks<Gathered>(3, [&](checker::Comm& comm) {
    DistributedExplorer<GraphModel> ex(g, options(1), comm);
    const auto r = ex.run();
    return Gathered{r.stats.states, r.stats.transitions, ex.rank_stats()};
  });
  CHECK(all[1].ranks.empty());
  CHECK(all[2].ranks.empty());
  REQUIRE(all[0].ranks.size() == 3);
  std::size_t states = 0, transitions = 0;
  for (std::size_t k = 0; k < 3; ++k) {
    CHECK(all[0].ranks[k].rank == static_cast<int>(k));
    CHECK(all[0].ranks[k].comm.messages_sent > 0);
    states += all[0].ranks[k].states;
    transitions += all[0].ranks[k].transitions;
  }
  CHECK(states == all[0].states);
  CHECK(transitions == all[0].transitions);
  CHECK(states == single(g).states);
}

}  // namespace
