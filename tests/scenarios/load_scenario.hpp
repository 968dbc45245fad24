#pragma once
// The knobs of a shipped scenario file (scenarios/NAME.toml), for tests; fails the test if the file does not load.

#include <catch2/catch.hpp>

#include <string>

#include "model/model_file.hpp"

inline model::Knobs load_scenario(const std::string& name) {
  const std::string path = std::string(TEARDOWN_SOURCE_DIR) + "/scenarios/" + name + ".toml";
  auto [file, error] = model::read_model_file(path);
  INFO(error);
  REQUIRE(file);
  auto [knobs, error2] = model::resolve_knobs(file, path, std::nullopt, {});
  INFO(error2);
  REQUIRE(knobs);
  return *knobs;
}
