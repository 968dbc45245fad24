// checker::cost_to_leave: the least and greatest cost to leave a region, on literal weighted graphs.

#include <catch2/catch.hpp>

#include <cstdint>
#include <tuple>
#include <utility>
#include <vector>

#include "checker/leave.hpp"
#include "tests/checker/graph_model.hpp"

namespace {

using checker_test::Node;

/// Nodes 0..n-1; a move's label is its cost.
struct Weighted {
  using State = Node;
  using Label = std::uint32_t;
  std::vector<std::vector<std::pair<std::uint32_t, std::uint32_t>>> edges;  // (cost, to) per node

  template <class Yield>
  void initial(Yield&& yield) const {
    yield(Node{0});
  }
  template <class Yield>
  void successors(const Node& s, Yield&& yield) const {
    for (const auto& [cost, to] : edges[s.id]) yield(cost, Node{to});
  }
};

Weighted weighted(std::uint32_t nodes,
                  const std::vector<std::tuple<std::uint32_t, std::uint32_t, std::uint32_t>>& list) {
  Weighted w;
  w.edges.resize(nodes);
  for (const auto& [from, cost, to] : list) w.edges[from].emplace_back(cost, to);
  return w;
}

/// The region: nodes below 10.
bool inside(const Node& n) {
  return n.id < 10;
}
bool any(std::uint32_t) {
  return true;
}
std::uint32_t by_label(std::uint32_t cost) {
  return cost;
}

}  // namespace

TEST_CASE("leave: the cheapest and the dearest way out, with the moves that leave") {
  // 0 leaves at once (cost 0), or goes 0 -1-> 1 -1-> 2 and leaves from 2 (cost 0): 0 and 2.
  const Weighted w = weighted(11, {{0, 0, 10}, {0, 1, 1}, {1, 1, 2}, {2, 0, 10}});
  const auto r = checker::cost_to_leave(w, Node{0}, inside, any, by_label);
  REQUIRE(r.min_cost);
  CHECK(*r.min_cost == 0);
  REQUIRE(r.max_cost);
  CHECK(*r.max_cost == 2);
  REQUIRE(r.quickest);
  CHECK(r.quickest->to.id == 10);
  REQUIRE(r.slowest);
  CHECK(r.slowest->label == 0);
  CHECK_FALSE(r.cycle);
  CHECK_FALSE(r.dead_end);
  CHECK_FALSE(r.cut);
  CHECK(r.states == 3);
}

TEST_CASE("leave: a cycle inside the region means some run stays forever") {
  const Weighted w = weighted(11, {{0, 1, 1}, {1, 1, 0}, {1, 0, 10}});
  const auto r = checker::cost_to_leave(w, Node{0}, inside, any, by_label);
  REQUIRE(r.min_cost);
  CHECK(*r.min_cost == 1);
  CHECK_FALSE(r.max_cost);
  CHECK_FALSE(r.slowest);
  CHECK(r.cycle);
  CHECK_FALSE(r.dead_end);
}

TEST_CASE("leave: a dead end inside the region, and moves the filter leaves out") {
  const Weighted w = weighted(11, {{0, 1, 1}, {0, 3, 10}});  // node 1 has no move
  const auto r = checker::cost_to_leave(w, Node{0}, inside, any, by_label);
  REQUIRE(r.min_cost);
  CHECK(*r.min_cost == 3);
  CHECK_FALSE(r.max_cost);
  CHECK(r.dead_end);
  CHECK_FALSE(r.cycle);
  // Without the moves of cost 3 no run leaves.
  const auto cheap = checker::cost_to_leave(
      w, Node{0}, inside, [](std::uint32_t c) { return c < 3; }, by_label);
  CHECK_FALSE(cheap.min_cost);
  CHECK_FALSE(cheap.quickest);
  CHECK_FALSE(cheap.max_cost);
  CHECK(cheap.dead_end);
}

TEST_CASE("leave: the dearest way out is the longest path over a region with shared states") {
  // A diamond repeated: every state is reached along several paths and expanded once; the dearest path takes
  // the cost-2 branch of each of the 4 diamonds (8), then leaves at cost 5.
  std::vector<std::tuple<std::uint32_t, std::uint32_t, std::uint32_t>> list;
  for (std::uint32_t d = 0; d < 4; ++d) {
    const std::uint32_t top = 2 * d;
    list.emplace_back(top, 1, top + 1);
    list.emplace_back(top, 2, top + 1);
    list.emplace_back(top + 1, 0, top + 2);
  }
  list.emplace_back(8, 5, 10);
  list.emplace_back(8, 0, 9);
  list.emplace_back(9, 1, 10);
  const Weighted w = weighted(11, list);
  const auto r = checker::cost_to_leave(w, Node{0}, inside, any, by_label);
  REQUIRE(r.min_cost);
  CHECK(*r.min_cost == 4 + 1);
  REQUIRE(r.max_cost);
  CHECK(*r.max_cost == 8 + 5);
  CHECK(r.states == 10);
}

TEST_CASE("leave: past max_states the figures are not known") {
  std::vector<std::tuple<std::uint32_t, std::uint32_t, std::uint32_t>> chain;
  for (std::uint32_t s = 0; s + 1 < 9; ++s) chain.emplace_back(s, 1, s + 1);
  chain.emplace_back(8, 1, 10);
  const Weighted w = weighted(11, chain);
  const auto full = checker::cost_to_leave(w, Node{0}, inside, any, by_label);
  REQUIRE(full.max_cost);
  CHECK(*full.max_cost == 9);
  CHECK(*full.min_cost == 9);
  const auto cut = checker::cost_to_leave(w, Node{0}, inside, any, by_label, 4);
  CHECK(cut.cut);
  CHECK_FALSE(cut.max_cost);
}
