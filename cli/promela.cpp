#include "cli/promela.hpp"
#include "cli/common.hpp"
#include "cli/exit_codes.hpp"

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <sstream>
#include <stdexcept>

#include "counterexamples/render.hpp"
#include "model/model_file.hpp"
#include "model/promela.hpp"
#include "properties/properties.hpp"

namespace cli {

namespace {

struct BadInput : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct ExportOptions {
  std::string model_file;
  std::optional<std::string> profile;
  std::vector<std::string> sets;
  std::vector<std::string> properties;
  std::string out;
};

struct ImportOptions {
  std::string input;
  std::string out;
};

void write_output(const std::string& path, const std::string& text) {
  if (path.empty() || path == "-") {
    std::fwrite(text.data(), 1, text.size(), stdout);
    return;
  }
  std::ofstream f(path, std::ios::binary);
  if (!f) throw BadInput(fmt::format("{}: cannot write", path));
  f << text;
  if (!f) throw BadInput(fmt::format("{}: cannot write", path));
}

model::Knobs resolve(const ExportOptions& o) {
  std::optional<model::ModelFile> file;
  if (!o.model_file.empty()) {
    if (!std::filesystem::is_regular_file(o.model_file))
      throw BadInput(fmt::format("{}: no such model file", o.model_file));
    auto [read, error] = model::read_model_file(o.model_file);
    if (!read) throw BadInput(error);
    file = std::move(read);
  }
  auto [knobs, error] = model::resolve_knobs(file, o.model_file, o.profile, o.sets);
  if (!knobs) throw BadInput(error);
  return *knobs;
}

void run_export(const ExportOptions& o) {
  const model::Knobs knobs = resolve(o);
  if (auto why = model::promela::unsupported(knobs)) throw BadInput("export promela: " + *why);
  std::vector<std::string> props = o.properties;
  const auto& exportable = model::promela::exportable_properties();
  if (props.empty())
    for (std::string_view p : exportable) props.emplace_back(p);
  for (const std::string& p : props)
    if (std::find(exportable.begin(), exportable.end(), p) == exportable.end()) {
      std::string list;
      for (std::string_view e : exportable) list += (list.empty() ? "" : ", ") + std::string(e);
      throw BadInput(
          fmt::format("export promela: --property {}: not exportable (the exportable ones are {}; "
                      "eventual-close is a liveness property)",
                      p, list));
    }
  write_output(o.out, model::promela::export_model(knobs, props));
}

void run_import(const ImportOptions& o) {
  std::string text;
  if (o.input == "-") {
    text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  } else {
    std::ifstream f(o.input, std::ios::binary);
    if (!f || std::filesystem::is_directory(o.input)) throw BadInput(fmt::format("{}: cannot read", o.input));
    std::ostringstream s;
    s << f.rdbuf();
    text = s.str();
  }
  auto [printed, error] = model::promela::read_printed(text);
  if (!printed) throw BadInput(fmt::format("{}: {}", o.input, error));
  if (printed->knobs.empty() || printed->knobs.front().first != "profile")
    throw BadInput(
        fmt::format("{}: no @@KNOB profile= line: replay the trail with `spin -t` on the exported model", o.input));
  model::Knobs knobs;
  if (auto e = model::apply_profile(knobs, printed->knobs.front().second)) throw BadInput(*e);
  knobs.filters.clear();
  for (std::size_t i = 1; i < printed->knobs.size(); ++i) {
    const auto& [name, value] = printed->knobs[i];
    if (auto e = model::set_knob(knobs, name, value)) throw BadInput(fmt::format("{}: {}", o.input, *e));
  }
  if (auto e = model::validate(knobs)) throw BadInput(*e);
  const model::TeardownModel m(knobs);

  const auto& states = printed->states;
  if (!(states.front() == m.initial_state()))
    throw BadInput(fmt::format("{}: the first state printed is not the model's initial state", o.input));
  properties::Trace trace;
  trace.push_back({std::nullopt, states.front(), checker::kNoState});
  std::vector<std::pair<model::Label, model::State>> out;
  for (std::size_t i = 1; i < states.size(); ++i) {
    out.clear();
    m.successors_into(states[i - 1], out);
    const auto it = std::find_if(out.begin(), out.end(), [&](const auto& e) { return e.second == states[i]; });
    if (it == out.end())
      throw BadInput(
          fmt::format("{}: step {} of the trail is no transition of the teardown model from step {} (SPIN and "
                      "teardown disagree here)",
                      o.input, i, i - 1));
    trace.push_back({it->first, states[i], checker::kNoState});
  }

  // The property the trail's last step breaks (pan stops at the first violation).
  const model::State& last = trace.back().state;
  out.clear();
  m.successors_into(last, out);
  std::string property, why;
  const auto& all = properties::all();
  for (std::size_t p = 0; p < all.size() && property.empty(); ++p) {
    std::optional<std::string> broken;
    switch (all[p].hook) {
      case properties::Hook::Edge:
        if (trace.size() > 1)
          broken = properties::check_edge(p, m, trace[trace.size() - 2].state, *trace.back().label, last);
        break;
      case properties::Hook::State:
        broken = properties::check_state(p, m, last);
        break;
      case properties::Hook::Deadlock:
        if (out.empty()) broken = properties::check_state(p, m, last);
        break;
      case properties::Hook::Trap:
        break;
    }
    if (broken) {
      property = std::string(all[p].name);
      why = *broken;
    }
  }
  if (property.empty())
    throw BadInput(fmt::format("{}: the trail's last step breaks no property of the teardown model", o.input));
  write_output(
      o.out, fmt::format(R"({{"tool":"teardown","version":"{}","model":{},"property":{},"trace":{}}})", kVersion,
                         knobs_json(knobs), counterexamples::quote(property), counterexamples::trace_json(trace, why)) +
                 "\n");
}

template <class Run>
int guarded(Run run) {
  try {
    run();
    std::fflush(stdout);
    return kExitDone;
  } catch (const BadInput& e) {
    fmt::print(stderr, "teardown: {}\n", e.what());
  }
  return kExitUsage;
}

}  // namespace

void add_promela_commands(CLI::App& app, int& exit_code) {
  auto* exp = app.add_subcommand("export", "write the model for another tool");
  exp->require_subcommand(1);
  exp->footer(
      "Exit: as the chosen format's subcommand says (promela: 0 written, 2 bad model or knobs it cannot export).");
  auto eo = std::make_shared<ExportOptions>();
  auto* pml = exp->add_subcommand(
      "promela", "the same transition system as `check` (concrete ISNs, whole ticks) as a Promela model for SPIN");
  pml->add_option("model", eo->model_file, "model file (TOML); default: the built-in default model");
  pml->add_option("--profile", eo->profile, "profile: rfc793, rfc9293, rfc1337, linux, linux-2.2, bsd, no-time-wait");
  pml->add_option("--set", eo->sets, "knob=value (repeatable); see `teardown list knobs`");
  pml->add_option("--property", eo->properties,
                  "a property to assert (repeatable; default: all but eventual-close); no-deadlock becomes SPIN's "
                  "invalid end states");
  pml->add_option("-o,--output", eo->out, "write the model here (default: standard output)");
  pml->footer(
      "Then: spin -a m.pml && gcc -O2 -DSAFETY -o pan pan.c && ./pan -m1000000. SPIN stores one setup state more "
      "than `teardown check` counts. Not exported yet: isn=symbolic and clock:RATE, timing=exact (exit 2 names the "
      "knob).\nExit: 0 written; 2 bad usage, model file or unsupported "
      "knob.");
  pml->callback([eo, &exit_code] { exit_code = guarded([&] { run_export(*eo); }); });

  auto io = std::make_shared<ImportOptions>();
  auto* imp = app.add_subcommand(
      "import-trail", "turn a replayed SPIN trail of an exported model into a saved trace for `teardown replay`");
  imp->add_option("output", io->input,
                  "what `spin -t m.pml` (or `./pan -r`) printed for the trail of m.pml, or - for standard input")
      ->required();
  imp->add_option("-o,--output", io->out, "write the trace (JSON) here (default: standard output)");
  imp->footer(
      "The knobs and every state come from the @@KNOB and @@TD lines the exported model prints; each step is matched "
      "against the teardown model's successors, and the property is the one the last step breaks.\nExit: 0 written; "
      "2 bad input, or a step that is no transition of the model.");
  imp->callback([io, &exit_code] { exit_code = guarded([&] { run_import(*io); }); });
}

}  // namespace cli
