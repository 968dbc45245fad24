// Eager applications are a reduction, and not a sound one: on the shipped scenarios and a reduced default model,
// each property's real-time verdict (--timing exact) under apps=eager is compared with apps=free, which explores
// every application timing. They differ on every scenario but last-ack-stuck: a violation often needs a slow
// application (a server that sends late, or closes late). So the default is apps=free (README "The model's
// choices").

#include <catch2/catch.hpp>

#include <string>

#include "properties/timed.hpp"
#include "smt/timing.hpp"
#include "tests/scenarios/load_scenario.hpp"

namespace {

/// One letter per property in properties::all() order: H holds, V violated, U unknown.
std::string real_time_verdicts(model::Knobs k, const char* apps) {
  REQUIRE_FALSE(model::set_knob(k, "apps", apps));
  REQUIRE_FALSE(model::set_knob(k, "timing", "exact"));
  properties::CheckOptions o;
  o.search.threads = 2;
  const properties::TimedReport t = properties::check_timed(k, o);
  std::string out;
  for (const auto& r : t.report.results)
    out += r.verdict == properties::Verdict::Holds ? 'H' : r.verdict == properties::Verdict::Violated ? 'V' : 'U';
  return out;
}

struct Pair {
  const char* scenario;  ///< a scenario file, or "default-dup0": the default model under rfc1337 without duplication
  const char* eager;     ///< stray-data, stray-segment, time-wait-assassination, desync, new-connection-killed,
  const char* free;      ///< stream-integrity, no-deadlock, eventual-close, half-open
  bool big;              ///< millions of states: left to the Release build under the sanitizers
};

}  // namespace

TEST_CASE("apps: eager applications change real-time verdicts, so every application timing is explored") {
  const Pair pairs[] = {
      // A lazy server application lets the client give up (R2) on a connection the server still holds.
      {"close-wait-stuck", "HHHHHHVVH", "HHHHHHVVV", false},
      {"last-ack-stuck", "HHVHHHVVV", "HHVHHHVVV", false},
      // A late close lets a reordered old ACK reach TIME-WAIT after the peer's port is closed (RFC 1337).
      {"simultaneous-close", "HHHHHHHHH", "HHVHHHHHH", false},
      {"rfc1337-figure1", "HHVHHHHHH", "HHVHHHVVV", false},
      {"rfc1337-figure1-fixed", "HHHHHHHHH", "HHHHHHVVV", false},
      {"zombie-listener", "HHHHHHHHH", "VVHVVVVVV", true},
      {"faber-figure1-time-wait", "HHHHHHHHH", "VVHVVVVVV", true},
      {"faber-figure1", "HVHVHHVVH", "VVHVVVVVV", true},
      {"default-dup0", "HHHHHHVVV", "VVHVVVVVV", true},
  };
  for (const Pair& p : pairs) {
#ifdef TEARDOWN_SANITIZED
    if (p.big) continue;
#endif
    INFO(p.scenario);
    model::Knobs k;
    if (std::string(p.scenario) == "default-dup0") {
      REQUIRE_FALSE(model::apply_profile(k, "rfc1337"));
      REQUIRE_FALSE(model::set_knob(k, "dup", "0"));
    } else {
      k = load_scenario(p.scenario);
    }
    CHECK(real_time_verdicts(k, "eager") == p.eager);
    CHECK(real_time_verdicts(k, "free") == p.free);
  }
}
