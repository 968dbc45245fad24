// The AG EF check ("can every reachable state still reach a goal?") on graphs with known traps.

#include <catch2/catch.hpp>

#include "bench/synthetic_model.hpp"
#include "checker/trap.hpp"
#include "tests/checker/graph_model.hpp"

namespace {

using checker::Explorer;
using checker::SearchOptions;
using checker::StateId;
using checker_test::GraphModel;
using checker_test::Node;

std::vector<std::uint32_t> nodes_of(const std::vector<checker::Step<GraphModel>>& steps) {
  std::vector<std::uint32_t> out;
  for (const auto& s : steps) out.push_back(s.state.id);
  return out;
}

SearchOptions with_threads(unsigned threads, checker::Order order = checker::Order::Bfs) {
  SearchOptions o;
  o.threads = threads;
  o.order = order;
  return o;
}

}  // namespace

TEST_CASE("trap: a cycle that never reaches the goal is found with a shortest prefix") {
  // Goal 2. From 0: 1 leads to the goal; 3 <-> 4 cycle forever; 5 -> 6 is a dead end.
  const GraphModel g = checker_test::graph(7, {{0, 1}, {0, 3}, {0, 5}, {1, 2}, {1, 0}, {3, 4}, {4, 3}, {5, 6}});
  for (auto order : {checker::Order::Bfs, checker::Order::Dfs}) {
    Explorer<GraphModel> ex(g, with_threads(1, order));
    REQUIRE(ex.run().outcome == checker::Outcome::Complete);
    const auto r = checker::find_trap(ex, [](const Node& s, StateId) { return s.id == 2; });
    CHECK(r.trapped_states == 4);  // 3, 4, 5, 6
    REQUIRE(r.witness.has_value());
    CHECK(nodes_of(r.witness->prefix) == std::vector<std::uint32_t>{0, 3});
    CHECK(nodes_of(r.witness->trap) == std::vector<std::uint32_t>{3, 4, 3});
    CHECK_FALSE(r.witness->dead_end);
    CHECK(r.witness->cycle_start == 0);
    CHECK(*r.witness->prefix.back().label == 1);  // 0 -> 3 is node 0's second edge
  }
}

TEST_CASE("trap: a dead end that is not a goal is a trap") {
  const GraphModel g = checker_test::graph(5, {{0, 1}, {1, 2}, {0, 3}, {3, 4}, {2, 2}});
  Explorer<GraphModel> ex(g, with_threads(2));
  REQUIRE(ex.run().outcome == checker::Outcome::Complete);
  const auto r = checker::find_trap(ex, [](const Node& s, StateId) { return s.id == 2; });
  CHECK(r.trapped_states == 2);  // 3 and 4
  REQUIRE(r.witness.has_value());
  CHECK(nodes_of(r.witness->prefix) == std::vector<std::uint32_t>{0, 3});
  CHECK(nodes_of(r.witness->trap) == std::vector<std::uint32_t>{3, 4});
  CHECK(r.witness->dead_end);
}

TEST_CASE("trap: when every state can reach a goal there is no witness") {
  const GraphModel g = checker_test::graph(4, {{0, 1}, {1, 2}, {2, 0}, {2, 3}});
  Explorer<GraphModel> ex(g, with_threads(1));
  ex.run();
  const auto r = checker::find_trap(ex, [](const Node& s, StateId) { return s.id == 3; });
  CHECK(r.trapped_states == 0);
  CHECK_FALSE(r.witness.has_value());
}

TEST_CASE("trap: a random graph's trapped states are exactly those the reference cannot lead to the goal") {
  const GraphModel g = checker_test::random_graph(11, 20000, 2);
  const std::uint32_t goal = 17;
  // Reference: reverse reachability from the goal by fixpoint over the edge list.
  std::vector<char> reaches(g.edges.size(), 0);
  reaches[goal] = 1;
  for (bool changed = true; changed;) {
    changed = false;
    for (std::uint32_t s = 0; s < g.edges.size(); ++s)
      for (std::uint32_t t : g.edges[s])
        if (reaches[t] && !reaches[s]) reaches[s] = changed = 1;
  }
  const auto ref = checker_test::plain_bfs(g);
  std::size_t expected = 0;
  int nearest = -1;
  for (std::uint32_t s = 0; s < g.edges.size(); ++s)
    if (ref.distance[s] >= 0 && !reaches[s]) {
      ++expected;
      if (nearest < 0 || ref.distance[s] < nearest) nearest = ref.distance[s];
    }
  REQUIRE(expected > 0);
  // On every store, after a DFS and after a BFS (whose hash store gave old levels' bytes back: the analysis
  // then regenerates the states from the fingerprints).
  for (const auto store : {checker::StoreKind::Plain, checker::StoreKind::Tree, checker::StoreKind::Hash}) {
    for (const auto order : {checker::Order::Dfs, checker::Order::Bfs}) {
      INFO(checker::to_string(store) << (order == checker::Order::Dfs ? " dfs" : " bfs"));
      SearchOptions o = with_threads(order == checker::Order::Dfs ? 1 : 2, order);
      o.store = store;
      Explorer<GraphModel> ex(g, o);
      ex.run();
      const auto r = checker::find_trap(ex, [goal](const Node& s, StateId) { return s.id == goal; });
      CHECK(r.trapped_states == expected);
      REQUIRE(r.witness.has_value());
      CHECK(r.witness->prefix.size() == static_cast<std::size_t>(nearest) + 1);  // shortest even after a DFS
      for (const auto& step : r.witness->trap) CHECK_FALSE(reaches[step.state.id]);
      const auto& last = r.witness->trap.back().state.id;
      if (r.witness->dead_end)
        CHECK(g.edges[last].empty());
      else
        CHECK(r.witness->trap[r.witness->cycle_start].state.id == last);
    }
  }
}

