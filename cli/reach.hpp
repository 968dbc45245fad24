#pragma once
// `teardown reach "A=STATE B=STATE" [MODEL]`: a shortest (or --minimize faults) trace to a state in which the two
// endpoints are in the given TCP states. Exit codes: 10 a witness whose trace fits real times; 3 inconclusive (a
// limit stopped the search, or the witness fits whole ticks only); 0 unreachable; 2 bad usage or model file.

namespace CLI {
class App;
}  // namespace CLI

namespace cli {

/// Adds `reach` to `app`. The command runs from its CLI11 callback once app.parse() has read the whole command
/// line, prints its answer and stores its exit code in `exit_code`, which is left untouched when `reach` is not
/// on the command line. `exit_code` must outlive app.parse(). Bad usage or input propagates as cli::UsageError
/// (cli/common.hpp), internal failures as other exceptions.
void add_reach_command(CLI::App& app, int& exit_code);

}  // namespace cli
