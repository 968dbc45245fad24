#pragma once
// `teardown explain time-wait | close-wait | fin-wait`: a short lesson in the terminal, built from runs the
// command makes right then (checks, sweeps, reach witnesses, Z3's TIME-WAIT bound, the live kernel's timer),
// so every number it prints comes from this invocation. Exit codes: 0 the lesson was printed; 2 an unknown
// topic (the message names it); searches that stop at a limit are reported in the text, not as an exit code.

namespace CLI {
class App;
}  // namespace CLI

namespace cli {

/// Adds `explain TOPIC [--threads N]` to `app`. The lesson runs from its CLI11 callback during app.parse(),
/// prints itself and stores its exit code in `exit_code`, which is left untouched when `explain` is not on
/// the command line. `exit_code` must outlive app.parse(). Internal failures propagate as exceptions.
void add_explain_command(CLI::App& app, int& exit_code);

}  // namespace cli
