// Golden scenarios: each shipped model file's verdicts, state count and transition count, pinned, and the same
// in BFS with 1 and 2 threads and in DFS.

#include <catch2/catch.hpp>

#include <string>

#include "properties/check.hpp"
#include "tests/scenarios/load_scenario.hpp"

namespace {

/// One letter per property in properties::all() order: H holds, V violated, U unknown.
std::string verdicts(const properties::Report& r) {
  std::string out;
  for (const auto& result : r.results)
    out += result.verdict == properties::Verdict::Holds      ? 'H'
           : result.verdict == properties::Verdict::Violated ? 'V'
                                                             : 'U';
  return out;
}

struct Golden {
  const char* scenario;
  const char* verdicts;  // stray-data, stray-segment, time-wait-assassination, desync, new-connection-killed,
                         // stream-integrity, no-deadlock, eventual-close, half-open
  std::size_t states;
  std::size_t transitions;
};

}  // namespace

TEST_CASE("golden: shipped scenarios, every property, every search mode") {
  const Golden goldens[] = {
      {"rfc1337-figure1", "HHVHHHVVV", 141657, 426086},
      {"rfc1337-figure1-fixed", "HHHHHHVVV", 141331, 425330},
      {"close-wait-stuck", "HHHHHHVVV", 14022, 31735},
      {"last-ack-stuck", "HHVHHHVVV", 139806, 529094},
      {"simultaneous-close", "HHVHHHHHH", 82237, 225547},
      {"faber-figure1", "VVHVVVVVV", 9119942, 31772974},
      {"faber-figure1-time-wait", "VVHVVVVVV", 3609799, 11885139},
      {"zombie-listener", "VVHVVVVVV", 2884583, 9061261},
  };
  for (const Golden& g : goldens) {
#ifdef TEARDOWN_SANITIZED
    // Under ASan+UBSan the millions of states of the big scenarios take most of CI's time; the Release build
    // pins them, the sanitizers watch the smaller ones.
    if (g.states > 1'000'000) continue;
#endif
    const model::TeardownModel m(load_scenario(g.scenario));
    for (auto [order, threads] :
         {std::pair{checker::Order::Bfs, 1u}, {checker::Order::Bfs, 2u}, {checker::Order::Dfs, 1u}}) {
      INFO(g.scenario << (order == checker::Order::Dfs ? " dfs" : " bfs") << " threads " << threads);
      properties::CheckOptions o;
      o.search.order = order;
      o.search.threads = threads;
      const properties::Report r = properties::check(m, o);
      CHECK(r.outcome == checker::Outcome::Complete);
      CHECK(verdicts(r) == g.verdicts);
      CHECK(r.stats.states == g.states);
      CHECK(r.stats.transitions == g.transitions);
      for (const auto& result : r.results)
        if (result.verdict == properties::Verdict::Violated) CHECK_FALSE(result.trace.empty());
    }
  }
}

TEST_CASE("golden: Faber, Touch & Yue figure 1 without TIME-WAIT: data crosses between the connections") {
  const model::TeardownModel m(load_scenario("faber-figure1"));
  properties::CheckOptions o;
  o.properties = {*properties::find("stray-data")};
  const properties::Report r = properties::check(m, o);
  REQUIRE(r.results[0].verdict == properties::Verdict::Violated);
  const auto& last = r.results[0].trace.back();
  REQUIRE(last.label);
  CHECK(last.label->event == model::Event::Deliver);
  CHECK(last.label->delivered == 1);
  // Data of one connection taken by the application of the other (the shortest trace: the client's old
  // duplicate data unit, delayed, is taken by the server's second connection, whose window it falls in).
  const unsigned receiver = 1u - last.label->index;
  CHECK(last.label->segment.incarnation() + last.state.tcb[receiver].incarnation == 3);
  CHECK(r.stats.depth + 1 == r.results[0].trace.size() - 1);  // BFS: the trace is as short as the search depth allows
}

TEST_CASE("golden: the default model file is the built-in default model") {
  model::Knobs builtin;
  REQUIRE_FALSE(model::apply_profile(builtin, "rfc9293"));
  const model::Knobs file = load_scenario("default");
  for (const auto& info : model::knob_table())
    CHECK(model::knob_value(file, info.name) == model::knob_value(builtin, info.name));
}

TEST_CASE("golden: eventual-close is settled by the first dead end that is not final, so the search stops early") {
  const model::TeardownModel m(load_scenario("close-wait-stuck"));
  properties::CheckOptions o;
  o.properties = {*properties::find("eventual-close")};
  const properties::Report r = properties::check(m, o);
  CHECK(r.outcome == checker::Outcome::Stopped);
  CHECK(r.stats.states < 14022);  // the whole graph has 14022 states
  REQUIRE(r.results[0].verdict == properties::Verdict::Violated);
  const auto& trace = r.results[0].trace;
  REQUIRE(r.results[0].trapped_from == trace.size() - 1);
  CHECK_FALSE(r.results[0].cycle_start);
  const model::State& last = trace.back().state;
  CHECK_FALSE(m.final(last));
  std::vector<std::pair<model::Label, model::State>> out;
  m.successors_into(last, out);
  CHECK(out.empty());
  // The complete search's trap analysis finds a trap no farther away (stray-data holds: the search completes).
  o.properties = {*properties::find("eventual-close"), *properties::find("stray-data")};
  const properties::Report full = properties::check(m, o);
  CHECK(full.outcome == checker::Outcome::Complete);
  REQUIRE(full.results[0].verdict == properties::Verdict::Violated);
  CHECK(*full.results[0].trapped_from <= trace.size() - 1);
}
