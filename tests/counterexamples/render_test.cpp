// The renderers on real traces of shipped scenarios: the text ladder against golden files, the SVG, Mermaid
// and DOT pictures checked for their structure (one arrow per segment sent, labels, faults, the highlighted
// last step), the HTML page for being self-contained, the segment matching behind them, and the pcap's bytes.
// Set TEARDOWN_UPDATE_GOLDEN=1 to rewrite the golden files after a deliberate change of the ladder.

#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <regex>
#include <string>

#include "counterexamples/json.hpp"
#include "counterexamples/pcap.hpp"
#include "counterexamples/pictures.hpp"
#include "counterexamples/render.hpp"
#include "counterexamples/timeline.hpp"
#include "properties/check.hpp"
#include "tests/scenarios/load_scenario.hpp"

namespace {

using counterexamples::Flight;
using model::Event;
using model::Fate;

struct Violation {
  properties::Trace trace;
  std::string property;
  std::string why;
  std::optional<std::size_t> trapped_from;
};

/// The shortest trace (BFS, one thread) breaking `property` in scenarios/<scenario>.toml.
Violation violation(const std::string& scenario, const std::string& property) {
  properties::CheckOptions o;
  o.properties = {*properties::find(property)};
  const properties::Report r = properties::check(model::TeardownModel(load_scenario(scenario)), o);
  REQUIRE(r.results[0].verdict == properties::Verdict::Violated);
  return {r.results[0].trace, property, r.results[0].why, r.results[0].trapped_from};
}

counterexamples::Caption caption(const Violation& v) {
  counterexamples::Caption c;
  c.title = v.property + " is violated";
  c.last_step = "breaks " + v.property;
  c.why = v.why;
  c.trapped_from = v.trapped_from;
  return c;
}

std::size_t count(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (std::size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + needle.size())) ++n;
  return n;
}

/// What the trace's labels say was sent, counted without timeline.hpp.
struct Sent {
  std::size_t arrows = 0, lost = 0, filtered = 0, duplicated = 0, delivered = 0;
  std::vector<model::Segment> segments;  ///< every emitted segment
};
Sent sent(const properties::Trace& trace) {
  Sent s;
  for (const auto& step : trace) {
    if (!step.label) continue;
    const model::Label& l = *step.label;
    if (l.event == Event::Deliver) ++s.delivered;
    if (l.fate == Fate::None) continue;
    s.segments.push_back(l.emitted);
    s.arrows += l.fate == Fate::Duplicated ? 2 : 1;
    s.lost += l.fate == Fate::Lost || l.fate == Fate::QueueFull;  // both drawn as a cross
    s.filtered += l.fate == Fate::Filtered;
    s.duplicated += l.fate == Fate::Duplicated;
  }
  return s;
}

/// "FIN|ACK seq=1002 ack=5001", as every picture labels a segment.
std::string fields(const model::Segment& s) {
  std::string out = counterexamples::flags_text(s.flags) + fmt::format(" seq={}", s.seq);
  if (s.has(model::kAck)) out += fmt::format(" ack={}", s.ack);
  return out;
}

std::string read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void check_golden(const std::string& name, const std::string& actual) {
  const std::string path = std::string(TEARDOWN_SOURCE_DIR) + "/tests/counterexamples/golden/" + name;
  if (const char* update = std::getenv("TEARDOWN_UPDATE_GOLDEN"); update && std::string(update) == "1") {
    std::ofstream(path, std::ios::binary) << actual;
    WARN("rewrote " << path);
  }
  const std::string expected = read(path);
  INFO("golden file " << path << " (TEARDOWN_UPDATE_GOLDEN=1 rewrites it)");
  CHECK(actual == expected);
}

}  // namespace

TEST_CASE("ladder: golden text for Faber, Touch and Yue figure 1 (stray data without TIME-WAIT)") {
  const Violation v = violation("faber-figure1", "stray-data");
  check_golden("faber-figure1-stray-data.ladder.txt", counterexamples::ladder(v.trace, v.why));
}

TEST_CASE("ladder: golden text for RFC 1337 figure 1 (TIME-WAIT assassination)") {
  const Violation v = violation("rfc1337-figure1", "time-wait-assassination");
  check_golden("rfc1337-figure1-time-wait-assassination.ladder.txt", counterexamples::ladder(v.trace, v.why));
}

