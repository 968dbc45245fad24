#pragma once
// `teardown list knobs|profiles|properties`: what a model can be made of and what can be checked. Exit codes: 0
// listed; 2 anything else to list.

namespace CLI {
class App;
}  // namespace CLI

namespace cli {

/// Adds `list` to `app`. The command runs from its CLI11 callback once app.parse() has read the whole command
/// line, prints its answer and stores its exit code in `exit_code`, which is left untouched when `list` is not
/// on the command line. `exit_code` must outlive app.parse(). Bad usage or input propagates as cli::UsageError
/// (cli/common.hpp), internal failures as other exceptions.
void add_list_command(CLI::App& app, int& exit_code);

}  // namespace cli