TEST_CASE("trap: a 216000-state grid where one move is irreversible") {
  // Goal: coordinate 2 is zero and coordinate 0 is at the end. Coordinates never decrease, so exactly the
  // states with coordinate 2 above zero are trapped: 60^3 - 60^2 of them, and each ends at the far corner.
  bench::GridModel grid;
  grid.dims = 3;
  grid.side = 60;
  Explorer<bench::GridModel> ex(grid, with_threads(2));
  REQUIRE(ex.run().outcome == checker::Outcome::Complete);
  const auto r =
      checker::find_trap(ex, [](const bench::GridState& s, StateId) { return s.coord(2) == 0 && s.coord(0) == 59; });
  CHECK(r.trapped_states == 216000 - 3600);
  REQUIRE(r.witness.has_value());
  CHECK(r.witness->prefix.size() == 2);
  CHECK(*r.witness->prefix.back().label == 2);
  CHECK(r.witness->dead_end);
  const auto& corner = r.witness->trap.back().state;
  CHECK((corner.coord(0) == 59 && corner.coord(1) == 59 && corner.coord(2) == 59));
}

TEST_CASE("trap: an incomplete search is refused") {
  const GraphModel g = checker_test::graph(3, {{0, 1}, {1, 2}});
  SearchOptions o;
  o.limits.max_states = 2;
  Explorer<GraphModel> ex(g, o);
  REQUIRE(ex.run().outcome == checker::Outcome::StateLimit);
  CHECK_THROWS_AS(checker::find_trap(ex, [](const Node&, StateId) { return false; }), std::logic_error);
}

TEST_CASE("trap: the graph recorded during the search equals the rebuilt one, in every mode") {
  const GraphModel g = checker_test::random_graph(5, 20000, 3);
  Explorer<GraphModel> plain(g, with_threads(1));
  plain.run();
  const checker::Graph rebuilt = checker::explored_graph(plain);
  for (auto [order, threads] :
       {std::pair{checker::Order::Bfs, 1u}, {checker::Order::Bfs, 2u}, {checker::Order::Dfs, 1u}}) {
    SearchOptions o = with_threads(threads, order);
    o.record_graph = true;
    Explorer<GraphModel> ex(g, o);
    REQUIRE(ex.run().outcome == checker::Outcome::Complete);
    REQUIRE(ex.recorded_graph().has_value());
    const checker::Graph& recorded = *ex.recorded_graph();
    REQUIRE(recorded.size() == ex.store().size());
    CHECK(recorded.targets.size() == rebuilt.targets.size());
    // Same successor multiset per state (ids differ between runs: compare through the node numbers).
    for (StateId s = 0; s < recorded.size(); ++s) {
      std::vector<std::uint32_t> mine, theirs;
      for (const StateId* t = recorded.begin(s); t != recorded.end(s); ++t) mine.push_back(ex.state(*t).id);
      const StateId same = *plain.find(ex.state(s));
      for (const StateId* t = rebuilt.begin(same); t != rebuilt.end(same); ++t) theirs.push_back(plain.state(*t).id);
      std::sort(mine.begin(), mine.end());
      std::sort(theirs.begin(), theirs.end());
      REQUIRE(mine == theirs);
    }
  }
}

TEST_CASE("trap: reaching() settles paths against the id order by sweeps, and long ones by the fallback") {
  // A chain whose edges run towards lower ids (s -> s - 1) with the goal at 0: each sweep (from the highest id
  // down) marks one more state, so a chain of n states needs n sweeps; past the sweep limit the backward search
  // marks the rest. State n is a self-loop that never reaches the goal; n + 1 leads to the chain's top.
  for (const std::size_t n : {5u, 15u, 16u, 17u, 40u, 1000u}) {
    INFO("chain of " << n);
    std::vector<std::vector<std::pair<StateId, StateId>>> edges(1);
    for (StateId s = 1; s < n; ++s) edges[0].emplace_back(s, s - 1);
    edges[0].emplace_back(static_cast<StateId>(n), static_cast<StateId>(n));
    edges[0].emplace_back(static_cast<StateId>(n + 1), static_cast<StateId>(n - 1));
    const checker::Graph g = checker::graph_from_edges(n + 2, edges);
    const auto reaches = checker::reaching(g, {0});
    REQUIRE(reaches.size() == n + 2);
    for (StateId s = 0; s < n; ++s) CHECK(reaches[s] == 1);
    CHECK(reaches[n] == 0);
    CHECK(reaches[n + 1] == 1);
  }
  // Edges towards higher ids (the search's usual order): one sweep marks everything.
  std::vector<std::vector<std::pair<StateId, StateId>>> up(1);
  for (StateId s = 0; s + 1 < 100; ++s) up[0].emplace_back(s, s + 1);
  const auto all = checker::reaching(checker::graph_from_edges(100, up), {99});
  CHECK(std::count(all.begin(), all.end(), 1) == 100);
}
