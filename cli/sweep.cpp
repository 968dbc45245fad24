#include "cli/sweep.hpp"
#include "cli/distributed.hpp"

#include <fmt/core.h>
#include <CLI/CLI.hpp>
#include <algorithm>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/common.hpp"
#include "cli/real_time_report.hpp"
#include "counterexamples/render.hpp"
#include "properties/check.hpp"
#include "properties/timed.hpp"

namespace cli {
namespace {

/// What `sweep` reads from the command line.
struct SweepOptions : ModelOptions {
  std::string range;                        ///< KNOB=LO..HI
  std::vector<std::string> property_names;  ///< --property (repeatable); none means every property
};

/// `sweep KNOB=LO..HI`: one check per value of an integer knob, one row each.
int run_sweep(const SweepOptions& o) {
  const std::string& range = o.range;
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
  const std::vector<std::size_t> chosen = chosen_properties(o.property_names);
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
    // Interrupted: the rows so far, the last one inconclusive. Under several ranks, only as the ranks agreed (the
    // search's own vote): a signal that reached one rank after the vote must not end its sweep alone.
    const bool interrupted =
        distributed() ? rows.back().timed.report.outcome == checker::Outcome::Interrupted : checker::stop_requested();
    if (interrupted) break;
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
                               counterexamples::quote(properties::all()[res.property].name), cli::verdict_json(t, k),
                               !rt            ? "null"
                               : rt->feasible ? "\"feasible\""
                                              : "\"artefact\"",
                               extra);
      }
      out += fmt::format(R"({}{{"value":{},"results":[{}],"stats":{},"exact":{}}})", i ? "," : "", rows[i].value,
                         results, stats_json(t.report.stats), exact_json(t));
    }
    std::string lines;
    for (std::size_t k = 0; k < chosen.size(); ++k) {
      lines +=
          fmt::format(R"({}{{"property":{},"holds_from":{})", k ? "," : "",
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
      header += fmt::format("  {:>{}}", properties::all()[p].name,
                            std::max<std::size_t>(properties::all()[p].name.size(), 9));
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
      std::string text =
          from ? fmt::format("holds from {}={} on", knob, *from) : "does not hold at the end of the range";
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

}  // namespace

void add_sweep_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<SweepOptions>();
  auto* sweep =
      app.add_subcommand("sweep", "check across an integer knob's range, e.g. time_wait=0..8; one row per value");
  sweep->footer(
      "Cells: holds, VIOLATED, unknown (a limit stopped the search), and VIOLATED*: violated in whole ticks only, "
      "as no real times fit the trace found (an artefact of whole ticks; JSON verdict \"artefact\"; --timing "
      "exact looks past it).\n"
      "Exit: 0 every cell holds; 10 a cell is VIOLATED; 3 inconclusive: none is VIOLATED, and one is unknown or "
      "VIOLATED*; 2 bad usage or model file; 1 internal error.");
  sweep->add_option("range", options->range, "KNOB=LO..HI")->required();
  add_model_options(*sweep, *options);
  sweep->add_option("--property", options->property_names, "a property to check (repeatable); default: all");
  sweep->callback([options, &exit_code] { exit_code = run_sweep(*options); });
}

}  // namespace cli
