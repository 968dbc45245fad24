#pragma once
// What several commands share: the options of a command that runs a model (check, reach, sweep) and what they
// become (knobs, search options), the JSON and text of knobs and statistics, the saved trace and its renderings
// (--trace-out, --render: check, reach, replay), the properties named with --property and the exit code of their
// verdicts (check, sweep), and the stop signals.

#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "checker/search.hpp"
#include "cli/isn_report.hpp"
#include "model/knobs.hpp"
#include "properties/check.hpp"
#include "properties/timed.hpp"

namespace CLI {
class App;
}  // namespace CLI

namespace cli {

inline constexpr const char* kVersion = "0.1.0";

/// A usage or input error: main() prints the message and exits 2.
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
  std::string store =
      "tree";  ///< --store: tree (the default: a tenth of the memory at the same speed on the TCP model)
  std::size_t max_states = 0;
  std::string max_memory;  ///< e.g. 4G, 512M; empty: default
  double time_limit = 0;
  std::string format = "text";
  std::string trace_out;
  std::string render;              ///< --render (check, reach): empty means json into --trace-out
  std::string minimize = "steps";  ///< --minimize (check, reach): steps or faults
  std::string all_shortest;        ///< --all-shortest N (check, reach): empty means one trace
  bool progress = false;
  std::string timing;           ///< --timing: the knob timing, applied after every --set
  std::string covering = "on";  ///< --covering: the zone search drops states a stored zone covers
};

/// Adds the model file and the options of ModelOptions to `cmd`, bound to `o`, which must outlive the parse.
void add_model_options(CLI::App& cmd, ModelOptions& o);

/// --max-memory's size (512M, 8G, ...) in bytes; 0 for the empty text (the default budget).
/// Throws UsageError for a malformed size, an unknown unit, or less than 1M.
std::size_t parse_memory(const std::string& text);

/// The knobs of the model file (if any), the profile and every --set, and the timing: --timing if given, else the
/// one a --set or the model file names, else exact. Throws UsageError for a missing or unreadable model file and
/// for a bad knob or value (the message names it).
model::Knobs load_knobs(const ModelOptions& o);

/// The search the options ask for: order, threads, store, limits, the ranks under mpirun (cli/distributed.hpp), and
/// progress on stderr (with --progress, or when stderr is a terminal). Throws UsageError for depth-first search on
/// more than one thread, a bad --max-memory, and under several ranks depth-first search or the hash store.
checker::SearchOptions search_options(const ModelOptions& o);

/// The knobs as the JSON object "model" of every report and saved trace: the profile, then every knob.
std::string knobs_json(const model::Knobs& k);

/// The knobs as " name=value" pairs, one per knob, each after a space.
std::string knobs_text(const model::Knobs& k);

/// A search's statistics as the JSON object "stats".
std::string stats_json(const checker::Stats& s);

/// The exact-time search's share of a check: null when none ran.
std::string exact_json(const properties::TimedReport& t);

/// A search's statistics for people, with what the store and the outcome leave unproven.
std::string stats_text(const checker::Stats& s, checker::Outcome outcome);

/// Writes `text` (and a newline unless `newline` is false) to `path` through a temporary file, so no partial file
/// is ever left behind. Under mpirun, only rank 0 writes.
void write_file(const std::string& path, const std::string& text, bool newline = true);

/// The file --trace-out writes and `teardown replay` reads: {"tool","version","model","property","trace"},
/// plus "goal" for a reach witness (property "reach").
/// Under symbolic ISNs the trace shows concrete numbers, and "isn_witness" gives the ISN values behind them.
std::string saved_trace(const model::Knobs& k, std::string_view property, std::string_view why,
                        const properties::Trace& trace, std::string_view goal = {},
                        std::optional<std::size_t> trapped_from = std::nullopt, const IsnFindings* findings = nullptr);

/// --render on a command that produces a trace (check, reach, replay), bound to `render`.
void add_render_option(CLI::App& cmd, std::string& render);

/// Refuses what cannot be written before any work is done: a binary capture goes to a file only.
void check_render(const std::string& render, const std::string& trace_out);

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
  const IsnFindings* findings = nullptr;  ///< symbolic ISNs: the witness saved with a JSON trace
  bool artefact = false;  ///< no real times fit the trace: it breaks the property (or reaches) in whole ticks only
};

/// The words after a property's name in a heading or a picture's title: "is violated", or for a violation in
/// whole ticks only "is violated in whole ticks only (an artefact)".
std::string violated_text(bool artefact);

/// Where a model comes from, as the pictures' titles say it.
std::string model_source(const ModelOptions& o);

/// The counterexample as --render names it (empty: json, the file `teardown replay` reads), ending in a newline
/// unless it is a capture file.
std::string render_trace(const std::string& render, const Counterexample& c);

/// The property indices named on the command line; all of them when none is named. Throws UsageError for a name
/// that is no property (the message lists the properties).
std::vector<std::size_t> chosen_properties(const std::vector<std::string>& names);

/// 10 if any result is violated in real time (its trace fits real times, or it was not judged), else 3 if any is
/// unknown or violated in whole ticks only (cli::artefact: its trace is an artefact, and a real-time trace may or
/// may not exist), else 0.
int exit_code(const std::vector<const properties::TimedReport*>& reports);

/// SIGINT and SIGTERM end a search as a limit does (inconclusive, exit 3, the verdicts and statistics so far
/// printed in the chosen format); the handler is one-shot, so a second signal ends the process at once.
void install_stop_handlers();

}  // namespace cli
