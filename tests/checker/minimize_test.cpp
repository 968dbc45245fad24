// checker::minimize on literal graphs with no TCP: the least (cost, steps) path where a short path is costly,
// goals on states, edges and dead ends, several tying traces, and agreement with plain BFS when costs are 0.

#include <catch2/catch.hpp>

#include "checker/minimize.hpp"
#include "tests/checker/graph_model.hpp"

namespace {

using checker_test::GraphModel;
using checker_test::Node;

/// Reaching node `goal` is the goal.
struct StateGoal {
  std::uint32_t goal;
  bool on_state(const Node& n) const { return n.id == goal; }
};

std::vector<std::uint32_t> ids(const std::vector<checker::Step<GraphModel>>& t) {
  std::vector<std::uint32_t> out;
  for (const auto& s : t) out.push_back(s.state.id);
  return out;
}

}  // namespace

TEST_CASE("minimize: a longer free path beats a short costly one") {
  // 0 -> 1 -> 4 (short, the first edge costs 1); 0 -> 2 -> 3 -> 4 (long, free).
  const GraphModel g = checker_test::graph(5, {{0, 1}, {0, 2}, {1, 4}, {2, 3}, {3, 4}});
  const auto zero = [](std::uint32_t) { return 0u; };
  const auto bfs = checker::minimize(g, {}, zero, StateGoal{4});
  CHECK(bfs.outcome == checker::Outcome::Stopped);
  CHECK(bfs.steps == 2);
  CHECK(ids(bfs.traces.at(0)) == std::vector<std::uint32_t>{0, 1, 4});

  // Costs go by label, so reorder node 0's edges to make label 1 (the edge to node 1) the only fault.
  GraphModel weighted = g;
  // Put the costly edge last out of node 0 so that label 1 marks it: 0 -> 2 (label 0), 0 -> 1 (label 1).
  weighted.edges[0] = {2, 1};
  const auto fault = [](std::uint32_t label) { return label == 1 ? 1u : 0u; };
  const auto fewest = checker::minimize(weighted, {}, fault, StateGoal{4});
  CHECK(fewest.outcome == checker::Outcome::Stopped);
  CHECK(fewest.cost == 0);
  CHECK(fewest.steps == 3);
  CHECK(ids(fewest.traces.at(0)) == std::vector<std::uint32_t>{0, 2, 3, 4});
}

TEST_CASE("minimize: an edge goal and a dead-end goal") {
  const GraphModel g = checker_test::graph(4, {{0, 1}, {1, 2}, {2, 3}});
  struct EdgeGoal {
    bool on_edge(const Node& from, std::uint32_t, const Node& to) const { return from.id == 1 && to.id == 2; }
  };
  const auto zero = [](std::uint32_t) { return 0u; };
  const auto e = checker::minimize(g, {}, zero, EdgeGoal{});
  CHECK(e.steps == 2);
  CHECK(ids(e.traces.at(0)) == std::vector<std::uint32_t>{0, 1, 2});
  struct DeadEnd {
    bool on_deadlock(const Node&) const { return true; }
  };
  const auto d = checker::minimize(g, {}, zero, DeadEnd{});
  CHECK(ids(d.traces.at(0)) == std::vector<std::uint32_t>{0, 1, 2, 3});
}

TEST_CASE("minimize: several tying traces, distinct, and no more than asked") {
  // Diamond twice: 0 -> {1, 2} -> 3 -> {4, 5} -> 6: four shortest paths of 4 steps.
  const GraphModel g = checker_test::graph(7, {{0, 1}, {0, 2}, {1, 3}, {2, 3}, {3, 4}, {3, 5}, {4, 6}, {5, 6}});
  const auto zero = [](std::uint32_t) { return 0u; };
  const auto all = checker::minimize(g, {}, zero, StateGoal{6}, 10);
  REQUIRE(all.traces.size() == 4);
  for (std::size_t i = 0; i < all.traces.size(); ++i) {
    CHECK(all.traces[i].size() == 5);
    for (std::size_t j = 0; j < i; ++j) CHECK(ids(all.traces[i]) != ids(all.traces[j]));
  }
  CHECK(checker::minimize(g, {}, zero, StateGoal{6}, 3).traces.size() == 3);
}

TEST_CASE("minimize: no goal reachable is complete, a state limit is inconclusive") {
  const GraphModel g = checker_test::graph(3, {{0, 1}, {1, 0}});
  const auto zero = [](std::uint32_t) { return 0u; };
  const auto none = checker::minimize(g, {}, zero, StateGoal{2});
  CHECK(none.outcome == checker::Outcome::Complete);
  CHECK(none.traces.empty());
  checker::SearchOptions limited;
  limited.limits.max_states = 1;
  CHECK(checker::minimize(g, limited, zero, StateGoal{2}).outcome == checker::Outcome::StateLimit);
}

TEST_CASE("minimize: with zero costs, the same distances as plain BFS on random graphs") {
  for (std::uint32_t seed = 1; seed <= 5; ++seed) {
    const GraphModel g = checker_test::random_graph(seed, 200, 3);
    const auto ref = checker_test::plain_bfs(g);
    const auto zero = [](std::uint32_t) { return 0u; };
    for (std::uint32_t target : {7u, 50u, 199u}) {
      for (const auto store : {checker::StoreKind::Plain, checker::StoreKind::Tree, checker::StoreKind::Hash}) {
        INFO(checker::to_string(store));
        checker::SearchOptions o;
        o.store = store;
        const auto r = checker::minimize(g, o, zero, StateGoal{target});
        CHECK(r.stats.store == store);
        if (ref.distance[target] < 0) {
          CHECK(r.traces.empty());
        } else {
          REQUIRE(r.traces.size() == 1);
          CHECK(static_cast<int>(r.steps) == ref.distance[target]);
          CHECK(static_cast<int>(r.traces[0].size()) - 1 == ref.distance[target]);
          CHECK(r.traces[0].back().state.id == target);
        }
      }
    }
  }
}
