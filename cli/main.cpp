// The `teardown` command line: parses options into plain structs, calls the libraries, maps the result to
// an exit code: 0 every checked property holds, 10 a property is violated (or `reach` found its witness),
// 2 bad usage or a bad model file, 3 inconclusive (a limit stopped the search first, or the only violations, or
// the witness, are artefacts of whole ticks: no real times fit their traces), 1 internal error.

#include <sys/wait.h>
#include <unistd.h>

#include <fmt/core.h>
#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli/exit_codes.hpp"
#include "cli/explain.hpp"
#include "cli/isn_report.hpp"
#include "cli/minimal_report.hpp"
#include "cli/promela.hpp"
#include "cli/real_time_report.hpp"
#include "cli/window.hpp"
#include "counterexamples/pcap.hpp"
#include "counterexamples/pictures.hpp"
#include "counterexamples/render.hpp"
#include "counterexamples/replay.hpp"
#include "model/model_file.hpp"
#include "model/probe.hpp"
#include "properties/check.hpp"
#include "smt/solver.hpp"
#include "properties/timed.hpp"
#include "smt/timing.hpp"
#include "smt/z3_version.hpp"

namespace {

using cli::kExitHolds;
using cli::kExitInconclusive;
using cli::kExitInternal;
using cli::kExitUsage;
using cli::kExitViolated;

constexpr const char* kVersion = "0.1.0";

/// A usage or input error: message printed, exit code 2.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Options shared by the commands that run a model.
struct ModelOptions {
  std::string model_file;  ///< empty: the built-in default model
  std::optional<std::string> profile;
  std::vector<std::string> sets;
  std::string search = "bfs";
  unsigned threads = 1;
  std::string store = "tree";  ///< --store: tree (the default: a tenth of the memory at the same speed on the TCP model)
  std::size_t max_states = 0;
  std::string max_memory;  ///< e.g. 4G, 512M; empty: default
  double time_limit = 0;
  std::string format = "text";
  std::string trace_out;
  std::string render;  ///< --render (check, reach): empty means json into --trace-out
  std::string minimize = "steps";  ///< --minimize (check, reach): steps or faults
  std::string all_shortest;        ///< --all-shortest N (check, reach): empty means one trace
  bool progress = false;
  std::string timing;  ///< --timing: the knob timing, applied after every --set
  std::string covering = "on";  ///< --covering: the zone search drops states a stored zone covers
};

void add_model_options(CLI::App& cmd, ModelOptions& o) {
  cmd.add_option("model", o.model_file, "model file (TOML); default: the built-in default model");
  cmd.add_option("--profile", o.profile, "profile: rfc793, rfc9293, rfc1337, linux, linux-2.2, bsd, no-time-wait");
  cmd.add_option("--set", o.sets, "knob=value (repeatable); see `teardown list knobs`");
  cmd.add_option("--search", o.search, "bfs (shortest traces) or dfs")->check(CLI::IsMember({"bfs", "dfs"}));
  cmd.add_option("--threads", o.threads, "search threads (bfs)")->check(CLI::Range(1u, 256u));
  cmd.add_option("--store", o.store,
                 "state store: tree (the default: compressed, exact), plain (whole states) or hash (64-bit "
                 "fingerprints: may miss states; the report gives the probability)")
      ->check(CLI::IsMember({"plain", "tree", "hash"}));
  // A limit of 0 or below is a mistake, not "no limit" (leaving the option out is).
  const CLI::Validator positive(
      [](std::string& value) -> std::string {
        std::size_t end = 0;
        double number = 0;
        try {
          number = std::stod(value, &end);
        } catch (const std::exception&) {
          end = 0;
        }
        if (end == value.size() && number > 0) return "";
        return fmt::format("{} is not a limit: give a number above 0, or leave the option out for no limit", value);
      },
      "> 0");
  cmd.add_option("--max-states", o.max_states, "stop as inconclusive after this many states (at least 1)")
      ->check(positive);
  cmd.add_option("--max-memory", o.max_memory, "memory budget, e.g. 8G or 512M (default 3/4 of RAM)");
  cmd.add_option("--time-limit", o.time_limit, "stop as inconclusive after this many seconds (more than 0)")
      ->check(positive);
  cmd.add_option("--format", o.format, "text or json")->check(CLI::IsMember({"text", "json"}));
  cmd.add_option("--trace-out", o.trace_out,
                 "write the counterexample here: JSON for `teardown replay`, or what --render names");
  cmd.add_flag("--progress", o.progress, "report progress on stderr (default: when stderr is a terminal)");
  cmd.add_option("--timing", o.timing,
                 "exact (the default: real time; whole ticks first, zones for what they cannot decide) or ticks (whole "
                 "ticks only: fast, an over-approximation whose artefacts are marked VIOLATED*); the knob timing")
      ->check(CLI::IsMember({"ticks", "exact"}));
  cmd.add_option("--covering", o.covering,
                 "on (default) or off: the exact-time search drops a state whose zone a stored zone of the same "
                 "discrete state includes (the verdicts are the same; off is for comparison)")
      ->check(CLI::IsMember({"on", "off"}));
}

std::size_t parse_memory(const std::string& text) {
  if (text.empty()) return 0;
  std::size_t pos = 0;
  double value = 0;
  try {
    value = std::stod(text, &pos);
  } catch (const std::exception&) {
    throw UsageError(fmt::format("--max-memory {}: expected a size such as 512M or 8G", text));
  }
  const std::string unit = text.substr(pos);
  double scale = 1;
  if (unit == "K" || unit == "k")
    scale = 1024.0;
  else if (unit == "M" || unit == "m")
    scale = 1024.0 * 1024;
  else if (unit == "G" || unit == "g")
    scale = 1024.0 * 1024 * 1024;
  else if (!unit.empty())
    throw UsageError(fmt::format("--max-memory {}: unknown unit '{}' (use K, M or G)", text, unit));
  if (value <= 0) throw UsageError(fmt::format("--max-memory {}: must be positive", text));
  // The state table starts at half a megabyte and the store may use 9/10 of the budget: below 1M no search
  // can start, which is a bad input, not a limit reached.
  constexpr double kMinimum = 1024.0 * 1024;
  if (value * scale < kMinimum)
    throw UsageError(fmt::format("--max-memory {}: below the minimum of 1M (the state table alone needs half a "
                                 "megabyte)",
                                 text));
  return static_cast<std::size_t>(value * scale);
}

model::Knobs load_knobs(const ModelOptions& o) {
  std::optional<model::ModelFile> file;
  if (!o.model_file.empty()) {
    if (!std::filesystem::exists(o.model_file)) throw UsageError(fmt::format("{}: no such model file", o.model_file));
    if (std::filesystem::is_directory(o.model_file))
      throw UsageError(fmt::format("{}: is a directory, not a model file (a TOML file such as scenarios/default.toml)",
                                   o.model_file));
    if (!std::filesystem::is_regular_file(o.model_file))
      throw UsageError(fmt::format("{}: is not a regular file (a device, pipe or socket), not a model file",
                                   o.model_file));
    auto [read, error] = model::read_model_file(o.model_file);
    if (!read) throw UsageError(error);
    file = std::move(read);
  }
  std::vector<std::string> sets = o.sets;
  // Real time by default (check, reach, sweep): unless --timing, a --set or the model file names a timing.
  const auto names_timing = [](std::string_view setting) { return setting.starts_with("timing="); };
  const bool chosen = !o.timing.empty() || std::any_of(sets.begin(), sets.end(), names_timing) ||
                      (file && std::any_of(file->settings.begin(), file->settings.end(),
                                           [](const auto& kv) { return kv.first == "timing"; }));
  if (!o.timing.empty()) sets.push_back("timing=" + o.timing);
  if (!chosen) sets.insert(sets.begin(), "timing=exact");
  auto [knobs, error] = model::resolve_knobs(file, o.model_file, o.profile, sets);
  if (!knobs) throw UsageError(error);
  return *knobs;
}

checker::SearchOptions search_options(const ModelOptions& o) {
  checker::SearchOptions s;
  s.order = o.search == "dfs" ? checker::Order::Dfs : checker::Order::Bfs;
  s.threads = o.threads;
  s.store = o.store == "tree" ? checker::StoreKind::Tree
            : o.store == "hash" ? checker::StoreKind::Hash
                                : checker::StoreKind::Plain;
  if (s.order == checker::Order::Dfs && s.threads > 1)
    throw UsageError("--threads: depth-first search runs on one thread");
  s.limits.max_states = o.max_states;
  s.limits.max_memory_bytes = parse_memory(o.max_memory);
  s.limits.time_limit_seconds = o.time_limit;
  if (o.progress || ::isatty(STDERR_FILENO)) {
    s.progress = [](const checker::Stats& st) {
      fmt::print(stderr, "\r{} states, {:.0f} states/s, depth {}, {:.1f} s   ", st.states, st.states_per_second,
                 st.depth, st.seconds);
      std::fflush(stderr);
    };
  }
  return s;
}

std::string knobs_json(const model::Knobs& k) {
  std::string out = fmt::format(R"({{"profile":{})", counterexamples::quote(k.profile));
  for (const auto& info : model::knob_table()) {
    const std::string v = model::knob_value(k, info.name);
    const bool number = !v.empty() && v.find_first_not_of("0123456789") == std::string::npos;
    const bool boolean = v == "true" || v == "false";
    out += fmt::format(",{}:{}", counterexamples::quote(info.name), number || boolean ? v : counterexamples::quote(v));
  }
  return out + "}";
}

std::string knobs_text(const model::Knobs& k) {
  std::string out;
  for (const auto& info : model::knob_table()) out += fmt::format(" {}={}", info.name, model::knob_value(k, info.name));
  return out;
}

std::string stats_json(const checker::Stats& s) {
  // The hash store may miss states: it says so, with the probability, as SPIN's hash compaction does.
  const std::string omissions =
      s.omissions_possible()
          ? fmt::format(R"(,"omissions_possible":true,"omission_probability":{:.3g})", s.omission_probability)
          : std::string();
  return fmt::format(
      R"({{"states":{},"transitions":{},"depth":{},"seconds":{:.3f},"states_per_second":{:.0f},"peak_memory_bytes":{},"threads":{},"store":"{}"{}}})",
      s.states, s.transitions, s.depth, s.seconds, s.states_per_second, s.peak_memory_bytes, s.threads,
      checker::to_string(s.store), omissions);
}

/// The exact-time search's share of a check: null when none ran.
std::string exact_json(const properties::TimedReport& t) {
  if (!t.zone_stats) return "null";
  return fmt::format(R"({{"ticks_states":{},"zone_states":{},"zone_transitions":{},"zones":{},"covered":{},"seconds":{:.3f}}})",
                     t.ticks_stats.states, t.zone_stats->states, t.zone_stats->transitions, t.zones,
                     t.covered ? std::to_string(*t.covered) : std::string("null"), t.zone_stats->seconds);
}

std::string stats_text(const checker::Stats& s, checker::Outcome outcome) {
  std::string out = fmt::format(
      "{} states, {} transitions, depth {}, {:.2f} s ({:.0f} states/s), peak memory {:.0f} MiB, {} thread{}", s.states,
      s.transitions, s.depth, s.seconds, s.states_per_second, static_cast<double>(s.peak_memory_bytes) / (1 << 20),
      s.threads, s.threads == 1 ? "" : "s");
  if (s.store != checker::StoreKind::Plain) out += fmt::format(", {} store", checker::to_string(s.store));
  if (s.omissions_possible())
    out += fmt::format(
        "\nHash compaction: states are kept as 64-bit fingerprints, so the search may have missed states "
        "(probability of an omission at most {:.3g}); a property reported holding is not proven.",
        s.omission_probability);
  if (outcome == checker::Outcome::Interrupted)
    out += "\nThe search was interrupted (SIGINT or SIGTERM) before exploring every state: results marked unknown "
           "are inconclusive.";
  else if (checker::inconclusive(outcome))    out += fmt::format(
        "\nThe search stopped at its {} before exploring every state: results marked unknown are inconclusive.",
        checker::to_string(outcome));
  return out;
}

/// Writes `text` (and a newline unless `newline` is false) to `path` through a temporary file, so no partial file
/// is ever left behind.
void write_file(const std::string& path, const std::string& text, bool newline = true) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw UsageError(fmt::format("--trace-out {}: cannot write", path));
    out << text;
    if (newline) out << '\n';
    if (!out.flush()) {
      std::filesystem::remove(tmp);
      throw UsageError(fmt::format("--trace-out {}: cannot write", path));
    }
  }
  std::filesystem::rename(tmp, path);
}

