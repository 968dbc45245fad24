// The Promela exporter (model/promela.hpp) without SPIN: which knob values it refuses, what the text declares, and
// the trail printout read back into States. tests/promela/agreement_test.py runs SPIN itself.

#include <catch2/catch.hpp>

#include "model/promela.hpp"

namespace {

using namespace model;

Knobs knobs(std::initializer_list<std::pair<std::string_view, std::string_view>> settings,
            std::string_view profile = "rfc1337") {
  Knobs k;
  REQUIRE_FALSE(apply_profile(k, profile));
  for (const auto& [name, value] : settings) REQUIRE_FALSE(set_knob(k, name, value));
  return k;
}

/// The @@TD line the exported model prints for `s`, written here by hand in the field order of model/promela.cpp.
std::string printed(const State& s, unsigned capacity) {
  std::string out = "@@TD";
  const auto add = [&](long long v) {
    out += ' ';
    out += std::to_string(v);
  };
  for (const Tcb& t : s.tcb) {
    for (std::uint32_t v : {t.iss, t.irs, t.snd_una, t.snd_nxt, t.rcv_nxt}) add(static_cast<std::int32_t>(v));
    add(static_cast<int>(t.state));
    for (std::uint8_t v : {t.incarnation, t.sent, t.received, t.retries, t.rto, t.time_wait, t.fin_wait2, t.passive,
                           t.fin_sent, t.closed, t.held, t.held_foreign, t.held_misplaced, t.held_fin})
      add(v);
  }
  for (unsigned d = 0; d < 2; ++d) {
    add(s.count[d]);
    for (unsigned i = 0; i < capacity; ++i) {
      const Segment& g = s.channel[d][i];
      add(static_cast<std::int32_t>(g.seq));
      add(static_cast<std::int32_t>(g.ack));
      add(g.len);
      add(g.flags);
      add(g.age);
      add(g.ghost);
    }
  }
  add(s.losses);
  add(s.dups);
  add(s.filters_on);
  return out;
}

}  // namespace

TEST_CASE("export promela refuses the knob values it does not support, naming the knob", "[promela]") {
  CHECK(promela::unsupported(knobs({})) == std::nullopt);
  CHECK(promela::unsupported(knobs({}, "bsd")) == std::nullopt);
  const auto refused = [](const Knobs& k) { return promela::unsupported(k).value_or(""); };
  CHECK(refused(knobs({{"isn", "symbolic"}})).starts_with("knob isn:"));
  CHECK(refused(knobs({{"isn", "clock:1000"}})).starts_with("knob isn:"));
  CHECK(refused(knobs({{"timing", "exact"}})).starts_with("knob timing:"));
  CHECK(promela::unsupported(knobs({}, "linux")) == std::nullopt);
  CHECK(promela::unsupported(knobs({{"apps", "eager"}})) == std::nullopt);
  CHECK(refused(knobs({{"isn", "fixed:2147483600"}})).starts_with("knob isn:"));
  CHECK(promela::unsupported(knobs({{"isn", "fixed:4294967290"}})) == std::nullopt);  // wraps, far from 2^31
}

TEST_CASE("the exported text carries the knobs and only the asserted properties", "[promela]") {
  const std::string text =
      promela::export_model(knobs({{"capacity", "3"}, {"filter", "B>A:rst@anytime"}}), {"stray-data"});
  CHECK(text.find("#define CAP 3\n") != std::string::npos);
  CHECK(text.find("#define RST_TW_IGNORE 1\n") != std::string::npos);  // rfc1337: RST in TIME-WAIT ignored
  CHECK(text.find("assert(!(edge && ar_stray))") != std::string::npos);
  CHECK(text.find("time-wait-assassination (RFC 1337 TWA)") == std::string::npos);
  CHECK(text.find("end:") != std::string::npos);  // no-deadlock not asserted: every state is a valid end state
  CHECK(text.find("knob filter B>A:rst@anytime: the rule switches on") != std::string::npos);
  // Every placeholder (@NAME@) was filled.
  for (std::size_t at = text.find('@'); at != std::string::npos; at = text.find('@', at + 1)) {
    const std::size_t end = text.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ_", at + 1);
    CHECK_FALSE((end > at + 1 && end != std::string::npos && text[end] == '@'));
  }
  const std::string deadlock = promela::export_model(knobs({}), {"no-deadlock"});
  CHECK(deadlock.find("end:") == std::string::npos);
  CHECK(deadlock.find(":: FINAL\n") != std::string::npos);
}

TEST_CASE("a replayed trail's printout reads back into the model's states", "[promela]") {
  const Knobs k = knobs({{"capacity", "3"}, {"isn", "fixed:4294967290"}});
  const TeardownModel m(k);
  State s = m.initial_state();
  std::vector<std::pair<Label, State>> out;
  m.successors_into(s, out);
  REQUIRE_FALSE(out.empty());
  const State next = out.back().second;  // the client's SYN, ISS 4294967290 (a negative Promela int)
  REQUIRE(next.count[0] == 1);
  std::string text = "spin output\n@@KNOB profile=rfc1337\n@@KNOB capacity=3\n  ";
  text += printed(s, 3);
  text += "\n      printf('@@TD %d ...')\n";  // spin -p echoes the statement: not a state
  text += printed(next, 3);
  text += '\n';
  const auto [read, error] = promela::read_printed(text);
  REQUIRE(read);
  CHECK(error.empty());
  REQUIRE(read->states.size() == 2);
  CHECK(read->states[0] == s);
  CHECK(read->states[1] == next);
  CHECK(read->states[1].tcb[0].iss == 4294967290u);
  REQUIRE(read->knobs.size() == 2);
  CHECK(read->knobs[1] == std::pair<std::string, std::string>{"capacity", "3"});

  CHECK_FALSE(promela::read_printed("nothing here\n").first);
  CHECK_FALSE(promela::read_printed("@@TD 1 2 3\n").first);  // fits no capacity
}
