#include "counterexamples/render.hpp"

#include <fmt/format.h>

namespace counterexamples {

namespace {

using model::Event;
using model::Fate;
using model::Label;
using model::Segment;
using model::State;
using model::Tcb;

constexpr const char* kSide[] = {"A", "B"};

std::string fate_text(Fate f) {
  switch (f) {
    case Fate::None:
      return "";
    case Fate::Queued:
      return "";
    case Fate::Lost:
      return " [LOST]";
    case Fate::Duplicated:
      return " [DUPLICATED]";
    case Fate::Filtered:
      return " [FILTERED]";
    case Fate::QueueFull:
      return " [QUEUE FULL]";
  }
  return "";
}

std::string_view fate_name(Fate f) {
  switch (f) {
    case Fate::None:
      return "none";
    case Fate::Queued:
      return "queued";
    case Fate::Lost:
      return "lost";
    case Fate::Duplicated:
      return "duplicated";
    case Fate::Filtered:
      return "filtered";
    case Fate::QueueFull:
      return "queue-full";
  }
  return "?";
}

bool connected(const Tcb& t) {
  return t.state != model::TcpState::Closed && t.state != model::TcpState::Listen;
}

/// A timer as people read it: "off", or the ticks left before it fires (0: it fires before time passes).
std::string timer_text(model::Timer t) {
  return t == 0 ? "off" : std::to_string(t - 1u);
}

/// What changed in one endpoint's TCB, "SND.NXT 1001->1002, rto timer off->5"; when the step deletes the
/// connection, "TCB deleted" and the variables that went back to zero, by name.
std::string tcb_diff(const Tcb& a, const Tcb& b) {
  const bool deleted = connected(a) && !connected(b);
  std::string changed, cleared;
  const auto add = [](std::string& list, const std::string& item) {
    if (!list.empty()) list += ", ";
    list += item;
  };
  const auto field = [&](const char* n, std::uint32_t x, std::uint32_t y, const std::string& from,
                         const std::string& to) {
    if (x == y) return;
    if (deleted && y == 0)
      add(cleared, n);
    else
      add(changed, fmt::format("{} {}->{}", n, from, to));
  };
  const auto number = [&](const char* n, std::uint32_t x, std::uint32_t y) {
    field(n, x, y, std::to_string(x), std::to_string(y));
  };
  const auto timer = [&](const char* n, model::Timer x, model::Timer y) {
    field(n, x, y, timer_text(x), timer_text(y));
  };
  number("ISS", a.iss, b.iss);
  number("IRS", a.irs, b.irs);
  number("SND.UNA", a.snd_una, b.snd_una);
  number("SND.NXT", a.snd_nxt, b.snd_nxt);
  number("RCV.NXT", a.rcv_nxt, b.rcv_nxt);
  number("incarnation", a.incarnation, b.incarnation);
  number("sent", a.sent, b.sent);
  number("received", a.received, b.received);
  number("retries", a.retries, b.retries);
  timer("rto timer", a.rto, b.rto);
  timer("time-wait timer", a.time_wait, b.time_wait);
  timer("fin-wait-2 timer", a.fin_wait2, b.fin_wait2);
  if (!deleted) return changed;
  std::string out = "TCB deleted";
  if (!cleared.empty()) out += " (" + cleared + " back to 0)";
  if (!changed.empty()) out += "; " + changed;
  return out;
}

/// A timer in JSON: the ticks left before it fires (0: it fires now), null when it is not running.
std::string timer_json(model::Timer t) {
  return t == 0 ? "null" : std::to_string(t - 1u);
}

std::string tcb_json(const Tcb& t) {
  return fmt::format(
      R"({{"state":"{}","incarnation":{},"ISS":{},"IRS":{},"SND.UNA":{},"SND.NXT":{},"RCV.NXT":{},"sent":{},)"
      R"("received":{},"retries":{},"timers":{{"rto":{},"time_wait":{},"fin_wait2":{}}}}})",
      model::name(t.state), t.incarnation, t.iss, t.irs, t.snd_una, t.snd_nxt, t.rcv_nxt, t.sent, t.received, t.retries,
      timer_json(t.rto), timer_json(t.time_wait), timer_json(t.fin_wait2));
}

std::string segment_json(const Segment& s) {
  return fmt::format(R"({{"flags":"{}","seq":{},"ack":{},"len":{},"age":{},"incarnation":{},"offset":{}}})",
                     flags_text(s.flags), s.seq, s.ack, s.len, s.age, s.incarnation(), s.offset());
}

std::string network_json(const State& s) {
  std::string out = "{";
  for (unsigned d = 0; d < 2; ++d) {
    out += d == 0 ? R"("A>B":[)" : R"(,"B>A":[)";
    for (unsigned i = 0; i < s.count[d]; ++i) {
      if (i) out += ',';
      out += segment_json(s.channel[d][i]);
    }
    out += "]";
  }
  return out + "}";
}

std::string_view actor_name(const Label& l) {
  if (l.event == Event::Tick) return "time";
  if (l.event == Event::Deliver || l.event == Event::FilterOn) return "network";
  return kSide[l.actor];
}

}  // namespace

std::string flags_text(std::uint8_t flags) {
  std::string out;
  const auto add = [&](std::uint8_t bit, const char* n) {
    if (flags & bit) {
      if (!out.empty()) out += '|';
      out += n;
    }
  };
  add(model::kSyn, "SYN");
  add(model::kFin, "FIN");
  add(model::kRst, "RST");
  add(model::kAck, "ACK");
  return out.empty() ? "none" : out;
}

std::string segment_text(const Segment& s) {
  std::string out = flags_text(s.flags) + fmt::format(" seq={}", s.seq);
  if (s.has(model::kAck)) out += fmt::format(" ack={}", s.ack);
  if (s.len) out += fmt::format(" len={}", s.len);
  out += fmt::format(" (inc {}", s.incarnation());
  if (s.len) out += fmt::format(", unit {}", s.offset());
  return out + ")";
}

unsigned faults(const properties::Trace& trace) {
  unsigned n = 0;
  for (const auto& step : trace)
    if (step.label &&
        (step.label->fate == Fate::Lost || step.label->fate == Fate::Duplicated || step.label->fate == Fate::QueueFull))
      ++n;
  return n;
}

std::string event_text(const Label& l) {
  const auto arrow = [](unsigned from, const std::string& text) {
    return from == 0 ? fmt::format("{} -->", text) : fmt::format("<-- {}", text);
  };
  switch (l.event) {
    case Event::Deliver: {
      const unsigned from = l.index;  // direction A>B is sent by A
      std::string text = fmt::format("{} arrives at {}", segment_text(l.segment), kSide[1 - from]);
      if (l.delivered) text += fmt::format(" (delivers {} unit)", l.delivered);
      if (l.fate != Fate::None)
        text += fmt::format("; {} answers {}{}", kSide[1 - from], segment_text(l.emitted), fate_text(l.fate));
      return from == 0 ? fmt::format("--> {}", text) : fmt::format("{} <--", text);
    }
    case Event::Tick:
      return "(one tick passes)";
    case Event::FilterOn:
      return fmt::format("(firewall rule {} switches on)", l.index + 1);
    case Event::Crash:
      return fmt::format("{} crashes: its TCB vanishes", kSide[l.actor]);
    case Event::GiveUp:
      return fmt::format("{} gives up retransmitting (R2) and deletes its TCB", kSide[l.actor]);
    case Event::TimeWaitEnd:
      return fmt::format("{}: TIME-WAIT timer expires", kSide[l.actor]);
    case Event::FinWait2End:
      return fmt::format("{}: FIN-WAIT-2 timer expires", kSide[l.actor]);
    default:
      break;
  }
  std::string text = fmt::format("{} {}", kSide[l.actor], model::name(l.event));
  if (l.fate != Fate::None) text += fmt::format(": {}{}", segment_text(l.emitted), fate_text(l.fate));
  return arrow(l.actor, text);
}

std::string ladder(const properties::Trace& trace, std::string_view why, std::optional<std::size_t> trapped_from,
                   std::optional<std::size_t> cycle_start) {
  std::string out =
      fmt::format("{:>4} {:>4}  {:<13} {:<13}  {}\n", "step", "tick", "A (client)", "B (server)", "what happens");
  unsigned tick = 0;
  for (std::size_t i = 0; i < trace.size(); ++i) {
    const auto& step = trace[i];
    if (step.label && step.label->event == Event::Tick) ++tick;
    const State& s = step.state;
    std::string what = step.label ? event_text(*step.label) : "initial state";
    std::string mark;
    if (!why.empty() && i + 1 == trace.size()) mark = "  <== breaks the property";
    if (trapped_from && i == *trapped_from) mark += "  <== from here no final state is reachable";
    if (cycle_start && i == *cycle_start) mark += "  <== the cycle starts here";
    what += mark;
    if (i > 0) {
      for (unsigned side = 0; side < 2; ++side) {
        const std::string diff = tcb_diff(trace[i - 1].state.tcb[side], s.tcb[side]);
        if (!diff.empty()) what += fmt::format("\n{:38}{}: {}", "", kSide[side], diff);
      }
    }
    out += fmt::format("{:>4} {:>4}  {:<13} {:<13}  {}\n", i, tick, model::name(s.tcb[0].state),
                       model::name(s.tcb[1].state), what);
  }
  if (cycle_start) out += fmt::format("{:>4}       ... and back to step {}, forever\n", "", *cycle_start);
  if (!why.empty()) out += fmt::format("\n  The last step breaks the property: {}.\n", why);
  const unsigned f = faults(trace);
  out += fmt::format("  {} steps, {} ticks, {} network fault{}.\n", trace.size() - 1, tick, f, f == 1 ? "" : "s");
  out += std::string(kLadderLegend);
  return out;
}

std::string quote(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20)
          out += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
        else
          out += c;
    }
  }
  return out + "\"";
}

