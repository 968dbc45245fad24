// Fuzz target: a model file (TOML text) through the loader `teardown check MODEL.toml` uses: read_model_text,
// then resolve_knobs (the profile, every knob, validation), then, for knobs that pass, the checks of
// fuzz::check_valid_knobs. Bad input: either step returns an error message.

#include "model/model_file.hpp"
#include "tests/fuzz/fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::guarded([&] {
    const std::string path = "fuzz.toml";
    auto [file, read_error] = model::read_model_text(fuzz::text_of(data, size), path);
    if (!file) {
      fuzz::require(read_error.starts_with(path + ":"),
                    "a model file error that does not name the file: " + read_error);
      return;
    }
    fuzz::require(file->settings.size() == file->lines.size(), "a setting without its line");
    auto [knobs, error] = model::resolve_knobs(file, path, std::nullopt, {});
    if (!knobs) {
      fuzz::require(!error.empty(), "a refused model file with no message");
      return;
    }
    fuzz::check_valid_knobs(*knobs, 200);
  });
  return 0;
}
