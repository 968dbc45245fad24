// --minimize and --all-shortest in the report (see minimal_report.hpp).

#include "cli/minimal_report.hpp"

#include <fmt/format.h>

#include <charconv>

#include "counterexamples/render.hpp"

namespace cli {

std::optional<properties::Minimize> parse_minimize(const std::string& text) {
  if (text == "steps") return properties::Minimize::Steps;
  if (text == "faults") return properties::Minimize::Faults;
  return std::nullopt;
}

std::optional<std::size_t> parse_all_shortest(const std::string& text) {
  if (text.empty()) return 0;
  std::size_t n = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (error != std::errc{} || end != text.data() + text.size() || n < 1 || n > 1000) return std::nullopt;
  return n;
}

namespace {

bool is_trap(const properties::Result& r) {
  return properties::all()[r.property].hook == properties::Hook::Trap;
}

std::string plural(unsigned n, const char* one, const char* many) {
  return fmt::format("{} {}", n, n == 1 ? one : many);
}

}  // namespace

namespace {

/// The heading for a trace minimal by `by`; `trap`: eventual-close, not minimised in faults.
std::string heading(const properties::Trace& trace, std::size_t more, bool minimal, properties::Minimize by,
                    bool several, bool trap, std::string_view noun) {
  const std::size_t steps = trace.empty() ? 0 : trace.size() - 1;
  std::string text;
  if (by == properties::Minimize::Faults && !trap) {
    const auto f = properties::count_faults(trace);
    text = fmt::format("A {} with the fewest faults: {} ({}, {}, {}, {}), then fewest steps: {}", noun, f.total(),
                       plural(f.losses, "loss", "losses"), plural(f.duplications, "duplication", "duplications"),
                       plural(f.filter_drops, "filter drop", "filter drops"),
                       plural(f.queue_drops, "queue drop", "queue drops"), steps);
  } else if (several) {
    text = fmt::format("A shortest {} (fewest steps: {})", noun, steps);
  } else {
    text = fmt::format("A shortest {}", noun);
  }
  if (by == properties::Minimize::Faults && trap)
    text += " (eventual-close is decided on the whole graph: its trace is minimal in steps, not in faults)";
  if (!minimal) text += " (not proven minimal: a limit ended the minimisation)";
  if (several) text += fmt::format(", 1 of {}", 1 + more);
  text += ":";
  return text;
}

std::string json_fields(const properties::Trace& trace, const std::vector<properties::Trace>& more, bool minimal,
                        properties::Minimize by, bool several, bool trap, std::string_view why,
                        std::optional<std::size_t> trapped_from) {
  const auto f = properties::count_faults(trace);
  const bool faults = by == properties::Minimize::Faults && !trap;
  std::string json =
      fmt::format(R"(,"minimized":"{}","faults":{},"losses":{},"duplications":{},"filter_drops":{},"queue_drops":{})",
                  faults ? "faults" : "steps", f.total(), f.losses, f.duplications, f.filter_drops, f.queue_drops);
  json += fmt::format(R"(,"minimal":{})", minimal ? "true" : "false");
  if (several) {
    json += R"(,"traces":[)";
    json += counterexamples::trace_json(trace, why, trapped_from);
    for (const auto& t : more) {
      json += ",";
      json += counterexamples::trace_json(t, why);
    }
    json += "]";
  }
  return json;
}

}  // namespace

std::string minimal_heading(const properties::Result& r, properties::Minimize by, bool several) {
  return heading(r.trace, r.more.size(), r.minimal, by, several, is_trap(r), "trace");
}

std::string minimal_json(const properties::Result& r, properties::Minimize by, bool several) {
  if (r.verdict != properties::Verdict::Violated) return "";
  return json_fields(r.trace, r.more, r.minimal, by, several, is_trap(r), r.why, r.trapped_from);
}

std::string witness_heading(const properties::ReachReport& r, properties::Minimize by, bool several) {
  if (!r.witness) return "";
  return heading(*r.witness, r.more.size(), r.minimal, by, several, false, "witness");
}

std::string witness_json(const properties::ReachReport& r, properties::Minimize by, bool several,
                         std::string_view why) {
  if (!r.witness) return "";
  return json_fields(*r.witness, r.more, r.minimal, by, several, false, why, std::nullopt);
}

}  // namespace cli
