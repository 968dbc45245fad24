#pragma once
// Pictures of a trace: an SVG sequence diagram in the style of the figures of RFC 793 and RFC 1337, an HTML
// page that embeds it and steps through the trace, and Mermaid and Graphviz (DOT) text for people who paste
// diagrams into their own documents. Every picture is self-contained: no external resource, no script
// loaded from elsewhere. All of them read the trace through timeline.hpp (which step sends, which delivers).

#include <cstddef>
#include <optional>
#include <string>

#include "properties/check.hpp"

namespace counterexamples {

/// What a picture says besides the steps.
struct Caption {
  std::string title;      ///< the headline, e.g. "stray-data is violated (profile no-time-wait)"
  std::string last_step;  ///< what the last step does, e.g. "breaks stray-data"; empty: nothing highlighted
  std::string why;        ///< the explanation of the last step, e.g. the property's `why`
  std::optional<std::size_t> trapped_from;  ///< eventual-close: the first step no final state is reachable from
  std::optional<std::size_t> cycle_start;   ///< eventual-close: the step the last state repeats
};

/// The sequence diagram as a standalone SVG document. A at the left, B at the right, one row per step going
/// down, the tick in the margin (a dashed rule where a tick passes), each endpoint's state written outside its
/// timeline where it changes and the application's calls and timer events beside it; the timeline is drawn in
/// the colour of the connection (incarnation) the endpoint is in, grey when it has none. Each segment is a
/// slanted arrow (class "segment", one per flight) from the row that sends it to the row that delivers it, in
/// the colour of the connection that sent it, labelled with flags, seq, ack, len and connection; a lost one
/// ends in a red cross (class "lost"), a filtered one at a firewall mark (class "firewall"), the second copy of
/// a duplicated one is dashed and says so (class "duplicate"), one still in flight at the end is dotted
/// and stops below the last row (class "in-flight"); labels are placed to overlap as little as they can.
/// With a non-empty `last_step` the last row is highlighted (class "violation"), the arrows it delivers are
/// drawn bold, and a box under the diagram gives "Step N <last_step>: <why>". Rows carry data-step="N" and
/// arrows data-sent/data-arrived, which the HTML page uses.
/// \throws std::logic_error when the trace delivers a segment it never sent.
std::string svg(const properties::Trace& trace, const Caption& caption);

/// A standalone HTML page: the SVG, and a panel that steps through the trace (buttons; keys Left/Right,
/// Home/End; a click on a row) showing what happens and both TCBs (state, ISS, IRS, SND.UNA, SND.NXT,
/// RCV.NXT, counters, timers) and the channel contents of the chosen step, with what changed marked. The page
/// opens at step 0, or at the step in its address's fragment ("page.html#step=7"). Inline CSS and JS only.
std::string html(const properties::Trace& trace, const Caption& caption);

/// A Mermaid sequenceDiagram: participants A and B; a segment is a message at the step that delivers it
/// ("sent at step S"), a lost or filtered one a message ending in a cross at the step that sent it, one still
/// in flight a dotted message at the end; states, application calls and ticks are notes; the last step sits
/// in a red rect with the explanation.
std::string mermaid(const properties::Trace& trace, const Caption& caption);

/// A Graphviz digraph laid out as a sequence diagram: one node per step on each side (a, b; ranks keep each
/// step on one line), the timelines as heavy edges, each segment an edge from the sending step to the
/// delivering one; a lost or filtered segment ends in its own node ("lost", "firewall").
std::string dot(const properties::Trace& trace, const Caption& caption);

}  // namespace counterexamples
