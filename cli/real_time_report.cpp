#include "cli/real_time_report.hpp"

#include <fmt/core.h>

#include "counterexamples/render.hpp"

namespace cli {

namespace {

std::string number(double x) {
  return fmt::format("{:.6g}", x);
}

bool artefact(const smt::timing::TimedReport& t, std::size_t i) {
  return t.real_time[i] && !t.real_time[i]->feasible;
}

}  // namespace

std::string real_time_json(const smt::timing::TimedReport& t, std::size_t i, bool exact) {
  std::string rt = "null";
  if (const auto& r = t.real_time[i]) {
    if (r->feasible) {
      std::string times, sent;
      for (std::size_t k = 0; k < r->seconds.size(); ++k) {
        times += fmt::format("{}{}", k ? "," : "", number(r->seconds[k]));
        sent += fmt::format("{}{}", k ? "," : "", r->sent_at[k] < 0 ? std::string("null") : std::to_string(r->sent_at[k]));
      }
      rt = fmt::format(R"({{"feasible":true,"times":[{}],"sent_at":[{}]}})", times, sent);
    } else {
      rt = fmt::format(R"({{"feasible":false,"why":{}}})", counterexamples::quote(r->why));
    }
  }
  std::string out = fmt::format(R"(,"real_time":{},"timing":"{}")", rt, exact ? "exact" : "ticks");
  if (exact)
    out += fmt::format(R"(,"decided_by":"{}","ticks_verdict":"{}")", smt::timing::name(t.decided_by[i]),
                       properties::name(t.ticks_verdict[i]));
  return out;
}

std::string real_time_text(const smt::timing::TimedReport& t, std::size_t i, bool exact) {
  const auto& r = t.real_time[i];
  if (!r) return "";
  std::string out;
  if (r->feasible) {
    out = "  Real time: feasible. Each step's instant, in ticks (step:instant):";
    std::string line = "   ";
    for (std::size_t k = 1; k < r->seconds.size(); ++k) {
      const std::string item = fmt::format(" {}:{}", k, number(r->seconds[k]));
      if (line.size() + item.size() > 110) {
        out += "\n" + line;
        line = "   ";
      }
      line += item;
    }
    out += "\n" + line + "\n";
  } else {
    out = fmt::format(
        "  Real time: an artefact of whole ticks, not a real-time counterexample: {}.\n"
        "  (--timing exact looks past artefacts.)\n",
        r->why);
  }
  if (exact) {
    switch (t.decided_by[i]) {
      case smt::timing::DecidedBy::Trace:
        out += "  Found by the search in whole ticks; its trace fits real times, so it stands in exact time.\n";
        break;
      case smt::timing::DecidedBy::Zones:
        out += fmt::format("  Found by the exact-time search (whole ticks alone: {}).\n",
                           properties::name(t.ticks_verdict[i]));
        break;
      case smt::timing::DecidedBy::Ticks:
        break;
    }
  }
  return out;
}

std::string sweep_cell(const smt::timing::TimedReport& t, std::size_t i) {
  const properties::Verdict v = t.report.results[i].verdict;
  if (v != properties::Verdict::Violated) return std::string(properties::name(v));
  return artefact(t, i) ? "VIOLATED*" : "VIOLATED";
}

}  // namespace cli
