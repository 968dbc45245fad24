// Fuzz target: a reachability goal as `teardown reach "A=FIN_WAIT_1 B=CLOSE_WAIT"` gives it, through parse_goal.
// A parsed goal must name real states and read back the same when written out again. Bad input: an error message.

#include "model/tcp.hpp"
#include "properties/check.hpp"
#include "tests/fuzz/fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::guarded([&] {
    std::string error;
    const auto goal = properties::parse_goal(fuzz::text_of(data, size), error);
    if (!goal) {
      fuzz::require(!error.empty(), "a refused goal with no message");
      return;
    }
    const std::string again =
        "B=" + std::string(model::name(goal->second)) + " A=" + std::string(model::name(goal->first));
    std::string again_error;
    const auto reread = properties::parse_goal(again, again_error);
    fuzz::require(reread && *reread == *goal, "goal written as '" + again + "' does not read back: " + again_error);
  });
  return 0;
}
