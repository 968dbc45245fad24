#pragma once
// `teardown probe`: how one endpoint of a profile answers one segment in one state (--state, --segment), or the
// classic TIME-WAIT table (--table), for conformance against real kernels. Exit codes: 0 printed; 2 bad usage (an
// unknown profile or state, a segment spec that does not parse).

namespace CLI {
class App;
}  // namespace CLI

namespace cli {

/// Adds `probe` to `app`. The command runs from its CLI11 callback once app.parse() has read the whole command
/// line, prints its answer and stores its exit code in `exit_code`, which is left untouched when `probe` is not
/// on the command line. `exit_code` must outlive app.parse(). Bad usage or input propagates as cli::UsageError
/// (cli/common.hpp), internal failures as other exceptions.
void add_probe_command(CLI::App& app, int& exit_code);

}  // namespace cli
