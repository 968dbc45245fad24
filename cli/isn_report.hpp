#pragma once
// What a check under symbolic ISNs (isn=symbolic, isn=clock:RATE) says besides the verdicts: for a violation,
// the condition on the ISNs under which its trace happens, a concrete 32-bit value for every ISN (Z3's model
// of that condition) and the trace with those values, and for random ISNs the probability that a uniformly
// random choice meets the condition; for a property that holds, that it holds for every ISN choice.

#include <optional>
#include <string>

#include "model/knobs.hpp"
#include "properties/check.hpp"
#include "smt/solver.hpp"

namespace cli {

struct IsnFindings {
  std::string condition;              ///< e.g. "ISS_B2 - ISS_B1 in [-1, 0]"; "true" when any ISNs do
  std::optional<double> probability;  ///< isn=symbolic (random ISNs) only
  smt::Assignment witness;            ///< every ISN symbol the trace draws
  std::string smtlib2;                ///< the condition as an SMT-LIB2 query, for a bug report
  properties::Trace concrete;         ///< the trace with every sequence number a 32-bit value
};

/// \pre knobs.isn.symbolic() and `trace` is not empty.
IsnFindings isn_findings(const model::Knobs& knobs, const properties::Trace& trace);

/// "ISS_A1=2864434397 ISS_B1=..." in symbol order.
std::string witness_text(const smt::Assignment& witness);
/// {"ISS_A1":2864434397,...}
std::string witness_json(const smt::Assignment& witness);

/// The sentence a property that holds under symbolic ISNs earns when the search completed.
std::string proof_text(const model::Knobs& knobs);

}  // namespace cli