/// The file --trace-out writes and `teardown replay` reads: {"tool","version","model","property","trace"},
/// plus "goal" for a reach witness (property "reach").
/// Under symbolic ISNs the trace shows concrete numbers, and "isn_witness" gives the ISN values behind them.
std::string saved_trace(const model::Knobs& k, std::string_view property, std::string_view why,
                        const properties::Trace& trace, std::string_view goal = {},
                        std::optional<std::size_t> trapped_from = std::nullopt,
                        const cli::IsnFindings* findings = nullptr) {
  std::string extra = goal.empty() ? "" : fmt::format(R"(,"goal":{})", counterexamples::quote(goal));
  if (findings) extra += fmt::format(R"(,"isn_witness":{})", cli::witness_json(findings->witness));
  return fmt::format(R"({{"tool":"teardown","version":"{}","model":{},"property":{}{},"trace":{}}})", kVersion,
                     knobs_json(k), counterexamples::quote(property), extra,
                     counterexamples::trace_json(trace, why, trapped_from));
}

/// --render on a command that produces a trace (check, reach, replay).
void add_render_option(CLI::App& cmd, std::string& render) {
  cmd.add_option("--render", render,
                 "how to write the counterexample: ladder, svg, html, mermaid, dot, pcap or json (the default with "
                 "--trace-out); without --trace-out it goes to stdout in place of the report (pcap needs --trace-out)")
      ->check(CLI::IsMember({"ladder", "svg", "html", "mermaid", "dot", "pcap", "json"}));
}

/// Refuses what cannot be written before any work is done: a binary capture goes to a file only.
void check_render(const std::string& render, const std::string& trace_out) {
  if (render == "pcap" && trace_out.empty())
    throw UsageError("--render pcap writes a binary capture file: give --trace-out FILE");
}

/// A counterexample to render, and where it comes from (for the pictures' title).
struct Counterexample {
  const model::Knobs& knobs;
  std::string_view property;  ///< a property name, or "reach"
  std::string_view why;
  const properties::Trace& trace;
  std::string_view goal;    ///< reach only
  std::string_view source;  ///< "the built-in default model", a model file, or "replayed from FILE"
  std::optional<std::size_t> trapped_from = std::nullopt;
  std::optional<std::size_t> cycle_start = std::nullopt;
  const cli::IsnFindings* findings = nullptr;  ///< symbolic ISNs: the witness saved with a JSON trace
  bool artefact = false;  ///< no real times fit the trace: it breaks the property (or reaches) in whole ticks only
};

/// The words after a property's name in a heading or a picture's title: "is violated", or for a violation in
/// whole ticks only "is violated in whole ticks only (an artefact)".
std::string violated_text(bool artefact) {
  return artefact ? "is violated in whole ticks only (an artefact)" : "is violated";
}

/// Where a model comes from, as the pictures' titles say it.
std::string model_source(const ModelOptions& o) {
  return o.model_file.empty() ? "the built-in default model" : o.model_file;
}

