// The distributed check (properties::check with a Comm of several ranks, here threads: checker/thread_comm.hpp)
// on shipped scenarios: the verdicts and shortest-trace lengths of the one-process check, every rank the same
// report, the state and transition counts of a complete search, eventual-close left undecided with its reason,
// and in exact time (zones travelling between ranks, covering on each) the same verdicts and lengths.

#include <catch2/catch.hpp>

#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "checker/thread_comm.hpp"
#include "load_scenario.hpp"
#include "model/knobs.hpp"
#include "model/teardown.hpp"
#include "model/timed_model.hpp"
#include "properties/check.hpp"
#include "properties/properties.hpp"
#include "tests/checker/thread_ranks.hpp"

namespace {

using checker_test::on_ranks;

template <class M>
properties::Report check_on(const M& m, checker::Comm* comm, std::vector<std::size_t> chosen = {}) {
  properties::CheckOptions o;
  o.properties = std::move(chosen);
  o.search.comm = comm;
  return properties::check(m, o);
}

/// The distributed reports against the one-process one: verdicts, trace lengths, counts when complete.
void same_as_single(const properties::Report& one, const std::vector<properties::Report>& ranks, bool counts) {
  for (const properties::Report& r : ranks) {
    REQUIRE(r.results.size() == one.results.size());
    for (std::size_t i = 0; i < one.results.size(); ++i) {
      const auto& want = one.results[i];
      const auto& got = r.results[i];
      INFO(properties::all()[want.property].name);
      if (properties::all()[want.property].hook == properties::Hook::Trap) {
        CHECK(got.verdict == properties::Verdict::Unknown);
        CHECK(got.why.find("no rank holds") != std::string::npos);
        continue;
      }
      CHECK(got.verdict == want.verdict);
      CHECK(got.trace.size() == want.trace.size());
      if (got.verdict == properties::Verdict::Violated) CHECK_FALSE(got.why.empty());
      CHECK(got.trace.size() == ranks.front().results[i].trace.size());
    }
    CHECK(r.outcome == ranks.front().outcome);
    if (counts) {
      CHECK(r.stats.states == one.stats.states);
      CHECK(r.stats.transitions == one.stats.transitions);
    }
  }
}

}  // namespace

TEST_CASE("distributed check: the one-process verdicts, trace lengths and counts on close-wait-stuck") {
  const model::TeardownModel m(load_scenario("close-wait-stuck"));
  // Every property that is not eventual-close holds or is violated; a search of all of them stops once all are
  // violated, so the counts are compared on one that holds (the search completes).
  const auto one = check_on(m, nullptr);
  for (int n : {2, 3}) {
    INFO(n << " ranks");
    const auto all = on_ranks<properties::Report>(n, [&](checker::Comm& c) { return check_on(m, &c); });
    same_as_single(one, all, false);
    CHECK(all[0].ranks.size() == static_cast<std::size_t>(n));
    for (std::size_t r = 1; r < all.size(); ++r) CHECK(all[r].ranks.empty());  // rank 0 gathers them
  }
  std::size_t holds = properties::all().size();
  for (const auto& r : one.results)
    if (r.verdict == properties::Verdict::Holds && properties::all()[r.property].hook != properties::Hook::Trap)
      holds = r.property;
  REQUIRE(holds < properties::all().size());
  const auto whole = check_on(m, nullptr, {holds});
  REQUIRE(whole.outcome == checker::Outcome::Complete);
  const auto split = on_ranks<properties::Report>(3, [&](checker::Comm& c) { return check_on(m, &c, {holds}); });
  same_as_single(whole, split, true);
  CHECK(whole.stats.states > 1000);
}

TEST_CASE("distributed check: exact time, zones sent between ranks, covering on each", "[timing]") {
  model::Knobs k = load_scenario("close-wait-stuck");
  REQUIRE_FALSE(model::set_knob(k, "timing", "exact"));
  const model::TeardownModel untimed(k);
  const model::TimedModel m(untimed);
  std::vector<std::size_t> safety;
  for (std::size_t p = 0; p < properties::all().size(); ++p)
    if (properties::all()[p].hook != properties::Hook::Trap) safety.push_back(p);
  const auto one = check_on(m, nullptr, safety);
  const auto all = on_ranks<properties::Report>(2, [&](checker::Comm& c) { return check_on(m, &c, safety); });
  same_as_single(one, all, false);
  for (const auto& r : all) CHECK(r.covered.has_value());
}

TEST_CASE("distributed reach: a witness as short as the one-process one") {
  const model::TeardownModel m(load_scenario("close-wait-stuck"));
  checker::SearchOptions o;
  const auto one = properties::reach(m, model::TcpState::FinWait2, model::TcpState::CloseWait, o);
  REQUIRE(one.witness);
  const auto all = on_ranks<properties::ReachReport>(3, [&](checker::Comm& c) {
    checker::SearchOptions d;
    d.comm = &c;
    return properties::reach(m, model::TcpState::FinWait2, model::TcpState::CloseWait, d);
  });
  for (const auto& r : all) {
    REQUIRE(r.witness);
    CHECK(r.witness->size() == one.witness->size());
    CHECK(r.witness->back().state.tcb[0].state == model::TcpState::FinWait2);
    CHECK(r.witness->back().state.tcb[1].state == model::TcpState::CloseWait);
  }
}
