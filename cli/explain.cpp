// `teardown explain TOPIC`: lessons made of runs. Each part states a claim and prints the run behind it: a
// check's verdict and state count, a sweep's rows, a reach witness as a ladder, Z3's bound, the kernel's timer,
// and how long a state lasts, measured by running the model on from a reached state. Nothing numeric is
// written into the text: every figure printed is computed by this invocation.

#include "cli/explain.hpp"
#include "cli/exit_codes.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <fmt/core.h>
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "checker/leave.hpp"
#include "cli/real_time_report.hpp"
#include "counterexamples/render.hpp"
#include "model/model_file.hpp"
#include "properties/check.hpp"
#include "properties/timed.hpp"
#include "smt/timing.hpp"
#include "smt/window.hpp"

namespace cli {
namespace {

constexpr const char* kSide[2] = {"A", "B"};
/// RFC 9293 §3.4's MSL, two minutes, for the bound Z3 derives and for the Linux comparison.
constexpr double kRfcMslSeconds = 120;

struct Settings {
  std::string profile;
  std::vector<std::string> sets;
};

/// The built-in default model's knobs under `s`. The settings are this file's own, so a failure is a bug.
model::Knobs knobs_for(const Settings& s) {
  auto [knobs, error] = model::resolve_knobs(std::nullopt, "", s.profile, s.sets);
  if (!knobs) throw std::runtime_error(fmt::format("explain: {}", error));
  return *knobs;
}

/// The same run as a command the reader can type.
std::string command(std::string_view verb, std::string_view extra, const Settings& s) {
  std::string out = fmt::format("teardown {}", verb);
  if (!extra.empty()) out += fmt::format(" {}", extra);
  out += fmt::format(" --profile {}", s.profile);
  for (const std::string& set : s.sets)
    out += set.find_first_of("<> ") == std::string::npos ? fmt::format(" --set {}", set)
                                                         : fmt::format(" --set \"{}\"", set);
  return out;
}

checker::SearchOptions search_options(unsigned threads) {
  checker::SearchOptions options;
  options.threads = threads;
  return options;
}

std::size_t property_index(std::string_view name) {
  const auto p = properties::find(name);
  if (!p) throw std::runtime_error(fmt::format("explain: no property {}", name));
  return *p;
}

/// One check of one property, its counterexample judged in real time as `teardown check` judges it (`knobs` in
/// whole ticks). `artefact`: violated in whole ticks only (cli::artefact).
properties::Result check_one(const model::Knobs& knobs, std::string_view property, unsigned threads,
                             checker::Stats& stats, checker::Outcome& outcome, bool& artefact) {
  properties::CheckOptions options;
  options.properties = {property_index(property)};
  options.search = search_options(threads);
  properties::TimedReport timed = properties::check_timed(knobs, options);
  stats = timed.report.stats;
  outcome = timed.report.outcome;
  artefact = cli::artefact(timed, 0);
  return std::move(timed.report.results.front());
}

/// VIOLATED, holds or unknown; VIOLATED* for a violation in whole ticks only.
std::string verdict_text(properties::Verdict v, bool artefact = false) {
  return v == properties::Verdict::Violated ? (artefact ? "VIOLATED*" : "VIOLATED") : std::string(properties::name(v));
}

/// Said after a verdict of VIOLATED*, before a newline.
constexpr const char* kTicksOnly =
    "   * in whole ticks only: no real times fit the trace found (an artefact of whole ticks).";

/// "12345 states (complete search)" or "... (the search stopped at the first violation)".
std::string states_text(const checker::Stats& stats, checker::Outcome outcome) {
  std::string how = outcome == checker::Outcome::Complete ? "every reachable state explored"
                    : outcome == checker::Outcome::Stopped
                        ? "the search stopped at the first violation"
                        : fmt::format("stopped by its {}", checker::to_string(outcome));
  return fmt::format("{} states, {:.2f} s ({})", stats.states, stats.seconds, how);
}

void heading(int number, std::string_view text) {
  fmt::print("\n{}. {}\n", number, text);
}

/// A length in ticks as a multiple of MSL: "2 x MSL", "MSL + 1", "2 x MSL - 1", "0".
std::string in_msl(unsigned ticks, unsigned msl) {
  const unsigned k = ticks / msl, rest = ticks % msl;
  if (k == 0) return fmt::format("{}", ticks);
  const std::string base = k == 1 ? "MSL" : fmt::format("{} x MSL", k);
  return rest == 0 ? base : fmt::format("{} + {}", base, rest);
}

// ---- how long a state lasts ------------------------------------------------------------------------------

/// The moves of a run left alone from a state on: time passing, timers firing, and the network delivering what
/// is in flight. No application acts, the network loses or duplicates nothing more, firewall rules keep dropping
/// what they match (not a fault: a rule), and a full queue drops what is sent into it (not a choice either).
bool undisturbed(const model::Label& l) {
  using model::Event;
  const bool kind = l.event == Event::Tick || l.event == Event::Retransmit || l.event == Event::GiveUp ||
                    l.event == Event::TimeWaitEnd || l.event == Event::FinWait2End || l.event == Event::Deliver;
  const bool fault_free = l.fate == model::Fate::None || l.fate == model::Fate::Queued ||
                          l.fate == model::Fate::Filtered || l.fate == model::Fate::QueueFull;
  return kind && fault_free;
}

/// How long endpoint `side` can stay in its state from a given state on, over every undisturbed run.
struct Stay {
  model::TcpState state{};
  std::optional<unsigned> min_ticks;    ///< none: no run leaves the state
  std::optional<unsigned> max_ticks;    ///< none: some run stays forever
  std::string quick_exit, slow_exit;    ///< the step that leaves, on a quickest and on a slowest way out
  std::string after_quick, after_slow;  ///< the state it leaves to
  bool stuck_dead_end = false;          ///< a run reaches a state where only an application or a fault could move
  bool stuck_cycle = false;             ///< a run can go round forever without leaving
  bool cut = false;                     ///< gave up after kMaxStates states: the figures are not known
  std::size_t states = 0;
};

constexpr std::size_t kMaxStayStates = 2'000'000;

/// How long `side` can stay in its state from `start` on: checker::cost_to_leave over the undisturbed moves, a
/// tick costing 1, the region being the states where `side` is in its state at `start`.
Stay measure_stay(const model::TeardownModel& m, const model::State& start, unsigned side) {
  const model::TcpState here = start.tcb[side].state;
  const auto leave = checker::cost_to_leave(
      m, start, [&](const model::State& s) { return s.tcb[side].state == here; }, undisturbed,
      [](const model::Label& l) { return l.event == model::Event::Tick ? 1u : 0u; }, kMaxStayStates);
  Stay stay;
  stay.state = here;
  if (leave.min_cost) stay.min_ticks = static_cast<unsigned>(*leave.min_cost);
  if (leave.max_cost) stay.max_ticks = static_cast<unsigned>(*leave.max_cost);
  if (leave.quickest) {
    stay.quick_exit = counterexamples::event_text(leave.quickest->label);
    stay.after_quick = std::string(model::name(leave.quickest->to.tcb[side].state));
  }
  if (leave.slowest) {
    stay.slow_exit = counterexamples::event_text(leave.slowest->label);
    stay.after_slow = std::string(model::name(leave.slowest->to.tcb[side].state));
  }
  stay.stuck_dead_end = leave.dead_end;
  stay.stuck_cycle = leave.cycle;
  stay.cut = leave.cut;
  stay.states = leave.states;
  return stay;
}

/// Ticks the witness spent with `side` in its final state before the last step: from the step that entered it.
unsigned ticks_in_state_so_far(const properties::Trace& trace, unsigned side) {
  const model::TcpState s = trace.back().state.tcb[side].state;
  std::size_t entered = trace.size() - 1;
  while (entered > 0 && trace[entered - 1].state.tcb[side].state == s) --entered;
  unsigned ticks = 0;
  for (std::size_t i = entered + 1; i < trace.size(); ++i)
    if (trace[i].label && trace[i].label->event == model::Event::Tick) ++ticks;
  return ticks;
}

/// The timers of one TCB at a state, in words.
std::string timers_text(const model::Tcb& t) {
  std::vector<std::string> running;
  if (t.rto > 0)
    running.push_back(fmt::format("retransmission timer (fires in {} ticks, {} retransmissions made)", t.rto - 1,
                                  unsigned{t.retries}));
  if (t.time_wait > 0) running.push_back(fmt::format("TIME-WAIT timer (ends in {} ticks)", t.time_wait - 1));
  if (t.fin_wait2 > 0) running.push_back(fmt::format("FIN-WAIT-2 timer (ends in {} ticks)", t.fin_wait2 - 1));
  if (running.empty()) return "no timer running";
  std::string out;
  for (const auto& r : running) out += (out.empty() ? "" : ", ") + r;
  return out;
}

/// The measured stay of `side`, from the last state of `trace`, as a few indented lines. \returns it.
Stay print_stay(const model::TeardownModel& m, const properties::Trace& trace, unsigned side) {
  const model::State& at = trace.back().state;
  const model::Knobs& k = m.knobs();
  const Stay stay = measure_stay(m, at, side);
  const unsigned before = ticks_in_state_so_far(trace, side);
  fmt::print("   {} in {}: {}; {} tick{} in this state so far.\n", kSide[side], model::name(stay.state),
             timers_text(at.tcb[side]), before, before == 1 ? "" : "s");
  if (stay.cut) {
    fmt::print("     Not measured: the runs from here exceed {} states.\n", kMaxStayStates);
    return stay;
  }
  if (!stay.min_ticks) {
    fmt::print("     No undisturbed run ever leaves {} ({} states explored): {}.\n", model::name(stay.state),
               stay.states,
               stay.stuck_dead_end ? "every run comes to rest where only an application (or a fault) could move"
                                   : "the runs go round without leaving");
  } else {
    if (stay.max_ticks && *stay.max_ticks == *stay.min_ticks)
      fmt::print("     It leaves after exactly {} more tick{} ({} states explored).\n", *stay.min_ticks,
                 *stay.min_ticks == 1 ? "" : "s", stay.states);
    else if (stay.max_ticks)
      fmt::print("     It leaves after {} to {} more ticks ({} states explored).\n", *stay.min_ticks, *stay.max_ticks,
                 stay.states);
    else
      fmt::print("     It leaves after {} or more ticks, or never: some run stays forever, {} ({} states explored).\n",
                 *stay.min_ticks,
                 stay.stuck_dead_end ? "coming to rest where only an application or a fault could move"
                                     : "going round a cycle",
                 stay.states);
    if (stay.max_ticks && stay.slow_exit == stay.quick_exit) {
      fmt::print("     The way out: {} (to {}).\n", stay.quick_exit, stay.after_quick);
    } else {
      fmt::print("     Quickest way out: {} (to {}).\n", stay.quick_exit, stay.after_quick);
      if (stay.max_ticks) fmt::print("     Slowest way out:  {} (to {}).\n", stay.slow_exit, stay.after_slow);
    }
  }
  const model::Tcb& t = at.tcb[side];
  if (t.rto > 0) {
    const unsigned left = (t.rto - 1u) + (k.max_retries - std::min<unsigned>(t.retries, k.max_retries)) * k.rto_ticks();
    fmt::print(
        "     Its retransmission timer alone: RTO x (R2 + 1) = {} x {} = {} ticks from the first send; from here "
        "{} ticks to the give-up{}.\n",
        k.rto_ticks(), k.max_retries + 1, k.rto_ticks() * (k.max_retries + 1), left,
        stay.max_ticks && *stay.max_ticks == left ? ", the slowest way out measured above" : "");
  } else if (t.time_wait == 0 && t.fin_wait2 == 0) {
    fmt::print("     No timer of RFC 9293 ends {} on its own: it lasts until its application closes{}.\n",
               model::name(stay.state),
               stay.min_ticks ? " or the peer's segments end it" : " (never, in this model: forever)");
  }
  return stay;
}

/// A reach run: prints the command, the witness ladder (or unreachable), and returns the witness.
std::optional<properties::Trace> reach_run(const Settings& s, std::string_view goal, unsigned threads,
                                           bool print_ladder, model::Knobs& knobs_out) {
  std::string error;
  const auto states = properties::parse_goal(goal, error);
  if (!states) throw std::runtime_error(fmt::format("explain: {}", error));
  knobs_out = knobs_for(s);
  // Fewest faults, then fewest steps: the witness carries only the losses and duplications its story needs.
  const properties::ReachReport report = properties::reach_timed(knobs_out, states->first, states->second,
                                                                 search_options(threads), properties::Minimize::Faults);
  fmt::print("   $ {}\n", command("reach", fmt::format("\"{}\" --minimize faults", goal), s));
  if (!report.witness) {
    fmt::print("   {}: {}\n",
               checker::inconclusive(report.outcome) ? "not found before the search stopped" : "unreachable",
               states_text(report.stats, report.outcome));
    return std::nullopt;
  }
  const auto faults = properties::count_faults(*report.witness);
  fmt::print("   reachable: a witness with the fewest faults ({}), then fewest steps ({}); {} states searched\n",
             faults.total(), report.witness->size() - 1, report.stats.states);
  if (print_ladder) fmt::print("{}", counterexamples::ladder(*report.witness, ""));
  return report.witness;
}

// ---- explain time-wait ---------------------------------------------------------------------------------------

/// The Linux kernel's TIME-WAIT, read from a socket driven into it in a fresh network namespace.
struct KernelTimeWait {
  bool measured = false;
  std::string why_not;
  std::string ss_line;    ///< the `ss` line of the socket
  double left = 0;        ///< the timer's remaining time as ss prints it, seconds
  double resolution = 1;  ///< ss truncates to this
  double elapsed_lo = 0;  ///< time between entering TIME-WAIT and the reading, seconds
  double elapsed_hi = 0;
  std::optional<long> whole_seconds;  ///< the one whole number of seconds the length can be, if unique
};

struct Ran {
  int status = -1;  ///< exit status, -1 when it did not run or died of a signal
  std::string output;
};

/// Runs a program (searched on PATH) with stdout and stderr captured.
Ran run_program(const std::vector<std::string>& args) {
  Ran ran;
  int fds[2];
  if (::pipe(fds) != 0) return ran;
  std::fflush(stdout);
  std::fflush(stderr);
  const pid_t child = ::fork();
  if (child < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    return ran;
  }
  if (child == 0) {
    ::dup2(fds[1], STDOUT_FILENO);
    ::dup2(fds[1], STDERR_FILENO);
    ::close(fds[0]);
    ::close(fds[1]);
    std::vector<char*> argv;
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execvp(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(fds[1]);
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(fds[0], buf, sizeof buf);
    if (n <= 0) break;
    ran.output.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fds[0]);
  int status = 0;
  if (::waitpid(child, &status, 0) == child && WIFEXITED(status)) ran.status = WEXITSTATUS(status);
  return ran;
}

/// ss's "59sec", "5.123ms" (5.123 s), "123ms", "1min", "1min5sec": seconds and the resolution ss printed with.
std::optional<std::pair<double, double>> parse_ss_time(std::string text) {
  double value = 0, resolution = 1;
  if (const auto m = text.find("min"); m != std::string::npos) {
    value = 60.0 * std::stod(text.substr(0, m));
    text = text.substr(m + 3);
    resolution = 60;
    if (text.empty()) return std::make_pair(value, resolution);
  }
  try {
    if (text.size() > 3 && text.ends_with("sec")) return std::make_pair(value + std::stod(text), 1.0);
    if (text.size() > 2 && text.ends_with("ms")) {
      const std::string number = text.substr(0, text.size() - 2);
      if (number.find('.') != std::string::npos) return std::make_pair(value + std::stod(number), 0.001);
      return std::make_pair(value + std::stod(number) / 1000, 0.001);
    }
  } catch (const std::exception&) {
  }
  return std::nullopt;
}

KernelTimeWait measure_kernel_time_wait() {
  KernelTimeWait k;
  if (::geteuid() != 0) {
    k.why_not = "not running as root, so no network namespace can be made";
    return k;
  }
  // The conformance harness's script (its namespace code is the one replay --live uses): a scratch namespace
  // td-explain-PID, always deleted, a socket driven into TIME-WAIT there, and ss's reading of its timer.
  const char* env = std::getenv("TEARDOWN_SOURCE_DIR");
  const std::string script =
      fmt::format("{}/tests/conformance/harness/time_wait_timer.py", env ? env : TEARDOWN_SOURCE_DIR);
  const Ran ran = run_program({"/usr/bin/python3", script, fmt::format("td-explain-{}", ::getpid())});
  if (ran.status != 0) {
    k.why_not = fmt::format("the harness's script failed (exit {}): {}", ran.status, ran.output);
    return k;
  }
  std::string port;
  for (std::size_t at = 0; at < ran.output.size();) {
    const std::size_t end = std::min(ran.output.find('\n', at), ran.output.size());
    const std::string line = ran.output.substr(at, end - at);
    at = end + 1;
    if (line.rfind("client ", 0) == 0) port = line.substr(7);
    if (line.rfind("elapsed ", 0) == 0) std::sscanf(line.c_str(), "elapsed %lf %lf", &k.elapsed_lo, &k.elapsed_hi);
    if (!port.empty() && line.find(":" + port + " ") != std::string::npos && line.find("timewait") != std::string::npos)
      k.ss_line = line;
  }
  const auto timer = k.ss_line.find("timer:(timewait,");
  if (timer == std::string::npos) {
    k.why_not = fmt::format("ss showed no TIME-WAIT timer for the client's socket: {}", ran.output);
    return k;
  }
  const std::size_t from = timer + 16;
  const auto parsed = parse_ss_time(k.ss_line.substr(from, k.ss_line.find(',', from) - from));
  if (!parsed) {
    k.why_not = fmt::format("could not read ss's timer in: {}", k.ss_line);
    return k;
  }
  k.measured = true;
  k.left = parsed->first;
  k.resolution = parsed->second;
  // The length L satisfies left <= L - elapsed < left + resolution.
  const double lo = k.left + k.elapsed_lo, hi = k.left + k.resolution + k.elapsed_hi;
  const long whole = static_cast<long>(std::ceil(lo));
  if (static_cast<double>(whole) < hi && static_cast<double>(whole + 1) >= hi) k.whole_seconds = whole;
  // trim leading blanks of the ss line for printing
  k.ss_line.erase(0, k.ss_line.find_first_not_of(' '));
  return k;
}

struct SweepRow {
  unsigned time_wait = 0;
  properties::Verdict ticks = properties::Verdict::Unknown, exact = properties::Verdict::Unknown;
  bool ticks_artefact = false;  ///< the whole-tick run's trace is an artefact (cli::artefact)
  std::size_t ticks_states = 0, exact_states = 0;
  double ticks_seconds = 0, exact_seconds = 0;
  bool exact_ran = false;  ///< false: no time was left for this row's exact-time run
  properties::DecidedBy decided_by = properties::DecidedBy::Ticks;  ///< how the exact verdict was reached
};

/// The whole-tick verdict, marked with * when Z3 found that run's counterexample an artefact.
std::string tick_cell(const SweepRow& r) {
  return verdict_text(r.ticks, r.ticks_artefact);
}

/// How an exact-time verdict was reached, in a few words.
std::string_view how_text(const SweepRow& r) {
  if (r.exact == properties::Verdict::Unknown) return "";
  switch (r.decided_by) {
    case properties::DecidedBy::Ticks:
      return "holds in ticks";
    case properties::DecidedBy::TickTrace:
      return "tick trace fits";
    case properties::DecidedBy::Zones:
      return "zone search";
  }
  return "";
}

/// The first length from which every row holds, if any.
std::optional<unsigned> first_safe(const std::vector<SweepRow>& rows, bool exact) {
  std::optional<unsigned> safe;
  for (auto it = rows.rbegin(); it != rows.rend(); ++it) {
    if ((exact ? it->exact : it->ticks) != properties::Verdict::Holds) break;
    safe = it->time_wait;
  }
  return safe;
}

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

/// One row's check of stray-data in one timing, stopped as unknown after `limit` seconds (0: none). In exact
/// time, properties::check_timed: whole ticks first, then the zone search only when the tick counterexample is an
/// artefact; the states and seconds are both searches'.
void sweep_cell(SweepRow& row, const Settings& lesson, bool exact, unsigned threads, double limit) {
  Settings s = lesson;
  s.sets.push_back(fmt::format("time_wait={}", row.time_wait));
  s.sets.push_back(exact ? "timing=exact" : "timing=ticks");
  properties::CheckOptions options;
  options.properties = {property_index("stray-data")};
  options.search = search_options(threads);
  options.search.limits.time_limit_seconds = limit;
  if (!exact) {
    const properties::TimedReport timed = properties::check_timed(knobs_for(s), options);
    row.ticks = timed.report.results.front().verdict;
    row.ticks_artefact = cli::artefact(timed, 0);
    row.ticks_states = timed.report.stats.states;
    row.ticks_seconds = timed.report.stats.seconds;
    return;
  }
  const properties::TimedReport timed = properties::check_timed(knobs_for(s), options);
  row.exact = timed.report.results.front().verdict;
  row.exact_states = timed.report.stats.states;
  row.exact_seconds = timed.report.stats.seconds;
  row.decided_by = timed.decided_by.front();
  row.exact_ran = true;
}

/// The first safe lengths of a sweep, in whole ticks and in exact real time.
struct Lines {
  std::optional<unsigned> ticks, exact;
};

/// Prints a sweep's table, its footnotes and its first safe lengths.
Lines print_sweep(const std::vector<SweepRow>& rows, unsigned msl, unsigned top, double budget) {
  fmt::print("   {:>9}  {:>11}  {:>10}  {:>7}  {:>11}  {:>10}  {:>7}  {}\n", "time_wait", "whole ticks", "states",
             "seconds", "exact time", "states", "seconds", "how");
  for (const SweepRow& r : rows) {
    if (r.exact_ran)
      fmt::print("   {:>9}  {:>11}  {:>10}  {:>7.2f}  {:>11}  {:>10}  {:>7.2f}  {}\n", r.time_wait, tick_cell(r),
                 r.ticks_states, r.ticks_seconds, verdict_text(r.exact), r.exact_states, r.exact_seconds, how_text(r));
    else
      fmt::print("   {:>9}  {:>11}  {:>10}  {:>7.2f}  {:>11}\n", r.time_wait, tick_cell(r), r.ticks_states,
                 r.ticks_seconds, "not run");
  }
  if (std::any_of(rows.begin(), rows.end(), [&](const SweepRow& r) { return tick_cell(r).ends_with('*'); }))
    fmt::print(
        "   * violated in whole ticks only: that search's shortest trace is an artefact of whole ticks (Z3 finds\n"
        "     no real times for it).\n");
  bool exact_incomplete = false;
  for (const SweepRow& r : rows) exact_incomplete = exact_incomplete || r.exact == properties::Verdict::Unknown;
  if (exact_incomplete)
    fmt::print(
        "   (unknown: the exact-time search hit its share of the {} s budget; not run: no budget was left. "
        "Give more with --budget.)\n",
        budget);
  Lines lines{first_safe(rows, false), first_safe(rows, true)};
  const auto line_text = [&](const std::optional<unsigned>& safe) {
    return safe ? fmt::format("{} ticks ({})", *safe, in_msl(*safe, msl))
                : fmt::format("not found (no run of length {} or below holds with every longer one)", top);
  };
  fmt::print("   First safe length (it and every longer one hold): in whole ticks {}; in exact real time {}.\n",
             line_text(lines.ticks), line_text(lines.exact));
  return lines;
}

int explain_time_wait(unsigned threads, double budget) {
  const Clock::time_point start = Clock::now();
  fmt::print(
      "teardown explain time-wait: why TIME-WAIT exists and why it lasts 2 x MSL, from runs made now "
      "({} thread{}, a budget of {} s).\n",
      threads, threads == 1 ? "" : "s", budget);

  // 1. No TIME-WAIT: printed at once.
  heading(1, "Without TIME-WAIT, data crosses from one connection (incarnation) into another");
  const Settings none{"no-time-wait", {}};
  const model::Knobs none_knobs = knobs_for(none);
  checker::Stats stats;
  checker::Outcome outcome{};
  bool stray_artefact = false;
  const properties::Result stray = check_one(none_knobs, "stray-data", threads, stats, outcome, stray_artefact);
  fmt::print("   $ {}\n", command("check", "--property stray-data", none));
  fmt::print("   stray-data: {} ({}; time_wait={} ticks, msl={} ticks)\n", verdict_text(stray.verdict, stray_artefact),
             states_text(stats, outcome), none_knobs.time_wait_ticks(), none_knobs.msl);
  if (stray_artefact) fmt::print("{}\n", kTicksOnly);
  if (stray.verdict == properties::Verdict::Violated) {
    fmt::print("   The shortest violating trace, {} steps (what `check --render ladder` prints):\n",
               stray.trace.size() - 1);
    fmt::print("{}", counterexamples::ladder(stray.trace, stray.why));
  } else {
    fmt::print("   No violation was found, so this run shows no hazard to explain.\n");
  }
  std::fflush(stdout);

  // Then every run of parts 2 to 5; the exact-time rows, the slowest, last, within what is left of the budget.
  const Settings base{"rfc1337", {}};
  // Two sweeps: the default model itself (rfc1337, applications free to act at any moment), and the same model
  // with eager applications, the setting under which 2 x MSL is the line. With free applications the server may
  // send its data just before its FIN, the FIN is held, and after a lost cumulative ACK the server's data
  // retransmissions outlive TIME-WAIT: the line moves past 2 x MSL + 1 (README, "Why TIME-WAIT is 2 x MSL").
  const Settings lesson = base;
  const Settings eager{"rfc1337", {"apps=eager"}};
  const unsigned msl = knobs_for(lesson).msl;
  const unsigned top = 2 * msl + 1;
  std::vector<SweepRow> rows(top + 1), eager_rows(top + 1);
  for (unsigned tw = 0; tw <= top; ++tw) {
    rows[tw].time_wait = eager_rows[tw].time_wait = tw;
    sweep_cell(rows[tw], lesson, false, threads, 0);
    sweep_cell(eager_rows[tw], eager, false, threads, 0);
  }
  const smt::window::TimeWaitBound bound = smt::window::time_wait(kRfcMslSeconds);
  const Settings rfc9293{"rfc9293", {}};
  checker::Stats twa_stats, fixed_stats;
  checker::Outcome twa_outcome{}, fixed_outcome{};
  bool twa_artefact = false, fixed_artefact = false;
  const properties::Result twa =
      check_one(knobs_for(rfc9293), "time-wait-assassination", threads, twa_stats, twa_outcome, twa_artefact);
  const properties::Result fixed =
      check_one(knobs_for(base), "time-wait-assassination", threads, fixed_stats, fixed_outcome, fixed_artefact);
  const KernelTimeWait kernel = measure_kernel_time_wait();
  const double tick_seconds = kRfcMslSeconds / msl;
  std::optional<double> linux_ticks;
  if (kernel.whole_seconds) linux_ticks = static_cast<double>(*kernel.whole_seconds) / tick_seconds;

  // Exact-time rows by what the lesson needs most: with eager applications either side of 2 x MSL and the row
  // above; on the default model Linux's row, either side of 2 x MSL; then the rest.
  struct Cell {
    bool eager;
    unsigned tw;
  };
  std::vector<Cell> order = {{true, 2 * msl}, {true, 2 * msl - 1}, {true, top}};
  if (linux_ticks && *linux_ticks == std::floor(*linux_ticks) && *linux_ticks <= top)
    order.push_back({false, static_cast<unsigned>(*linux_ticks)});
  order.push_back({false, 2 * msl});
  order.push_back({false, 2 * msl - 1});
  const std::size_t needed = order.size();
  for (unsigned tw = top + 1; tw-- > 0;) order.push_back({true, tw});
  for (unsigned tw = top + 1; tw-- > 0;) order.push_back({false, tw});
  std::vector<bool> done(2 * (top + 1), false);
  std::size_t position = 0;
  for (const Cell& c : order) {
    ++position;
    const std::size_t key = (c.eager ? top + 1 : 0) + c.tw;
    if (done[key]) continue;
    done[key] = true;
    const double left = budget - seconds_since(start);
    if (left < 1) break;
    const std::size_t share = position <= needed ? needed - position + 1 : 1;
    sweep_cell(c.eager ? eager_rows[c.tw] : rows[c.tw], c.eager ? eager : lesson, true, threads,
               position <= needed ? left / static_cast<double>(share) : left);
  }

  // 2. The sweeps.
  heading(2, fmt::format("How long is long enough: stray-data for time_wait = 0 .. {} (2 x MSL + 1) ticks on the "
                         "default model (profile rfc1337), msl = {} ticks",
                         top, msl));
  fmt::print("   $ {}   (exact real time, the default; and again with --timing ticks)\n",
             command(fmt::format("sweep time_wait=0..{}", top), "--property stray-data", lesson));
  fmt::print(
      "   (In exact time, whole ticks go first: a holds there holds, a violation whose trace fits real times\n"
      "   stands, and only an artefact makes a zone search run.)\n");
  const auto safe = print_sweep(rows, msl, top, budget);
  if (!safe.exact)
    fmt::print(
        "   On the default model no length up to 2 x MSL + 1 keeps old data out. Applications act at any moment:\n"
        "   the server may send its data just before its FIN; the FIN overtakes it and is held (RFC 9293\n"
        "   SHLD-31), one cumulative ACK answers both, and if that ACK is dropped the server, in LAST-ACK,\n"
        "   retransmits the data, which does not restart TIME-WAIT (only a retransmitted FIN does). Its data\n"
        "   retransmissions, up to R2 x RTO = {} ticks after the first send, outlive TIME-WAIT and meet the\n"
        "   client's next connection (README, \"Why TIME-WAIT is 2 x MSL\": the line is past the last of them).\n",
        knobs_for(lesson).max_retries * knobs_for(lesson).rto_ticks());

  fmt::print(
      "\n2b. The same sweep with eager applications (apps=eager): the server sends its data as soon as it can\n");
  fmt::print("   $ {}\n", command(fmt::format("sweep time_wait=0..{}", top), "--property stray-data", eager));
  const auto eager_safe = print_sweep(eager_rows, msl, top, budget);
  const bool below_violated = eager_rows[2 * msl - 1].exact == properties::Verdict::Violated;
  if (eager_safe.exact && *eager_safe.exact == 2 * msl && below_violated) {
    fmt::print("   In real time the line is at 2 x MSL = {} ticks: one tick less lets old data in.\n", 2 * msl);
  } else {
    fmt::print(
        "   2 x MSL is {} ticks; the exact-time runs above {}.\n", 2 * msl,
        eager_safe.exact ? fmt::format("put the line at {} ticks", *eager_safe.exact) : "do not locate the line");
  }
  if (eager_safe.ticks && eager_safe.exact && *eager_safe.ticks != *eager_safe.exact) {
    const unsigned gap = *eager_safe.ticks > *eager_safe.exact ? *eager_safe.ticks - *eager_safe.exact
                                                               : *eager_safe.exact - *eager_safe.ticks;
    fmt::print("   Whole ticks put it {} tick{} {}: events sharing a tick make the tick model {} at the boundary.\n",
               gap, gap == 1 ? "" : "s", *eager_safe.ticks > *eager_safe.exact ? "later" : "earlier",
               *eager_safe.ticks > *eager_safe.exact ? "pessimistic" : "optimistic");
  } else if (eager_safe.ticks && eager_safe.exact) {
    fmt::print("   Both timings draw the line at the same length.\n");
  }

  // 3. The bound.
  heading(3, fmt::format("The bound, derived by Z3: the latest arrival of an old segment after TIME-WAIT begins, "
                         "MSL = {} s (RFC 9293)",
                         kRfcMslSeconds));
  fmt::print("   $ teardown window time-wait --msl {}\n", bound.msl);
  fmt::print("   bound: {} s = {} x MSL ({})\n", bound.bound, bound.bound_in_msl,
             bound.attained ? "attained by an arrival" : "a supremum: every arrival comes strictly earlier");
  fmt::print("   A timing close to it (seconds from A's entry into TIME-WAIT):\n");
  for (const auto& e : bound.witness) fmt::print("   {:>10.3f}  {}\n", e.seconds, e.what);
  if (!bound.explanation.empty()) fmt::print("   {}\n", bound.explanation);

  // 4. Assassination.
  heading(4, "TIME-WAIT assassination (RFC 1337): a RST can end TIME-WAIT before its timer");
  fmt::print("   $ {}\n", command("check", "--property time-wait-assassination", rfc9293));
  fmt::print("   time-wait-assassination: {} ({})\n", verdict_text(twa.verdict, twa_artefact),
             states_text(twa_stats, twa_outcome));
  if (twa_artefact) fmt::print("{}\n", kTicksOnly);
  if (twa.verdict == properties::Verdict::Violated) {
    fmt::print("   A shortest trace takes {} steps; its last step: {}\n", twa.trace.size() - 1, twa.why);
    if (twa.trace.back().label)
      fmt::print("   The rule that ended TIME-WAIT: {}\n", model::describe(twa.trace.back().label->rule));
  }
  fmt::print("   $ {}\n", command("check", "--property time-wait-assassination", base));
  fmt::print("   time-wait-assassination: {} ({})\n", verdict_text(fixed.verdict, fixed_artefact),
             states_text(fixed_stats, fixed_outcome));
  if (fixed_artefact) fmt::print("{}\n", kTicksOnly);
  if (twa.verdict == properties::Verdict::Violated && !twa_artefact && fixed.verdict == properties::Verdict::Holds)
    fmt::print("   Ignoring RST in TIME-WAIT (RFC 1337's fix F1, the rfc1337 profile) repairs it.\n");
  else
    fmt::print("   (These runs do not show the repair: see the verdicts above.)\n");

  // 5. Linux.
  heading(5, "Linux: a fixed TIME-WAIT (TCP_TIMEWAIT_LEN), not 2 x MSL");
  const double rfc_time_wait = 2 * kRfcMslSeconds;
  fmt::print("   RFC 9293: TIME-WAIT = 2 x MSL = 2 x {} s = {} s.\n", kRfcMslSeconds, rfc_time_wait);
  if (!kernel.measured) {
    fmt::print("   This kernel's TIME-WAIT could not be measured: {}.\n", kernel.why_not);
    fmt::print("   With MSL = {} ticks standing for {} s, one tick is {} s.\n", msl, kRfcMslSeconds, tick_seconds);
    return kExitDone;
  }
  fmt::print(
      "   Measured now: a client socket closed first, in a fresh network namespace; `ss -tanoH state "
      "time-wait` read\n     {}\n",
      kernel.ss_line);
  fmt::print("   {} s left, read at most {:.3f} s after TIME-WAIT began: its length is in [{:.3f}, {:.3f}) s",
             kernel.left, kernel.elapsed_hi, kernel.left + kernel.elapsed_lo,
             kernel.left + kernel.resolution + kernel.elapsed_hi);
  if (!kernel.whole_seconds || !linux_ticks) {
    fmt::print(".\n");
    return kExitDone;
  }
  const auto linux_seconds = static_cast<double>(*kernel.whole_seconds);
  fmt::print(", that is {} s.\n", *kernel.whole_seconds);
  fmt::print("   Linux: {} s against RFC 9293's {} s, {} of it; Linux does not derive it from an MSL.\n", linux_seconds,
             rfc_time_wait,
             linux_seconds / rfc_time_wait == 0.25  ? std::string("a quarter")
             : linux_seconds / rfc_time_wait == 0.5 ? std::string("half")
                                                    : fmt::format("{:.3g} x", linux_seconds / rfc_time_wait));
  fmt::print("   With MSL = {} ticks standing for {} s, one tick is {} s, so Linux's {} s is time_wait = {} tick{}.\n",
             msl, kRfcMslSeconds, tick_seconds, linux_seconds, *linux_ticks, *linux_ticks == 1 ? "" : "s");
  const auto row = std::find_if(rows.begin(), rows.end(),
                                [&](const SweepRow& r) { return static_cast<double>(r.time_wait) == *linux_ticks; });
  if (row == rows.end()) {
    fmt::print("   That length is not a row of the sweep in part 2.\n");
  } else {
    fmt::print(
        "   That row of the default model's sweep (part 2): stray-data {} in exact real time ({} in whole ticks).\n",
        row->exact_ran ? verdict_text(row->exact) : std::string("not run"), tick_cell(*row));
    if (row->exact == properties::Verdict::Violated)
      fmt::print(
          "   So against the model's adversarial ISNs Linux's TIME-WAIT alone does not keep old data out: "
          "Linux also counts on its ISN clock and on timestamps (PAWS, RFC 7323).\n");
  }
  return kExitDone;
}

// ---- explain close-wait / fin-wait ---------------------------------------------------------------------------

int explain_close_wait(unsigned threads) {
  fmt::print(
      "teardown explain close-wait: a dropped ACK leaves FIN-WAIT-1 facing CLOSE-WAIT, from runs made now ({} "
      "thread{}).\n",
      threads, threads == 1 ? "" : "s");
  heading(1, "The stuck pair: B closes, A's ACKs are dropped by a firewall, A's application never closes");
  const Settings s{"rfc9293", {"server_close=active", "client_close=never", "filter=A>B:ack", "incarnations=1"}};
  model::Knobs knobs;
  const auto witness = reach_run(s, "A=CLOSE_WAIT B=FIN_WAIT_1", threads, true, knobs);
  if (!witness) return kExitDone;
  const model::TeardownModel m(knobs);
  heading(2,
          "How long each state lasts: the run left alone from there (time, timers and deliveries; no application "
          "step, no more loss or duplication)");
  fmt::print("   Time is in ticks (msl = {}, RTO = {}, R2 = {}).\n", knobs.msl, knobs.rto_ticks(), knobs.max_retries);
  print_stay(m, *witness, 1);
  print_stay(m, *witness, 0);
  return kExitDone;
}

int explain_fin_wait(unsigned threads) {
  fmt::print(
      "teardown explain fin-wait: a dropped FIN leaves FIN-WAIT-1 facing LAST-ACK, and a filtered RST keeps LAST-ACK "
      "alive, from runs made now ({} thread{}).\n",
      threads, threads == 1 ? "" : "s");
  heading(1, "The pair: B closes first, A answers and closes, a firewall drops A's FIN");
  const Settings s{"rfc9293", {"server_close=active", "client_close=passive", "filter=A>B:fin", "incarnations=1"}};
  model::Knobs knobs;
  const auto witness = reach_run(s, "A=LAST_ACK B=FIN_WAIT_1", threads, true, knobs);
  if (witness) {
    const model::TeardownModel m(knobs);
    heading(2,
            "How long each state lasts: the run left alone from there (time, timers and deliveries; no "
            "application step, no more loss or duplication)");
    fmt::print("   Time is in ticks (msl = {}, RTO = {}, R2 = {}).\n", knobs.msl, knobs.rto_ticks(), knobs.max_retries);
    print_stay(m, *witness, 1);
    print_stay(m, *witness, 0);
  }

  heading(3, "Can a RST end LAST-ACK here? Only if B forgets the connection while A's segments still reach it");
  model::Knobs unused;
  const auto forgotten = reach_run(s, "A=LAST_ACK B=LISTEN", threads, false, unused);
  if (!forgotten)
    fmt::print(
        "   With every FIN of A dropped, B never forgets the connection while A is in LAST-ACK, so no RST of "
        "B's can reach A: LAST-ACK ends by its own timer, and filtering RSTs changes nothing.\n");

  heading(4,
          "When it can: no FIN filter, but B forgets first (its orphaned FIN-WAIT-2 timer, fin_wait2_timeout=1, "
          "ends before A's FIN arrives)");
  const std::vector<std::string> common = {"server_close=active", "client_close=passive", "incarnations=1",
                                           "fin_wait2_timeout=1"};
  struct Variant {
    std::string filter;  ///< empty: none
    std::string meaning;
    std::optional<Stay> stay;
  };
  std::vector<Variant> variants = {
      {"", "no filter", std::nullopt},
      {"filter=B>A:rst", "B's RSTs to A dropped", std::nullopt},
      {"filter=A>B:rst", "A's RSTs to B dropped", std::nullopt},
  };
  for (std::size_t i = 0; i < variants.size(); ++i) {
    Settings v{"rfc9293", common};
    if (!variants[i].filter.empty()) v.sets.push_back(variants[i].filter);
    fmt::print("\n   -- {}\n", variants[i].meaning);
    model::Knobs k;
    const auto w = reach_run(v, "A=LAST_ACK B=LISTEN", threads, i == 0, k);
    if (!w) continue;
    const model::TeardownModel m(k);
    variants[i].stay = print_stay(m, *w, 0);
  }
  const auto longest_text = [](const std::optional<Stay>& st) -> std::string {
    if (!st) return "not reached";
    if (st->cut) return "not measured";
    if (!st->max_ticks) return "forever";
    return fmt::format("at most {} more ticks, ending by: {}", *st->max_ticks, st->slow_exit);
  };
  fmt::print("\n   LAST-ACK, measured:\n");
  for (const Variant& v : variants)
    fmt::print("     {:<16} {}\n", v.filter.empty() ? "no filter" : v.filter.substr(7), longest_text(v.stay));
  const auto& plain = variants.front().stay;
  for (std::size_t i = 1; i < variants.size(); ++i) {
    const auto& st = variants[i].stay;
    if (!plain || !st || !plain->max_ticks || st->cut) continue;
    const bool longer = !st->max_ticks || *st->max_ticks > *plain->max_ticks;
    fmt::print("   {}: {}\n", variants[i].filter.substr(7),
               longer ? "keeps LAST-ACK alive past the RST that would end it"
                      : "changes nothing: the RST that ends LAST-ACK goes the other way");
  }
  return kExitDone;
}

/// What `explain` reads from the command line.
struct ExplainOptions {
  std::string topic;
  unsigned threads = 2;
  double budget = 55;
};

int run_explain(const ExplainOptions& o) {
  if (o.topic == "time-wait") return explain_time_wait(o.threads, o.budget);
  if (o.topic == "close-wait") return explain_close_wait(o.threads);
  if (o.topic == "fin-wait") return explain_fin_wait(o.threads);
  fmt::print(stderr, "teardown: explain {}: no such topic; the topics are time-wait, close-wait and fin-wait\n",
             o.topic);
  return kExitUsage;
}

}  // namespace

void add_explain_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<ExplainOptions>();
  auto* cmd =
      app.add_subcommand("explain", "a short lesson built from runs made now: time-wait, close-wait or fin-wait");
  cmd->footer(
      "Exit: 0 the lesson was printed (its runs' own verdicts are part of the lesson); 2 an unknown topic or a bad "
      "option; 1 internal error.");
  cmd->add_option("topic", options->topic, "time-wait, close-wait or fin-wait")->required();
  cmd->add_option("--threads", options->threads, "search threads (default 2)")->check(CLI::Range(1u, 256u));
  cmd->add_option("--budget", options->budget,
                  "time-wait: seconds the lesson may take (default 55); exact-time rows left without time are "
                  "reported as unknown or not run")
      ->check(CLI::Range(1.0, 86400.0));
  cmd->callback([options, &exit_code] { exit_code = run_explain(*options); });
}

}  // namespace cli
