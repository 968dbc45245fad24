#pragma once
// `teardown check [MODEL]`: verifies properties (all by default, or each --property) on a model and reports each
// verdict, with a minimal counterexample for each violated one (--trace-out, --render). Exit codes: 0 every
// property holds; 10 one is violated by a trace that fits real times (or one not judged); 3 inconclusive (none is
// violated, and one is unknown or violated in whole ticks only); 2 bad usage or model file.

namespace CLI {
class App;
}  // namespace CLI

namespace cli {

/// Adds `check` to `app`. The command runs from its CLI11 callback once app.parse() has read the whole command
/// line, prints its answer and stores its exit code in `exit_code`, which is left untouched when `check` is not
/// on the command line. `exit_code` must outlive app.parse(). Bad usage or input propagates as cli::UsageError
/// (cli/common.hpp), internal failures as other exceptions.
void add_check_command(CLI::App& app, int& exit_code);

}  // namespace cli
