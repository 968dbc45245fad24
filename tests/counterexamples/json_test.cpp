// The JSON reader behind `teardown replay`: values, escapes, and errors that name the line and column.

#include <catch2/catch.hpp>

#include <string>

#include "counterexamples/json.hpp"

using counterexamples::Json;
using counterexamples::parse_json;

TEST_CASE("json: objects keep their members in order, numbers and strings decode") {
  const auto r = parse_json(R"( {"b": [1, 2.5, -3e2], "a": {"x": null, "y": true}, "s": "q\"\\\u00e9\n"} )");
  REQUIRE(r.value);
  const Json& v = *r.value;
  REQUIRE(v.members.size() == 3);
  CHECK(v.members[0].first == "b");
  CHECK(v.get("b")->items.size() == 3);
  CHECK(v.get("b")->items[1].number == 2.5);
  CHECK(v.get("b")->items[2].number == -300);
  CHECK(v.get("a")->get("x")->kind == Json::Kind::Null);
  CHECK(v.get("a")->get("y")->boolean);
  CHECK(v.get("s")->text == "q\"\\\xC3\xA9\n");
  CHECK(v.get("missing") == nullptr);
  CHECK(v.get("b")->items[0].is_u32());
  CHECK_FALSE(v.get("b")->items[1].is_u32());
}

TEST_CASE("json: equality ignores member order and compares numbers by value") {
  CHECK(*parse_json(R"({"a":1,"b":[true]})").value == *parse_json(R"({"b":[true],"a":1.0})").value);
  CHECK_FALSE(*parse_json(R"({"a":1})").value == *parse_json(R"({"a":1,"b":2})").value);
  CHECK_FALSE(*parse_json(R"([1,2])").value == *parse_json(R"([2,1])").value);
}

TEST_CASE("json: errors name the line and column of the first problem") {
  CHECK(parse_json("{\"a\": 1,\n  \"b\" 2}").error == "line 2, column 7: expected ':'");
  CHECK(parse_json("[1, 2,]").error ==
        "line 1, column 7: expected a value (object, array, string, number, true, false or null)");
  CHECK(parse_json("{\"a\": 1, \"a\": 2}").error == "line 1, column 10: expected no second member named \"a\"");
  CHECK(parse_json("\"tab\there\"").error == "line 1, column 5: expected no control character inside a string");
  CHECK(parse_json("01").error == "line 1, column 2: expected end of input after the top-level value");
  CHECK(parse_json("").error == "line 1, column 1: expected a value");
  CHECK(parse_json("tru").error == "line 1, column 1: expected 'true'");
  CHECK(parse_json("[1] x").error == "line 1, column 5: expected end of input after the top-level value");
}

TEST_CASE("json: nesting deeper than 64 levels is refused, not a stack overflow") {
  CHECK(parse_json(std::string(64, '[') + std::string(64, ']')).value);
  const auto deep = parse_json(std::string(100000, '['));
  CHECK_FALSE(deep.value);
  CHECK(deep.error == "line 1, column 66: expected at most 64 levels of nesting");
}