TEST_CASE("ladder: a step shows only what changed, a deleted TCB by name, and the legend") {
  const Violation v = violation("rfc1337-figure1", "time-wait-assassination");
  const std::string text = counterexamples::ladder(v.trace, v.why);
  CHECK(text.find("A: ISS 0->1000, SND.UNA 0->1000, SND.NXT 0->1001, incarnation 0->1, rto timer off->5\n") !=
        std::string::npos);
  CHECK(text.find("A: TCB deleted (IRS, SND.UNA, RCV.NXT, sent, received, time-wait timer back to 0)") !=
        std::string::npos);
  CHECK(text.find("time-wait timer off->4") != std::string::npos);  // 2 x MSL ticks, MSL = 2
  CHECK(count(text, "<== breaks the property") == 1);
  CHECK(text.find(std::string(counterexamples::kLadderLegend)) != std::string::npos);
  // A step that changes no variable has no diff line: the line after step 14 is step 15.
  CHECK(text.find("(inc 1) <--\n  15 ") != std::string::npos);
}

TEST_CASE("timeline: every delivery is matched to the step that sent it, by fields and age") {
  for (const auto& [scenario, property] : {std::pair{"faber-figure1", "stray-data"},
                                           {"rfc1337-figure1", "time-wait-assassination"},
                                           {"last-ack-stuck", "eventual-close"}}) {
    INFO(scenario);
    const Violation v = violation(scenario, property);
    const std::vector<Flight> fl = counterexamples::flights(v.trace);
    const std::vector<unsigned> tick = counterexamples::ticks(v.trace);
    const Sent s = sent(v.trace);
    CHECK(fl.size() == s.arrows);
    std::size_t arrived = 0;
    for (const Flight& f : fl) {
      const model::Label& at_send = *v.trace[f.sent].label;
      CHECK(at_send.emitted.seq == f.segment.seq);
      if (!f.arrived) continue;
      ++arrived;
      const model::Label& l = *v.trace[*f.arrived].label;
      CHECK(l.event == Event::Deliver);
      CHECK(l.index == f.direction);
      model::Segment delivered = l.segment;
      CHECK(tick[f.sent] + delivered.age == tick[*f.arrived]);
      delivered.age = 0;
      CHECK(delivered == f.segment);
    }
    CHECK(arrived == s.delivered);
  }
}

TEST_CASE("timeline: a delivery nobody sent is an error") {
  properties::Trace trace = violation("rfc1337-figure1", "time-wait-assassination").trace;
  trace.erase(trace.begin() + 1);  // the SYN is never sent, yet delivered
  CHECK_THROWS_AS(counterexamples::flights(trace), std::logic_error);
}

TEST_CASE("svg: one arrow per segment sent, labelled, with faults marked and the last step highlighted") {
  for (const auto& [scenario, property] : {std::pair{"faber-figure1", "stray-data"},
                                           {"rfc1337-figure1", "time-wait-assassination"},
                                           {"last-ack-stuck", "eventual-close"}}) {
    INFO(scenario);
    const Violation v = violation(scenario, property);
    const std::string svg = counterexamples::svg(v.trace, caption(v));
    const Sent s = sent(v.trace);
    CHECK(svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0) == 0);
    CHECK(svg.size() > 1000);
    CHECK(svg.substr(svg.size() - 7) == "</svg>\n");
    CHECK(count(svg, "<g class=\"segment") == s.arrows);
    CHECK(count(svg, "<path class=\"cross\"") == s.lost);
    CHECK(count(svg, "<g class=\"firewall-mark\">") == s.filtered);
    CHECK(std::regex_search(svg, std::regex("class=\"segment[a-z -]*duplicate")) == (s.duplicated > 0));
    for (const model::Segment& seg : s.segments) CHECK(svg.find(fields(seg)) != std::string::npos);
    CHECK(count(svg, "<g class=\"row") == v.trace.size());
    const std::size_t last = v.trace.size() - 1;
    CHECK(count(svg, "<g class=\"row violation\"") == 1);
    CHECK(svg.find(fmt::format("<g class=\"row violation\" data-step=\"{}\">", last)) != std::string::npos);
    CHECK(count(svg, " bold\" data-sent=") >= 1);  // the segment the last step delivers
    CHECK(svg.find(fmt::format("Step {} breaks {}", last, property)) != std::string::npos);
    // The timelines carry the states where they change: the first and the last state of each endpoint.
    for (unsigned side = 0; side < 2; ++side) {
      CHECK(svg.find(std::string(model::name(v.trace.front().state.tcb[side].state)) + "</text>") != std::string::npos);
      CHECK(svg.find(std::string(model::name(v.trace.back().state.tcb[side].state)) + "</text>") != std::string::npos);
    }
  }
}

