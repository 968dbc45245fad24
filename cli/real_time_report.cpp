#include "cli/real_time_report.hpp"

#include <fmt/core.h>

#include <utility>

#include "counterexamples/render.hpp"
#include "model/teardown.hpp"

namespace cli {

namespace {

std::string number(double x) {
  return fmt::format("{:.6g}", x);
}

}  // namespace

bool no_real_times(const smt::timing::RealTime& r) {
  // smt::timing::realtime says in `why` when it stopped at kMaxCombinations; RealTime has no field for it, so the
  // phrase it writes then is the sign. Such a trace may still fit real times through a combination not tried.
  return !r.feasible && r.why.find("gave up after") == std::string::npos;
}

bool artefact(const properties::TimedReport& t, std::size_t i) {
  return t.report.results[i].verdict == properties::Verdict::Violated && t.real_time[i] &&
         no_real_times(*t.real_time[i]);
}

std::string verdict_text(const properties::TimedReport& t, std::size_t i) {
  const properties::Verdict v = t.report.results[i].verdict;
  if (v != properties::Verdict::Violated) return std::string(properties::name(v));
  return artefact(t, i) ? "VIOLATED*" : "VIOLATED";
}

std::string_view verdict_json(const properties::TimedReport& t, std::size_t i) {
  return artefact(t, i) ? "artefact" : properties::name(t.report.results[i].verdict);
}

std::string artefact_footnote(std::string_view trace) {
  return fmt::format(
      "* violated in whole ticks only; no real times fit {} (an artefact of whole ticks), so in real time the "
      "verdict is inconclusive (--timing exact looks past it)",
      trace);
}

std::string real_time_value_json(const smt::timing::RealTime& r) {
  if (!r.feasible) return fmt::format(R"({{"feasible":false,"why":{}}})", counterexamples::quote(r.why));
  std::string times, sent;
  for (std::size_t k = 0; k < r.seconds.size(); ++k) {
    times += fmt::format("{}{}", k ? "," : "", number(r.seconds[k]));
    sent += fmt::format("{}{}", k ? "," : "", r.sent_at[k] < 0 ? std::string("null") : std::to_string(r.sent_at[k]));
  }
  return fmt::format(R"({{"feasible":true,"times":[{}],"sent_at":[{}]}})", times, sent);
}

std::string real_time_json(const properties::TimedReport& t, std::size_t i, bool exact) {
  const auto& r = t.real_time[i];
  std::string out =
      fmt::format(R"(,"real_time":{},"timing":"{}")", r ? real_time_value_json(*r) : "null", exact ? "exact" : "ticks");
  if (exact)
    out += fmt::format(R"(,"decided_by":"{}","ticks_verdict":"{}")", properties::name(t.decided_by[i]),
                       properties::name(t.ticks_verdict[i]));
  return out;
}

std::string real_time_text(const smt::timing::RealTime& r) {
  if (!r.feasible)
    return fmt::format(
        "  Real time: an artefact of whole ticks, not a real-time counterexample: {}.\n"
        "  (--timing exact looks past artefacts.)\n",
        r.why);
  std::string out = "  Real time: feasible. Each step's instant, in ticks (step:instant):";
  std::string line = "   ";
  for (std::size_t k = 1; k < r.seconds.size(); ++k) {
    const std::string item = fmt::format(" {}:{}", k, number(r.seconds[k]));
    if (line.size() + item.size() > 110) {
      out += "\n" + line;
      line = "   ";
    }
    line += item;
  }
  return out + "\n" + line + "\n";
}

std::string real_time_text(const properties::TimedReport& t, std::size_t i, bool exact) {
  const auto& r = t.real_time[i];
  if (!r) return "";
  std::string out = real_time_text(*r);
  if (exact) {
    switch (t.decided_by[i]) {
      case properties::DecidedBy::TickTrace:
        out += "  Found by the search in whole ticks; its trace fits real times, so it stands in exact time.\n";
        break;
      case properties::DecidedBy::Zones:
        out += fmt::format("  Found by the exact-time search (whole ticks alone: {}).\n",
                           properties::name(t.ticks_verdict[i]));
        break;
      case properties::DecidedBy::Ticks:
        break;
    }
  }
  return out;
}

std::vector<std::vector<smt::timing::RealTime>> judge_more(properties::TimedReport& t, const model::Knobs& knobs) {
  std::vector<std::vector<smt::timing::RealTime>> out(t.report.results.size());
  const model::TeardownModel tick_model(knobs);
  for (std::size_t i = 0; i < t.report.results.size(); ++i) {
    properties::Result& r = t.report.results[i];
    if (r.verdict != properties::Verdict::Violated) continue;
    for (const properties::Trace& more : r.more) out[i].push_back(smt::timing::realtime(tick_model, more));
    if (!artefact(t, i) || r.trapped_from) continue;
    for (std::size_t k = 0; k < r.more.size(); ++k) {
      if (!out[i][k].feasible) continue;
      std::swap(r.trace, r.more[k]);
      std::swap(*t.real_time[i], out[i][k]);
      break;
    }
  }
  return out;
}

}  // namespace cli
