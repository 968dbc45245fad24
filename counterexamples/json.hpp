#pragma once
// A small JSON reader for the files `teardown` itself writes (saved traces). It accepts RFC 8259 JSON,
// keeps object members in file order, and reports the first error with its line and column. Nesting deeper
// than 64 levels is an error (a trace is 5 deep), so hostile input cannot exhaust the stack.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace counterexamples {

struct Json {
  enum class Kind { Null, Bool, Number, String, Array, Object };
  /// Declared here, defaulted in json.cpp: clang 14 with libstdc++ 12 (the fuzz build) cannot otherwise tell
  /// whether Json is default constructible while `members` names it inside an incomplete std::pair.
  Json();
  Kind kind = Kind::Null;
  bool boolean = false;
  double number = 0;
  std::string text;  ///< String: the decoded string; Number: the number as written
  std::vector<Json> items;
  std::vector<std::pair<std::string, Json>> members;

  /// Object member `key`, or nullptr (also when this is not an object).
  const Json* get(std::string_view key) const;
  /// True for a Number that is a whole number in [0, 2^32): the only numbers a trace holds.
  bool is_u32() const;

  /// Structural equality; objects compare as sets of members, numbers by value.
  friend bool operator==(const Json& a, const Json& b);
};

std::string_view name(Json::Kind kind);
/// Compact JSON text of a value (numbers as written).
std::string dump(const Json& value);

struct JsonResult {
  std::optional<Json> value;
  std::string error;  ///< "line L, column C: what was expected", when value is empty
};
JsonResult parse_json(std::string_view text);

}  // namespace counterexamples
