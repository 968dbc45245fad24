#include "cli/replay.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <fmt/core.h>
#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli/common.hpp"
#include "cli/exit_codes.hpp"
#include "cli/real_time_report.hpp"
#include "counterexamples/render.hpp"
#include "counterexamples/replay.hpp"
#include "model/teardown.hpp"
#include "properties/properties.hpp"
#include "smt/timing.hpp"

namespace cli {
namespace {

/// What `replay` reads from the command line.
struct ReplayOptions {
  std::string path;  ///< the saved trace
  std::string format = "text";
  std::string render;     ///< --render: the trace rendered (to --trace-out, or to stdout in place of the report)
  std::string trace_out;  ///< --trace-out: the trace rendered to this file (JSON without --render)
  bool live = false;      ///< --live: also played against this machine's kernel
  std::string live_side = "auto";
};

/// A replayed trace judged in real time; nothing under symbolic ISNs, whose replayed steps show the witness's
/// concrete numbers, which are no steps of the symbolic model.
std::optional<smt::timing::RealTime> replayed_real_time(const counterexamples::Replayed& r) {
  if (r.knobs.isn.symbolic()) return std::nullopt;
  return smt::timing::realtime(model::TeardownModel(r.knobs), r.trace);
}

/// `replay TRACE.json [--format F]`: re-checks every step of the trace against the model the file names and prints
/// the trace again with what it breaks (or reaches); always 10, as the trace is valid (a bad one is a UsageError).
int replay_report(const std::string& path, const std::string& format) {
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
    const std::string replayed =
        fmt::format(R"({{"follows":true,"steps":{},"verdict":"{}","why":{},"artefact":{},"real_time":{}}})",
                    r.trace.size() - 1, r.property == "reach" ? "reached" : "violated", counterexamples::quote(r.why),
                    artefact ? "true" : "false", real_time ? cli::real_time_value_json(*real_time) : "null");
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

/// `replay TRACE.json --render R [--trace-out FILE]`: replays the trace as replay_report does, then writes it as R
/// to FILE (a one-line report on stdout) or, without FILE, to stdout.
int replay_render(const std::string& path, const std::string& render, const std::string& trace_out) {
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

/// `replay TRACE.json --live [--live-side A|B]`: replays the trace in the model as replay_report does, then lets
/// tests/conformance/harness/replay_live.py play one endpoint with this machine's kernel (root, network namespaces)
/// and print where the kernel and the trace part ways. Exit: 0 the kernel agrees with every step, 10 it diverges,
/// 3 not replayed (not root, no namespaces, a timer step), 2 bad usage, 1 a harness error.
int replay_live(const std::string& path, const std::string& side) {
  replay_report(path, "text");
  fmt::print("\n");
  std::fflush(stdout);
  const char* env = std::getenv("TEARDOWN_SOURCE_DIR");
  const std::string script =
      fmt::format("{}/tests/conformance/harness/replay_live.py", env ? env : TEARDOWN_SOURCE_DIR);
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

/// --live first, then --render or --trace-out, else the report.
int run_replay(const ReplayOptions& o) {
  if (o.live) return replay_live(o.path, o.live_side);
  if (!o.render.empty() || !o.trace_out.empty()) return replay_render(o.path, o.render, o.trace_out);
  return replay_report(o.path, o.format);
}

}  // namespace

void add_replay_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<ReplayOptions>();
  auto* replay = app.add_subcommand("replay", "re-check a saved trace (--trace-out) step by step and re-render it");
  replay->footer(
      "Exit: 10 every step is a transition of the model and the last breaks the file's property (or reaches its "
      "goal), also when that happens in whole ticks only (the text says so); 2 the file is not a saved trace, "
      "or a step does not follow (the message names the step and the first field that differs); with --live: "
      "0 the kernel agrees with every step, 10 the first divergence (named by step), 3 it cannot replay (not "
      "root, no network namespaces, a timer step); 1 internal error.");
  replay->add_option("trace", options->path, "TRACE.json, as --trace-out writes it")->required();
  replay->add_option("--format", options->format, "text or json")->check(CLI::IsMember({"text", "json"}));
  add_render_option(*replay, options->render);
  replay->add_option("--trace-out", options->trace_out, "write the trace here (as --render names it; default JSON)");
  replay->add_flag("--live", options->live,
                   "also play one endpoint with this kernel in fresh network namespaces (root); exit 0 agrees, "
                   "10 diverges, 3 not replayed");
  replay->add_option("--live-side", options->live_side, "the endpoint the kernel plays: A, B or auto (default)")
      ->check(CLI::IsMember({"A", "B", "auto"}));
  replay->callback([options, &exit_code] { exit_code = run_replay(*options); });
}

}  // namespace cli
