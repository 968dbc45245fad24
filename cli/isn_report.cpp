#include "cli/isn_report.hpp"

#include <fmt/format.h>

#include "counterexamples/render.hpp"

namespace cli {

namespace {

/// Values for symbols the condition leaves free: any value will do; these are easy to tell apart by eye.
std::uint32_t free_value(model::sym::Symbol s) {
  const unsigned side = (s - 1u) / 32u, k = (s - 1u) % 32u;
  return (side == 0 ? 0x10000000u : 0x80000000u) + 0x01000000u * k;
}

}  // namespace

IsnFindings isn_findings(const model::Knobs& knobs, const properties::Trace& trace) {
  IsnFindings f;
  const std::vector<model::sym::Atom> atoms = model::sym::constraints(trace.back().state.constraints);
  f.condition = model::sym::condition_text(atoms);
  if (knobs.isn.kind == model::IsnPolicy::Kind::Symbolic) f.probability = model::sym::probability(atoms);
  smt::Solver solver;
  const auto values = solver.model(atoms);
  if (!values) throw std::logic_error("the violating path's ISN condition is unsatisfiable");
  f.witness = *values;
  for (unsigned side = 0; side < 2; ++side)
    for (unsigned k = 1; k <= trace.back().state.symbols[side]; ++k)
      f.witness.try_emplace(model::sym::iss_symbol(side, k), free_value(model::sym::iss_symbol(side, k)));
  f.smtlib2 = solver.smtlib2(atoms);
  const auto value = [&](model::sym::Symbol s) {
    const auto it = f.witness.find(s);
    return it == f.witness.end() ? free_value(s) : it->second;
  };
  for (const auto& step : trace) {
    auto c = step;
    c.state = model::concretize(step.state, value);
    if (c.label) c.label = model::concretize(*step.label, value);
    f.concrete.push_back(c);
  }
  return f;
}

std::string witness_text(const smt::Assignment& witness) {
  std::string out;
  for (const auto& [symbol, v] : witness) {
    if (!out.empty()) out += ' ';
    out += fmt::format("{}={}", model::sym::symbol_name(symbol), v);
  }
  return out;
}

std::string witness_json(const smt::Assignment& witness) {
  std::string out = "{";
  for (const auto& [symbol, v] : witness) {
    if (out.size() > 1) out += ',';
    out += fmt::format("{}:{}", counterexamples::quote(model::sym::symbol_name(symbol)), v);
  }
  return out + "}";
}

std::string proof_text(const model::Knobs& knobs) {
  const std::string policy = knobs.isn.kind == model::IsnPolicy::Kind::Clock
                                 ? fmt::format("every ISN an ISN clock advancing {} per tick allows", knobs.isn.rate)
                                 : "every ISN";
  return fmt::format(
      "proof: it holds for {}, all 2^32 values of each connection's ISS, not a sample: every comparison between "
      "sequence numbers of different ISNs took each outcome Z3 found feasible",
      policy);
}

}  // namespace cli
