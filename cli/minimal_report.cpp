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

bool is_trap(const properties::Result& r) { return properties::all()[r.property].hook == properties::Hook::Trap; }

std::string plural(unsigned n, const char* one, const char* many) { return fmt::format("{} {}", n, n == 1 ? one : many); }

}  // namespace

std::string minimal_heading(const properties::Result& r, properties::Minimize by, bool several) {
  const std::size_t steps = r.trace.empty() ? 0 : r.trace.size() - 1;
  std::string text;
  if (by == properties::Minimize::Faults && !is_trap(r)) {
    const auto f = properties::count_faults(r.trace);
    text = fmt::format("A trace with the fewest faults: {} ({}, {}, {}, {}), then fewest steps: {}", f.total(),
                       plural(f.losses, "loss", "losses"), plural(f.duplications, "duplication", "duplications"),
                       plural(f.filter_drops, "filter drop", "filter drops"),
                       plural(f.queue_drops, "queue drop", "queue drops"), steps);
  } else if (several) {
    text = fmt::format("A shortest trace (fewest steps: {})", steps);
  } else {
    text = "A shortest trace";
  }
  if (by == properties::Minimize::Faults && is_trap(r))
    text += " (eventual-close is decided on the whole graph: its trace is minimal in steps, not in faults)";
  if (!r.minimal) text += " (not proven minimal: a limit ended the minimisation)";
  if (several) text += fmt::format(", 1 of {}", 1 + r.more.size());
  text += ":";
  return text;
}

std::string minimal_json(const properties::Result& r, properties::Minimize by, bool several) {
  if (r.verdict != properties::Verdict::Violated) return "";
  const auto f = properties::count_faults(r.trace);
  const bool faults = by == properties::Minimize::Faults && !is_trap(r);
  std::string json = fmt::format(
      R"(,"minimized":"{}","faults":{},"losses":{},"duplications":{},"filter_drops":{},"queue_drops":{})",
      faults ? "faults" : "steps", f.total(), f.losses, f.duplications, f.filter_drops, f.queue_drops);
  json += fmt::format(R"(,"minimal":{})", r.minimal ? "true" : "false");
  if (several) {
    json += R"(,"traces":[)";
    json += counterexamples::trace_json(r.trace, r.why, r.trapped_from);
    for (const auto& t : r.more) {
      json += ",";
      json += counterexamples::trace_json(t, r.why);
    }
    json += "]";
  }
  return json;
}

}  // namespace cli