/// The counterexample as --render names it (empty: json, the file `teardown replay` reads), ending in a newline
/// unless it is a capture file.
std::string render_trace(const std::string& render, const Counterexample& c) {
  if (render.empty() || render == "json")
    return saved_trace(c.knobs, c.property, c.why, c.trace, c.goal, c.trapped_from, c.findings) + "\n";
  if (render == "ladder")  // a reach witness breaks nothing: its ladder has no verdict line, as `reach` prints it
    return counterexamples::ladder(c.trace, c.property == "reach" ? "" : c.why, c.trapped_from, c.cycle_start);
  if (render == "pcap") {
    counterexamples::PcapOptions options;
    options.window = static_cast<std::uint16_t>(c.knobs.window);
    return counterexamples::pcap(c.trace, options);
  }
  counterexamples::Caption caption;
  const bool reach = c.property == "reach";
  const std::string_view ticks_only = c.artefact ? " in whole ticks only (an artefact)" : "";
  caption.title =
      reach ? fmt::format("A shortest way to {}{} ({}, profile {})", c.goal, ticks_only, c.source, c.knobs.profile)
            : fmt::format("{} {} ({}, profile {})", c.property, violated_text(c.artefact), c.source, c.knobs.profile);
  caption.last_step = reach ? fmt::format("reaches {}", c.goal) : fmt::format("breaks {}", c.property);
  caption.why = std::string(c.why);
  caption.trapped_from = c.trapped_from;
  caption.cycle_start = c.cycle_start;
  if (render == "svg") return counterexamples::svg(c.trace, caption);
  if (render == "html") return counterexamples::html(c.trace, caption);
  if (render == "mermaid") return counterexamples::mermaid(c.trace, caption);
  return counterexamples::dot(c.trace, caption);
}

/// The property indices named on the command line; all of them when none is named.
std::vector<std::size_t> chosen_properties(const std::vector<std::string>& names) {
  std::vector<std::size_t> chosen;
  for (const std::string& name : names) {
    const auto p = properties::find(name);
    if (!p) {
      std::string known;
      for (const auto& info : properties::all()) known += fmt::format("{}{}", known.empty() ? "" : ", ", info.name);
      throw UsageError(fmt::format("--property {}: no such property; the properties are: {}", name, known));
    }
    chosen.push_back(*p);
  }
  if (chosen.empty())
    for (std::size_t p = 0; p < properties::all().size(); ++p) chosen.push_back(p);
  return chosen;
}

/// 10 if any result is violated in real time (its trace fits real times, or it was not judged), else 3 if any is
/// unknown or violated in whole ticks only (cli::artefact: its trace is an artefact, and a real-time trace may or
/// may not exist), else 0.
int exit_code(const std::vector<const properties::TimedReport*>& reports) {
  bool violated = false, inconclusive = false;
  for (const auto* t : reports)
    for (std::size_t i = 0; i < t->report.results.size(); ++i) {
      const properties::Verdict v = t->report.results[i].verdict;
      const bool artefact = cli::artefact(*t, i);
      violated = violated || (v == properties::Verdict::Violated && !artefact);
      inconclusive = inconclusive || v == properties::Verdict::Unknown || artefact;
    }
  if (violated) return kExitViolated;
  return inconclusive ? kExitInconclusive : kExitHolds;
}

/// Under symbolic ISNs, each violation's ISN findings (indexed like report.results; empty otherwise).
std::vector<std::optional<cli::IsnFindings>> isn_findings(const model::Knobs& knobs, const properties::Report& report) {
  std::vector<std::optional<cli::IsnFindings>> out(report.results.size());
  if (!knobs.isn.symbolic()) return out;
  for (std::size_t i = 0; i < report.results.size(); ++i)
    if (report.results[i].verdict == properties::Verdict::Violated)
      out[i] = cli::isn_findings(knobs, report.results[i].trace);
  return out;
}

/// A property proved for every ISN choice: it holds, the search completed, and the ISNs were symbolic.
bool proved(const model::Knobs& knobs, const properties::Report& report, const properties::Result& r) {
  return knobs.isn.symbolic() && r.verdict == properties::Verdict::Holds && report.outcome == checker::Outcome::Complete;
}

int run_check(const ModelOptions& o, const std::vector<std::string>& property_names) {
  check_render(o.render, o.trace_out);
  const model::Knobs knobs = load_knobs(o);
  properties::CheckOptions options;
  options.properties = chosen_properties(property_names);
  options.search = search_options(o);
  options.covering = o.covering == "on";
  const auto minimize = cli::parse_minimize(o.minimize);
  if (!minimize) throw UsageError(fmt::format("--minimize {}: must be steps or faults", o.minimize));
  const auto all_shortest = cli::parse_all_shortest(o.all_shortest);
  if (!all_shortest) throw UsageError(fmt::format("--all-shortest {}: must be a count from 1 to 1000", o.all_shortest));
  options.minimize = *minimize;
  options.all_shortest = *all_shortest;
  const bool several = *all_shortest > 1;
  if (*minimize == properties::Minimize::Faults && !property_names.empty())
    for (std::size_t p : options.properties)
      if (properties::all()[p].hook == properties::Hook::Trap)
        throw UsageError(fmt::format("--minimize faults: not available for {} (a trap, decided on the whole graph)",
                                     properties::all()[p].name));
  // Every counterexample is judged in real time; under --timing exact, artefacts are looked past. Under ticks,
  // each further minimal trace is judged too, and one that fits real times goes first.
  properties::TimedReport timed = properties::check_timed(knobs, options);
  const std::vector<std::vector<smt::timing::RealTime>> more_real_time =
      several && !knobs.timing_exact ? cli::judge_more(timed, knobs)
                                     : std::vector<std::vector<smt::timing::RealTime>>(timed.report.results.size());
  const properties::Report& report = timed.report;
  if (options.search.progress) fmt::print(stderr, "\n");
  const auto findings = isn_findings(knobs, report);
  // The trace to show: under symbolic ISNs, the one with Z3's concrete values.
  const auto shown = [&](std::size_t i) -> const properties::Trace& {
    return findings[i] ? findings[i]->concrete : report.results[i].trace;
  };

  // The first violated property's trace goes to --trace-out, or with --render alone to stdout instead of the report.
  std::optional<std::size_t> first;
  for (std::size_t i = 0; i < report.results.size() && !first; ++i)
    if (report.results[i].verdict == properties::Verdict::Violated) first = i;
  if (first && (!o.trace_out.empty() || !o.render.empty())) {
    const properties::Result& r = report.results[*first];
    const std::string source = model_source(o);  // outlives c, which holds a view of it
    Counterexample c{knobs, properties::all()[r.property].name, r.why, shown(*first), "", source,
                     r.trapped_from, r.cycle_start};
    c.findings = findings[*first] ? &*findings[*first] : nullptr;
    c.artefact = cli::artefact(timed, *first);
    const std::string rendered = render_trace(o.render, c);
    if (!o.trace_out.empty()) {
      write_file(o.trace_out, rendered, false);
    } else {
      fmt::print("{}", rendered);
      return exit_code({&timed});
    }
  } else if (!o.render.empty() && o.trace_out.empty()) {
    fmt::print(stderr, "teardown: no property is violated, so there is no trace to render\n");
  }

  if (o.format == "json") {
    std::string results;
    for (std::size_t i = 0; i < report.results.size(); ++i) {
      const auto& r = report.results[i];
      if (!results.empty()) results += ",";
      const auto& f = findings[i];
      results += fmt::format(
          R"({{"property":{},"verdict":"{}","why":{},"trace":{},"isn_condition":{},"isn_witness":{},)"
          R"("probability":{},"proof":{}{}{}}})",
          counterexamples::quote(properties::all()[r.property].name), cli::verdict_json(timed, i),
          r.why.empty() ? "null" : counterexamples::quote(r.why),
          r.verdict == properties::Verdict::Violated ? counterexamples::trace_json(shown(i), r.why, r.trapped_from)
                                                     : "null",
          f ? counterexamples::quote(f->condition) : "null", f ? cli::witness_json(f->witness) : "null",
          f && f->probability ? fmt::format("{:.6g}", *f->probability) : "null",
          proved(knobs, report, r) ? "true" : "false", cli::minimal_json(r, *minimize, several),
          cli::real_time_json(timed, i, knobs.timing_exact));
    }
    fmt::print(R"({{"tool":"teardown","version":"{}","model":{},"outcome":"{}","results":[{}],"stats":{},"exact":{}}})"
               "\n",
               kVersion, knobs_json(knobs), checker::to_string(report.outcome), results, stats_json(report.stats),
               exact_json(timed));
  } else {
    fmt::print("teardown check: {} (profile {})\n  knobs:{}\n\n",
               o.model_file.empty() ? "the built-in default model" : o.model_file, knobs.profile, knobs_text(knobs));
    bool artefacts = false;
    for (std::size_t i = 0; i < report.results.size(); ++i) {
      fmt::print("  {:<26} {}\n", properties::all()[report.results[i].property].name, cli::verdict_text(timed, i));
      artefacts = artefacts || cli::artefact(timed, i);
    }
    if (artefacts) fmt::print("\n{}\n", cli::artefact_footnote("this trace"));
    fmt::print("\n{}\n", stats_text(report.stats, report.outcome));
    if (timed.zone_stats)
      fmt::print("Exact time: the search in whole ticks ({} states) decided what it could; an exact-time search "
                 "({} states, {} distinct zones, {} successors covered by a larger zone, {:.2f} s) decided the rest.\n",
                 timed.ticks_stats.states, timed.zone_stats->states, timed.zones, timed.covered.value_or(0),
                 timed.zone_stats->seconds);
    else if (knobs.timing_exact)
      fmt::print("Exact time: the search in whole ticks decided every property (a holds there holds in real time; "
                 "each violation's trace fits real times), so no exact-time search was needed.\n");
    if (report.outcome == checker::Outcome::Stopped)
      fmt::print("The search stopped early, as every checked property is already violated.\n");
    if (knobs.isn.symbolic()) {
      const smt::Stats z3 = smt::stats();
      fmt::print("Symbolic ISNs: {} questions across ISNs, {} answered from the cache, {} sent to Z3 (the rest were "
                 "pairwise differences, decided exactly).\n",
                 z3.queries, z3.cache_hits, z3.z3_calls);
      for (const auto& r : report.results)
        if (proved(knobs, report, r))
          fmt::print("{} {}.\n", properties::all()[r.property].name, cli::proof_text(knobs));
    }
    for (std::size_t i = 0; i < report.results.size(); ++i) {
      const auto& r = report.results[i];
      if (r.verdict != properties::Verdict::Violated) continue;
      const auto& info = properties::all()[r.property];
      fmt::print("\n== {} {} ==\n{}\n\n{}\n{}", info.name, violated_text(cli::artefact(timed, i)), info.explanation,
                 cli::minimal_heading(r, *minimize, several),
                 counterexamples::ladder(shown(i), r.why, r.trapped_from, r.cycle_start));
      fmt::print("{}", cli::real_time_text(timed, i, knobs.timing_exact));
      for (std::size_t k = 0; k < r.more.size(); ++k) {
        fmt::print("\nMinimal trace {} of {}:\n{}", k + 2, r.more.size() + 1,
                   counterexamples::ladder(r.more[k], r.why));
        if (k < more_real_time[i].size()) fmt::print("{}", cli::real_time_text(more_real_time[i][k]));
      }
      if (const auto& f = findings[i]) {
        fmt::print("\n  It happens when the ISNs satisfy: {}\n  A concrete choice (the trace above uses it): {}\n",
                   f->condition, cli::witness_text(f->witness));
        if (f->probability)
          fmt::print("  Probability that uniformly random ISNs satisfy the condition: {:.6g}\n", *f->probability);
      }
    }
  }
  return exit_code({&timed});
}

