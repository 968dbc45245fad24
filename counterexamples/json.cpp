#include "counterexamples/json.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cmath>

namespace counterexamples {

namespace {

constexpr int kMaxDepth = 64;

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  JsonResult run() {
    JsonResult r;
    Json v;
    if (!value(v, 0)) {
      r.error = error_;
      return r;
    }
    skip_space();
    if (pos_ != text_.size()) {
      fail("end of input after the top-level value");
      r.error = error_;
      return r;
    }
    r.value = std::move(v);
    return r;
  }

 private:
  bool fail(std::string_view expected) {
    if (!error_.empty()) return false;
    std::size_t line = 1, column = 1;
    for (std::size_t i = 0; i < pos_ && i < text_.size(); ++i) {
      if (text_[i] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    error_ = fmt::format("line {}, column {}: expected {}", line, column, expected);
    return false;
  }

  void skip_space() {
    while (pos_ < text_.size() &&
           (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\n' || text_[pos_] == '\r'))
      ++pos_;
  }

  bool literal(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) return fail(fmt::format("'{}'", word));
    pos_ += word.size();
    return true;
  }

  bool value(Json& out, int depth) {
    if (depth > kMaxDepth) return fail(fmt::format("at most {} levels of nesting", kMaxDepth));
    skip_space();
    if (pos_ >= text_.size()) return fail("a value");
    const char c = text_[pos_];
    switch (c) {
      case '{':
        return object(out, depth);
      case '[':
        return array(out, depth);
      case '"':
        out.kind = Json::Kind::String;
        return string(out.text);
      case 't':
        out.kind = Json::Kind::Bool;
        out.boolean = true;
        return literal("true");
      case 'f':
        out.kind = Json::Kind::Bool;
        return literal("false");
      case 'n':
        out.kind = Json::Kind::Null;
        return literal("null");
      default:
        if (c == '-' || (c >= '0' && c <= '9')) return number(out);
        return fail("a value (object, array, string, number, true, false or null)");
    }
  }

  bool object(Json& out, int depth) {
    out.kind = Json::Kind::Object;
    ++pos_;  // '{'
    skip_space();
    if (pos_ < text_.size() && text_[pos_] == '}') {
      ++pos_;
      return true;
    }
    for (;;) {
      skip_space();
      if (pos_ >= text_.size() || text_[pos_] != '"') return fail("a member name in double quotes");
      std::string key;
      const std::size_t key_at = pos_;
      if (!string(key)) return false;
      for (const auto& member : out.members)
        if (member.first == key) {
          pos_ = key_at;
          return fail(fmt::format("no second member named \"{}\"", key));
        }
      skip_space();
      if (pos_ >= text_.size() || text_[pos_] != ':') return fail("':'");
      ++pos_;
      Json v;
      if (!value(v, depth + 1)) return false;
      out.members.emplace_back(std::move(key), std::move(v));
      skip_space();
      if (pos_ < text_.size() && text_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (pos_ < text_.size() && text_[pos_] == '}') {
        ++pos_;
        return true;
      }
      return fail("',' or '}'");
    }
  }

  bool array(Json& out, int depth) {
    out.kind = Json::Kind::Array;
    ++pos_;  // '['
    skip_space();
    if (pos_ < text_.size() && text_[pos_] == ']') {
      ++pos_;
      return true;
    }
    for (;;) {
      Json v;
      if (!value(v, depth + 1)) return false;
      out.items.push_back(std::move(v));
      skip_space();
      if (pos_ < text_.size() && text_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (pos_ < text_.size() && text_[pos_] == ']') {
        ++pos_;
        return true;
      }
      return fail("',' or ']'");
    }
  }

  static void append_utf8(std::string& out, unsigned cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  bool hex4(unsigned& out) {
    if (pos_ + 4 > text_.size()) return fail("four hex digits after \\u");
    out = 0;
    for (int i = 0; i < 4; ++i) {
      const char h = text_[pos_++];
      out <<= 4;
      if (h >= '0' && h <= '9')
        out |= static_cast<unsigned>(h - '0');
      else if (h >= 'a' && h <= 'f')
        out |= static_cast<unsigned>(h - 'a' + 10);
      else if (h >= 'A' && h <= 'F')
        out |= static_cast<unsigned>(h - 'A' + 10);
      else
        return fail("four hex digits after \\u");
    }
    return true;
  }

  bool string(std::string& out) {
    ++pos_;  // '"'
    for (;;) {
      if (pos_ >= text_.size()) return fail("a closing '\"'");
      const char c = text_[pos_++];
      if (c == '"') return true;
      if (static_cast<unsigned char>(c) < 0x20) {
        --pos_;
        return fail("no control character inside a string");
      }
      if (c != '\\') {
        out += c;
        continue;
      }
      if (pos_ >= text_.size()) return fail("an escape after '\\'");
      const char e = text_[pos_++];
      switch (e) {
        case '"':
        case '\\':
        case '/':
          out += e;
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'u': {
          unsigned cp = 0;
          if (!hex4(cp)) return false;
          if (cp >= 0xD800 && cp < 0xDC00) {  // a surrogate pair
            unsigned low = 0;
            if (text_.substr(pos_, 2) != "\\u") return fail("the low half of a surrogate pair");
            pos_ += 2;
            if (!hex4(low) || low < 0xDC00 || low >= 0xE000) return fail("the low half of a surrogate pair");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          }
          append_utf8(out, cp);
          break;
        }
        default:
          --pos_;
          return fail("one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX");
      }
    }
  }

  bool number(Json& out) {
    const std::size_t start = pos_;
    if (text_[pos_] == '-') ++pos_;
    const auto digits = [&] {
      const std::size_t from = pos_;
      while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') ++pos_;
      return pos_ > from;
    };
    if (pos_ < text_.size() && text_[pos_] == '0') {
      ++pos_;
    } else if (!digits()) {
      return fail("a digit");
    }
    if (pos_ < text_.size() && text_[pos_] == '.') {
      ++pos_;
      if (!digits()) return fail("a digit after '.'");
    }
    if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
      ++pos_;
      if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-')) ++pos_;
      if (!digits()) return fail("a digit in the exponent");
    }
    out.kind = Json::Kind::Number;
    out.text = std::string(text_.substr(start, pos_ - start));
    const auto [end, ec] = std::from_chars(out.text.data(), out.text.data() + out.text.size(), out.number);
    if (ec != std::errc() || end != out.text.data() + out.text.size()) {
      pos_ = start;
      return fail("a number a double can hold");
    }
    return true;
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  std::string error_;
};

}  // namespace

Json::Json() = default;

const Json* Json::get(std::string_view key) const {
  if (kind != Kind::Object) return nullptr;
  for (const auto& [k, v] : members)
    if (k == key) return &v;
  return nullptr;
}

bool Json::is_u32() const {
  return kind == Kind::Number && number >= 0 && number <= 4294967295.0 && std::floor(number) == number;
}

bool operator==(const Json& a, const Json& b) {
  if (a.kind != b.kind) return false;
  switch (a.kind) {
    case Json::Kind::Null:
      return true;
    case Json::Kind::Bool:
      return a.boolean == b.boolean;
    case Json::Kind::Number:
      return a.number == b.number;
    case Json::Kind::String:
      return a.text == b.text;
    case Json::Kind::Array:
      return a.items == b.items;
    case Json::Kind::Object:
      if (a.members.size() != b.members.size()) return false;
      for (const auto& [k, v] : a.members) {
        const Json* other = b.get(k);
        if (!other || !(*other == v)) return false;
      }
      return true;
  }
  return false;
}

std::string_view name(Json::Kind kind) {
  switch (kind) {
    case Json::Kind::Null:
      return "null";
    case Json::Kind::Bool:
      return "a boolean";
    case Json::Kind::Number:
      return "a number";
    case Json::Kind::String:
      return "a string";
    case Json::Kind::Array:
      return "an array";
    case Json::Kind::Object:
      return "an object";
  }
  return "?";
}

std::string dump(const Json& v) {
  switch (v.kind) {
    case Json::Kind::Null:
      return "null";
    case Json::Kind::Bool:
      return v.boolean ? "true" : "false";
    case Json::Kind::Number:
      return v.text.empty() ? fmt::format("{}", v.number) : v.text;
    case Json::Kind::String: {
      std::string out = "\"";
      for (const char c : v.text) {
        if (c == '"' || c == '\\') {
          out += '\\';
          out += c;
        } else if (static_cast<unsigned char>(c) < 0x20) {
          out += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
        } else {
          out += c;
        }
      }
      return out + "\"";
    }
    case Json::Kind::Array: {
      std::string out = "[";
      for (std::size_t i = 0; i < v.items.size(); ++i) {
        if (i) out += ',';
        out += dump(v.items[i]);
      }
      return out + "]";
    }
    case Json::Kind::Object: {
      std::string out = "{";
      for (std::size_t i = 0; i < v.members.size(); ++i) {
        if (i) out += ',';
        Json key;
        key.kind = Json::Kind::String;
        key.text = v.members[i].first;
        out += dump(key) + ":" + dump(v.members[i].second);
      }
      return out + "}";
    }
  }
  return "null";
}

JsonResult parse_json(std::string_view text) {
  return Parser(text).run();
}

}  // namespace counterexamples
