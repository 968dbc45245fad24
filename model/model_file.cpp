#include "model/model_file.hpp"

#include <fmt/format.h>

#include <toml++/toml.h>

#include <map>

namespace model {

namespace {

/// The model file in `table` (parsed from `path`), or an error naming the file, line and key.
std::pair<std::optional<ModelFile>, std::string> read_model_table(const toml::table& table, const std::string& path) {
  ModelFile file;
  for (const auto& [key, node] : table) {
    const int line = static_cast<int>(node.source().begin.line);
    const std::string name(key.str());
    const auto scalar = [&](const toml::node& n) -> std::optional<std::string> {
      if (auto s = n.value<std::string>()) return *s;
      if (n.is_integer()) return std::to_string(*n.value<std::int64_t>());
      if (n.is_boolean()) return *n.value<bool>() ? "true" : "false";
      return std::nullopt;
    };
    if (name == "profile") {
      if (!node.is_string()) return {std::nullopt, fmt::format("{}:{}: key profile: expected a string", path, line)};
      file.profile = *node.value<std::string>();
      file.profile_line = line;
      continue;
    }
    bool known = false;
    for (const auto& info : knob_table()) known = known || info.name == name;
    if (!known) {
      std::string names = "profile";
      for (const auto& info : knob_table()) names += fmt::format(", {}", info.name);
      return {std::nullopt, fmt::format("{}:{}: unknown key '{}'; the keys are: {}", path, line, name, names)};
    }
    if (name == "filter" && node.is_array()) {
      for (const auto& item : *node.as_array()) {
        const auto v = scalar(item);
        if (!v) return {std::nullopt, fmt::format("{}:{}: key filter: expected strings", path, line)};
        file.settings.emplace_back(name, *v);
        file.lines.push_back(line);
      }
      continue;
    }
    const auto v = scalar(node);
    if (!v)
      return {std::nullopt, fmt::format("{}:{}: key {}: expected a string, integer or boolean", path, line, name)};
    file.settings.emplace_back(name, *v);
    file.lines.push_back(line);
  }
  return {file, ""};
}

}  // namespace

std::pair<std::optional<ModelFile>, std::string> read_model_file(const std::string& path) {
  toml::table table;
  try {
    table = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    const auto& where = e.source().begin;
    return {std::nullopt,
            fmt::format("{}:{}:{}: not a valid model file: {}", path, where.line, where.column, e.description())};
  }
  return read_model_table(table, path);
}

std::pair<std::optional<ModelFile>, std::string> read_model_text(std::string_view text, const std::string& path) {
  toml::table table;
  try {
    table = toml::parse(text, path);
  } catch (const toml::parse_error& e) {
    const auto& where = e.source().begin;
    return {std::nullopt,
            fmt::format("{}:{}:{}: not a valid model file: {}", path, where.line, where.column, e.description())};
  }
  return read_model_table(table, path);
}

std::pair<std::optional<Knobs>, std::string> resolve_knobs(const std::optional<ModelFile>& file,
                                                           const std::string& path,
                                                           const std::optional<std::string>& profile_override,
                                                           const std::vector<std::string>& sets) {
  Knobs knobs;
  // Where each knob got its value, for a message from validate(), which judges knobs together.
  std::map<std::string, std::string> origin;
  std::string profile = "rfc9293";
  if (file && file->profile) profile = *file->profile;
  if (profile_override) profile = *profile_override;
  if (auto e = apply_profile(knobs, profile)) {
    if (!profile_override && file && file->profile)
      return {std::nullopt, fmt::format("{}:{}: key profile: {}", path, file->profile_line, *e)};
    return {std::nullopt, fmt::format("--profile: {}", *e)};
  }
  if (file) {
    for (std::size_t i = 0; i < file->settings.size(); ++i) {
      if (auto e = set_knob(knobs, file->settings[i].first, file->settings[i].second))
        return {std::nullopt, fmt::format("{}:{}: {}", path, file->lines[i], *e)};
      origin[file->settings[i].first] = fmt::format("{}:{}", path, file->lines[i]);
    }
  }
  for (const std::string& set : sets) {
    const auto eq = set.find('=');
    if (eq == std::string::npos) return {std::nullopt, fmt::format("--set {}: expected knob=value", set)};
    if (auto e = set_knob(knobs, set.substr(0, eq), set.substr(eq + 1)))
      return {std::nullopt, fmt::format("--set {}: {}", set, *e)};
    origin[set.substr(0, eq)] = "--set " + set;
  }
  if (auto e = validate(knobs)) {
    // validate() names the knob it blames ("knob NAME: ..."): say where that knob's value came from.
    std::string where = fmt::format("profile {} (its default)", profile);
    if (e->starts_with("knob ")) {
      const std::string name = e->substr(5, e->find(':') - 5);
      if (const auto it = origin.find(name); it != origin.end()) where = it->second;
    }
    return {std::nullopt, fmt::format("{}: {}", where, *e)};
  }
  return {knobs, ""};
}

}  // namespace model