TEST_CASE("svg: the stray data of figure 1 crosses connections and is drawn bold") {
  const Violation v = violation("faber-figure1", "stray-data");
  const std::string svg = counterexamples::svg(v.trace, caption(v));
  // The bold arrow is the duplicate of connection 1's data unit (blue), delivered at the last step to the
  // client's connection 2, whose ISS reuses the old sequence space (isn=adversarial) and whose window it fits.
  const std::regex bold("<g class=\"segment[a-z -]* bold\" data-sent=\"[0-9]+\" data-arrived=\"" +
                        std::to_string(v.trace.size() - 1) + "\"><line [^>]*stroke=\"#1f5fbf\"[^>]*/><text[^>]*>" +
                        "[^<]*ACK seq=5001 ack=1001 len=1 \\(conn 1, unit 0\\)</text>");
  CHECK(std::regex_search(svg, bold));
  CHECK(svg.find("app receives 1 unit") != std::string::npos);
}

TEST_CASE("html: the SVG, the trace as data and a stepper, with nothing loaded from elsewhere") {
  const Violation v = violation("last-ack-stuck", "eventual-close");
  const std::string page = counterexamples::html(v.trace, caption(v));
  CHECK(page.rfind("<!DOCTYPE html>", 0) == 0);
  CHECK(page.find(counterexamples::svg(v.trace, caption(v))) != std::string::npos);
  for (const char* id : {"id=\"first\"", "id=\"previous\"", "id=\"next\"", "id=\"last\"", "id=\"variables\"",
                         "id=\"net-ab\"", "id=\"net-ba\"", "ArrowRight", "ArrowLeft"})
    CHECK(page.find(id) != std::string::npos);
  CHECK(page.find("<script src") == std::string::npos);
  CHECK(page.find("<link") == std::string::npos);
  CHECK(page.find("https://") == std::string::npos);
  CHECK(count(page, "http://") == count(page, "http://www.w3.org/2000/svg"));
  const std::string open = "<script type=\"application/json\" id=\"trace-data\">";
  const std::size_t begin = page.find(open) + open.size();
  const std::size_t end = page.find("</script>", begin);
  REQUIRE(end != std::string::npos);
  const auto data = counterexamples::parse_json(page.substr(begin, end - begin));
  INFO(data.error);
  REQUIRE(data.value);
  CHECK(data.value->get("trace")->get("steps")->items.size() == v.trace.size());
  CHECK(data.value->get("events")->items.size() == v.trace.size());
  CHECK(data.value->get("last")->text.find("Step 9 breaks eventual-close") == 0);
}

TEST_CASE("mermaid: participants, one message per segment, faults crossed, the last step in a red rect") {
  const Violation v = violation("last-ack-stuck", "eventual-close");
  const std::string text = counterexamples::mermaid(v.trace, caption(v));
  const Sent s = sent(v.trace);
  CHECK(text.rfind("sequenceDiagram\n", 0) == 0);
  CHECK(text.find("    participant A as A (client)\n    participant B as B (server)\n") != std::string::npos);
  CHECK(count(text, "\n    A->>B: ") + count(text, "\n    B->>A: ") == s.delivered);
  CHECK(count(text, "\n    A-xB: ") + count(text, "\n    B-xA: ") == s.lost + s.filtered);
  CHECK(count(text, ", LOST\n") == s.lost);
  CHECK(count(text, ", dropped by a firewall\n") == s.filtered);
  for (const auto& step : v.trace) {
    if (!step.label || step.label->event != Event::Deliver) continue;
    std::string message = step.label->index == 0 ? "A->>B: " : "B->>A: ";
    message += fields(step.label->segment);
    CHECK(text.find(message) != std::string::npos);
  }
  CHECK(count(text, "    rect rgb(") == 1);
  CHECK(text.find("    Note over A,B: Step 9 breaks eventual-close: ") != std::string::npos);
  CHECK(text.find(';') == std::string::npos);
}

TEST_CASE("dot: a digraph with both timelines, one edge per segment, the last step marked") {
  const Violation v = violation("faber-figure1", "stray-data");
  const std::string text = counterexamples::dot(v.trace, caption(v));
  const Sent s = sent(v.trace);
  CHECK(text.rfind("digraph trace {\n", 0) == 0);
  CHECK(text.substr(text.size() - 2) == "}\n");
  CHECK(count(text, "{") == count(text, "}"));
  CHECK(text.find("a [shape=box, style=\"rounded,filled\", fillcolor=\"#f2f2f2\", label=\"A (client)\"]") !=
        std::string::npos);
  CHECK(text.find("label=\"B (server)\"") != std::string::npos);
  CHECK(count(text, "xlabel=") == s.delivered);
  CHECK(count(text, "constraint=false") == s.delivered);
  for (const model::Segment& seg : s.segments) CHECK(text.find(fields(seg)) != std::string::npos);
  CHECK(text.find(fmt::format("a{} [shape=box, style=rounded, label=\"app receives 1 unit\", color=\"#c00000\"",
                              v.trace.size() - 1)) != std::string::npos);
}

