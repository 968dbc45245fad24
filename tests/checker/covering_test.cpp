// Covering (checker/covering.hpp) on a literal model whose symbolic part is an interval: a new state is dropped
// when a stored state of the same discrete part has an interval that includes its own.

#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

#include "checker/covering.hpp"
#include "checker/hash.hpp"
#include "checker/search.hpp"

namespace {

/// Discrete part d in 0..3; symbolic part the interval [lo, hi], interned as lo << 16 | hi. From d < 3 two
/// steps lead to d + 1: "widen" (hi + 1) first, then "keep". d = 3 is a dead end.
struct IntervalModel {
  struct State {
    std::uint32_t d;
    std::uint32_t interval;
    friend bool operator==(const State&, const State&) = default;
  };
  using Label = int;  // 0 widen, 1 keep

  template <class Yield>
  void initial(Yield&& yield) const {
    yield(State{0, 0});
  }
  template <class Yield>
  void successors(const State& s, Yield&& yield) const {
    if (s.d >= 3) return;
    yield(0, State{s.d + 1, s.interval + 1});
    yield(1, State{s.d + 1, s.interval});
  }
  std::uint64_t discrete_hash(const State& s) const {
    return checker::hash_bytes(reinterpret_cast<const std::byte*>(&s.d), sizeof s.d);
  }
  bool same_discrete(const State& a, const State& b) const { return a.d == b.d; }
  std::uint32_t symbolic(const State& s) const { return s.interval; }
  bool includes(std::uint32_t big, std::uint32_t small) const {
    return (big >> 16) <= (small >> 16) && (big & 0xFFFF) >= (small & 0xFFFF);
  }
};
static_assert(checker::CoverableModel<IntervalModel>);

struct DeadEnds {
  std::vector<IntervalModel::State> seen;
  checker::Action on_deadlock(const IntervalModel::State& s, checker::StateId) {
    seen.push_back(s);
    return checker::Action::Continue;
  }
};

}  // namespace

TEST_CASE("covering: a state whose interval a stored one of the same discrete part includes is dropped") {
  const IntervalModel m;
  for (const checker::Order order : {checker::Order::Bfs, checker::Order::Dfs}) {
    INFO((order == checker::Order::Bfs ? "bfs" : "dfs"));
    checker::SearchOptions o;
    o.order = order;
    checker::Explorer<IntervalModel> ex(m, o);
    DeadEnds dead;
    const auto state_of = [&ex](checker::StateId id) { return ex.state(id); };
    checker::Covering<IntervalModel, DeadEnds, decltype(state_of)> covering(m, state_of, dead);
    const auto r = ex.run(covering);
    CHECK(r.outcome == checker::Outcome::Complete);
    // Each level keeps only the widened state: [0,0], [0,1], [0,2], [0,3]; each "keep" step is covered.
    CHECK(r.stats.states == 4);
    CHECK(r.stats.transitions == 6);
    CHECK(covering.covered_count() == 3);
    REQUIRE(dead.seen.size() == 1);
    CHECK(dead.seen[0] == IntervalModel::State{3, 3});
  }
}

TEST_CASE("covering: without it the same model stores every interval") {
  const IntervalModel m;
  checker::Explorer<IntervalModel> ex(m, checker::SearchOptions{});
  const auto r = ex.run();
  CHECK(r.stats.states == 1 + 2 + 3 + 4);
  CHECK(r.stats.transitions == 2 * (1 + 2 + 3));
}
