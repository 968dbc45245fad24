#include "cli/check.hpp"
#include "cli/distributed.hpp"

#include <fmt/core.h>
#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/common.hpp"
#include "cli/isn_report.hpp"
#include "cli/minimal_report.hpp"
#include "cli/real_time_report.hpp"
#include "counterexamples/render.hpp"
#include "properties/check.hpp"
#include "properties/timed.hpp"
#include "smt/solver.hpp"
#include "smt/timing.hpp"

namespace cli {
namespace {

/// What `check` reads from the command line.
struct CheckOptions : ModelOptions {
  std::vector<std::string> property_names;  ///< --property (repeatable); none means every property
};

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
  return knobs.isn.symbolic() && r.verdict == properties::Verdict::Holds &&
         report.outcome == checker::Outcome::Complete;
}

int run_check(const CheckOptions& o) {
  check_render(o.render, o.trace_out);
  const model::Knobs knobs = load_knobs(o);
  properties::CheckOptions options;
  options.properties = chosen_properties(o.property_names);
  options.search = search_options(o);
  options.covering = o.covering == "on";
  const auto minimize = cli::parse_minimize(o.minimize);
  if (!minimize) throw UsageError(fmt::format("--minimize {}: must be steps or faults", o.minimize));
  const auto all_shortest = cli::parse_all_shortest(o.all_shortest);
  if (!all_shortest) throw UsageError(fmt::format("--all-shortest {}: must be a count from 1 to 1000", o.all_shortest));
  options.minimize = *minimize;
  options.all_shortest = *all_shortest;
  if (distributed() && (*minimize == properties::Minimize::Faults || *all_shortest > 1))
    throw UsageError(
        "--minimize faults and --all-shortest need one rank (their Dijkstra search is not distributed): "
        "run without mpirun");
  const bool several = *all_shortest > 1;
  if (*minimize == properties::Minimize::Faults && !o.property_names.empty())
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
    Counterexample c{knobs,        properties::all()[r.property].name, r.why, shown(*first), "", source, r.trapped_from,
                     r.cycle_start};
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
    fmt::print(
        R"({{"tool":"teardown","version":"{}","model":{},"outcome":"{}","results":[{}],"stats":{},"exact":{}{}}})"
        "\n",
        kVersion, knobs_json(knobs), checker::to_string(report.outcome), results, stats_json(report.stats),
        exact_json(timed), report.ranks.empty() ? "" : R"(,"ranks":)" + ranks_json(report.ranks));
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
    if (!report.ranks.empty())
      fmt::print("Distributed over {} ranks (states and transitions of both searches when time is exact):\n{}",
                 report.ranks.size(), ranks_text(report.ranks));
    if (timed.zone_stats)
      fmt::print(
          "Exact time: the search in whole ticks ({} states) decided what it could; an exact-time search "
          "({} states, {} distinct zones, {} successors covered by a larger zone, {:.2f} s) decided the rest.\n",
          timed.ticks_stats.states, timed.zone_stats->states, timed.zones, timed.covered.value_or(0),
          timed.zone_stats->seconds);
    else if (knobs.timing_exact)
      fmt::print(
          "Exact time: the search in whole ticks decided every property (a holds there holds in real time; "
          "each violation's trace fits real times), so no exact-time search was needed.\n");
    if (report.outcome == checker::Outcome::Stopped)
      fmt::print("The search stopped early, as every checked property is already violated.\n");
    if (knobs.isn.symbolic()) {
      const smt::Stats z3 = smt::stats();
      fmt::print(
          "Symbolic ISNs: {} questions across ISNs, {} answered from the cache, {} sent to Z3 (the rest were "
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

}  // namespace

void add_check_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<CheckOptions>();
  auto* check = app.add_subcommand("check", "verify properties (all by default) on a model");
  check->footer(
      "Verdicts: holds, VIOLATED, unknown (a limit stopped the search), and VIOLATED*: violated in whole ticks "
      "only, as no real times fit the trace found (an artefact of whole ticks; JSON verdict \"artefact\"; "
      "--timing exact looks past it).\n"
      "Exit: 0 every property holds; 10 a property is VIOLATED (a trace that fits real times, or one not judged); "
      "3 inconclusive: none is VIOLATED, and one is unknown or VIOLATED*; 2 bad usage or model file; 1 internal "
      "error.");
  add_model_options(*check, *options);
  add_render_option(*check, options->render);
  check->add_option("--property", options->property_names,
                    "a property to check (repeatable); see `teardown list properties`");
  check
      ->add_option("--minimize", options->minimize,
                   "steps (default: a shortest trace) or faults (fewest losses, duplications, filter drops and "
                   "queue drops, then fewest steps)")
      ->check(CLI::IsMember({"steps", "faults"}));
  check->add_option("--all-shortest", options->all_shortest,
                    "up to N distinct minimal traces per violated property (by --minimize)");
  check->callback([options, &exit_code] { exit_code = run_check(*options); });
}

}  // namespace cli
