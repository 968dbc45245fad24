// `teardown window overlap | wrap | isn-regions | time-wait`: options (kept as text, so that a bad number gets a
// message naming its option) -> smt::window queries -> text or JSON. JSON is hand-written like the rest of cli/:
// {"question","answer","witness","explanation", then the parameters and the computed figures}; time-wait, which
// has no sat or unsat, prints {"question","msl","bound","bound_in_msl","attained","witness","explanation"}.

#include "cli/window.hpp"
#include "cli/exit_codes.hpp"

#include <fmt/core.h>
#include <CLI/CLI.hpp>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include "counterexamples/render.hpp"
#include "smt/window.hpp"

namespace cli {
namespace {

namespace w = smt::window;
using counterexamples::quote;

/// Bad command-line text (not a number, an unknown ISN policy): exit 2.
struct BadInput : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// ---- parsing ---------------------------------------------------------------------------------------------

/// The whole of `text` as a finite number, else nothing.
std::optional<double> to_number(const std::string& text) {
  std::size_t used = 0;
  double value = 0;
  try {
    value = std::stod(text, &used);
  } catch (const std::exception&) {
    return std::nullopt;
  }
  if (used != text.size() || !std::isfinite(value)) return std::nullopt;
  return value;
}

double parse_number(const std::string& option, const std::string& text, const char* unit) {
  const auto value = to_number(text);
  if (!value) throw BadInput(fmt::format("{} {}: expected a number ({})", option, text, unit));
  return *value;
}

std::uint64_t parse_count(const std::string& option, const std::string& text, const char* unit) {
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos || text.size() > 19)
    throw BadInput(fmt::format("{} {}: expected a whole number ({})", option, text, unit));
  return std::stoull(text);
}

/// "random" -> none; "clock" -> RFC 793's 250000 steps/s; "clock:RATE" -> RATE.
std::optional<double> parse_isn(const std::string& text) {
  if (text == "random") return std::nullopt;
  if (text == "clock") return w::kRfc793IsnRate;
  if (text.rfind("clock:", 0) == 0) {
    const auto rate = to_number(text.substr(6));
    if (!rate) throw BadInput(fmt::format("--isn {}: expected a number of ISN steps per second after clock:", text));
    return *rate;
  }
  throw BadInput(
      fmt::format("--isn {}: expected random or clock:RATE (RATE: ISN steps per second, e.g. clock:250000, "
                  "RFC 793's one step per 4 microseconds)",
                  text));
}

// ---- shared rendering --------------------------------------------------------------------------------------

std::string number(double v) {
  return fmt::format("{}", v);
}
std::string optional_number(const std::optional<double>& v) {
  return v ? number(*v) : "null";
}
const char* boolean(bool b) {
  return b ? "true" : "false";
}

/// The four keys every answer starts with; `rest` (",..." or empty) follows them.
std::string answer_json(const char* question, w::Answer answer, const std::string& witness,
                        const std::string& explanation, const std::string& rest) {
  return fmt::format(R"({{"question":"{}","answer":"{}","witness":{},"explanation":{}{}}})", question, w::name(answer),
                     witness, quote(explanation), rest);
}

// ---- overlap -----------------------------------------------------------------------------------------------

struct OverlapOptions {
  std::string window = "65535", data = "65535", isn = "random", gap = "0", msl = "120", duration;
  std::string format = "text";
};

std::string overlap_witness_json(const w::OverlapWitness& x, std::uint64_t window, bool clock) {
  std::string out =
      fmt::format(R"({{"iss_old":{},"iss_new":{},"seq":{},"offset":{},"rcv_nxt":{},"rcv_wnd":{},"window_end":{},)"
                  R"("duration_seconds":{},"sent_seconds":{},"new_isn_seconds":{},"arrived_seconds":{})",
                  x.iss_old, x.iss_new, x.seq, x.offset, x.rcv_nxt, window, x.window_end, number(x.duration_seconds),
                  number(x.sent_seconds), number(x.new_isn_seconds), number(x.arrived_seconds));
  if (clock) out += fmt::format(R"(,"clock_steps":{},"wrapped":{})", x.ticks, boolean(x.wrapped));
  return out + "}";
}

void run_overlap(const OverlapOptions& o) {
  w::OverlapQuery q;
  q.window = parse_count("--window", o.window, "bytes");
  q.data = parse_count("--data", o.data, "bytes");
  q.clock_rate = parse_isn(o.isn);
  q.gap_seconds = parse_number("--gap", o.gap, "seconds");
  q.msl_seconds = parse_number("--msl", o.msl, "seconds");
  if (!o.duration.empty()) q.duration_seconds = parse_number("--duration", o.duration, "seconds");
  const w::OverlapResult r = w::overlap(q);
  const bool clock = q.clock_rate.has_value();
  const std::string isn = clock ? fmt::format("clock:{}", *q.clock_rate) : "random";

  if (o.format == "json") {
    std::string rest = fmt::format(
        R"(,"parameters":{{"window":{},"data":{},"isn":{},"clock_rate":{},"gap_seconds":{},"msl_seconds":{},)"
        R"("duration_seconds":{}}},"alive":{},"tick_seconds":{})",
        q.window, q.data, quote(isn), optional_number(q.clock_rate), number(q.gap_seconds), number(q.msl_seconds),
        optional_number(q.duration_seconds), boolean(r.alive), number(r.tick_seconds));
    if (clock)
      rest += R"(,"isn_values":null,"probability":null,"count_proved":false)";
    else
      rest += fmt::format(R"(,"isn_values":{},"probability":{},"count_proved":{})", r.isn_values, number(r.probability),
                          boolean(r.count_proved));
    const std::string witness = r.witness ? overlap_witness_json(*r.witness, q.window, clock) : "null";
    fmt::print("{}\n", answer_json("overlap", r.answer, witness, r.explanation, rest));
    return;
  }
  std::string duration = q.duration_seconds ? fmt::format("{} s", *q.duration_seconds) : std::string("any");
  fmt::print("question: overlap (window {}, data {}, isn {}, gap {} s, msl {} s, old connection's life {})\n", q.window,
             q.data, isn, q.gap_seconds, q.msl_seconds, duration);
  fmt::print("answer:   {}\n", w::name(r.answer));
  if (r.witness) {
    const w::OverlapWitness& x = *r.witness;
    fmt::print("witness:  ISS_old={} ISS_new={} old segment seq={} (byte {} of {})\n", x.iss_old, x.iss_new, x.seq,
               x.offset, q.data);
    fmt::print("          new window [RCV.NXT, RCV.NXT+RCV.WND) = [{}, {}), RCV.NXT = ISS_new+1, RCV.WND = {}\n",
               x.rcv_nxt, x.window_end, q.window);
    fmt::print(
        "          old connection closed at {} s; segment sent at {} s; new ISN at {} s; segment arrives at {} s\n",
        x.duration_seconds, x.sent_seconds, x.new_isn_seconds, x.arrived_seconds);
    if (clock)
      fmt::print("          ISN clock steps between the choices: {} ({} mod 2^32)\n", x.ticks, x.ticks % (1ull << 32));
  }
  if (!clock) {
    fmt::print("random:   {} of the 2^32 values of ISS_new put an old byte in the window (W + D - 1{}){}\n",
               r.isn_values, r.isn_values == (1ull << 32) ? ", capped at 2^32" : "",
               r.count_proved ? ", exactly: Z3 proved both directions" : "");
    fmt::print("          probability {:.6g}{}\n", r.probability, r.alive ? "" : " (no old segment is alive)");
  }
  fmt::print("why:      {}\n", r.explanation);
}

// ---- wrap ------------------------------------------------------------------------------------------------

struct WrapOptions {
  std::string rate, msl = "120", format = "text";
};

std::string wrap_segment_json(const w::WrapSegment& s) {
  return fmt::format(R"({{"seq":{},"offset":{},"time_seconds":{},"byte_times":{}}})", s.seq, s.offset,
                     number(s.seconds), s.byte_times);
}

void run_wrap(const WrapOptions& o) {
  w::WrapQuery q;
  q.rate = parse_number("--rate", o.rate, "bytes per second");
  q.msl_seconds = parse_number("--msl", o.msl, "seconds");
  const w::WrapResult r = w::wrap(q);
  if (o.format == "json") {
    std::string witness = "null";
    if (r.witness)
      witness = fmt::format(R"({{"kind":"{}","iss":{},"old":{},"new":{}}})",
                            r.witness->same_seq ? "same-seq" : "half-space", r.witness->iss,
                            wrap_segment_json(r.witness->old_segment), wrap_segment_json(r.witness->new_segment));
    const std::string rest = fmt::format(
        R"(,"parameters":{{"rate":{},"msl_seconds":{}}},"criterion":{},)"
        R"("half_wrap_seconds":{},"full_wrap_seconds":{},"bytes_per_msl":{},"same_seq_possible":{})",
        number(q.rate), number(q.msl_seconds), quote("2^31 / R > MSL (RFC 1323)"), number(r.half_wrap_seconds),
        number(r.full_wrap_seconds), r.bytes_per_msl, boolean(r.same_seq_possible));
    fmt::print("{}\n", answer_json("wrap", r.answer, witness, r.explanation, rest));
    return;
  }
  fmt::print("question: wrap (rate {} bytes/s, msl {} s)\n", q.rate, q.msl_seconds);
  fmt::print("figures:  2^31 / R = {:.6g} s (the half space, after which SEQ comparisons flip: RFC 1323's criterion)\n",
             r.half_wrap_seconds);
  fmt::print("          2^32 / R = {:.6g} s (the whole space: equal sequence numbers)\n", r.full_wrap_seconds);
  fmt::print("          R x MSL  = {} bytes sent while one segment may live\n", r.bytes_per_msl);
  fmt::print("answer:   {}\n", w::name(r.answer));
  if (r.witness) {
    const w::WrapWitness& x = *r.witness;
    fmt::print(
        "witness:  ISS={}; old segment seq={} (byte {}) sent at {:.6g} s; new segment seq={} (byte {}) sent at "
        "{:.6g} s ({})\n",
        x.iss, x.old_segment.seq, x.old_segment.offset, x.old_segment.seconds, x.new_segment.seq, x.new_segment.offset,
        x.new_segment.seconds,
        x.same_seq ? "the same sequence number" : "2^31 or more apart: SEQ_LT ranks the new one first");
  }
  fmt::print("why:      {}\n", r.explanation);
}

// ---- isn-regions -------------------------------------------------------------------------------------------

struct RegionsOptions {
  std::string rate = "250000", msl = "120", window = "65535", format = "text";
};

const char* verdict(const w::Region& g) {
  if (g.empty) return "empty";
  return g.protected_by_isn ? "isn" : "time-wait";
}

std::string region_witness_json(const w::RegionWitness& x) {
  return fmt::format(
      R"({{"iss_old":{},"iss_new":{},"seq":{},"offset":{},"bytes":{},"rcv_nxt":{},"window_end":{},)"
      R"("duration_seconds":{},"gap_seconds":{},"sent_seconds":{},"arrived_seconds":{},"duration_steps":{},)"
      R"("gap_steps":{}}})",
      x.iss_old, x.iss_new, x.seq, x.offset, x.bytes, x.rcv_nxt, x.window_end, number(x.duration_seconds),
      number(x.gap_seconds), number(x.sent_seconds), number(x.arrived_seconds), x.duration_ticks, x.gap_ticks);
}

void run_regions(const RegionsOptions& o) {
  w::RegionsQuery q;
  q.rate = parse_number("--rate", o.rate, "ISN steps per second");
  q.msl_seconds = parse_number("--msl", o.msl, "seconds");
  q.window = parse_count("--window", o.window, "bytes");
  const w::RegionsResult r = w::isn_regions(q);
  const w::Region* first_sat = nullptr;
  for (const w::Region& g : r.regions)
    if (g.answer == w::Answer::Sat && !first_sat) first_sat = &g;
  const w::Answer answer = first_sat ? w::Answer::Sat : w::Answer::Unsat;

  if (o.format == "json") {
    std::string regions;
    for (const w::Region& g : r.regions) {
      if (!regions.empty()) regions += ",";
      regions += fmt::format(
          R"({{"name":{},"slow":{},"long":{},"duration":{},"min_seconds":{},"max_seconds":{},"answer":"{}",)"
          R"("verdict":"{}","witness":{},"explanation":{}}})",
          quote(g.name), boolean(g.slow), boolean(g.long_lived), quote(g.duration), number(g.min_seconds),
          optional_number(g.max_seconds), w::name(g.answer), verdict(g),
          g.witness ? region_witness_json(*g.witness) : "null", quote(g.explanation));
    }
    std::string witness = "null";
    if (first_sat)
      witness = fmt::format(R"({{"region":{},{})", quote(first_sat->name),
                            region_witness_json(*first_sat->witness).substr(1));
    const std::string rest =
        fmt::format(R"(,"parameters":{{"rate":{},"msl_seconds":{},"window":{}}},"isn_wrap_seconds":{},)"
                    R"("protected_up_to_seconds":{},"regions":[{}],"note":{})",
                    number(q.rate), number(q.msl_seconds), q.window, number(r.isn_wrap_seconds),
                    number(r.protected_up_to_seconds), regions, r.note.empty() ? "null" : quote(r.note));
    fmt::print("{}\n", answer_json("isn-regions", answer, witness, r.explanation, rest));
    return;
  }
  fmt::print("question: isn-regions (ISN clock {} steps/s, msl {} s, window {})\n", q.rate, q.msl_seconds, q.window);
  fmt::print("          TwrapISN = 2^32 / R = {:.6g} s ({:.3g} h); a connection lasts E seconds and sends N bytes\n",
             r.isn_wrap_seconds, r.isn_wrap_seconds / 3600);
  fmt::print(
      "          slow: N / E < R (its sequence numbers advance more slowly than the ISN clock); fast: N / E >= R\n");
  fmt::print("          short: E < TwrapISN (the ISN clock does not wrap during it); long: E >= TwrapISN\n\n");
  fmt::print("{:<16} {:<30} {:<9} {:<6} {}\n", "region", "duration", "rate", "Z3", "verdict");
  for (const w::Region& g : r.regions) {
    const char* v = g.empty ? "empty" : g.protected_by_isn ? "ISN alone protects it" : "needs TIME-WAIT";
    fmt::print("{:<16} {:<30} {:<9} {:<6} {}\n", g.name, g.duration, g.slow ? "N/E < R" : "N/E >= R",
               g.empty ? "-" : w::name(g.answer), v);
  }
  fmt::print("\n");
  for (const w::Region& g : r.regions) fmt::print("{}: {}\n", g.name, g.explanation);
  fmt::print("\nanswer:   {} ({})\n", w::name(answer),
             first_sat ? "some connections need TIME-WAIT" : "the ISN alone protects every connection");
  fmt::print("why:      {}\n", r.explanation);
  if (!r.note.empty()) fmt::print("note:     {}\n", r.note);
}

// ---- time-wait ---------------------------------------------------------------------------------------------

struct TimeWaitOptions {
  std::string msl = "120", format = "text";
};

/// JSON differs from the other questions': there is no sat or unsat, only the bound and the timing near it.
void run_time_wait(const TimeWaitOptions& o) {
  const w::TimeWaitBound r = w::time_wait(parse_number("--msl", o.msl, "seconds"));
  if (o.format == "json") {
    std::string events;
    for (const w::TimeWaitEvent& ev : r.witness) {
      if (!events.empty()) events += ",";
      events += fmt::format(R"({{"what":{},"seconds":{}}})", quote(ev.what), number(ev.seconds));
    }
    fmt::print(R"({{"question":"time-wait","msl":{},"bound":{},"bound_in_msl":{},"attained":{},)"
               R"("witness":{{"events":[{}]}},"explanation":{}}})"
               "\n",
               number(r.msl), number(r.bound), number(r.bound_in_msl), boolean(r.attained), events,
               quote(r.explanation));
    return;
  }
  fmt::print(
      "question: time-wait (msl {} s): how long after A enters TIME-WAIT can a segment of the old connection "
      "still reach A?\n",
      r.msl);
  fmt::print("bound:    {} s = {} x MSL ({})\n", r.bound, r.bound_in_msl,
             r.attained ? "attained" : "a supremum: every arrival is strictly earlier");
  fmt::print("witness:  a timing within MSL / 100 of the bound (Z3's model), seconds from A's entry into TIME-WAIT\n");
  for (const w::TimeWaitEvent& ev : r.witness) fmt::print("          {:>12.9g}  {}\n", ev.seconds, ev.what);
  fmt::print("why:      {}\n", r.explanation);
}

/// Runs one subcommand: exit 0 when answered, 2 (with a message) for bad input.
template <class Run>
int guarded(Run run) {
  try {
    run();
    std::fflush(stdout);
    return kExitDone;
  } catch (const BadInput& e) {
    fmt::print(stderr, "teardown: {}\n", e.what());
  } catch (const w::BadQuery& e) {
    fmt::print(stderr, "teardown: {}\n", e.what());
  }
  return kExitUsage;
}

constexpr const char* kExitNote =
    "Exit codes: 0 the question was answered (sat or unsat alike), 2 bad input (the message names the option).";

}  // namespace

