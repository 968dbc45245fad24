// Fuzz target: a saved trace (the JSON `--trace-out` writes) through `teardown replay`: counterexamples::replay
// (the JSON reader, the trace's model knobs, every step re-checked against the model, the property or goal
// re-checked at the end), then, for a trace that replays, the renderers `replay --render` offers (ladder, JSON,
// SVG, pcap), which must accept any replayed trace. Bad input: replay returns an error message.
// Bounded work: each "is a final state reachable?" search behind eventual-close stops at kTrapStates states (a
// trace that needs more is refused as too large to re-check, as the command line does at 5 M); every other step
// costs one successor computation per matching state, so the work grows with the input, capped by -max_len.

#include "counterexamples/pcap.hpp"
#include "counterexamples/pictures.hpp"
#include "counterexamples/render.hpp"
#include "counterexamples/replay.hpp"
#include "model/symbolic.hpp"
#include "smt/solver.hpp"
#include "tests/fuzz/fuzz.hpp"

namespace {
constexpr std::size_t kTrapStates = 20000;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const bool decider = [] {
    model::sym::set_decider_factory(smt::make_decider);  // as the command line does: symbolic ISNs ask Z3
    return true;
  }();
  (void)decider;
  fuzz::guarded([&] {
    const counterexamples::ReplayResult result = counterexamples::replay(fuzz::text_of(data, size), kTrapStates);
    if (!result.replayed) {
      fuzz::require(!result.error.empty(), "a refused trace with no message");
      return;
    }
    const counterexamples::Replayed& r = *result.replayed;
    fuzz::require(!r.trace.empty() && !r.why.empty(), "a replayed trace with no steps or no reason");
    const std::string ladder = counterexamples::ladder(r.trace, r.why, r.trapped_from, r.cycle_start);
    const std::string json = counterexamples::trace_json(r.trace, r.why, r.trapped_from);
    const counterexamples::Caption caption{r.property, "breaks " + r.property, r.why, r.trapped_from, r.cycle_start};
    const std::string svg = counterexamples::svg(r.trace, caption);
    counterexamples::PcapOptions options;
    options.window = static_cast<std::uint16_t>(r.knobs.window);
    const std::string pcap = counterexamples::pcap(r.trace, options);
    fuzz::require(!ladder.empty() && !json.empty() && !svg.empty() && !pcap.empty(), "an empty rendering");
  });
  return 0;
}