int run_reach(const ModelOptions& o, const std::string& goal) {
  std::string goal_error;
  const auto states = properties::parse_goal(goal, goal_error);
  if (!states) throw UsageError(fmt::format("reach: {}", goal_error));
  check_render(o.render, o.trace_out);
  const auto [a, b] = *states;
  const model::Knobs knobs = load_knobs(o);
  const auto search = search_options(o);
  const auto minimize = cli::parse_minimize(o.minimize);
  if (!minimize) throw UsageError(fmt::format("--minimize {}: must be steps or faults", o.minimize));
  const auto all_shortest = cli::parse_all_shortest(o.all_shortest);
  if (!all_shortest) throw UsageError(fmt::format("--all-shortest {}: must be a count from 1 to 1000", o.all_shortest));
  const bool several = *all_shortest > 1;
  const bool minimised = *minimize == properties::Minimize::Faults || several;
  const properties::ReachReport report =
      properties::reach_timed(knobs, a, b, search, *minimize, std::max<std::size_t>(*all_shortest, 1));
  if (search.progress) fmt::print(stderr, "\n");
  const std::string why = report.witness ? fmt::format("A is in {} and B in {}", model::name(a), model::name(b)) : "";
  std::optional<cli::IsnFindings> findings;  // symbolic ISNs: the witness with concrete numbers
  if (report.witness && knobs.isn.symbolic()) findings = cli::isn_findings(knobs, *report.witness);
  const properties::Trace* witness = findings ? &findings->concrete : report.witness ? &*report.witness : nullptr;
  // The witness judged in real time, as check judges a counterexample: one no real times fit reaches the goal in
  // whole ticks only, and leaves open whether a real-time path does (exit 3).
  std::optional<smt::timing::RealTime> real_time;
  if (report.witness) real_time = smt::timing::realtime(model::TeardownModel(knobs), *report.witness);
  const bool artefact = real_time && cli::no_real_times(*real_time);
  const int found_code = artefact ? kExitInconclusive : kExitViolated;
  if (witness && (!o.trace_out.empty() || !o.render.empty())) {
    const std::string source = model_source(o);  // outlives c, which holds a view of it
    Counterexample c{knobs, "reach", why, *witness, goal, source};
    c.findings = findings ? &*findings : nullptr;
    c.artefact = artefact;
    const std::string rendered = render_trace(o.render, c);
    if (o.trace_out.empty()) {  // --render alone: the rendering in place of the report
      fmt::print("{}", rendered);
      return found_code;
    }
    write_file(o.trace_out, rendered, false);
  }
  if (o.format == "json") {
    fmt::print(R"({{"tool":"teardown","version":"{}","model":{},"goal":{},"outcome":"{}","found":{},"artefact":{},)"
               R"("trace":{}{},"real_time":{},"timing":"{}","stats":{}}})"
               "\n",
               kVersion, knobs_json(knobs), counterexamples::quote(goal), checker::to_string(report.outcome),
               witness ? "true" : "false", artefact ? "true" : "false",
               witness ? counterexamples::trace_json(*witness, why) : "null",
               cli::witness_json(report, *minimize, several, why),
               real_time ? cli::real_time_value_json(*real_time) : "null", knobs.timing_exact ? "exact" : "ticks",
               stats_json(report.stats));
  } else if (witness) {
    const std::string heading = minimised ? cli::witness_heading(report, *minimize, several) : "A shortest witness:";
    fmt::print("teardown reach {}: {}{}\n{}{}\n", goal,
               artefact ? "reachable in whole ticks only: no real times fit this witness (an artefact of whole "
                          "ticks), so in real time it is inconclusive (--timing exact looks past it). In whole "
                          "ticks: "
                        : "reachable. ",
               heading, counterexamples::ladder(*witness, ""), real_time ? cli::real_time_text(*real_time) : "");
    for (std::size_t k = 0; k < report.more.size(); ++k)
      fmt::print("Witness {} of {}, as minimal:\n{}\n", k + 2, report.more.size() + 1,
                 counterexamples::ladder(report.more[k], ""));
    fmt::print("{}\n", stats_text(report.stats, report.outcome));
    if (findings)
      fmt::print("It happens when the ISNs satisfy: {}\nA concrete choice (the trace above uses it): {}\n",
                 findings->condition, cli::witness_text(findings->witness));
  } else {
    fmt::print("teardown reach {}: {}\n{}\n", goal,
               checker::inconclusive(report.outcome) ? "not found before the search stopped (inconclusive)"
                                                     : "unreachable: no state has A and B in these states",
               stats_text(report.stats, report.outcome));
  }
  if (report.witness) return found_code;
  return checker::inconclusive(report.outcome) ? kExitInconclusive : kExitHolds;
}

