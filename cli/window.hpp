#pragma once
// `teardown window`: Z3 questions about sequence windows and segment lifetimes (smt/window.hpp) as subcommands
// `overlap`, `wrap`, `isn-regions` and `time-wait`, in text or `--format json`. Exit codes: 0 when the question
// was answered, sat or unsat alike; 2 for bad input, with a message naming the option.

namespace CLI {
class App;
}  // namespace CLI

namespace cli {

/// Adds `window` and its subcommands to `app`. The chosen subcommand runs from its CLI11 callback during
/// app.parse(), prints its answer and stores its exit code in `exit_code`, which is left untouched when `window`
/// is not on the command line. `exit_code` must outlive app.parse(). Z3 failures propagate as exceptions.
void add_window_command(CLI::App& app, int& exit_code);

}  // namespace cli
