// Real-time feasibility of traces (smt/timing.hpp): a stray-data trace without TIME-WAIT fits real times, the
// tick model's trace across a short TIME-WAIT does not, and a trace of the exact-timing search always does.

#include <catch2/catch.hpp>

#include <cstdlib>
#include <iostream>
#include <string>
#include <utility>
#include <vector>

#include "model/knobs.hpp"
#include "properties/check.hpp"
#include "properties/properties.hpp"
#include "smt/timing.hpp"

namespace {

using Settings = std::vector<std::pair<std::string, std::string>>;

model::Knobs knobs(const std::string& profile, const Settings& settings) {
  model::Knobs k;
  REQUIRE_FALSE(model::apply_profile(k, profile));
  for (const auto& [name, value] : settings) {
    INFO(name << "=" << value);
    REQUIRE_FALSE(model::set_knob(k, name, value));
  }
  REQUIRE_FALSE(model::validate(k));
  return k;
}

/// The breadth-first trace violating stray-data.
properties::Trace stray_data_trace(const model::TeardownModel& m) {
  const auto p = properties::find("stray-data");
  REQUIRE(p);
  properties::CheckOptions o;
  o.properties = {*p};
  const properties::Report r = properties::check(m, o);
  REQUIRE(r.results.size() == 1);
  REQUIRE(r.results[0].verdict == properties::Verdict::Violated);
  return r.results[0].trace;
}

void show(const smt::timing::RealTime& rt) {
  if (std::getenv("TEARDOWN_TEST_VERBOSE") == nullptr) return;
  std::cout << "feasible " << rt.feasible << " why: " << rt.why << "\n";
  for (std::size_t k = 0; k < rt.seconds.size(); ++k)
    std::cout << "  " << k << ": " << rt.seconds[k] << " sent_at " << rt.sent_at[k] << "\n";
}

/// The rules every feasible answer obeys: step 0 at 0, a Tick at its tick number, every other event of tick t
/// in [t, t + 1), trace order, and each delivery after a send of an equal segment, less than MSL and at least
/// min_delay earlier.
void check_times(const model::TeardownModel& m, const properties::Trace& trace, const smt::timing::RealTime& rt) {
  REQUIRE(rt.feasible);
  REQUIRE(rt.seconds.size() == trace.size());
  REQUIRE(rt.sent_at.size() == trace.size());
  REQUIRE(rt.seconds[0] == 0.0);
  unsigned tick = 0;
  for (std::size_t k = 1; k < trace.size(); ++k) {
    INFO("step " << k);
    const model::Label& l = *trace[k].label;
    const double t = rt.seconds[k];
    CHECK(t >= rt.seconds[k - 1]);
    if (l.event == model::Event::Tick) {
      ++tick;
      CHECK(t == static_cast<double>(tick));
    } else {
      CHECK(t >= tick);
      CHECK(t < tick + 1);
    }
    if (l.event == model::Event::Deliver) {
      const int from = rt.sent_at[k];
      REQUIRE(from > 0);
      REQUIRE(static_cast<std::size_t>(from) < k);
      model::Segment sent = trace[static_cast<std::size_t>(from)].label->emitted, got = l.segment;
      sent.age = got.age = 0;  // a segment ages in the network
      CHECK(sent == got);
      CHECK(t - rt.seconds[static_cast<std::size_t>(from)] < m.knobs().msl);
      CHECK(t - rt.seconds[static_cast<std::size_t>(from)] >= m.knobs().min_delay);
    } else {
      CHECK(rt.sent_at[k] == -1);
    }
  }
}

}  // namespace

TEST_CASE("realtime: a stray-data trace without TIME-WAIT fits real times") {
  const model::TeardownModel m(knobs("no-time-wait", {}));
  const properties::Trace trace = stray_data_trace(m);
  const smt::timing::RealTime rt = smt::timing::realtime(m, trace);
  show(rt);
  check_times(m, trace, rt);
  CHECK(rt.why.empty());
}

TEST_CASE("realtime: the tick model's stray data across a TIME-WAIT of 2 ticks is impossible in real time") {
  const model::TeardownModel m(knobs("rfc1337", {{"time_wait", "2"}}));
  REQUIRE(m.knobs().msl == 2);
  const properties::Trace trace = stray_data_trace(m);
  const smt::timing::RealTime rt = smt::timing::realtime(m, trace);
  show(rt);
  CHECK_FALSE(rt.feasible);
  CHECK(rt.seconds.empty());
  INFO(rt.why);
  CHECK(rt.why.find("MSL (2 ticks)") != std::string::npos);
  CHECK(rt.why.find("TIME-WAIT timer (2 ticks") != std::string::npos);
}

TEST_CASE("realtime: every trace of the exact-timing search fits real times") {
  // Small enough for the ASan build: no loss, no duplication, TIME-WAIT of one tick (violated in real time too).
  const model::TeardownModel m(
      knobs("rfc1337", {{"time_wait", "1"}, {"loss", "0"}, {"dup", "0"}, {"timing", "exact"}}));
  const properties::Trace trace = stray_data_trace(m);
  const smt::timing::RealTime rt = smt::timing::realtime(m, trace);
  show(rt);
  check_times(m, trace, rt);
}
