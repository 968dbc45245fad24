#pragma once
// `teardown export promela` (the model for SPIN, model/promela.hpp) and `teardown import-trail` (a replayed SPIN
// trail back into a saved trace that `teardown replay` re-checks). Exit codes: 0 written; 2 bad input or knob
// values the exporter does not support yet (the message names the knob).

namespace CLI {
class App;
}  // namespace CLI

namespace cli {

/// Adds `export` (with its subcommand `promela`) and `import-trail` to `app`. The chosen command runs from its
/// CLI11 callback during app.parse() and stores its exit code in `exit_code`, which is left untouched otherwise.
/// `exit_code` must outlive app.parse().
void add_promela_commands(CLI::App& app, int& exit_code);

}  // namespace cli
