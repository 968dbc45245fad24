// The `teardown` command line: registers every command, parses, and maps the outcome to an exit code: 0 every
// checked property holds, 10 a property is violated (or `reach` found its witness), 2 bad usage or a bad model file,
// 3 inconclusive (a limit stopped the search first, or the only violations, or the witness, are artefacts of whole
// ticks: no real times fit their traces), 1 internal error. Each command lives in its own file of cli/ and
// registers itself the same way (AddCommand below); what several share is in cli/common.hpp.

#include <fmt/core.h>
#include <CLI/CLI.hpp>
#include <array>
#include <exception>
#include <memory>

#include "cli/check.hpp"
#include "cli/common.hpp"
#include "cli/distributed.hpp"
#include "cli/exit_codes.hpp"
#include "cli/explain.hpp"
#include "cli/list.hpp"
#include "cli/probe.hpp"
#include "cli/promela.hpp"
#include "cli/reach.hpp"
#include "cli/replay.hpp"
#include "cli/sweep.hpp"
#include "cli/window.hpp"
#include "model/symbolic.hpp"
#include "smt/solver.hpp"
#include "smt/z3_version.hpp"

namespace {

/// How every command registers itself: it adds its subcommand (its options bound to an options struct the
/// subcommand owns) to `app`; when that subcommand is the one on the command line, it runs from its CLI11 callback
/// once app.parse() has read the whole line, and stores its exit code in `exit_code`.
using AddCommand = void (*)(CLI::App& app, int& exit_code);

/// Every command, in the order `teardown --help` lists them.
constexpr std::array<AddCommand, 9> kCommands = {
    cli::add_check_command,  cli::add_reach_command,   cli::add_sweep_command,
    cli::add_replay_command, cli::add_probe_command,   cli::add_list_command,
    cli::add_window_command, cli::add_explain_command, cli::add_promela_commands,
};

}  // namespace

int main(int argc, char** argv) {
  model::sym::set_decider_factory(smt::make_decider);  // symbolic ISNs ask Z3 (one solver per thread)
  cli::install_stop_handlers();
  std::unique_ptr<checker::Comm> ranks;  // under mpirun: MPI, finalised when main returns
  try {
    ranks = cli::start_ranks(argc, argv);
    cli::require_distributable_command(argc, argv);
    CLI::App app{"teardown: a model checker for TCP connection teardown"};
    app.footer(
        "Exit codes (each subcommand's --help says its own): 0 holds / done, 10 violated / found, 3 inconclusive "
        "(a limit, an interrupt, or violated in whole ticks only), 2 bad usage or input (the message names the "
        "place), 1 internal error.");
    app.set_version_flag("--version",
                         [] { return fmt::format("teardown {} (Z3 {})", cli::kVersion, smt::z3_version()); });
    app.require_subcommand(1);

    int exit_code = -1;  // set by the one command that runs, during app.parse()
    for (const AddCommand add : kCommands) add(app, exit_code);

    try {
      app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
      const int code = app.exit(e);
      return code == 0 ? 0 : cli::kExitUsage;
    }
    return exit_code >= 0 ? exit_code : cli::kExitUsage;
  } catch (const cli::UsageError& e) {
    fmt::print(stderr, "teardown: {}\n", e.what());
    return cli::kExitUsage;
  } catch (const std::exception& e) {
    cli::print_internal_error(e.what());
    // The other ranks may be waiting for this one in a collective: end them all.
    if (cli::distributed()) ranks->abort(cli::kExitInternal);
    return cli::kExitInternal;
  }
}