/// `sweep KNOB=LO..HI`: one check per value of an integer knob, one row each.
int run_sweep(const ModelOptions& o, const std::vector<std::string>& property_names, const std::string& range) {
  const auto eq = range.find('=');
  const auto dots = range.find("..");
  std::size_t lo = 0, hi = 0;
  bool ok = eq != std::string::npos && dots != std::string::npos && dots > eq;
  if (ok) {
    try {
      std::size_t used = 0;
      const std::string a = range.substr(eq + 1, dots - eq - 1), b = range.substr(dots + 2);
      lo = std::stoul(a, &used);
      ok = used == a.size();
      hi = std::stoul(b, &used);
      ok = ok && used == b.size() && lo <= hi && hi - lo <= 64;
    } catch (const std::exception&) {
      ok = false;
    }
  }
  if (!ok)
    throw UsageError(fmt::format("sweep {}: expected KNOB=LO..HI with integers LO <= HI, at most 65 values", range));
  const std::string knob = range.substr(0, eq);
  const std::vector<std::size_t> chosen = chosen_properties(property_names);
  // Every row's knobs first, so that a bad one is reported before any row runs, blamed on the range the user
  // typed (not on a --set they never wrote) and on the model file or --set that takes part.
  std::optional<model::Knobs> first;
  for (std::size_t v = lo; v <= hi; ++v) {
    ModelOptions row_options = o;
    row_options.sets.push_back(fmt::format("{}={}", knob, v));
    try {
      const model::Knobs k = load_knobs(row_options);
      if (!first) first = k;
    } catch (const UsageError& e) {
      std::string message = e.what();
      const std::string own = fmt::format("--set {}={}: ", knob, v);  // the swept value itself
      if (message.starts_with(own)) message = message.substr(own.size());
      throw UsageError(fmt::format("sweep {}: at {}={}: {}", range, knob, v, message));
    }
  }
  const model::Knobs base = *first;  // the knobs the rows share, the swept one at its first value

  struct Row {
    std::size_t value;
    properties::TimedReport timed;
  };
  std::vector<Row> rows;
  bool exact = false;
  for (std::size_t v = lo; v <= hi; ++v) {
    ModelOptions row_options = o;
    row_options.sets.push_back(fmt::format("{}={}", knob, v));
    const model::Knobs knobs = load_knobs(row_options);  // a bad knob or value is reported like --set
    exact = knobs.timing_exact;
    properties::CheckOptions options;
    options.properties = chosen;
    options.search = search_options(o);
    options.search.progress = nullptr;
    options.covering = o.covering == "on";
    rows.push_back({v, properties::check_timed(knobs, options)});
    if (checker::stop_requested()) break;  // interrupted: the rows so far, the last one inconclusive
  }
  // Per property: the first value from which it holds through the end of the range (and, under exact timing,
  // the same for the verdicts of whole ticks alone).
  const auto holds_from = [&](std::size_t k, bool ticks) -> std::optional<std::size_t> {
    std::optional<std::size_t> from;
    for (std::size_t r = rows.size(); r-- > 0;) {
      const auto& t = rows[r].timed;
      const properties::Verdict v = ticks && exact ? t.ticks_verdict[k] : t.report.results[k].verdict;
      if (v != properties::Verdict::Holds) break;
      from = rows[r].value;
    }
    return from;
  };
  const auto json_or_null = [](const std::optional<std::size_t>& v) {
    return v ? std::to_string(*v) : std::string("null");
  };

  if (o.format == "json") {
    // The knobs the sweep ran with (the swept knob at its first value; each row's value is in the row).
    std::string out = fmt::format(R"({{"knob":{},"timing":"{}","model":{},"rows":[)", counterexamples::quote(knob),
                                  exact ? "exact" : "ticks", knobs_json(base));
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const auto& t = rows[i].timed;
      std::string results;
      for (std::size_t k = 0; k < t.report.results.size(); ++k) {
        const auto& res = t.report.results[k];
        const auto& rt = t.real_time[k];
        std::string extra;
        if (exact)
          extra = fmt::format(R"(,"decided_by":"{}","ticks_verdict":"{}")", properties::name(t.decided_by[k]),
                              properties::name(t.ticks_verdict[k]));
        results += fmt::format(R"({}{{"property":{},"verdict":"{}","real_time":{}{}}})", results.empty() ? "" : ",",
                               counterexamples::quote(properties::all()[res.property].name),
                               cli::verdict_json(t, k), !rt ? "null" : rt->feasible ? "\"feasible\"" : "\"artefact\"",
                               extra);
      }
      out += fmt::format(R"({}{{"value":{},"results":[{}],"stats":{},"exact":{}}})", i ? "," : "", rows[i].value,
                         results, stats_json(t.report.stats), exact_json(t));
    }
    std::string lines;
    for (std::size_t k = 0; k < chosen.size(); ++k) {
      lines += fmt::format(R"({}{{"property":{},"holds_from":{})", k ? "," : "",
                           counterexamples::quote(properties::all()[chosen[k]].name), json_or_null(holds_from(k, false)));
      if (exact) lines += fmt::format(R"(,"ticks_holds_from":{})", json_or_null(holds_from(k, true)));
      lines += "}";
    }
    fmt::print("{}],\"lines\":[{}]}}\n", out, lines);
  } else {
    // The knobs the rows share, the swept one shown as its range.
    std::string swept_text = knobs_text(base);
    if (const auto at = swept_text.find(" " + knob + "="); at != std::string::npos) {
      const auto end = std::min(swept_text.find(' ', at + 1), swept_text.size());
      swept_text.replace(at, end - at, " " + range);
    }
    std::string header = fmt::format("{:>8}", knob);
    for (std::size_t p : chosen)
      header += fmt::format("  {:>{}}", properties::all()[p].name, std::max<std::size_t>(properties::all()[p].name.size(), 9));
    fmt::print("teardown sweep {} on {} (profile {}, {})\n  knobs:{}\n\n{}  {:>10}  {:>8}\n", range,
               o.model_file.empty() ? "the built-in default model" : o.model_file, base.profile,
               exact ? "exact real time" : "whole ticks", swept_text, header, "states", "seconds");
    bool artefacts = false;
    for (const Row& r : rows) {
      std::string line = fmt::format("{:>8}", r.value);
      for (std::size_t k = 0; k < r.timed.report.results.size(); ++k) {
        const auto& n = properties::all()[r.timed.report.results[k].property].name;
        const std::string cell = cli::verdict_text(r.timed, k);
        artefacts = artefacts || cli::artefact(r.timed, k);
        line += fmt::format("  {:>{}}", cell, std::max<std::size_t>(n.size(), 9));
      }
      fmt::print("{}  {:>10}  {:>8.2f}\n", line, r.timed.report.stats.states, r.timed.report.stats.seconds);
    }
    if (!rows.empty() && rows.front().timed.report.stats.omissions_possible()) {
      double worst = 0;
      for (const Row& r : rows) worst = std::max(worst, r.timed.report.stats.omission_probability);
      fmt::print(
          "\nHash store: states are kept as 64-bit fingerprints, so a row may have missed states (probability of an "
          "omission at most {:.3g} per row); a verdict of holds is not proven.\n",
          worst);
    }
    if (artefacts) fmt::print("\n{}\n", cli::artefact_footnote("the trace found"));
    fmt::print("\n");
    for (std::size_t k = 0; k < chosen.size(); ++k) {
      const auto from = holds_from(k, false);
      std::string text = from ? fmt::format("holds from {}={} on", knob, *from) : "does not hold at the end of the range";
      if (exact) {
        const auto ticks = holds_from(k, true);
        text += fmt::format(" in exact real time; in whole ticks alone {}",
                            ticks ? fmt::format("from {}={} on", knob, *ticks) : "not at the end of the range");
      }
      fmt::print("{}: {}.\n", properties::all()[chosen[k]].name, text);
    }
  }
  std::vector<const properties::TimedReport*> reports;
  for (const Row& r : rows) reports.push_back(&r.timed);
  return exit_code(reports);
}

