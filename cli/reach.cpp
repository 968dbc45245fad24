#include "cli/reach.hpp"
#include "cli/distributed.hpp"

#include <fmt/core.h>
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include "cli/common.hpp"
#include "cli/exit_codes.hpp"
#include "cli/isn_report.hpp"
#include "cli/minimal_report.hpp"
#include "cli/real_time_report.hpp"
#include "counterexamples/render.hpp"
#include "model/teardown.hpp"
#include "properties/check.hpp"
#include "smt/timing.hpp"

namespace cli {
namespace {

/// What `reach` reads from the command line.
struct ReachOptions : ModelOptions {
  std::string goal;  ///< "A=STATE B=STATE"
};

int run_reach(const ReachOptions& o) {
  std::string goal_error;
  const auto states = properties::parse_goal(o.goal, goal_error);
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
  if (distributed() && minimised)
    throw UsageError(
        "--minimize faults and --all-shortest need one rank (their Dijkstra search is not distributed): "
        "run without mpirun");
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
    Counterexample c{knobs, "reach", why, *witness, o.goal, source};
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
               R"("trace":{}{},"real_time":{},"timing":"{}","stats":{}{}}})"
               "\n",
               kVersion, knobs_json(knobs), counterexamples::quote(o.goal), checker::to_string(report.outcome),
               witness ? "true" : "false", artefact ? "true" : "false",
               witness ? counterexamples::trace_json(*witness, why) : "null",
               cli::witness_json(report, *minimize, several, why),
               real_time ? cli::real_time_value_json(*real_time) : "null", knobs.timing_exact ? "exact" : "ticks",
               stats_json(report.stats), report.ranks.empty() ? "" : R"(,"ranks":)" + ranks_json(report.ranks));
  } else if (witness) {
    const std::string heading = minimised ? cli::witness_heading(report, *minimize, several) : "A shortest witness:";
    fmt::print("teardown reach {}: {}{}\n{}{}\n", o.goal,
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
    fmt::print("teardown reach {}: {}\n{}\n", o.goal,
               checker::inconclusive(report.outcome) ? "not found before the search stopped (inconclusive)"
                                                     : "unreachable: no state has A and B in these states",
               stats_text(report.stats, report.outcome));
  }
  if (report.witness) return found_code;
  return checker::inconclusive(report.outcome) ? kExitInconclusive : kExitHolds;
}

}  // namespace

void add_reach_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<ReachOptions>();
  auto* reach = app.add_subcommand("reach", "a shortest trace to a state, e.g. \"A=FIN_WAIT_1 B=CLOSE_WAIT\"");
  reach->footer(
      "Exit: 10 a witness was found whose trace fits real times; 3 inconclusive: a limit stopped the search, or "
      "the witness is reachable in whole ticks only (no real times fit it; --timing exact looks past it); 0 "
      "unreachable; 2 bad usage or model file; 1 internal error.");
  reach->add_option("goal", options->goal, "\"A=STATE B=STATE\"")->required();
  add_model_options(*reach, *options);
  add_render_option(*reach, options->render);
  reach
      ->add_option("--minimize", options->minimize,
                   "steps (default: a shortest witness) or faults (fewest losses, duplications, filter drops and "
                   "queue drops, then fewest steps)")
      ->check(CLI::IsMember({"steps", "faults"}));
  reach->add_option("--all-shortest", options->all_shortest, "up to N distinct witnesses as minimal (by --minimize)");
  reach->callback([options, &exit_code] { exit_code = run_reach(*options); });
}

}  // namespace cli
