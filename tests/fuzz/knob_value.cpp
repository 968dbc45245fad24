// Fuzz target: knob values as `--set knob=value` gives them, one "knob=value" per line, through resolve_knobs (the
// path --set takes: set_knob for each, then validation), then, for knobs that pass, the checks of
// fuzz::check_valid_knobs. A first line "profile=NAME" stands for --profile NAME. Bad input: an error message.

#include "model/model_file.hpp"
#include "tests/fuzz/fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::guarded([&] {
    std::vector<std::string> sets = fuzz::lines(fuzz::text_of(data, size));
    std::optional<std::string> profile;
    if (!sets.empty() && sets.front().starts_with("profile=")) {
      profile = sets.front().substr(8);
      sets.erase(sets.begin());
    }
    auto [knobs, error] = model::resolve_knobs(std::nullopt, "", profile, sets);
    if (!knobs) {
      fuzz::require(error.starts_with("--set ") || error.starts_with("--profile") || error.starts_with("profile "),
                    "a refused --set whose message names no option: " + error);
      return;
    }
    fuzz::check_valid_knobs(*knobs, 200);
  });
  return 0;
}