/// A replayed trace judged in real time; nothing under symbolic ISNs, whose replayed steps show the witness's
/// concrete numbers, which are no steps of the symbolic model.
std::optional<smt::timing::RealTime> replayed_real_time(const counterexamples::Replayed& r) {
  if (r.knobs.isn.symbolic()) return std::nullopt;
  return smt::timing::realtime(model::TeardownModel(r.knobs), r.trace);
}

int run_replay(const std::string& path, const std::string& format) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UsageError(fmt::format("{}: cannot read the trace file", path));
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const counterexamples::ReplayResult result = counterexamples::replay(text);
  if (!result.replayed) throw UsageError(fmt::format("{}: {}", path, result.error));
  const counterexamples::Replayed& r = *result.replayed;
  // The trace judged in real time, as check and reach judge it. The exit code stays 10: replay answers whether the
  // trace follows the model it names and breaks the property (reaches the goal) there, and it does.
  const std::optional<smt::timing::RealTime> real_time = replayed_real_time(r);
  const bool artefact = real_time && cli::no_real_times(*real_time);
  if (format == "json") {
    // The saved trace as replay rebuilt it, and what replay found: a script reads the verdict, and replay reads
    // the whole file again (it recomputes "replayed" rather than trusting it).
    const std::string trace = saved_trace(r.knobs, r.property, r.why, r.trace, r.goal, r.trapped_from);
    const std::string replayed = fmt::format(
        R"({{"follows":true,"steps":{},"verdict":"{}","why":{},"artefact":{},"real_time":{}}})", r.trace.size() - 1,
        r.property == "reach" ? "reached" : "violated", counterexamples::quote(r.why), artefact ? "true" : "false",
        real_time ? cli::real_time_value_json(*real_time) : "null");
    fmt::print("{},\"replayed\":{}}}\n", trace.substr(0, trace.size() - 1), replayed);
    return kExitViolated;
  }
  const std::string_view ticks_only = artefact ? " in whole ticks only (no real times fit the trace)" : "";
  const std::string real_time_text = real_time ? cli::real_time_text(*real_time) : "";
  if (r.property == "reach") {
    fmt::print("teardown replay {}: every step follows the model ({} steps) and reaches {}{}.\n\n{}{}", path,
               r.trace.size() - 1, r.goal, ticks_only, counterexamples::ladder(r.trace, r.why), real_time_text);
  } else {
    const auto& info = properties::all()[*properties::find(r.property)];
    fmt::print(
        "teardown replay {}: every step follows the model ({} steps) and the last one breaks {}{}.\n{}\n\n"
        "== {} {} ==\n{}\n\n{}{}",
        path, r.trace.size() - 1, r.property, ticks_only, knobs_text(r.knobs), info.name, violated_text(artefact),
        info.explanation, counterexamples::ladder(r.trace, r.why, r.trapped_from, r.cycle_start), real_time_text);
  }
  return kExitViolated;
}

/// `replay TRACE.json --render R [--trace-out FILE]`: replays the trace as run_replay does, then writes it as R to
/// FILE (a one-line report on stdout) or, without FILE, to stdout.
int run_replay_render(const std::string& path, const std::string& render, const std::string& trace_out) {
  check_render(render, trace_out);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UsageError(fmt::format("{}: cannot read the trace file", path));
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const counterexamples::ReplayResult result = counterexamples::replay(text);
  if (!result.replayed) throw UsageError(fmt::format("{}: {}", path, result.error));
  const counterexamples::Replayed& r = *result.replayed;
  const std::string source = fmt::format("replayed from {}", std::filesystem::path(path).filename().string());
  Counterexample c{r.knobs, r.property, r.why, r.trace, r.goal, source, r.trapped_from, r.cycle_start};
  const std::optional<smt::timing::RealTime> real_time = replayed_real_time(r);
  c.artefact = real_time && cli::no_real_times(*real_time);
  const std::string rendered = render_trace(render, c);
  if (trace_out.empty()) {
    fmt::print("{}", rendered);
  } else {
    write_file(trace_out, rendered, false);
    fmt::print("teardown replay {}: every step follows the model ({} steps); {} written to {}\n", path,
               r.trace.size() - 1, render.empty() ? "json" : render, trace_out);
  }
  return kExitViolated;
}

/// `replay TRACE.json --live [--live-side A|B]`: replays the trace in the model as run_replay does, then lets
/// tests/conformance/harness/replay_live.py play one endpoint with this machine's kernel (root, network namespaces) and
/// print where the kernel and the trace part ways. Exit: 0 the kernel agrees with every step, 10 it diverges,
/// 3 not replayed (not root, no namespaces, a timer step), 2 bad usage, 1 a harness error.
int run_replay_live(const std::string& path, const std::string& side) {
  run_replay(path, "text");
  fmt::print("\n");
  std::fflush(stdout);
  const char* env = std::getenv("TEARDOWN_SOURCE_DIR");
  const std::string script = fmt::format("{}/tests/conformance/harness/replay_live.py", env ? env : TEARDOWN_SOURCE_DIR);
  if (!std::filesystem::exists(script)) throw UsageError(fmt::format("--live: {} not found", script));
  std::vector<std::string> args = {"/usr/bin/python3", script, path, "--live-side", side};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const pid_t child = fork();
  if (child < 0) throw std::runtime_error("--live: fork failed");
  if (child == 0) {
    execv(argv[0], argv.data());
    std::perror("teardown replay --live: /usr/bin/python3");
    _exit(kExitInternal);
  }
  int status = 0;
  if (waitpid(child, &status, 0) != child || !WIFEXITED(status)) return kExitInternal;
  const int code = WEXITSTATUS(status);
  if (code == kExitHolds || code == kExitViolated || code == kExitInconclusive || code == kExitUsage) return code;
  return kExitInternal;
}

struct ProbeOptions {
  std::string profile = "rfc9293";
  std::vector<std::string> sets;
  std::string state, segment, listener, opened = "active", closed_by = "close", format = "text";
  bool table = false;
};

std::string vars_json(const model::ProbeVars& v) {
  return fmt::format(R"({{"ISS":{},"IRS":{},"SND.UNA":{},"SND.NXT":{},"RCV.NXT":{},"RCV.WND":{}}})", v.iss, v.irs,
                     v.snd_una, v.snd_nxt, v.rcv_nxt, v.rcv_wnd);
}

std::string response_json(const model::ProbeResult& r) {
  if (!r.arrival.reply) return "null";
  const model::Segment& reply = *r.arrival.reply;
  const bool ack = reply.has(model::kAck);
  return fmt::format(R"({{"flags":{},"seq":{},"ack":{},"len":{},"seq_value":{},"ack_value":{}}})",
                     counterexamples::quote(counterexamples::flags_text(reply.flags)),
                     counterexamples::quote(r.seq_text), ack ? counterexamples::quote(r.ack_text) : "null", reply.len,
                     reply.seq, ack ? std::to_string(reply.ack) : "null");
}

/// "ACK seq=SND.NXT ack=RCV.NXT+1" or "none".
std::string response_text(const model::ProbeResult& r) {
  if (!r.arrival.reply) return "none";
  const model::Segment& reply = *r.arrival.reply;
  std::string out = fmt::format("{} seq={}", counterexamples::flags_text(reply.flags), r.seq_text);
  if (reply.has(model::kAck)) out += " ack=" + r.ack_text;
  if (reply.len) out += fmt::format(" len={}", reply.len);
  return out;
}