namespace {

std::uint32_t be16(const std::string& b, std::size_t at) {
  return (std::uint32_t{static_cast<unsigned char>(b[at])} << 8) | static_cast<unsigned char>(b[at + 1]);
}
std::uint32_t be32(const std::string& b, std::size_t at) {
  return (be16(b, at) << 16) | be16(b, at + 2);
}
std::uint32_t le32(const std::string& b, std::size_t at) {
  std::uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(b[at + static_cast<std::size_t>(i)]);
  return v;
}
/// The ones' complement sum of 16-bit words, folded: 0xFFFF over a packet part with a correct checksum.
std::uint32_t ones_sum(const std::string& b) {
  std::uint32_t sum = 0;
  for (std::size_t i = 0; i < b.size(); i += 2)
    sum += i + 1 < b.size() ? be16(b, i) : std::uint32_t{static_cast<unsigned char>(b[i])} << 8;
  while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
  return sum;
}

}  // namespace

TEST_CASE("pcap: classic raw-IP capture, one packet per segment on the wire, checksums right") {
  const Violation v = violation("faber-figure1", "stray-data");
  const std::string file = counterexamples::pcap(v.trace);
  REQUIRE(file.size() >= 24);
  CHECK(le32(file, 0) == 0xa1b2c3d4);
  CHECK(le32(file, 20) == 101);  // LINKTYPE_RAW
  // The segments the wire carries: queued ones once, duplicated ones twice, lost and filtered ones never.
  std::vector<std::pair<model::Segment, unsigned>> wire;
  for (const auto& step : v.trace) {
    if (!step.label || step.label->fate == Fate::None) continue;
    const model::Label& l = *step.label;
    const unsigned from = l.event == Event::Deliver ? 1u - l.index : l.actor;
    if (l.fate == Fate::Queued || l.fate == Fate::Duplicated) wire.emplace_back(l.emitted, from);
    if (l.fate == Fate::Duplicated) wire.emplace_back(l.emitted, from);
  }
  std::size_t at = 24, n = 0;
  std::uint64_t last_time = 0;
  while (at < file.size()) {
    REQUIRE(at + 16 <= file.size());
    const std::uint64_t time = std::uint64_t{le32(file, at)} * 1000000 + le32(file, at + 4);
    const std::uint32_t length = le32(file, at + 8);
    CHECK(le32(file, at + 12) == length);
    CHECK(time >= last_time);
    last_time = time;
    REQUIRE(at + 16 + length <= file.size());
    const std::string ip = file.substr(at + 16, length);
    at += 16 + length;
    REQUIRE(n < wire.size());
    const auto& [seg, from] = wire[n++];
    CHECK(static_cast<unsigned char>(ip[0]) == 0x45);
    CHECK(be16(ip, 2) == length);
    CHECK(ones_sum(ip.substr(0, 20)) == 0xFFFF);
    CHECK(ip.substr(12, 4) == (from == 0 ? std::string("\xC0\x00\x02\x01", 4) : std::string("\xC0\x00\x02\x02", 4)));
    const std::string tcp = ip.substr(20);
    std::string pseudo = ip.substr(12, 8) + std::string("\0\x06", 2);
    pseudo += static_cast<char>(tcp.size() >> 8);
    pseudo += static_cast<char>(tcp.size() & 0xFF);
    CHECK(ones_sum(pseudo + tcp) == 0xFFFF);
    CHECK(be16(tcp, 0) == (from == 0 ? 40000u : 80u));
    CHECK(be32(tcp, 4) == seg.seq);
    CHECK(be32(tcp, 8) == (seg.has(model::kAck) ? seg.ack : 0));
    const unsigned flags = static_cast<unsigned char>(tcp[13]);
    CHECK(((flags & 0x02) != 0) == seg.has(model::kSyn));
    CHECK(((flags & 0x10) != 0) == seg.has(model::kAck));
    CHECK(((flags & 0x01) != 0) == seg.has(model::kFin));
    CHECK(((flags & 0x04) != 0) == seg.has(model::kRst));
    CHECK(tcp.size() == 20u + seg.len);
    if (seg.len) CHECK(static_cast<unsigned char>(tcp[20]) == ((seg.incarnation() << 4) | seg.offset()));
  }
  CHECK(n == wire.size());
}
