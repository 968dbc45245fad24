#include "cli/common.hpp"
#include "cli/distributed.hpp"

#include <unistd.h>

#include <fmt/core.h>
#include <CLI/CLI.hpp>
#include <algorithm>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>

#include "cli/exit_codes.hpp"
#include "cli/real_time_report.hpp"
#include "counterexamples/pcap.hpp"
#include "counterexamples/pictures.hpp"
#include "counterexamples/render.hpp"
#include "model/model_file.hpp"

namespace cli {

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
    throw UsageError(
        fmt::format("--max-memory {}: below the minimum of 1M (the state table alone needs half a "
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
      throw UsageError(
          fmt::format("{}: is not a regular file (a device, pipe or socket), not a model file", o.model_file));
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
  s.store = o.store == "tree"   ? checker::StoreKind::Tree
            : o.store == "hash" ? checker::StoreKind::Hash
                                : checker::StoreKind::Plain;
  if (s.order == checker::Order::Dfs && s.threads > 1)
    throw UsageError("--threads: depth-first search runs on one thread");
  s.comm = ranks();
  if (distributed() && s.order == checker::Order::Dfs)
    throw UsageError("--search dfs: a distributed search is breadth-first (run depth-first without mpirun)");
  if (distributed() && s.store == checker::StoreKind::Hash)
    throw UsageError(
        "--store hash: a distributed search keeps whole states (plain or tree); hash compaction needs "
        "one rank");
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

std::string exact_json(const properties::TimedReport& t) {
  if (!t.zone_stats) return "null";
  return fmt::format(
      R"({{"ticks_states":{},"zone_states":{},"zone_transitions":{},"zones":{},"covered":{},"seconds":{:.3f}}})",
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
    out +=
        "\nThe search was interrupted (SIGINT or SIGTERM) before exploring every state: results marked unknown "
        "are inconclusive.";
  else if (checker::inconclusive(outcome))
    out += fmt::format(
        "\nThe search stopped at its {} before exploring every state: results marked unknown are inconclusive.",
        checker::to_string(outcome));
  return out;
}

void write_file(const std::string& path, const std::string& text, bool newline) {
  if (!writes_output()) return;  // under mpirun, rank 0 writes
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

std::string saved_trace(const model::Knobs& k, std::string_view property, std::string_view why,
                        const properties::Trace& trace, std::string_view goal, std::optional<std::size_t> trapped_from,
                        const IsnFindings* findings) {
  std::string extra = goal.empty() ? "" : fmt::format(R"(,"goal":{})", counterexamples::quote(goal));
  if (findings) extra += fmt::format(R"(,"isn_witness":{})", cli::witness_json(findings->witness));
  return fmt::format(R"({{"tool":"teardown","version":"{}","model":{},"property":{}{},"trace":{}}})", kVersion,
                     knobs_json(k), counterexamples::quote(property), extra,
                     counterexamples::trace_json(trace, why, trapped_from));
}

void add_render_option(CLI::App& cmd, std::string& render) {
  cmd.add_option("--render", render,
                 "how to write the counterexample: ladder, svg, html, mermaid, dot, pcap or json (the default with "
                 "--trace-out); without --trace-out it goes to stdout in place of the report (pcap needs --trace-out)")
      ->check(CLI::IsMember({"ladder", "svg", "html", "mermaid", "dot", "pcap", "json"}));
}

void check_render(const std::string& render, const std::string& trace_out) {
  if (render == "pcap" && trace_out.empty())
    throw UsageError("--render pcap writes a binary capture file: give --trace-out FILE");
}

std::string violated_text(bool artefact) {
  return artefact ? "is violated in whole ticks only (an artefact)" : "is violated";
}

std::string model_source(const ModelOptions& o) {
  return o.model_file.empty() ? "the built-in default model" : o.model_file;
}

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

namespace {

/// The search stops at its next check, as at a limit (install_stop_handlers).
extern "C" void on_stop_signal(int) {
  checker::request_stop();
}

}  // namespace

void install_stop_handlers() {
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  action.sa_flags = SA_RESETHAND;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

}  // namespace cli
