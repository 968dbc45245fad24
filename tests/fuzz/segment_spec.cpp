// Fuzz target: a segment spec as `teardown probe --segment "FIN|ACK seq=RCV.NXT-1"` gives it, through
// parse_segment_spec, then probe() of the parsed segment against an endpoint in every state and context that
// check_context accepts, under one profile (chosen by the input's length, so every profile gets inputs).
// Bad input: an error message naming the segment.

#include "model/probe.hpp"
#include "tests/fuzz/fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::guarded([&] {
    const std::string_view text = fuzz::text_of(data, size);
    std::string error;
    const auto spec = model::parse_segment_spec(text, error);
    if (!spec) {
      fuzz::require(error.starts_with("segment"), "a refused segment whose message does not say so: " + error);
      return;
    }
    const auto& all = model::profiles();
    model::Knobs knobs;
    const std::string_view profile = all[size % all.size()].name;
    fuzz::require(!model::apply_profile(knobs, profile), "profile " + std::string(profile) + " does not apply");
    for (int state = 0; state <= static_cast<int>(model::TcpState::TimeWait); ++state) {
      for (int variant = 0; variant < 8; ++variant) {
        model::ProbeContext context;
        context.state = static_cast<model::TcpState>(state);
        context.listener = variant & 1;
        context.passive = variant & 2;
        context.shutdown = variant & 4;
        if (model::check_context(context)) continue;
        const model::ProbeResult r = model::probe(knobs, context, *spec);
        fuzz::require(r.arrival.reply.has_value() == !r.seq_text.empty(),
                      "a reply without its relative seq, or a seq without a reply");
      }
    }
  });
  return 0;
}
