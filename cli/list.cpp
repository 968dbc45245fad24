#include "cli/list.hpp"

#include <fmt/core.h>
#include <CLI/CLI.hpp>
#include <memory>
#include <string>

#include "cli/common.hpp"
#include "cli/exit_codes.hpp"
#include "model/knobs.hpp"
#include "properties/properties.hpp"

namespace cli {
namespace {

/// What `list` reads from the command line.
struct ListOptions {
  std::string what;  ///< knobs, profiles or properties
};

int run_list(const ListOptions& o) {
  if (o.what == "knobs") {
    for (const auto& k : model::knob_table()) fmt::print("{}\n    {}\n    values: {}\n", k.name, k.meaning, k.values);
  } else if (o.what == "profiles") {
    for (const auto& p : model::profiles()) {
      std::string settings;
      for (const auto& [knob, value] : p.settings) settings += fmt::format(" {}={}", knob, value);
      fmt::print("{}\n    {}\n    sets:{}\n", p.name, p.meaning, settings);
    }
  } else if (o.what == "properties") {
    for (const auto& p : properties::all()) fmt::print("{}\n    {}\n\n", p.name, p.explanation);
  } else {
    throw UsageError(fmt::format("list {}: use knobs, profiles or properties", o.what));
  }
  return kExitHolds;
}

}  // namespace

void add_list_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<ListOptions>();
  auto* list = app.add_subcommand("list", "list knobs, profiles or properties");
  list->footer("Exit: 0 listed; 2 not one of knobs, profiles, properties.");
  list->add_option("what", options->what, "knobs | profiles | properties")->required();
  list->callback([options, &exit_code] { exit_code = run_list(*options); });
}

}  // namespace cli