void add_window_command(CLI::App& app, int& exit_code) {
  auto* window =
      app.add_subcommand("window",
                         "Z3 questions about sequence windows and segment lifetimes, each answered sat with a concrete "
                         "32-bit witness or unsat as a proof for every value");
  window->require_subcommand(1);
  window->footer(kExitNote);

  auto overlap = std::make_shared<OverlapOptions>();
  auto* o = window->add_subcommand(
      "overlap",
      "Can a segment of the previous incarnation of a connection fall inside the new incarnation's receive window, "
      "given the window, the bytes the old connection sent, the ISN policy, the time from the old close to the new "
      "ISN, and the MSL?");
  o->add_option("--window", overlap->window,
                "W: the new incarnation's receive window in bytes, 1 to 2^30 (default 65535)")
      ->type_name("BYTES");
  o->add_option("--data", overlap->data, "D: bytes the old connection sent, 1 to 2^48 (default 65535)")
      ->type_name("BYTES");
  o->add_option("--isn", overlap->isn,
                "random (default: ISS_new is any value) or clock:RATE (RFC 793 / RFC 9293 3.4.1: ISS_new - ISS_old = "
                "RATE x elapsed seconds mod 2^32; clock alone means 250000, one step per 4 microseconds)")
      ->type_name("random|clock:RATE");
  o->add_option("--gap", overlap->gap, "seconds from the old connection's close to the new ISN choice (default 0)")
      ->type_name("SECONDS");
  o->add_option("--msl", overlap->msl, "maximum segment lifetime in seconds (default 120)")->type_name("SECONDS");
  o->add_option("--duration", overlap->duration,
                "the old connection's life in seconds, from its ISN choice to its close (default: any; with clock ISNs "
                "Z3 then finds the shortest that overlaps)")
      ->type_name("SECONDS");
  o->add_option("--format", overlap->format, "text or json")->check(CLI::IsMember({"text", "json"}));
  o->footer(
      std::string("The old connection's bytes are ISS_old+1 .. ISS_old+D (mod 2^32); any may be resent up to its close "
                  "and lives at most MSL; the new window is [ISS_new+1, ISS_new+1+W) compared with SEQ_LT(a, b) = "
                  "(a - b) <s 0 (RFC 9293 3.4). Random ISNs also give the exact share of the 2^32 values of ISS_new "
                  "that put an old byte in the window: (W + D - 1) / 2^32. ") +
      kExitNote);
  o->callback([overlap, &exit_code] { exit_code = guarded([&] { run_overlap(*overlap); }); });

  auto wrap = std::make_shared<WrapOptions>();
  auto* r = window->add_subcommand(
      "wrap",
      "Within one connection sending R bytes/s, can the sequence space wrap (2^31 bytes, where SEQ comparisons flip) "
      "while a segment sent earlier is still alive (MSL), so that an old duplicate may be taken for new data and PAWS "
      "is needed?");
  r->add_option("--rate", wrap->rate, "R: bytes per second, e.g. 1.25e8 for 1 Gbit/s")
      ->required()
      ->type_name("BYTES_PER_S");
  r->add_option("--msl", wrap->msl, "maximum segment lifetime in seconds (default 120)")->type_name("SECONDS");
  r->add_option("--format", wrap->format, "text or json")->check(CLI::IsMember({"text", "json"}));
  r->footer(std::string("The verdict uses 2^31, RFC 1323's rule 2^31 / R > MSL: past half the space SEQ_LT ranks a "
                        "later byte as earlier. The witness is a pair of segments with equal sequence numbers when "
                        "2^32 bytes fit in one MSL, else a pair 2^31 or more apart. ") +
            kExitNote);
  r->callback([wrap, &exit_code] { exit_code = guarded([&] { run_wrap(*wrap); }); });

  auto regions = std::make_shared<RegionsOptions>();
  auto* g = window->add_subcommand(
      "isn-regions",
      "RFC 1337's appendix: with the clock-driven ISN at R steps/s, which connections (slow or fast, short or long) "
      "does the ISN alone protect from old duplicates of their previous incarnation, and which need TIME-WAIT?");
  g->add_option("--rate", regions->rate, "R: ISN clock steps per second (default 250000, RFC 793's 4 microseconds)")
      ->type_name("STEPS_PER_S");
  g->add_option("--msl", regions->msl, "maximum segment lifetime in seconds (default 120)")->type_name("SECONDS");
  g->add_option("--window", regions->window, "the new incarnation's receive window in bytes (default 65535)")
      ->type_name("BYTES");
  g->add_option("--format", regions->format, "text or json")->check(CLI::IsMember({"text", "json"}));
  g->footer(std::string("A connection lasts E seconds and sends N bytes. Slow: N / E < R, its sequence numbers "
                        "advance more slowly than the ISN clock (RFC 1185's effective bandwidth; RFC 1337's r < R). "
                        "Short: E < TwrapISN = 2^32 / R, the ISN clock does not wrap during it. Each region is one Z3 "
                        "query: with no TIME-WAIT (the next ISN chosen up to MSL after the close), can an old segment "
                        "land in the new window? ") +
            kExitNote);
  g->callback([regions, &exit_code] { exit_code = guarded([&] { run_regions(*regions); }); });

  auto time_wait = std::make_shared<TimeWaitOptions>();
  auto* t = window->add_subcommand(
      "time-wait",
      "How long after an endpoint enters TIME-WAIT can a segment of the old connection still arrive, as a multiple "
      "of MSL (Z3's optimiser over real-valued times), with a timing that comes within MSL / 100 of it?");
  t->add_option("--msl", time_wait->msl, "maximum segment lifetime in seconds, up to 1e9 (default 120)")
      ->type_name("SECONDS");
  t->add_option("--format", time_wait->format, "text or json")->check(CLI::IsMember({"text", "json"}));
  t->footer(std::string("A enters TIME-WAIT at 0 on B's FIN and sends the final ACK, which lives less than MSL; until "
                        "it reaches B, B (LAST-ACK) may retransmit at any instant, and each segment lives less than "
                        "MSL. Z3 maximises the last arrival at A: a supremum, 2 x MSL, that no arrival attains. ") +
            kExitNote);
  t->callback([time_wait, &exit_code] { exit_code = guarded([&] { run_time_wait(*time_wait); }); });
}

}  // namespace cli