int run_probe(const ProbeOptions& o) {
  auto [resolved, knob_error] = model::resolve_knobs(std::nullopt, "", o.profile, o.sets);
  if (!resolved) throw UsageError(knob_error);
  const model::Knobs& knobs = *resolved;

  if (o.table) {
    if (!o.state.empty() || !o.segment.empty()) throw UsageError("probe --table: give no --state or --segment");
    const auto cells = model::time_wait_table(knobs);
    if (o.format == "json") {
      std::string out = "[";
      for (std::size_t i = 0; i < cells.size(); ++i) {
        const auto& c = cells[i];
        out += fmt::format(
            R"({}{{"state":"{}","kind":"{}","seq":"{}","segment":{},"response":{},"state_after":"{}","rule":{},)"
            R"("observed_2001":"{}","footnote":{}}})",
            i ? "," : "", model::name(c.state), c.kind, c.old_seq ? "old" : "arbitrary", counterexamples::quote(c.spec),
            response_json(c.result), model::name(c.result.after.state),
            counterexamples::quote(model::describe(c.result.arrival.rule)), c.observed,
            c.footnote.empty() ? "null" : counterexamples::quote(c.footnote));
      }
      fmt::print("{}]\n", out);
      return kExitHolds;
    }
    fmt::print(
        "teardown probe --profile {} --table: segments sent to an endpoint in TIME-WAIT and to the CLOSED port of "
        "the other host (which still listens); old = RCV.NXT-1, a number the old connection used; arbitrary = "
        "RCV.NXT+100000. Each cell: the reply, the state after, and what Linux 2.2 did in 2001.\n\n",
        o.profile);
    fmt::print("{:<20} {:<56} {}\n", "segment", "TIME_WAIT", "CLOSED (listener)");
    std::vector<std::string> notes;
    const std::size_t half = cells.size() / 2;
    for (std::size_t i = 0; i < half; ++i) {
      std::string line =
          fmt::format("{:<20}", fmt::format("{} ({})", cells[i].kind, cells[i].old_seq ? "old" : "arbitrary"));
      for (const auto* c : {&cells[i], &cells[i + half]}) {
        std::string cell = fmt::format("{} -> {} [2001: {}]", response_text(c->result),
                                       model::name(c->result.after.state), c->observed);
        if (!c->footnote.empty()) {
          notes.push_back(c->footnote);
          cell += fmt::format(" ({})", notes.size());
        }
        line += fmt::format(" {:<56}", cell);
      }
      fmt::print("{}\n", line);
    }
    for (std::size_t i = 0; i < notes.size(); ++i) fmt::print("\n({}) {}.\n", i + 1, notes[i]);
    return kExitHolds;
  }

  if (o.state.empty() || o.segment.empty()) throw UsageError("probe: give --state and --segment, or --table");
  model::ProbeContext context;
  if (!model::parse_state(o.state, context.state))
    throw UsageError(
        fmt::format("--state {}: not a TCP state; use CLOSED, LISTEN, SYN_SENT, SYN_RECEIVED, ESTABLISHED, "
                    "FIN_WAIT_1, FIN_WAIT_2, CLOSE_WAIT, CLOSING, LAST_ACK or TIME_WAIT",
                    o.state));
  context.passive = o.opened == "passive";
  context.listener =
      o.listener.empty() ? (context.passive || context.state == model::TcpState::Listen) : o.listener == "yes";
  context.shutdown = o.closed_by == "shutdown";
  if (auto error = model::check_context(context)) throw UsageError(*error);
  std::string error;
  const auto spec = model::parse_segment_spec(o.segment, error);
  if (!spec) throw UsageError(error);
  const model::ProbeResult r = model::probe(knobs, context, *spec);
  const model::Segment& seg = r.segment;
  if (o.format == "json") {
    fmt::print(
        R"({{"profile":{},"state_before":"{}","segment":{},"segment_values":{{"flags":{},"seq":{},"ack":{},"len":{}}},)"
        R"("response":{},"state_after":"{}","rule":{},"delivered":{},"held":{},"variables":{},)"
        R"("context":{{"listener":{},"opened":"{}","closed_by":"{}"}}}})"
        "\n",
        counterexamples::quote(o.profile), model::name(context.state), counterexamples::quote(o.segment),
        counterexamples::quote(counterexamples::flags_text(seg.flags)), seg.seq,
        seg.has(model::kAck) ? std::to_string(seg.ack) : "null", seg.len, response_json(r), model::name(r.after.state),
        counterexamples::quote(model::describe(r.arrival.rule)), r.arrival.delivered,
        model::held_text(r.after).empty() ? "null" : counterexamples::quote(model::held_text(r.after)),
        vars_json(r.vars), context.listener ? "true" : "false",
        context.passive ? "passive" : "active", context.shutdown ? "shutdown" : "close");
    return kExitHolds;
  }
  const auto& v = r.vars;
  fmt::print(
      "teardown probe --profile {}: {} (opened {}, {}, {})\n"
      "  before:   ISS={} IRS={} SND.UNA={} SND.NXT={} RCV.NXT={} RCV.WND={}\n"
      "  segment:  {}   (seq={} ack={} len={})\n"
      "  reply:    {}{}\n"
      "  state:    {} -> {}\n"
      "  rule:     {}\n",
      o.profile, model::name(context.state), context.passive ? "passively" : "actively",
      context.shutdown ? "closed by shutdown" : "closed by close",
      context.listener ? "a listener on the port" : "no listener", v.iss, v.irs, v.snd_una, v.snd_nxt, v.rcv_nxt,
      v.rcv_wnd, o.segment, seg.seq, seg.has(model::kAck) ? std::to_string(seg.ack) : "-", seg.len, response_text(r),
      r.arrival.reply ? fmt::format("   (seq={} ack={})", r.arrival.reply->seq,
                                    r.arrival.reply->has(model::kAck) ? std::to_string(r.arrival.reply->ack) : "-")
                      : "",
      model::name(context.state), model::name(r.after.state), model::describe(r.arrival.rule));
  if (r.arrival.delivered > 0)
    fmt::print("  delivered: {} unit{} to the application\n", r.arrival.delivered, r.arrival.delivered == 1 ? "" : "s");
  if (const std::string held = model::held_text(r.after); !held.empty())
    fmt::print("  held:     {} (RCV.NXT after: {})\n", held, r.after.rcv_nxt);
  return kExitHolds;
}

int run_list(const std::string& what) {
  if (what == "knobs") {
    for (const auto& k : model::knob_table()) fmt::print("{}\n    {}\n    values: {}\n", k.name, k.meaning, k.values);
  } else if (what == "profiles") {
    for (const auto& p : model::profiles()) {
      std::string settings;
      for (const auto& [knob, value] : p.settings) settings += fmt::format(" {}={}", knob, value);
      fmt::print("{}\n    {}\n    sets:{}\n", p.name, p.meaning, settings);
    }
  } else if (what == "properties") {
    for (const auto& p : properties::all()) fmt::print("{}\n    {}\n\n", p.name, p.explanation);
  } else {
    throw UsageError(fmt::format("list {}: use knobs, profiles or properties", what));
  }
  return kExitHolds;
}

/// SIGINT and SIGTERM end a search as a limit does (inconclusive, exit 3, the verdicts and statistics so far
/// printed in the chosen format); the handler is one-shot, so a second signal ends the process at once.
extern "C" void on_stop_signal(int) {
  checker::request_stop();
}

void install_stop_handlers() {
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  action.sa_flags = SA_RESETHAND;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

}  // namespace

