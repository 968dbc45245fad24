#pragma once
// Model files: TOML with a `profile` key and knob keys (the same names as `--set`), e.g.
//   # What this model shows, and the expected verdicts.
//   profile = "rfc1337"
//   time_wait = 5
//   filter = ["B>A:rst", "A>B:fin@anytime"]
// Every key must be a knob; values may be strings, integers or booleans, and `filter` a string or an
// array of strings.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "model/knobs.hpp"

namespace model {

/// A model file's contents, not yet applied: its profile (if any) and its knob settings in file order.
struct ModelFile {
  std::optional<std::string> profile;
  int profile_line = 0;  ///< the line of `profile`, for messages
  std::vector<std::pair<std::string, std::string>> settings;
  std::vector<int> lines;  ///< the line of each setting, for messages
};

/// Reads `path`. \returns the file, or an error naming the file, line and key.
std::pair<std::optional<ModelFile>, std::string> read_model_file(const std::string& path);
/// Reads model-file text that came from `path` (used in messages only), as read_model_file reads a file.
std::pair<std::optional<ModelFile>, std::string> read_model_text(std::string_view text, const std::string& path);

/// Knobs from, in order: `profile_override` or the file's profile or rfc9293; the file's settings; then
/// `sets` ("knob=value"). \returns the knobs, or an error naming the file, line and key or the --set.
std::pair<std::optional<Knobs>, std::string> resolve_knobs(const std::optional<ModelFile>& file,
                                                           const std::string& path,
                                                           const std::optional<std::string>& profile_override,
                                                           const std::vector<std::string>& sets);

}  // namespace model
