// --minimize faults on golden scenarios: the fault count pinned, and (on the default model's
// time-wait-assassination) the breadth-first trace shown to be shorter with more faults, so the minimisation
// demonstrably trades steps for faults. Also --all-shortest's traces:
// distinct, equally minimal, each violating the property.

#include <catch2/catch.hpp>

#include <string>

#include "properties/check.hpp"
#include "tests/scenarios/load_scenario.hpp"

namespace {

properties::Result check_one(const model::TeardownModel& m, std::size_t p, properties::Minimize by,
                             std::size_t all_shortest = 0) {
  properties::CheckOptions options;
  options.properties = {p};
  options.minimize = by;
  options.all_shortest = all_shortest;
  const auto report = properties::check(m, options);
  REQUIRE(report.results.size() == 1);
  return report.results.front();
}

std::size_t steps(const properties::Trace& t) {
  return t.size() - 1;
}

}  // namespace

TEST_CASE("minimize faults: last-ack-stuck no-deadlock needs no fault, BFS's shorter trace takes one") {
  const model::TeardownModel m(load_scenario("last-ack-stuck"));
  const std::size_t p = *properties::find("no-deadlock");
  const auto bfs = check_one(m, p, properties::Minimize::Steps);
  const auto fewest = check_one(m, p, properties::Minimize::Faults);
  REQUIRE(bfs.verdict == properties::Verdict::Violated);
  REQUIRE(fewest.verdict == properties::Verdict::Violated);
  CHECK(fewest.minimal);
  // The breadth-first trace: 9 steps, 1 fault.
  CHECK(steps(bfs.trace) == 9);
  CHECK(properties::count_faults(bfs.trace).total() == 1);
  // The fewest-faults trace: none, in 11 steps (the client crashes before its FIN is sent).
  CHECK(properties::count_faults(fewest.trace).total() == 0);
  CHECK(steps(fewest.trace) == 11);
  CHECK_FALSE(fewest.why.empty());
  // It really ends in a violation: the property's own check on its last state.
  CHECK(properties::check_state(p, m, fewest.trace.back().state).has_value());
}

TEST_CASE("minimize faults: default time-wait-assassination, 0 faults in 17 steps against BFS's 3 in 15") {
  const model::TeardownModel m(load_scenario("default"));
  const std::size_t p = *properties::find("time-wait-assassination");
  const auto bfs = check_one(m, p, properties::Minimize::Steps);
  const auto fewest = check_one(m, p, properties::Minimize::Faults);
  CHECK(steps(bfs.trace) == 15);
  CHECK(properties::count_faults(bfs.trace).total() == 3);
  CHECK(properties::count_faults(fewest.trace).total() == 0);
  CHECK(steps(fewest.trace) == 17);
}

TEST_CASE("minimize steps with all-shortest: distinct traces as short as BFS's, all violating") {
  const model::TeardownModel m(load_scenario("last-ack-stuck"));
  const std::size_t p = *properties::find("no-deadlock");
  const auto r = check_one(m, p, properties::Minimize::Steps, 4);
  REQUIRE(r.verdict == properties::Verdict::Violated);
  CHECK(steps(r.trace) == 9);
  REQUIRE(r.more.size() == 3);
  std::vector<properties::Trace> all{r.trace};
  all.insert(all.end(), r.more.begin(), r.more.end());
  for (std::size_t i = 0; i < all.size(); ++i) {
    CHECK(steps(all[i]) == 9);
    CHECK(properties::check_state(p, m, all[i].back().state).has_value());
    for (std::size_t j = 0; j < i; ++j) {
      bool same = true;
      for (std::size_t k = 1; k < all[i].size(); ++k) same = same && *all[i][k].label == *all[j][k].label;
      CHECK_FALSE(same);
    }
  }
}

TEST_CASE("minimize faults with all-shortest: every trace has the minimal faults and steps") {
  const model::TeardownModel m(load_scenario("last-ack-stuck"));
  const std::size_t p = *properties::find("no-deadlock");
  const auto r = check_one(m, p, properties::Minimize::Faults, 3);
  REQUIRE(r.verdict == properties::Verdict::Violated);
  REQUIRE(r.more.size() == 2);
  for (const auto& t : r.more) {
    CHECK(properties::count_faults(t).total() == 0);
    CHECK(steps(t) == 11);
  }
}

TEST_CASE("minimize faults: a state limit ends the minimisation as not proven minimal") {
  const model::TeardownModel m(load_scenario("last-ack-stuck"));
  const std::size_t p = *properties::find("no-deadlock");
  checker::SearchOptions options;
  options.limits.max_states = 50;
  const auto r = properties::minimal(m, p, properties::Minimize::Faults, 1, options);
  CHECK_FALSE(r.minimal);
  CHECK(r.verdict != properties::Verdict::Holds);
}
