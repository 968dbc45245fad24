#pragma once
// `teardown sweep KNOB=LO..HI [MODEL]`: one check per value of an integer knob, one row each, and per property the
// value from which it holds. Exit codes: 0 every cell holds; 10 a cell is violated; 3 inconclusive (none is
// violated, and one is unknown or violated in whole ticks only); 2 bad usage, range or model file.

namespace CLI {
class App;
}  // namespace CLI

namespace cli {

/// Adds `sweep` to `app`. The command runs from its CLI11 callback once app.parse() has read the whole command
/// line, prints its answer and stores its exit code in `exit_code`, which is left untouched when `sweep` is not
/// on the command line. `exit_code` must outlive app.parse(). Bad usage or input propagates as cli::UsageError
/// (cli/common.hpp), internal failures as other exceptions.
void add_sweep_command(CLI::App& app, int& exit_code);

}  // namespace cli