int main(int argc, char** argv) {
  model::sym::set_decider_factory(smt::make_decider);  // symbolic ISNs ask Z3 (one solver per thread)
  install_stop_handlers();
  try {
    CLI::App app{"teardown: a model checker for TCP connection teardown"};
    app.footer(
        "Exit codes (each subcommand's --help says its own): 0 holds / done, 10 violated / found, 3 inconclusive "
        "(a limit, an interrupt, or violated in whole ticks only), 2 bad usage or input (the message names the "
        "place), 1 internal error.");
    app.set_version_flag("--version", [] { return fmt::format("teardown {} (Z3 {})", kVersion, smt::z3_version()); });
    app.require_subcommand(1);

    ModelOptions check_opts;
    std::vector<std::string> property_names;
    auto* check = app.add_subcommand("check", "verify properties (all by default) on a model");
    check->footer(
        "Verdicts: holds, VIOLATED, unknown (a limit stopped the search), and VIOLATED*: violated in whole ticks "
        "only, as no real times fit the trace found (an artefact of whole ticks; JSON verdict \"artefact\"; "
        "--timing exact looks past it).\n"
        "Exit: 0 every property holds; 10 a property is VIOLATED (a trace that fits real times, or one not judged); "
        "3 inconclusive: none is VIOLATED, and one is unknown or VIOLATED*; 2 bad usage or model file; 1 internal "
        "error.");
    add_model_options(*check, check_opts);
    add_render_option(*check, check_opts.render);
    check->add_option("--property", property_names, "a property to check (repeatable); see `teardown list properties`");
    check->add_option("--minimize", check_opts.minimize,
                      "steps (default: a shortest trace) or faults (fewest losses, duplications, filter drops and "
                      "queue drops, then fewest steps)")
        ->check(CLI::IsMember({"steps", "faults"}));
    check->add_option("--all-shortest", check_opts.all_shortest,
                      "up to N distinct minimal traces per violated property (by --minimize)");

    ModelOptions reach_opts;
    std::string goal;
    auto* reach = app.add_subcommand("reach", "a shortest trace to a state, e.g. \"A=FIN_WAIT_1 B=CLOSE_WAIT\"");
    reach->footer(
        "Exit: 10 a witness was found whose trace fits real times; 3 inconclusive: a limit stopped the search, or "
        "the witness is reachable in whole ticks only (no real times fit it; --timing exact looks past it); 0 "
        "unreachable; 2 bad usage or model file; 1 internal error.");
    reach->add_option("goal", goal, "\"A=STATE B=STATE\"")->required();
    add_model_options(*reach, reach_opts);
    add_render_option(*reach, reach_opts.render);
    reach->add_option("--minimize", reach_opts.minimize,
                      "steps (default: a shortest witness) or faults (fewest losses, duplications, filter drops and "
                      "queue drops, then fewest steps)")
        ->check(CLI::IsMember({"steps", "faults"}));
    reach->add_option("--all-shortest", reach_opts.all_shortest, "up to N distinct witnesses as minimal (by --minimize)");

    ModelOptions sweep_opts;
    std::vector<std::string> sweep_properties;
    std::string sweep_range;
    auto* sweep =
        app.add_subcommand("sweep", "check across an integer knob's range, e.g. time_wait=0..8; one row per value");
    sweep->footer(
        "Cells: holds, VIOLATED, unknown (a limit stopped the search), and VIOLATED*: violated in whole ticks only, "
        "as no real times fit the trace found (an artefact of whole ticks; JSON verdict \"artefact\"; --timing "
        "exact looks past it).\n"
        "Exit: 0 every cell holds; 10 a cell is VIOLATED; 3 inconclusive: none is VIOLATED, and one is unknown or "
        "VIOLATED*; 2 bad usage or model file; 1 internal error.");
    sweep->add_option("range", sweep_range, "KNOB=LO..HI")->required();
    add_model_options(*sweep, sweep_opts);
    sweep->add_option("--property", sweep_properties, "a property to check (repeatable); default: all");

    std::string replay_path, replay_format = "text";
    auto* replay = app.add_subcommand("replay", "re-check a saved trace (--trace-out) step by step and re-render it");
    replay->footer(
        "Exit: 10 every step is a transition of the model and the last breaks the file's property (or reaches its "
        "goal), also when that happens in whole ticks only (the text says so); 2 the file is not a saved trace, "
        "or a step does not follow (the message names the step and the first field that differs); with --live: "
        "0 the kernel agrees with every step, 10 the first divergence (named by step), 3 it cannot replay (not "
        "root, no network namespaces, a timer step); 1 internal error.");
    replay->add_option("trace", replay_path, "TRACE.json, as --trace-out writes it")->required();
    replay->add_option("--format", replay_format, "text or json")->check(CLI::IsMember({"text", "json"}));
    std::string replay_render, replay_trace_out;
    add_render_option(*replay, replay_render);
    replay->add_option("--trace-out", replay_trace_out, "write the trace here (as --render names it; default JSON)");
    bool replay_live = false;
    std::string replay_live_side = "auto";
    replay->add_flag("--live", replay_live,
                     "also play one endpoint with this kernel in fresh network namespaces (root); exit 0 agrees, "
                     "10 diverges, 3 not replayed");
    replay->add_option("--live-side", replay_live_side, "the endpoint the kernel plays: A, B or auto (default)")
        ->check(CLI::IsMember({"A", "B", "auto"}));

    ProbeOptions probe_opts;
    auto* probe = app.add_subcommand("probe", "how one endpoint of a profile answers one segment (conformance)");
    probe->footer(
        "Exit: 0 the answer (or the table) was printed; 2 bad usage: an unknown profile or state, or a segment spec "
        "that does not parse (the message names the part); 1 internal error.");
    probe->add_option("--profile", probe_opts.profile, "rfc9293 (default), rfc1337, rfc793, linux, linux-2.2, bsd or no-time-wait");
    probe->add_option("--set", probe_opts.sets, "knob=value (repeatable)");
    probe->add_option("--state", probe_opts.state, "the endpoint's state: CLOSED, LISTEN, SYN_SENT, SYN_RECEIVED, ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, CLOSE_WAIT, CLOSING, LAST_ACK or TIME_WAIT");
    probe->add_option(
        "--segment", probe_opts.segment,
        "the segment, e.g. \"FIN|ACK seq=RCV.NXT-1 ack=SND.NXT\": flags joined by |, then seq=, ack=, len=; "
        "a value is a number or RCV.NXT, SND.NXT, SND.UNA, ISS, IRS, RCV.NXT+RCV.WND, +N or -N");
    probe
        ->add_option("--listener", probe_opts.listener,
                     "is a listening socket bound to the port (default: no, "
                     "yes when opened passively)")
        ->check(CLI::IsMember({"yes", "no"}));
    probe->add_option("--opened", probe_opts.opened, "active (default) or passive")
        ->check(CLI::IsMember({"active", "passive"}));
    probe
        ->add_option("--closed-by", probe_opts.closed_by,
                     "close (default: the socket is orphaned) or shutdown (half close; the application still holds it)")
        ->check(CLI::IsMember({"close", "shutdown"}));
    probe->add_flag("--table", probe_opts.table, "the classic TIME-WAIT test table for the profile");
    probe->add_option("--format", probe_opts.format, "text or json")->check(CLI::IsMember({"text", "json"}));

    std::string list_what;
    auto* list = app.add_subcommand("list", "list knobs, profiles or properties");
    list->footer("Exit: 0 listed; 2 not one of knobs, profiles, properties.");
    list->add_option("what", list_what, "knobs | profiles | properties")->required();

    int window_exit = -1;  // `teardown window` runs during parse and sets its exit code (cli/window.hpp)
    cli::add_window_command(app, window_exit);
    int explain_exit = -1;  // `teardown explain` runs during parse and sets its exit code (cli/explain.hpp)
    cli::add_explain_command(app, explain_exit);
    int promela_exit = -1;  // `teardown export promela` and `import-trail` run during parse (cli/promela.hpp)
    cli::add_promela_commands(app, promela_exit);

    try {
      app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
      const int code = app.exit(e);
      return code == 0 ? 0 : kExitUsage;
    }
    if (check->parsed()) return run_check(check_opts, property_names);
    if (reach->parsed()) return run_reach(reach_opts, goal);
    if (sweep->parsed()) return run_sweep(sweep_opts, sweep_properties, sweep_range);
    if (replay->parsed() && replay_live) return run_replay_live(replay_path, replay_live_side);
    if (replay->parsed() && (!replay_render.empty() || !replay_trace_out.empty()))
      return run_replay_render(replay_path, replay_render, replay_trace_out);
    if (replay->parsed()) return run_replay(replay_path, replay_format);
    if (probe->parsed()) return run_probe(probe_opts);
    if (list->parsed()) return run_list(list_what);
    if (window_exit >= 0) return window_exit;
    if (explain_exit >= 0) return explain_exit;
    if (promela_exit >= 0) return promela_exit;
    return kExitUsage;
  } catch (const UsageError& e) {
    fmt::print(stderr, "teardown: {}\n", e.what());
    return kExitUsage;
  } catch (const std::exception& e) {
    fmt::print(stderr, "teardown: internal error: {}\n", e.what());
    return kExitInternal;
  }
}
