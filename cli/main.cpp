// The `teardown` command line: parses options into plain structs, calls the libraries, maps the result to
// an exit code (0 holds, 10 violated, 2 bad usage, 3 inconclusive, 1 internal error).

#include <fmt/core.h>
#include <CLI/CLI.hpp>

#include <exception>

#include "smt/z3_version.hpp"

namespace {
constexpr int kExitUsage = 2;
constexpr int kExitInternal = 1;
}  // namespace

int main(int argc, char** argv) {
  try {
    CLI::App app{"teardown: a model checker for TCP connection teardown"};
    app.set_version_flag("--version", [] { return fmt::format("teardown 0.1.0 (Z3 {})", smt::z3_version()); });
    app.require_subcommand(0);
    try {
      app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
      const int code = app.exit(e);
      return code == 0 ? 0 : kExitUsage;
    }
    if (app.get_subcommands().empty()) {
      fmt::print("{}", app.help());
    }
    return 0;
  } catch (const std::exception& e) {
    fmt::print(stderr, "teardown: internal error: {}\n", e.what());
    return kExitInternal;
  }
}
