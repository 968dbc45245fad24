#include "model/probe.hpp"

#include <fmt/format.h>

#include <array>
#include <cstdlib>
#include <initializer_list>
#include <stdexcept>
#include <vector>

namespace model {

namespace {

constexpr std::uint32_t kIss = 1000000;  // the probed endpoint's ISS (far from IRS, so replies name the right base)
constexpr std::uint32_t kIrs = 3000000;  // its peer's
constexpr std::uint32_t kFreshIsn = 7000000;  // what a new connection from LISTEN starts with in the probe

std::optional<SpecValue> parse_value(std::string_view text) {
  static constexpr std::array<std::pair<std::string_view, SpecValue::Base>, 6> names = {{
      {"RCV.NXT+RCV.WND", SpecValue::Base::RcvNxtPlusWnd},  // before RCV.NXT: the longer name first
      {"RCV.NXT", SpecValue::Base::RcvNxt},
      {"SND.NXT", SpecValue::Base::SndNxt},
      {"SND.UNA", SpecValue::Base::SndUna},
      {"ISS", SpecValue::Base::Iss},
      {"IRS", SpecValue::Base::Irs},
  }};
  for (const auto& [name, base] : names) {
    if (!text.starts_with(name)) continue;
    std::string_view rest = text.substr(name.size());
    SpecValue v{base, 0};
    if (rest.empty()) return v;
    if (rest[0] != '+' && rest[0] != '-') return std::nullopt;
    const auto n = parse_u32(rest.substr(1));
    if (!n) return std::nullopt;
    v.offset = rest[0] == '+' ? std::int64_t{*n} : -std::int64_t{*n};
    return v;
  }
  const auto n = parse_u32(text);
  if (!n) return std::nullopt;
  return SpecValue{SpecValue::Base::Absolute, std::int64_t{*n}};
}

std::uint32_t resolve(const SpecValue& v, const ProbeVars& vars) {
  std::uint32_t base = 0;
  switch (v.base) {
    case SpecValue::Base::Absolute:
      base = 0;
      break;
    case SpecValue::Base::RcvNxt:
      base = vars.rcv_nxt;
      break;
    case SpecValue::Base::SndNxt:
      base = vars.snd_nxt;
      break;
    case SpecValue::Base::SndUna:
      base = vars.snd_una;
      break;
    case SpecValue::Base::Iss:
      base = vars.iss;
      break;
    case SpecValue::Base::Irs:
      base = vars.irs;
      break;
    case SpecValue::Base::RcvNxtPlusWnd:
      base = vars.rcv_nxt + vars.rcv_wnd;
      break;
  }
  return base + static_cast<std::uint32_t>(v.offset);  // modulo 2^32, as sequence numbers are
}

/// The endpoint of the probe, in `state`, after one data unit each way.
Tcb endpoint_in(const Knobs& knobs, const ProbeContext& c) {
  const EndpointRules rules = knobs.endpoint_rules();
  Tcb t;
  t.iss = kIss;
  t.irs = kIrs;
  t.snd_una = t.snd_nxt = kIss + 2;
  t.rcv_nxt = kIrs + 2;
  t.incarnation = 1;
  t.sent = 1;
  t.received = 1;
  t.passive = c.passive ? 1 : 0;
  const auto our_fin = [&](bool acked) {
    t.fin_sent = 1;
    t.snd_nxt = kIss + 3;
    t.snd_una = acked ? t.snd_nxt : kIss + 2;
    if (!acked) t.rto = timer_for(rules.rto);
  };
  const auto their_fin = [&] { t.rcv_nxt = kIrs + 3; };
  switch (c.state) {
    case TcpState::Established:
      break;
    case TcpState::FinWait1:
      our_fin(false);
      t.closed = c.shutdown ? 0 : 1;
      break;
    case TcpState::FinWait2:
      our_fin(true);
      t.closed = c.shutdown ? 0 : 1;
      if (t.closed && rules.fin_wait2_timeout > 0) t.fin_wait2 = timer_for(rules.fin_wait2_timeout);
      break;
    case TcpState::Closing:
      our_fin(false);
      their_fin();
      t.closed = c.shutdown ? 0 : 1;
      break;
    case TcpState::TimeWait:
      our_fin(true);
      their_fin();
      t.closed = c.shutdown ? 0 : 1;
      t.time_wait = timer_for(rules.time_wait);
      break;
    case TcpState::CloseWait:
      their_fin();
      break;
    case TcpState::LastAck:
      their_fin();
      our_fin(false);
      t.closed = c.shutdown ? 0 : 1;
      break;
    case TcpState::SynSent:
      t.snd_una = kIss;
      t.snd_nxt = kIss + 1;
      t.irs = 0;
      t.rcv_nxt = 0;
      t.sent = t.received = 0;
      t.rto = timer_for(rules.rto);
      break;
    case TcpState::SynReceived:
      t.snd_una = kIss;
      t.snd_nxt = kIss + 1;
      t.rcv_nxt = kIrs + 1;
      t.sent = t.received = 0;
      t.rto = timer_for(rules.rto);
      break;
    case TcpState::Closed:
    case TcpState::Listen:
      // No connection: what is left of the previous one (as after its TIME-WAIT), which the spec may name.
      our_fin(true);
      their_fin();
      t.state = TcpState::TimeWait;
      delete_tcb(t, c.listener);
      return t;
  }
  t.state = c.state;
  return t;
}

}  // namespace

std::optional<SegmentSpec> parse_segment_spec(std::string_view text, std::string& error) {
  SegmentSpec spec;
  std::size_t pos = 0;
  bool first = true;
  while (pos < text.size()) {
    while (pos < text.size() && text[pos] == ' ') ++pos;
    if (pos >= text.size()) break;
    const std::size_t end = std::min(text.find(' ', pos), text.size());
    const std::string_view word = text.substr(pos, end - pos);
    pos = end;
    if (first) {
      first = false;
      std::size_t at = 0;
      while (at <= word.size()) {
        const std::size_t bar = std::min(word.find('|', at), word.size());
        const std::string_view flag = word.substr(at, bar - at);
        std::uint8_t bit = 0;
        if (flag == "SYN") bit = kSyn;
        if (flag == "ACK") bit = kAck;
        if (flag == "FIN") bit = kFin;
        if (flag == "RST") bit = kRst;
        if (!bit) {
          error =
              fmt::format("segment '{}': '{}' is not a flag; flags are SYN, ACK, FIN, RST joined by '|'", text, flag);
          return std::nullopt;
        }
        if (spec.flags & bit) {
          error = fmt::format("segment '{}': flag {} given twice", text, flag);
          return std::nullopt;
        }
        spec.flags |= bit;
        at = bar + 1;
      }
      continue;
    }
    const std::size_t eq = word.find('=');
    const std::string_view key = word.substr(0, eq);
    const std::string_view value = eq == std::string_view::npos ? std::string_view{} : word.substr(eq + 1);
    if (eq == std::string_view::npos || (key != "seq" && key != "ack" && key != "len")) {
      error = fmt::format("segment '{}': '{}' is not seq=, ack= or len=", text, word);
      return std::nullopt;
    }
    if ((key == "seq" && spec.seq) || (key == "ack" && spec.ack)) {
      error = fmt::format("segment '{}': {}= given twice", text, key);
      return std::nullopt;
    }
    if (key == "len") {
      const auto n = parse_u32(value);
      if (!n || *n > 65535) {
        error = fmt::format("segment '{}': len={} is not a length from 0 to 65535 bytes", text, value);
        return std::nullopt;
      }
      spec.len = static_cast<unsigned>(*n);
      continue;
    }
    const auto v = parse_value(value);
    if (!v) {
      error = fmt::format(
          "segment '{}': {}={} is not a value; use a number or RCV.NXT, SND.NXT, SND.UNA, ISS, IRS, RCV.NXT+RCV.WND, "
          "optionally +N or -N",
          text, key, value);
      return std::nullopt;
    }
    (key == "seq" ? spec.seq : spec.ack) = v;
  }
  if (first) {
    error = "segment: empty; give flags such as \"FIN|ACK seq=RCV.NXT ack=SND.NXT\"";
    return std::nullopt;
  }
  if (spec.ack && !(spec.flags & kAck)) {
    error = fmt::format("segment '{}': ack= given without the ACK flag", text);
    return std::nullopt;
  }
  if (spec.len > 0 && (spec.flags & kRst)) {
    error = fmt::format("segment '{}': a RST carries no data in this model", text);
    return std::nullopt;
  }
  return spec;
}

std::optional<std::string> check_context(const ProbeContext& c) {
  if (c.state == TcpState::Listen && !c.listener) return "--state LISTEN needs --listener yes";
  if (c.state == TcpState::SynReceived && !c.passive && c.listener)
    return "--state SYN_RECEIVED with --opened active is a simultaneous open, which has no listener: use "
           "--listener no";
  if (c.state == TcpState::SynSent && c.passive) return "--state SYN_SENT is only reached by an active open";
  if (c.shutdown &&
      (c.state == TcpState::CloseWait || c.state == TcpState::SynSent || c.state == TcpState::SynReceived ||
       c.state == TcpState::Established || c.state == TcpState::Closed || c.state == TcpState::Listen))
    return fmt::format(
        "--closed-by shutdown only applies to FIN_WAIT_1, FIN_WAIT_2, CLOSING and TIME_WAIT (the side "
        "that sent its FIN first), not {}",
        name(c.state));
  return std::nullopt;
}

std::string relative(std::uint32_t value, const ProbeVars& vars, const Segment& seg, bool prefer_segment) {
  std::vector<std::pair<std::string_view, std::uint32_t>> bases;
  const auto segment_fields = [&] {
    bases.emplace_back("SEG.SEQ", seg.seq);
    if (seg.has(kAck)) bases.emplace_back("SEG.ACK", seg.ack);
  };
  if (prefer_segment) segment_fields();
  for (const auto& base : std::initializer_list<std::pair<std::string_view, std::uint32_t>>{{"SND.NXT", vars.snd_nxt},
                                                                                            {"RCV.NXT", vars.rcv_nxt},
                                                                                            {"SND.UNA", vars.snd_una},
                                                                                            {"ISS", vars.iss},
                                                                                            {"IRS", vars.irs}})
    bases.push_back(base);
  if (!prefer_segment) segment_fields();
  // The closest base wins; on a tie, the earlier one.
  std::string_view best;
  std::int64_t best_offset = 0;
  for (const auto& [name, base] : bases) {
    const auto offset = static_cast<std::int64_t>(static_cast<std::int32_t>(value - base));
    if (best.empty() || std::llabs(offset) < std::llabs(best_offset)) {
      best = name;
      best_offset = offset;
    }
  }
  if (value == 0 || std::llabs(best_offset) > (1 << 20)) return std::to_string(value);
  if (best_offset == 0) return std::string(best);
  return fmt::format("{}{}{}", best, best_offset > 0 ? "+" : "-", std::llabs(best_offset));
}

ProbeResult probe(const Knobs& knobs, const ProbeContext& context, const SegmentSpec& spec) {
  const EndpointRules rules = knobs.endpoint_rules();
  ProbeResult r;
  r.before = endpoint_in(knobs, context);
  // The spec's names refer to the connection (or, with none left, the one before); a closed endpoint keeps
  // only ISS and SND.NXT in the model, so the rest are those of the connection that ended.
  const bool connection = r.before.state != TcpState::Closed && r.before.state != TcpState::Listen;
  r.vars.iss = kIss;
  r.vars.irs = connection ? r.before.irs : kIrs;
  r.vars.snd_una = connection ? r.before.snd_una : kIss + 3;
  r.vars.snd_nxt = connection ? r.before.snd_nxt : kIss + 3;
  r.vars.rcv_nxt = connection ? r.before.rcv_nxt : kIrs + 3;
  r.vars.rcv_wnd = rules.window;

  Segment& seg = r.segment;
  seg.flags = spec.flags & 0x0F;
  seg.len = static_cast<std::uint16_t>(spec.len);
  seg.seq = spec.seq ? resolve(*spec.seq, r.vars) : r.vars.rcv_nxt;
  seg.ack = (spec.flags & kAck) ? (spec.ack ? resolve(*spec.ack, r.vars) : r.vars.snd_nxt) : 0;
  seg.set_ghost(1, 0);

  std::uint32_t new_iss = kFreshIsn;
  if (creates_connection(r.before, seg, rules)) {
    if (r.before.state == TcpState::TimeWait && knobs.reopen_isn_offset > 0)
      new_iss = r.before.snd_nxt + knobs.reopen_isn_offset;
    else
      r.fresh_isn = true;
  }
  TcbInStep after{r.before};
  r.arrival = segment_arrives(after, seg, rules, context.listener, new_iss);
  r.after = after;
  if (r.arrival.reply) {
    const Segment& reply = *r.arrival.reply;
    r.seq_text = r.fresh_isn && reply.has(kSyn) ? "ISN" : relative(reply.seq, r.vars, seg, !connection);
    if (reply.has(kAck)) r.ack_text = relative(reply.ack, r.vars, seg, !connection);
  }
  return r;
}

std::string held_text(const Tcb& tcb) {
  const auto at = [](unsigned pos) { return pos == 0 ? std::string("RCV.NXT") : fmt::format("RCV.NXT+{}", pos); };
  std::string units;
  for (unsigned pos = 0; pos < 8; ++pos)
    if (tcb.held & (1u << pos)) units += (units.empty() ? "" : ", ") + at(pos);
  std::string out =
      units.empty() ? "" : fmt::format("unit{} at {}", units.find(',') == std::string::npos ? "" : "s", units);
  if (tcb.held_fin != 0) out += (out.empty() ? "" : "; ") + fmt::format("FIN at {}", at((tcb.held_fin & 0x0Fu) - 1));
  return out;
}

std::string reply_kind(const ProbeResult& r) {
  if (!r.arrival.reply) return "none";
  const Segment& reply = *r.arrival.reply;
  if (reply.has(kRst)) return "RST";
  if (reply.has(kSyn)) return reply.has(kAck) ? "SYN|ACK" : "SYN";
  return reply.has(kFin) ? "FIN|ACK" : "ACK";
}

std::vector<TableCell> time_wait_table(const Knobs& knobs) {
  struct Kind {
    std::string_view name, flags;
    bool ack, data;
    std::string_view time_wait_2001, closed_old_2001, closed_arbitrary_2001;
  };
  // The 2001 observations on Linux 2.2 (the table): TIME-WAIT, then the closed port for an old and an
  // arbitrary sequence number.
  static constexpr Kind kinds[] = {
      {"SYN", "SYN", false, false, "RST", "RST", "SYN|ACK"},    {"data", "ACK", true, true, "none", "RST", "RST"},
      {"FIN", "FIN|ACK", true, false, "none", "RST", "RST"},    {"RST", "RST", false, false, "none", "none", "none"},
      {"SYN-ACK", "SYN|ACK", true, false, "RST", "RST", "RST"},
  };
  std::vector<TableCell> cells;
  for (const TcpState state : {TcpState::TimeWait, TcpState::Closed}) {
    for (const Kind& k : kinds) {
      for (const bool old_seq : {true, false}) {
        TableCell c{state, k.name, old_seq, {}, {}, {}, {}};
        c.spec = fmt::format("{} seq={}{}{}", k.flags, old_seq ? "RCV.NXT-1" : "RCV.NXT+100000",
                             k.ack ? " ack=SND.NXT" : "", k.data ? " len=1" : "");
        std::string error;
        const auto spec = parse_segment_spec(c.spec, error);
        if (!spec) throw std::logic_error("time_wait_table: " + error);
        ProbeContext context;
        context.state = state;
        context.listener = state == TcpState::Closed;  // the closed host is the server: its listener stays
        context.passive = false;
        c.result = probe(knobs, context, *spec);
        c.observed = state == TcpState::TimeWait ? k.time_wait_2001
                     : old_seq                   ? k.closed_old_2001
                                                 : k.closed_arbitrary_2001;
        const std::string mine = reply_kind(c.result);
        if (knobs.profile == "linux-2.2" && mine != c.observed) {
          c.footnote = fmt::format("observed in 2001: {}; one endpoint answers {} ({})", c.observed, mine,
                                   describe(c.result.arrival.rule));
          if (state == TcpState::Closed && k.name == "SYN")
            c.footnote +=
                ". A listener cannot tell an old SYN from a new one. The experimenters sent with the TIME-WAIT "
                "host's address and port, so this SYN-ACK went to the host in TIME-WAIT, which answers a SYN-ACK "
                "with RST: the RST they saw most likely came from that second endpoint (their notes are unsure)";
        }
        cells.push_back(std::move(c));
      }
    }
  }
  return cells;
}

}  // namespace model
