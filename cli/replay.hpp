#pragma once
// `teardown replay TRACE.json`: re-checks a saved trace (--trace-out) step by step against the model it names and
// prints it again, or renders it (--render, --trace-out), or also plays it against this machine's kernel
// (--live). Exit codes: 10 every step follows and the last breaks the property (or reaches the goal); 2 not a
// saved trace, or a step that does not follow; with --live: 0 the kernel agrees, 10 it diverges, 3 not replayed.

namespace CLI {
class App;
}  // namespace CLI

namespace cli {

/// Adds `replay` to `app`. The command runs from its CLI11 callback once app.parse() has read the whole command
/// line, prints its answer and stores its exit code in `exit_code`, which is left untouched when `replay` is not
/// on the command line. `exit_code` must outlive app.parse(). Bad usage or input propagates as cli::UsageError
/// (cli/common.hpp), internal failures as other exceptions.
void add_replay_command(CLI::App& app, int& exit_code);

}  // namespace cli