std::string step_json(std::size_t index, unsigned time, const properties::Trace::value_type& step,
                      std::string_view note) {
  std::string label = "null", actor = "null", segment = "null", reply = "null", fate = "null", direction = "null";
  std::string rule;
  if (step.label) {
    const Label& l = *step.label;
    label = quote(model::name(l.event));
    actor = quote(actor_name(l));
    if (l.event == Event::Deliver) {
      segment = segment_json(l.segment);
      rule = std::string(model::describe(l.rule));
      direction = quote(l.index == 0 ? "A>B" : "B>A");
      if (l.fate != Fate::None) reply = segment_json(l.emitted);
    } else if (l.fate != Fate::None) {
      segment = segment_json(l.emitted);
    }
    if (l.fate != Fate::None) fate = quote(fate_name(l.fate));
  }
  if (note.empty()) note = rule;
  return fmt::format(R"({{"index":{},"time":{},"label":{},"actor":{},"segment":{},"reply":{},"fate":{},"direction":{},)"
                     R"("A":{},"B":{},"network":{},"note":{}}})",
                     index, time, label, actor, segment, reply, fate, direction, tcb_json(step.state.tcb[0]),
                     tcb_json(step.state.tcb[1]), network_json(step.state), note.empty() ? "null" : quote(note));
}

std::string trace_json(const properties::Trace& trace, std::string_view why, std::optional<std::size_t> trapped_from) {
  std::string out = R"({"steps":[)";
  unsigned tick = 0;
  for (std::size_t i = 0; i < trace.size(); ++i) {
    if (i) out += ",";
    if (trace[i].label && trace[i].label->event == Event::Tick) ++tick;
    std::string_view note;
    if (i + 1 == trace.size())
      note = why;
    else if (trapped_from == i)
      note = kTrappedNote;
    out += step_json(i, tick, trace[i], note);
  }
  return out + fmt::format(R"(],"faults":{}}})", faults(trace));
}

}  // namespace counterexamples
