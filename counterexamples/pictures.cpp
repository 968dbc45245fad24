#include "counterexamples/pictures.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <set>
#include <vector>

#include "counterexamples/render.hpp"
#include "counterexamples/timeline.hpp"

namespace counterexamples {

namespace {

using model::Event;
using model::Fate;
using model::Label;
using model::Segment;
using model::Tcb;
using model::TcpState;
using Trace = properties::Trace;

constexpr const char* kSide[] = {"A", "B"};

// ---- shared by every picture ---------------------------------------------------------------------------

bool connected(const Tcb& t) {
  return t.state != TcpState::Closed && t.state != TcpState::Listen;
}

/// "FIN|ACK seq=1002 ack=5001 len=1 (conn 1, unit 0)": what TCP sees, then the model's ghost fields.
std::string segment_label(const Segment& s) {
  std::string out = flags_text(s.flags) + fmt::format(" seq={}", s.seq);
  if (s.has(model::kAck)) out += fmt::format(" ack={}", s.ack);
  if (s.len) out += fmt::format(" len={}", s.len);
  out += fmt::format(" (conn {}", s.incarnation());
  if (s.len) out += fmt::format(", unit {}", s.offset());
  return out + ")";
}

/// A flight's label: its segment, and for the network's second copy of a duplicated one, that it is a copy.
std::string flight_text(const Flight& f) {
  return (f.copy ? std::string("duplicate: ") : std::string()) + segment_label(f.segment);
}

/// What endpoint `side` itself does in the step, in a few words ("" when only the arrows tell it).
std::string side_event(const Label& l, unsigned side) {
  if (l.event == Event::Deliver) {
    if (1u - l.index != side || l.delivered == 0) return "";
    return fmt::format("app receives {} unit{}", l.delivered, l.delivered == 1 ? "" : "s");
  }
  if (l.actor != side) return "";
  switch (l.event) {
    case Event::Open:
      return "app: open";
    case Event::Send:
      return "app: send 1 unit";
    case Event::Close:
      return "app: close";
    case Event::Abort:
      return "app: abort";
    case Event::Crash:
      return "host crashes";
    case Event::Retransmit:
      return "RTO: retransmit";
    case Event::GiveUp:
      return "RTO: gives up (R2)";
    case Event::TimeWaitEnd:
      return "TIME-WAIT timer expires";
    case Event::FinWait2End:
      return "FIN-WAIT-2 timer expires";
    default:
      return "";
  }
}

/// Text for the box under a picture: "Step N <last_step>: <why>." plus the eventual-close trap, if any.
std::vector<std::string> explanation(const Trace& trace, const Caption& c) {
  std::vector<std::string> out;
  if (trace.empty()) return out;
  if (!c.last_step.empty()) {
    std::string line = fmt::format("Step {} {}", trace.size() - 1, c.last_step);
    if (!c.why.empty()) line += ": " + c.why;
    out.push_back(line + ".");
  }
  if (c.trapped_from)
    out.push_back(fmt::format("From step {} on, no final state is reachable (a trap).", *c.trapped_from));
  if (c.cycle_start)
    out.push_back(fmt::format("The last state repeats step {}: the cycle runs forever.", *c.cycle_start));
  return out;
}

/// Splits `text` at spaces into lines of at most `width` characters (a longer word gets a line of its own).
std::vector<std::string> wrap(const std::string& text, std::size_t width) {
  std::vector<std::string> lines;
  std::string line;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find(' ', start);
    if (end == std::string::npos) end = text.size();
    const std::string word = text.substr(start, end - start);
    if (!line.empty() && line.size() + 1 + word.size() > width) {
      lines.push_back(line);
      line.clear();
    }
    if (!line.empty()) line += ' ';
    line += word;
    start = end + 1;
  }
  if (!line.empty()) lines.push_back(line);
  return lines;
}

// ---- SVG -----------------------------------------------------------------------------------------------

constexpr double kWidth = 1040;
constexpr double kX[2] = {300, 860};  // the timelines of A and B
constexpr double kRow = 40;           // one step
constexpr double kFirstRow = 230;     // y of step 0

double row_y(std::size_t step) {
  return kFirstRow + kRow * static_cast<double>(step);
}

std::string xml(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

/// The colour of a connection (incarnation); 0 (a reset from a port without connection may carry it) is grey.
constexpr const char* kColours[] = {"#6b6b6b", "#1f5fbf", "#d97a00", "#2e8b3a", "#8a3fb5"};
unsigned colour_index(unsigned incarnation) {
  return std::min(incarnation, 4u);
}

struct Point {
  double x, y;
};

/// A straight piece of an arrow, from the sender's end to the receiver's.
struct Line {
  Point from, to;
  Point at(double t) const { return {from.x + t * (to.x - from.x), from.y + t * (to.y - from.y)}; }
  /// The unit vector along the line, pointing right (the direction its label reads in).
  Point reading() const {
    double dx = to.x - from.x, dy = to.y - from.y;
    if (dx < 0) dx = -dx, dy = -dy;
    const double n = std::hypot(dx, dy);
    return n == 0 ? Point{1, 0} : Point{dx / n, dy / n};
  }
};

/// Where a label sits: the point on its line under the text's middle, the reading direction, half its length,
/// and the side of the line.
struct Placed {
  Point anchor;
  Point u;
  double half;
  bool below = false;
  /// The text's baseline, across the line from `anchor` (negative: above).
  double baseline() const { return below ? 13 : -5; }
  /// The middle line of the text (11 px font: 4 px above the baseline).
  Point middle(double along) const {
    const double up = 4 - baseline();
    return {anchor.x + u.x * along + u.y * up, anchor.y + u.y * along - u.x * up};
  }
};

/// Points along the middle line of a label, 6 px apart.
std::vector<Point> samples(const Placed& p) {
  std::vector<Point> out;
  const int n = static_cast<int>(std::ceil(2 * p.half / 6)) + 1;
  for (int k = 0; k < n; ++k) out.push_back(p.middle(-p.half + 2 * p.half * k / std::max(1, n - 1)));
  return out;
}

/// How much of label `a` collides with label `b`: the number of a's samples closer to one of b's than a line
/// of text is high.
std::size_t collisions(const std::vector<Point>& a, const std::vector<Point>& b) {
  std::size_t n = 0;
  for (const Point& p : a)
    if (std::any_of(b.begin(), b.end(),
                    [&](const Point& q) { return std::abs(p.x - q.x) < 6 && std::abs(p.y - q.y) < 12.5; }))
      ++n;
  return n;
}

/// Estimated width of `text` at the labels' font (11 px; mostly digits and capitals).
double text_width(std::string_view text, bool bold) {
  return static_cast<double>(text.size()) * (bold ? 7.1 : 6.6);
}

/// Puts a label of `width` on `line`, trying the fractions `tries` of its length in turn, above the line and then
/// below it (kept between the two timelines), and takes the first that collides with no label placed so far,
/// else the one that collides least.
Placed place(const Line& line, double width, std::initializer_list<double> tries, std::vector<Placed>& placed) {
  const Point u = line.reading();
  const double lo = kX[0] + 8, hi = kX[1] - 8;
  const double half = width / 2, reach = half * u.x;
  std::vector<Placed> candidates;
  for (const bool below : {false, true})
    for (double t : tries) {
      Placed p{line.at(t), u, half, below};
      // Slide along the line until the text fits between the timelines.
      const double centre = p.middle(0).x;
      double s = 0;
      if (centre - reach < lo)
        s = (lo - (centre - reach)) / u.x;
      else if (centre + reach > hi)
        s = (hi - (centre + reach)) / u.x;
      p.anchor = {p.anchor.x + u.x * s, p.anchor.y + u.y * s};
      candidates.push_back(p);
    }
  std::size_t best = 0, best_score = std::numeric_limits<std::size_t>::max();
  for (std::size_t i = 0; i < candidates.size() && best_score > 0; ++i) {
    const std::vector<Point> mine = samples(candidates[i]);
    std::size_t score = 0;
    for (const Placed& q : placed) score += collisions(mine, samples(q));
    if (score < best_score) {
      best = i;
      best_score = score;
    }
  }
  placed.push_back(candidates[best]);
  return candidates[best];
}

/// The text element of a placed label.
std::string label_svg(const Placed& p, const std::string& text, const char* cls) {
  const double angle = std::atan2(p.u.y, p.u.x) * 180.0 / std::numbers::pi;
  return fmt::format(R"~(<text class="{}" transform="translate({:.1f},{:.1f}) rotate({:.2f})" y="{}">{}</text>)~", cls,
                     p.anchor.x, p.anchor.y, angle, p.baseline(), xml(text));
}

std::string svg_style() {
  return R"(<style>
.tdsvg text { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; fill: #222; }
.tdsvg .title { font-size: 17px; font-weight: bold; }
.tdsvg .subtitle, .tdsvg .legend-text { font-size: 12px; fill: #444; }
.tdsvg .head { font-size: 14px; font-weight: bold; text-anchor: middle; }
.tdsvg .head-sub { font-size: 11px; fill: #555; text-anchor: middle; }
.tdsvg .colhead { font-size: 11px; fill: #777; }
.tdsvg .stepno { font-size: 12px; text-anchor: end; fill: #555; }
.tdsvg .tick { font-size: 12px; text-anchor: end; fill: #1a1a1a; font-weight: bold; }
.tdsvg .tickrule { stroke: #999; stroke-dasharray: 5 4; }
.tdsvg .ticktext { font-size: 11px; font-style: italic; fill: #777; text-anchor: middle; }
.tdsvg .state { font-size: 12px; font-weight: bold; }
.tdsvg .event { font-size: 11px; font-style: italic; fill: #555; }
.tdsvg .seg-label { font-size: 11px; text-anchor: middle; paint-order: stroke; stroke: #fff; stroke-width: 4px;
  stroke-linejoin: round; }
.tdsvg .bold .seg-label { font-weight: bold; fill: #a00000; }
.tdsvg .fault-label { font-size: 11px; font-weight: bold; fill: #c00000; paint-order: stroke; stroke: #fff;
  stroke-width: 3px; }
.tdsvg .wall-label { font-size: 10px; fill: #7a3a12; text-anchor: middle; }
.tdsvg .band { fill: transparent; }
.tdsvg .violation .band { fill: #fde0e0; }
.tdsvg .explanation-box { fill: #fff4f4; stroke: #c00000; stroke-width: 1.5; }
.tdsvg .explanation-text { font-size: 13px; }
.tdsvg .explanation-head { font-size: 13px; font-weight: bold; fill: #a00000; }
.tdsvg .centre-note { font-size: 11px; font-style: italic; fill: #7a3a12; text-anchor: middle; }
</style>
)";
}

/// The legend under the title: one sample of each mark, and what the colours mean.
std::string svg_legend(const std::set<unsigned>& incarnations) {
  std::string out = R"(<g class="legend">)";
  double x = 20;
  const double y = 84;
  const auto text = [&](const std::string& t) {
    out += fmt::format(R"(<text class="legend-text" x="{:.1f}" y="{:.1f}">{}</text>)", x, y + 4, xml(t));
    x += 6.8 * static_cast<double>(t.size()) + 22;
  };
  const auto arrow = [&](const char* colour, unsigned head, const char* dash) {
    out += fmt::format(R"~(<line x1="{:.1f}" y1="{:.1f}" x2="{:.1f}" y2="{:.1f}" stroke="{}" stroke-width="2" )~"
                       R"~(stroke-dasharray="{}" marker-end="url(#head{})"/>)~",
                       x, y - 4, x + 34, y + 4, colour, dash, head);
    x += 40;
  };
  for (unsigned inc : incarnations) {
    arrow(kColours[colour_index(inc)], colour_index(inc), "none");
    text(inc == 0 ? "no connection" : fmt::format("connection {}", inc));
  }
  out += fmt::format(
      R"(<path class="legend-cross" d="M{0:.1f},{1:.1f} L{2:.1f},{3:.1f} M{0:.1f},{3:.1f} L{2:.1f},{1:.1f}" )"
      R"(stroke="#c00000" stroke-width="3"/>)",
      x, y - 6, x + 12, y + 6);
  x += 18;
  text("lost");
  out +=
      fmt::format(R"(<rect x="{:.1f}" y="{:.1f}" width="8" height="18" fill="#b5562b" stroke="#5a2a0e"/>)", x, y - 9);
  x += 14;
  text("firewall drop");
  arrow("#555", 0, "7 4");
  text("network duplicate");
  arrow("#555", 0, "2 4");
  text("in flight at the end");
  out += fmt::format(
      R"(<text class="legend-text" x="20" y="{:.1f}">An arrow runs from the step that sends a segment to the step )"
      R"(that delivers it; its colour is the connection (incarnation) that sent it.</text>)",
      y + 24);
  out += fmt::format(
      R"(<text class="legend-text" x="20" y="{:.1f}">A timeline is coloured while its endpoint is in a connection )"
      R"((grey: none); state names appear where they change; t counts ticks.</text>)",
      y + 42);
  return out + "</g>\n";
}

/// The line of a flight's arrow: from the sending row to the delivering one; a lost or filtered segment stops
/// half way; one still in flight stops two rows below the last row, as if it would arrive a row later.
Line flight_line(const Flight& f, std::size_t last) {
  const double x1 = kX[f.direction], x2 = kX[1 - f.direction];
  const double y1 = row_y(f.sent);
  if (f.arrived) return {{x1, y1}, {x2, row_y(*f.arrived)}};
  if (!f.in_flight_at_end()) return {{x1, y1}, {x1 + 0.55 * (x2 - x1), y1 + 0.7 * kRow}};
  const double y2 = row_y(last) + 2 * kRow;
  return {{x1, y1}, {x1 + (x2 - x1) * (y2 - y1) / (row_y(last + 3) - y1), y2}};
}

/// One flight's arrow, label and end mark.
std::string svg_flight(const Flight& f, const Line& line, const Placed& label, bool highlight) {
  const unsigned ci = colour_index(f.segment.incarnation());
  std::string cls = "segment";
  std::string dash = "none";
  std::string end_mark;
  std::string head = fmt::format("url(#head{})", ci);
  Line drawn = line;
  if (f.fate == Fate::Lost || f.fate == Fate::QueueFull) {
    cls += " lost";
    head = "none";
    end_mark =
        fmt::format(R"(<path class="cross" d="M{0:.1f},{1:.1f} L{2:.1f},{3:.1f} M{0:.1f},{3:.1f} L{2:.1f},{1:.1f}" )"
                    R"(stroke="#c00000" stroke-width="3"/><text class="fault-label" x="{4:.1f}" y="{5:.1f}" )"
                    R"(text-anchor="middle">{6}</text>)",
                    line.to.x - 7, line.to.y - 7, line.to.x + 7, line.to.y + 7, line.to.x, line.to.y + 21,
                    f.fate == Fate::Lost ? "lost" : "queue full");
  } else if (f.fate == Fate::Filtered) {
    cls += " filtered";
    head = "none";
    const double wall = line.to.x;
    drawn.to.x -= line.to.x > line.from.x ? 6 : -6;
    end_mark = fmt::format(
        R"(<g class="firewall-mark"><rect x="{:.1f}" y="{:.1f}" width="10" height="26" fill="#b5562b" )"
        R"(stroke="#5a2a0e"/><path d="M{:.1f},{:.1f} h10 M{:.1f},{:.1f} h10 M{:.1f},{:.1f} h10" stroke="#f3d3c0"/>)"
        R"(<text class="wall-label" x="{:.1f}" y="{:.1f}">firewall</text></g>)",
        wall - 5, line.to.y - 13, wall - 5, line.to.y - 6, wall - 5, line.to.y + 1, wall - 5, line.to.y + 8, wall,
        line.to.y + 24);
  } else if (f.in_flight_at_end()) {
    cls += " in-flight";
    dash = "2 4";
  }
  if (f.copy) {
    cls += " duplicate";
    if (dash == "none") dash = "7 4";
  }
  if (highlight) cls += " bold";
  std::string out = fmt::format(R"(<g class="{}" data-sent="{}" data-arrived="{}">)", cls, f.sent,
                                f.arrived ? std::to_string(*f.arrived) : "");
  out += fmt::format(
      R"(<line x1="{:.1f}" y1="{:.1f}" x2="{:.1f}" y2="{:.1f}" stroke="{}" stroke-width="{}" stroke-dasharray="{}" )"
      R"(marker-end="{}"/>)",
      drawn.from.x, drawn.from.y, drawn.to.x, drawn.to.y, kColours[ci], highlight ? 3.5 : 1.8, dash, head);
  return out + label_svg(label, flight_text(f), "seg-label") + end_mark + "</g>\n";
}

}  // namespace

std::string svg(const Trace& trace, const Caption& caption) {
  const std::vector<Flight> fl = flights(trace);
  const std::vector<unsigned> tick = ticks(trace);
  const std::size_t last = trace.empty() ? 0 : trace.size() - 1;
  const bool highlight_last = !caption.last_step.empty() && !trace.empty();
  const auto highlighted = [&](const Flight& f) { return highlight_last && f.arrived && *f.arrived == last; };
  std::vector<std::string> box_lines;
  for (const std::string& paragraph : explanation(trace, caption))
    for (const std::string& l : wrap(paragraph, 118)) box_lines.push_back(l);

  std::set<unsigned> incarnations;
  for (const Flight& f : fl) incarnations.insert(f.segment.incarnation());
  if (incarnations.empty()) incarnations.insert(1);

  // The diagram ends below the last row, the arrows still in flight, and the marks of lost and filtered ones.
  std::vector<Line> lines;
  for (const Flight& one : fl) lines.push_back(flight_line(one, last));
  double rows_end = row_y(last) + 0.75 * kRow;
  for (std::size_t k = 0; k < fl.size(); ++k)
    if (!fl[k].arrived) rows_end = std::max(rows_end, lines[k].to.y + (fl[k].in_flight_at_end() ? 0.5 * kRow : 30));
  const double box_top = rows_end + 16;
  const double box_height = box_lines.empty() ? 0 : 20.0 * static_cast<double>(box_lines.size()) + 16;
  const double height = box_top + box_height + 20;

  std::string out =
      fmt::format(R"(<svg xmlns="http://www.w3.org/2000/svg" class="tdsvg" width="{0:.0f}" height="{1:.0f}" )"
                  R"(viewBox="0 0 {0:.0f} {1:.0f}" role="img" aria-label="{2}">)"
                  "\n",
                  kWidth, height, xml(caption.title));
  out += svg_style();
  out += "<defs>";
  for (unsigned i = 0; i < std::size(kColours); ++i)
    out += fmt::format(
        R"(<marker id="head{}" markerUnits="userSpaceOnUse" markerWidth="12" markerHeight="10" refX="11" refY="5" )"
        R"(orient="auto"><path d="M0,0 L12,5 L0,10 z" fill="{}"/></marker>)",
        i, kColours[i]);
  out += "</defs>\n";
  out += fmt::format(R"(<rect x="0" y="0" width="{:.0f}" height="{:.0f}" fill="#ffffff"/>)"
                     "\n",
                     kWidth, height);

  // Title, summary, legend, column heads.
  const unsigned f = faults(trace);
  const unsigned t = tick.empty() ? 0 : tick.back();
  out += fmt::format(R"(<text class="title" x="20" y="30">{}</text>)"
                     "\n",
                     xml(caption.title));
  out += fmt::format(
      R"(<text class="subtitle" x="20" y="52">{} steps, {} tick{}, {} network fault{}. A is the client (it opens )"
      R"(the connection), B the server (it listens). Time runs downwards.</text>)"
      "\n",
      last, t, t == 1 ? "" : "s", f, f == 1 ? "" : "s");
  out += svg_legend(incarnations);
  const double head_y = kFirstRow - 50;
  for (unsigned side = 0; side < 2; ++side) {
    out += fmt::format(
        R"(<rect x="{:.1f}" y="{:.1f}" width="150" height="36" rx="6" fill="#f2f2f2" stroke="#888"/>)"
        R"(<text class="head" x="{:.1f}" y="{:.1f}">{}</text><text class="head-sub" x="{:.1f}" y="{:.1f}">{}</text>)"
        "\n",
        kX[side] - 75, head_y - 22, kX[side], head_y - 6, side == 0 ? "A (client)" : "B (server)", kX[side], head_y + 9,
        side == 0 ? "active open" : "passive open (listens)");
  }
  out += fmt::format(R"(<text class="colhead" x="34" y="{0:.1f}" text-anchor="end">step</text>)"
                     R"(<text class="colhead" x="80" y="{0:.1f}" text-anchor="end">time</text>)"
                     "\n",
                     head_y + 9);

  // Rows: the band (highlight and click target), step number, tick, what each side does, its state. Notes in
  // the middle are kept clear of the segments' labels.
  std::vector<Placed> placed;
  const auto centre_note = [&](double y, const std::string& text, const char* cls) {
    const Point middle{(kX[0] + kX[1]) / 2, y};
    placed.push_back({{middle.x, middle.y + 5}, {1, 0}, text_width(text, false) / 2});
    return fmt::format(R"(<text class="{}" x="{:.1f}" y="{:.1f}">{}</text>)", cls, middle.x, middle.y, xml(text));
  };
  for (std::size_t i = 0; i < trace.size(); ++i) {
    const double y = row_y(i);
    const bool violation = highlight_last && i == last;
    out += fmt::format(R"(<g class="row{}" data-step="{}"><rect class="band" x="0" y="{:.1f}" width="{:.0f}" )"
                       R"(height="{:.0f}"/>)",
                       violation ? " violation" : "", i, y - kRow / 2, kWidth, kRow);
    out += fmt::format(R"(<text class="stepno" x="34" y="{:.1f}">{}</text>)", y + 4, i);
    const Label* l = trace[i].label ? &*trace[i].label : nullptr;
    if (i == 0 || (l && l->event == Event::Tick))
      out += fmt::format(R"(<text class="tick" x="80" y="{:.1f}">t={}</text>)", y + 4, tick[i]);
    if (l && l->event == Event::Tick) {
      out += fmt::format(R"(<line class="tickrule" x1="90" y1="{0:.1f}" x2="{1:.0f}" y2="{0:.1f}"/>)", y, kWidth - 10);
      out += centre_note(y - 4, fmt::format("one tick passes: t = {}", tick[i]), "ticktext");
    }
    if (l && l->event == Event::FilterOn)
      out += centre_note(y + 4, fmt::format("firewall rule {} switches on", l->index + 1), "centre-note");
    if (caption.trapped_from && i == *caption.trapped_from)
      out += centre_note(y + 16, "from here on no final state is reachable", "centre-note");
    for (unsigned side = 0; side < 2; ++side) {
      const TcpState state = trace[i].state.tcb[side].state;
      const bool state_changed = i == 0 || trace[i - 1].state.tcb[side].state != state;
      const std::string event = l ? side_event(*l, side) : "";
      const double x = side == 0 ? kX[0] - 14 : kX[1] + 14;
      const char* anchor = side == 0 ? "end" : "start";
      if (!event.empty())
        out += fmt::format(R"(<text class="event" x="{:.1f}" y="{:.1f}" text-anchor="{}">{}</text>)", x,
                           state_changed ? y - 4 : y + 4, anchor, xml(event));
      if (state_changed)
        out += fmt::format(R"(<text class="state" x="{:.1f}" y="{:.1f}" text-anchor="{}">{}</text>)", x,
                           event.empty() ? y + 4 : y + 11, anchor, model::name(state));
    }
    out += "</g>\n";
  }

  // Timelines: one line per run of steps in which the endpoint stays in one connection (or in none).
  for (unsigned side = 0; side < 2; ++side) {
    const auto colour = [&](std::size_t i) {
      const Tcb& tcb = trace[i].state.tcb[side];
      return connected(tcb) ? static_cast<int>(colour_index(tcb.incarnation)) : -1;
    };
    std::size_t begin = 0;
    while (begin < trace.size()) {
      std::size_t end = begin + 1;
      while (end < trace.size() && colour(end) == colour(begin)) ++end;
      const double y2 = end < trace.size() ? row_y(end) : rows_end;
      const int c = colour(begin);
      out += fmt::format(R"(<line class="timeline" x1="{0:.1f}" y1="{1:.1f}" x2="{0:.1f}" y2="{2:.1f}" stroke="{3}" )"
                         R"(stroke-width="{4}"/>)",
                         kX[side], row_y(begin), y2, c < 0 ? "#bbbbbb" : kColours[c], c < 0 ? 2.5 : 5);
      begin = end;
    }
    out += "\n";
  }

  // Segments. Labels are placed greedily: the highlighted ones first, then the short arrows, which have little
  // room, and last the long ones, which can move out of the way.
  std::vector<std::size_t> order(fl.size());
  for (std::size_t k = 0; k < fl.size(); ++k) order[k] = k;
  const auto rank = [&](std::size_t k) {
    const std::size_t rows = fl[k].arrived              ? *fl[k].arrived - fl[k].sent
                             : fl[k].in_flight_at_end() ? last + 2 - fl[k].sent
                                                        : 0;
    return std::pair{!highlighted(fl[k]), rows};
  };
  std::stable_sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) { return rank(x) < rank(y); });
  std::vector<std::optional<Placed>> labels(fl.size());
  for (const std::size_t k : order) {
    const double width = text_width(flight_text(fl[k]), highlighted(fl[k]));
    if (fl[k].copy)
      labels[k] = place(lines[k], width, {0.7, 0.6, 0.8, 0.5, 0.4, 0.3, 0.85}, placed);
    else if (fl[k].arrived)
      labels[k] = place(lines[k], width, {0.4, 0.3, 0.5, 0.22, 0.6, 0.15, 0.7, 0.1, 0.78, 0.85, 0.9}, placed);
    else
      labels[k] = place(lines[k], width, {0.25, 0.15, 0.4, 0.55, 0.7, 0.85}, placed);
  }
  for (std::size_t k = 0; k < fl.size(); ++k) out += svg_flight(fl[k], lines[k], *labels[k], highlighted(fl[k]));

  // The explanation of the last step.
  if (!box_lines.empty()) {
    out += fmt::format(R"(<g class="explanation"><rect class="explanation-box" x="20" y="{:.1f}" width="{:.0f}" )"
                       R"(height="{:.1f}" rx="6"/>)",
                       box_top, kWidth - 40, box_height);
    for (std::size_t i = 0; i < box_lines.size(); ++i)
      out += fmt::format(R"(<text class="{}" x="34" y="{:.1f}">{}</text>)",
                         i == 0 ? "explanation-head" : "explanation-text", box_top + 24 + 20.0 * static_cast<double>(i),
                         xml(box_lines[i]));
    out += "</g>\n";
  }
  return out + "</svg>\n";
}

// ---- HTML ----------------------------------------------------------------------------------------------

namespace {

/// JSON for a <script> element: "</" would end the element early.
std::string script_safe(const std::string& json) {
  std::string out;
  for (std::size_t i = 0; i < json.size(); ++i) {
    out += json[i];
    if (json[i] == '<' && i + 1 < json.size() && json[i + 1] == '/') out += "\\";
  }
  return out;
}

constexpr std::string_view kPageStyle = R"(
body { margin: 0; font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; color: #222; background: #fafafa; }
header { padding: 12px 20px 4px; }
header h1 { font-size: 20px; margin: 0 0 4px; }
header p { margin: 2px 0; font-size: 14px; }
header .why { color: #a00000; font-weight: bold; }
main { display: flex; align-items: flex-start; gap: 16px; padding: 8px 20px 20px; }
#picture { flex: 1 1 auto; min-width: 0; background: #fff; border: 1px solid #ddd; }
#picture svg { width: 100%; height: auto; display: block; }
#panel { flex: 0 0 400px; position: sticky; top: 8px; background: #fff; border: 1px solid #ddd; padding: 12px;
  font-size: 13px; }
#panel h2 { font-size: 15px; margin: 0 0 8px; }
#panel h3 { font-size: 13px; margin: 12px 0 4px; }
.controls { display: flex; gap: 6px; align-items: center; flex-wrap: wrap; }
.controls button { font-size: 13px; padding: 4px 10px; cursor: pointer; }
#position { font-weight: bold; margin-left: 4px; }
.hint { color: #666; font-size: 11px; margin: 6px 0; }
#what { background: #f4f7ff; border-left: 4px solid #1f5fbf; padding: 6px 8px; margin: 8px 0; white-space: pre-wrap;
  word-break: break-word; }
#what.violation { background: #fff0f0; border-left-color: #c00000; }
#note { color: #555; font-style: italic; margin: 4px 0; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #ddd; padding: 3px 6px; text-align: left; font-variant-numeric: tabular-nums; }
th { background: #f2f2f2; }
td.changed { background: #fff3b0; font-weight: bold; }
ul.net { margin: 2px 0 6px; padding-left: 18px; }
ul.net li { margin: 1px 0; }
.tdsvg .row { cursor: pointer; }
.tdsvg .row.current .band { fill: #fff3b0; stroke: #e0a800; stroke-width: 2; }
.tdsvg .row.violation.current .band { fill: #fbd0d0; }
.tdsvg .segment.active line { stroke-width: 4; }
.tdsvg .segment.active .seg-label { font-weight: bold; }
)";

constexpr std::string_view kPageScript = R"(
(function () {
  const data = JSON.parse(document.getElementById('trace-data').textContent);
  const steps = data.trace.steps;
  const rows = Array.from(document.querySelectorAll('.tdsvg .row'));
  const arrows = Array.from(document.querySelectorAll('.tdsvg .segment'));
  let current = 0;

  function timer(v) {
    if (v === 0) return 'off';
    const left = v - 1;
    return left === 0 ? 'fires now' : left + (left === 1 ? ' tick left' : ' ticks left');
  }
  const fields = [
    ['state', t => t.state], ['connection (incarnation)', t => t.incarnation], ['ISS', t => t.ISS],
    ['IRS', t => t.IRS], ['SND.UNA', t => t['SND.UNA']], ['SND.NXT', t => t['SND.NXT']],
    ['RCV.NXT', t => t['RCV.NXT']], ['units sent by the app', t => t.sent],
    ['units received by the app', t => t.received], ['retransmissions', t => t.retries],
    ['retransmission timer', t => timer(t.timers.rto)], ['TIME-WAIT timer', t => timer(t.timers.time_wait)],
    ['FIN-WAIT-2 timer', t => timer(t.timers.fin_wait2)]
  ];
  function segment(s) {
    let text = s.flags + ' seq=' + s.seq;
    if (s.flags.indexOf('ACK') >= 0) text += ' ack=' + s.ack;
    if (s.len) text += ' len=' + s.len;
    text += ' (conn ' + s.incarnation + (s.len ? ', unit ' + s.offset : '') + '; ' + s.age +
            (s.age === 1 ? ' tick' : ' ticks') + ' old)';
    return text;
  }
  function cell(row, text, changed) {
    const td = document.createElement('td');
    td.textContent = text;
    if (changed) td.className = 'changed';
    row.appendChild(td);
  }
  function show(i) {
    current = Math.max(0, Math.min(steps.length - 1, i));
    const step = steps[current];
    const before = current > 0 ? steps[current - 1] : null;
    document.getElementById('position').textContent =
      'step ' + current + ' of ' + (steps.length - 1) + ', t = ' + step.time;
    const what = document.getElementById('what');
    what.textContent = data.events[current];
    const isLast = data.highlight && current === steps.length - 1;
    what.className = isLast ? 'violation' : '';
    document.getElementById('note').textContent = isLast ? data.last : (step.note || '');
    const body = document.getElementById('variables');
    body.textContent = '';
    for (const [name, get] of fields) {
      const row = document.createElement('tr');
      const th = document.createElement('th');
      th.textContent = name;
      row.appendChild(th);
      for (const side of ['A', 'B']) {
        const now = String(get(step[side]));
        const was = before ? String(get(before[side])) : now;
        cell(row, was === now ? now : was + ' \u2192 ' + now, was !== now);
      }
      body.appendChild(row);
    }
    for (const dir of ['A>B', 'B>A']) {
      const list = document.getElementById(dir === 'A>B' ? 'net-ab' : 'net-ba');
      list.textContent = '';
      const items = step.network[dir];
      if (items.length === 0) {
        const li = document.createElement('li');
        li.textContent = 'nothing';
        list.appendChild(li);
      }
      for (const s of items) {
        const li = document.createElement('li');
        li.textContent = segment(s);
        list.appendChild(li);
      }
    }
    rows.forEach(r => r.classList.toggle('current', Number(r.dataset.step) === current));
    arrows.forEach(a => a.classList.toggle('active',
      Number(a.dataset.sent) === current || (a.dataset.arrived !== '' && Number(a.dataset.arrived) === current)));
    if (history.replaceState) history.replaceState(null, '', '#step=' + current);
  }
  document.getElementById('first').onclick = () => show(0);
  document.getElementById('previous').onclick = () => show(current - 1);
  document.getElementById('next').onclick = () => show(current + 1);
  document.getElementById('last').onclick = () => show(steps.length - 1);
  rows.forEach(r => r.addEventListener('click', () => show(Number(r.dataset.step))));
  document.addEventListener('keydown', e => {
    if (e.key === 'ArrowRight' || e.key === 'ArrowDown' || e.key === 'j') { show(current + 1); e.preventDefault(); }
    else if (e.key === 'ArrowLeft' || e.key === 'ArrowUp' || e.key === 'k') { show(current - 1); e.preventDefault(); }
    else if (e.key === 'Home') { show(0); e.preventDefault(); }
    else if (e.key === 'End') { show(steps.length - 1); e.preventDefault(); }
  });
  const m = /step=(\d+)/.exec(location.hash);
  show(m ? Number(m[1]) : 0);
})();
)";

}  // namespace

std::string html(const Trace& trace, const Caption& caption) {
  std::string events = "[";
  for (std::size_t i = 0; i < trace.size(); ++i) {
    if (i) events += ",";
    events += quote(trace[i].label ? event_text(*trace[i].label) : "initial state");
  }
  events += "]";
  const std::vector<std::string> boxed = explanation(trace, caption);
  std::string last;
  for (const std::string& line : boxed) {
    if (!last.empty()) last += ' ';
    last += line;
  }
  const std::string data = fmt::format(R"({{"trace":{},"events":{},"highlight":{},"last":{}}})",
                                       trace_json(trace, caption.why, caption.trapped_from), events,
                                       caption.last_step.empty() ? "false" : "true", quote(last));

  std::string out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  out += fmt::format("<title>{}</title>\n<style>{}</style>\n</head>\n<body>\n", xml(caption.title), kPageStyle);
  out += fmt::format("<header><h1>{}</h1>\n", xml(caption.title));
  if (!last.empty()) out += fmt::format("<p class=\"why\">{}</p>\n", xml(last));
  out +=
      "<p>Step through the trace with the buttons, the arrow keys (Home, End) or a click on a row: the panel shows "
      "both endpoints' variables and what is in the network after that step; what the step changed is "
      "highlighted.</p></header>\n<main>\n<div id=\"picture\">\n";
  out += svg(trace, caption);
  out += R"~(</div>
<aside id="panel">
<h2>Step by step</h2>
<div class="controls"><button id="first" title="first step (Home)">&#x25C0;&#x25C0; first</button>
<button id="previous" title="previous step (Left)">&#x25C0; previous</button>
<button id="next" title="next step (Right)">next &#x25B6;</button>
<button id="last" title="last step (End)">last &#x25B6;&#x25B6;</button></div>
<div class="hint">Keys: Left/Right (or Up/Down) step, Home/End jump; click a row of the diagram.</div>
<div id="position"></div>
<div id="what"></div>
<div id="note"></div>
<h3>Both TCBs after this step</h3>
<table><thead><tr><th></th><th>A (client)</th><th>B (server)</th></tr></thead><tbody id="variables"></tbody></table>
<h3>In the network, A to B</h3><ul class="net" id="net-ab"></ul>
<h3>In the network, B to A</h3><ul class="net" id="net-ba"></ul>
</aside>
</main>
)~";
  out += fmt::format("<script type=\"application/json\" id=\"trace-data\">{}</script>\n", script_safe(data));
  out += fmt::format("<script>{}</script>\n</body>\n</html>\n", kPageScript);
  return out;
}

// ---- Mermaid -------------------------------------------------------------------------------------------

namespace {

/// Mermaid text: no ';' (a statement separator) or '#' (an entity escape) inside messages and notes.
std::string mermaid_text(std::string text) {
  for (char& c : text)
    if (c == ';')
      c = ',';
    else if (c == '#')
      c = ' ';
  return text;
}

}  // namespace

std::string mermaid(const Trace& trace, const Caption& caption) {
  const std::vector<Flight> fl = flights(trace);
  const std::vector<unsigned> tick = ticks(trace);
  std::string out = "sequenceDiagram\n";
  if (!caption.title.empty()) out += "    %% " + mermaid_text(caption.title) + "\n";
  out += "    participant A as A (client)\n    participant B as B (server)\n";
  const bool highlight = !caption.last_step.empty() && !trace.empty();
  for (std::size_t i = 0; i < trace.size(); ++i) {
    const Label* l = trace[i].label ? &*trace[i].label : nullptr;
    const bool last = highlight && i + 1 == trace.size();
    if (last) out += "    rect rgb(253, 224, 224)\n";
    if (i == 0) out += "    Note over A,B: t=0\n";
    if (l && l->event == Event::Tick) out += fmt::format("    Note over A,B: one tick passes, t={}\n", tick[i]);
    if (l && l->event == Event::FilterOn)
      out += fmt::format("    Note over A,B: firewall rule {} switches on\n", l->index + 1);
    // What arrives, then what the endpoints do, then what they send that never arrives, then their states.
    for (const Flight& f : fl)
      if (f.arrived && *f.arrived == i)
        out += fmt::format("    {}->>{}: {}, sent at step {}\n", sender_name(f.direction), receiver_name(f.direction),
                           mermaid_text(flight_text(f)), f.sent);
    for (unsigned side = 0; side < 2; ++side) {
      const std::string event = l ? side_event(*l, side) : "";
      if (!event.empty()) out += fmt::format("    Note over {}: {}\n", kSide[side], mermaid_text(event));
    }
    for (const Flight& f : fl) {
      if (f.sent == i && f.fate == Fate::Lost)
        out += fmt::format("    {}-x{}: {}, LOST\n", sender_name(f.direction), receiver_name(f.direction),
                           mermaid_text(segment_label(f.segment)));
      if (f.sent == i && f.fate == Fate::QueueFull)
        out += fmt::format("    {}-x{}: {}, QUEUE FULL\n", sender_name(f.direction), receiver_name(f.direction),
                           mermaid_text(segment_label(f.segment)));
      if (f.sent == i && f.fate == Fate::Filtered)
        out += fmt::format("    {}-x{}: {}, dropped by a firewall\n", sender_name(f.direction),
                           receiver_name(f.direction), mermaid_text(segment_label(f.segment)));
    }
    for (unsigned side = 0; side < 2; ++side) {
      const TcpState state = trace[i].state.tcb[side].state;
      if (i == 0 || trace[i - 1].state.tcb[side].state != state)
        out += fmt::format("    Note {} of {}: {}\n", side == 0 ? "left" : "right", kSide[side], model::name(state));
    }
    if (last) {
      for (const std::string& line : explanation(trace, caption))
        out += fmt::format("    Note over A,B: {}\n", mermaid_text(line));
      out += "    end\n";
    }
  }
  for (const Flight& f : fl)
    if (f.in_flight_at_end())
      out += fmt::format("    {}--){}: {}, sent at step {}, still in flight\n", sender_name(f.direction),
                         receiver_name(f.direction), mermaid_text(flight_text(f)), f.sent);
  if (!highlight)
    for (const std::string& line : explanation(trace, caption))
      out += fmt::format("    Note over A,B: {}\n", mermaid_text(line));
  return out;
}

// ---- DOT -----------------------------------------------------------------------------------------------

namespace {

/// A DOT double-quoted string's body.
std::string dot_text(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

}  // namespace

std::string dot(const Trace& trace, const Caption& caption) {
  const std::vector<Flight> fl = flights(trace);
  const std::vector<unsigned> tick = ticks(trace);
  const bool highlight = !caption.last_step.empty() && !trace.empty();
  std::string label = dot_text(caption.title.empty() ? "trace" : caption.title);
  for (const std::string& line : explanation(trace, caption)) label += "\\n" + dot_text(line);
  std::string out = "digraph trace {\n";
  out += fmt::format(
      "  graph [rankdir=TB, nodesep=2.5, ranksep=0.2, splines=line, labelloc=t, fontname=\"Helvetica\", "
      "label=\"{}\"];\n"
      "  node [fontname=\"Helvetica\", fontsize=10];\n  edge [fontname=\"Helvetica\", fontsize=9];\n",
      label);
  out += "  s [shape=plaintext, label=\"step, time\"];\n";
  out += "  a [shape=box, style=\"rounded,filled\", fillcolor=\"#f2f2f2\", label=\"A (client)\"];\n";
  out += "  b [shape=box, style=\"rounded,filled\", fillcolor=\"#f2f2f2\", label=\"B (server)\"];\n";
  out += "  { rank=same; s; a; b; }\n";
  for (std::size_t i = 0; i < trace.size(); ++i) {
    const bool last = highlight && i + 1 == trace.size();
    out += fmt::format("  s{} [shape=plaintext, label=\"{}, t={}\"{}];\n", i, i, tick[i],
                       last ? ", fontcolor=\"#c00000\"" : "");
    for (unsigned side = 0; side < 2; ++side) {
      const TcpState state = trace[i].state.tcb[side].state;
      const bool changed = i == 0 || trace[i - 1].state.tcb[side].state != state;
      const std::string event = trace[i].label ? side_event(*trace[i].label, side) : "";
      std::string text = dot_text(event);  // escaped for DOT; "\\n" is DOT's line break
      if (changed) {
        if (!text.empty()) text += "\\n";
        text += dot_text(model::name(state));
      }
      const char side_name = side == 0 ? 'a' : 'b';
      if (text.empty())
        out += fmt::format("  {}{} [shape=point, width=0.06{}];\n", side_name, i, last ? ", color=\"#c00000\"" : "");
      else
        out += fmt::format("  {}{} [shape=box, style=rounded, label=\"{}\"{}];\n", side_name, i, text,
                           last ? ", color=\"#c00000\", penwidth=2" : "");
    }
    out += fmt::format("  {{ rank=same; s{0}; a{0}; b{0}; }}\n", i);
  }
  // The timelines keep the rows in order.
  for (const char* side : {"s", "a", "b"}) {
    out += fmt::format("  {} -> {}0", side, side);
    for (std::size_t i = 1; i < trace.size(); ++i) out += fmt::format(" -> {}{}", side, i);
    out += fmt::format(" [arrowhead=none, weight=100{}];\n", side[0] == 's' ? ", style=invis" : ", penwidth=2");
  }
  for (std::size_t k = 0; k < fl.size(); ++k) {
    const Flight& f = fl[k];
    const char from = f.direction == 0 ? 'a' : 'b', to = f.direction == 0 ? 'b' : 'a';
    const std::string text = dot_text(flight_text(f));
    const char* colour = kColours[colour_index(f.segment.incarnation())];
    if (f.arrived) {
      const bool bold = highlight && *f.arrived + 1 == trace.size();
      out += fmt::format("  {}{} -> {}{} [xlabel=\"{}\", color=\"{}\", fontcolor=\"{}\", constraint=false{}{}];\n",
                         from, f.sent, to, *f.arrived, text, colour, colour, f.copy ? ", style=dashed" : "",
                         bold ? ", penwidth=3" : "");
    } else {
      const char* what = f.fate == Fate::Lost        ? "lost"
                         : f.fate == Fate::QueueFull ? "queue full"
                         : f.fate == Fate::Filtered  ? "firewall"
                                                     : "in flight";
      out += fmt::format("  x{} [shape=plaintext, fontcolor=\"#c00000\", label=\"{}\"];\n", k, what);
      out += fmt::format("  {{ rank=same; {}{}; x{}; }}\n", from, f.sent, k);
      out += fmt::format("  {}{} -> x{} [label=\"{}\", color=\"{}\", fontcolor=\"{}\", style=dashed];\n", from, f.sent,
                         k, text, colour, colour);
    }
  }
  return out + "}\n";
}

}  // namespace counterexamples
